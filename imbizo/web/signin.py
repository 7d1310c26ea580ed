"""Signing in with a phone number and a one-time PIN sent by SMS or WhatsApp, and
signing out. The limits and their messages are the domain's (accounts/otp.py)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from imbizo.accounts.models import PhoneChallenge
from imbizo.accounts.otp import otp_request, otp_verify
from imbizo.core.errors import ImbizoError
from imbizo.messaging.services import message_queue

from .forms import CodeForm, PhoneForm
from .language import remember_language, safe_next
from .pages import page
from .session import sign_in, sign_out

PENDING = "imbizo_pin"  # session: the number a code was sent to, and where to go after


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _send(challenge: PhoneChallenge, code: str, language: str) -> None:
    with translation.override(language):
        body = _("Your Imbizo sign-in code is %(code)s. It expires in 5 minutes. "
                 "Do not share it.") % {"code": code}
    message_queue(to=challenge.phone, channel=challenge.channel, body=body, purpose="service",
                  language=language, dedupe_key=f"otp:{challenge.pk}")


def form_error(form, exc: ImbizoError) -> None:
    """A service's refusal on the field it names, else above the form."""
    field = exc.extra.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST or None)
    next_ = safe_next(request, request.POST.get("next") or request.GET.get("next"),
                      reverse("web:my"))
    if request.method == "POST" and form.is_valid():
        try:
            challenge = otp_request(phone=form.cleaned_data["phone"], client=_client(request),
                                    channel=form.cleaned_data["channel"], send=_send,
                                    language=translation.get_language())
        except ImbizoError as exc:
            form_error(form, exc)
        else:
            request.session[PENDING] = {"phone": challenge.phone, "channel": challenge.channel,
                                        "next": next_}
            return HttpResponseRedirect(reverse("web:signin_code"))
    return page(request, "web/signin.html", {"form": form, "next": next_})


@require_http_methods(["GET", "POST"])
def signin_code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING)
    if not pending:
        return HttpResponseRedirect(reverse("web:signin"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            citizen = otp_verify(phone=pending["phone"], code=form.cleaned_data["code"],
                                 client=_client(request), language=translation.get_language())
        except ImbizoError as exc:
            form_error(form, exc)
        else:
            sign_in(request, citizen)  # a new session key; the pending number is done with
            request.session.pop(PENDING, None)
            translation.activate(citizen.language)
            return remember_language(HttpResponseRedirect(pending["next"]), citizen.language)
    return page(request, "web/signin_code.html", {
        "form": form, "phone": _masked(pending["phone"]), "channel": pending["channel"],
        "simulator": settings.DEBUG and settings.SIMULATOR_ENABLED})


def _masked(phone: str) -> str:
    return phone[:5] + "•" * max(len(phone) - 8, 0) + phone[-3:]


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    sign_out(request)
    return HttpResponseRedirect(reverse("home"))
