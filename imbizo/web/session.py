"""The signed-in resident of a web request: their id in the Django session, set after a
PIN (accounts/otp.py); the key is rotated at sign-in so a session id seen before it is
worth nothing after."""

from django.http import HttpRequest

from imbizo.accounts.models import Citizen
from imbizo.accounts.permissions import citizen_actor as _citizen_actor
from imbizo.core.permissions import Actor

SESSION_KEY = "imbizo_citizen"


def sign_in(request: HttpRequest, citizen: Citizen) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = citizen.pk
    request._citizen = citizen


def sign_out(request: HttpRequest) -> None:
    request.session.flush()
    request._citizen = None


def request_citizen(request: HttpRequest) -> Citizen | None:
    """The signed-in resident (one query a request at most); None once erased."""
    if not hasattr(request, "_citizen"):
        pk = request.session.get(SESSION_KEY)
        request._citizen = Citizen.objects.filter(pk=pk, erased__isnull=True).first() \
            if pk else None
    return request._citizen


def citizen_actor(request: HttpRequest) -> Actor:
    """The resident acting on the web, or an anonymous visitor."""
    citizen = request_citizen(request)
    if citizen is None:
        return Actor(kind="anonymous", channel="web")
    return _citizen_actor(citizen, channel="web")
