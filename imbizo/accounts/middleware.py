"""Puts the signed-in staff member's ``Actor`` on the request, loaded once and only
when something asks for it, so that code below ``accounts`` (the audited admin in
``audit.admin_scoping``) reads permissions without importing the memberships."""

from django.utils.functional import SimpleLazyObject

from imbizo.core.permissions import Actor

from .permissions import staff_actor


def _actor(request) -> Actor:
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return Actor(kind="anonymous", channel="web")
    return staff_actor(user, channel="admin" if request.path.startswith("/admin/") else "web")


class ActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(lambda: _actor(request))
        return self.get_response(request)
