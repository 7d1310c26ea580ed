"""Who is calling the API: an integrator's key or a signed-in staff member.

A request that carries an ``X-API-Key`` header is judged by that key alone: a wrong one
is a 401, never a fall-through to the session and its CSRF check. A request with
neither a key nor a staff session is a 401 too; a staff session's write without its
CSRF token is a 403. Each answers in problem+json.
"""

from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyHeader, SessionAuth

from imbizo.accounts.permissions import staff_actor
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import Actor

from .keys import api_key_actor


class ApiKeyAuth(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request, key: str | None) -> Actor | None:
        if key is None:
            return None  # no key: a staff session may still answer
        actor = api_key_actor(key) if key.strip() else None
        if actor is None:
            raise AuthenticationError(message=_("Unknown or revoked API key."))
        return actor


class StaffSessionAuth(SessionAuth):
    """The staff console's session, CSRF-checked on writes."""

    def __call__(self, request):
        user = request.user
        if not (user.is_authenticated and user.is_staff):
            return None  # nothing to check a token for: the answer is a 401
        try:
            return super().__call__(request)
        except HttpError:
            raise ImbizoError("csrf_failed", _("A signed-in session must send its CSRF token "
                                               "(the X-CSRFToken header) with a write."),
                              status=403) from None

    def authenticate(self, request, key) -> Actor | None:
        return staff_actor(request.user, channel="web")


api_auth = [ApiKeyAuth(), StaffSessionAuth()]
