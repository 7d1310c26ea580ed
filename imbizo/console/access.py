"""Who may open a console page: a signed-in staff member who passed both factors and
holds an active membership (or is a superuser)."""

from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from imbizo.accounts.permissions import staff_actor


def console_view(view):
    """Put the actor on ``request.console_actor``; send anyone else to sign in."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        verified = user.is_authenticated and user.is_active and user.is_verified()
        actor = staff_actor(user, channel="console") if verified else None
        if actor is None or not (user.is_superuser or actor.grants):
            login = reverse("console:login")
            return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
        request.console_actor = actor
        return view(request, *args, **kwargs)
    return wrapped
