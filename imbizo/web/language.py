"""The language switcher: remembered in a cookie and, for a signed-in resident, on their
record, so USSD, SMS and WhatsApp answer them in it too."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from imbizo.accounts.services import citizen_update

from .pages import SWITCHER
from .session import citizen_actor, request_citizen


def safe_next(request: HttpRequest, target: str | None, default: str = "/") -> str:
    """Only a path on this site: never an open redirect."""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def remember_language(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600,
                        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return response


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(safe_next(request, request.POST.get("next")))
    if language not in dict(SWITCHER):
        return response
    citizen = request_citizen(request)
    if citizen is not None and citizen.language != language:
        citizen_update(actor=citizen_actor(request), citizen=citizen, language=language)
    translation.activate(language)
    return remember_language(response, language)
