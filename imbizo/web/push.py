"""Web Push sign-up from the browser: "Notify me on this phone" on the resident's cases
page posts the browser's ``PushSubscription`` here as JSON (static/web/push.js), and
"Stop" removes it. Signed-in residents only; the CSRF token travels in a header."""

import json

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from imbizo.core.errors import ImbizoError
from imbizo.messaging.providers import provider_paths
from imbizo.messaging.push import BrowserSubscription, push_subscribe, push_unsubscribe

from .session import citizen_actor, request_citizen


def _problem(code: str, message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, **extra}, status=status)


def _body(request: HttpRequest) -> dict | None:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _guard(request: HttpRequest) -> JsonResponse | None:
    if request_citizen(request) is None:
        return _problem("signin_required", _("Sign in first."), 401)
    if "webpush" not in provider_paths():
        return _problem("channel_unavailable", _("Notifications are not available here."), 409)
    return None


@require_POST
def subscribe(request: HttpRequest) -> JsonResponse:
    if refused := _guard(request):
        return refused
    data = _body(request)
    keys = data.get("keys") if data else None
    if not isinstance(keys, dict):
        return _problem("invalid_subscription", _("This browser sent no subscription."), 400)
    try:
        push_subscribe(actor=citizen_actor(request), citizen=request_citizen(request),
                       browser=BrowserSubscription(str(data.get("endpoint", "")),
                                                   str(keys.get("p256dh", "")),
                                                   str(keys.get("auth", ""))))
    except ImbizoError as exc:
        return _problem(exc.code, exc.message, exc.status, **exc.extra)
    return JsonResponse({"subscribed": True}, status=201)


@require_POST
def unsubscribe(request: HttpRequest) -> JsonResponse:
    if request_citizen(request) is None:
        return _problem("signin_required", _("Sign in first."), 401)
    data = _body(request)
    if not data or not isinstance(data.get("endpoint"), str):
        return _problem("invalid_subscription", _("This browser sent no subscription."), 400)
    try:
        gone = push_unsubscribe(actor=citizen_actor(request),
                                citizen=request_citizen(request), endpoint=data["endpoint"])
    except ImbizoError as exc:
        return _problem(exc.code, exc.message, exc.status, **exc.extra)
    return JsonResponse({"subscribed": False, "removed": gone})
