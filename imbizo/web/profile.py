"""A signed-in resident's profile: their details, which channels may message them, their
consents, a copy of their data and the erasure of their account (POPIA sections 23 and
24). Every change goes through the accounts services, as staff's do."""

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imbizo.accounts.models import Channel, Consent
from imbizo.accounts.phone import normalise_phone
from imbizo.accounts.selectors import citizen_channels, consent_list
from imbizo.accounts.services import (
    citizen_channel_opt,
    citizen_erase,
    citizen_export,
    citizen_update,
    consent_give,
    consent_withdraw,
)
from imbizo.core.errors import ImbizoError

from .language import remember_language
from .pages import page
from .profile_forms import ChannelToggleForm, ConsentForm, EraseForm, ProfileForm
from .session import citizen_actor, request_citizen, sign_out
from .signin import form_error

ERASED = "imbizo_erased"  # session, after sign-out: the erasure page may be shown


def _sign_in_first(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse("web:signin") + "?" + urlencode({"next": request.path}))


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    citizen = request_citizen(request)
    if citizen is None:
        return _sign_in_first(request)
    actor = citizen_actor(request)
    initial = {"name": citizen.name, "email": citizen.email, "language": citizen.language,
               "preferred_channel": citizen.preferred_channel}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            citizen_update(actor=actor, citizen=citizen, **form.cleaned_data)
        except ImbizoError as exc:
            form_error(form, exc)
        else:
            language = form.cleaned_data["language"]
            translation.activate(language)
            messages.success(request, _("Your details are saved."))
            return remember_language(HttpResponseRedirect(request.path), language)
    return page(request, "web/profile.html", {
        "form": form,
        "channels": [(c, Channel(c).label, a, out)
                     for c, a, out in citizen_channels(actor=actor, citizen=citizen)],
        "consents": _consents(actor, citizen),
        "history": consent_list(actor=actor, citizen=citizen),
    }, status=400 if form.errors else 200)


def _consents(actor, citizen) -> list[tuple[str, str, bool]]:
    """Each purpose, and whether it is agreed to now."""
    active = {c.purpose for c in consent_list(actor=actor, citizen=citizen)
              .filter(withdrawn__isnull=True)}
    return [(p.value, p.label, p.value in active) for p in Consent.Purpose]


@require_POST
def channel_toggle(request: HttpRequest) -> HttpResponse:
    citizen = request_citizen(request)
    if citizen is None:
        return _sign_in_first(request)
    form = ChannelToggleForm(request.POST)
    if form.is_valid():
        try:
            citizen_channel_opt(actor=citizen_actor(request), citizen=citizen,
                                channel=form.cleaned_data["channel"],
                                opted_out=not form.cleaned_data["on"])
        except ImbizoError as exc:
            messages.error(request, exc.message)
        else:
            label = Channel(form.cleaned_data["channel"]).label
            messages.success(request, (_("%(channel)s messages are on.") if
                                       form.cleaned_data["on"] else
                                       _("%(channel)s messages are off.")) % {"channel": label})
    return HttpResponseRedirect(reverse("web:profile") + "#channels")


@require_POST
def consent(request: HttpRequest) -> HttpResponse:
    citizen = request_citizen(request)
    if citizen is None:
        return _sign_in_first(request)
    form = ConsentForm(request.POST)
    if form.is_valid():
        actor, purpose = citizen_actor(request), form.cleaned_data["purpose"]
        if form.cleaned_data["give"]:
            consent_give(actor=actor, citizen=citizen, purpose=purpose)
            messages.success(request, _("Thank you: your consent is recorded."))
        else:
            consent_withdraw(actor=actor, citizen=citizen, purpose=purpose)
            messages.success(request, _("Your consent is withdrawn."))
    return HttpResponseRedirect(reverse("web:profile") + "#consent")


@require_POST
def export(request: HttpRequest) -> HttpResponse:
    citizen = request_citizen(request)
    if citizen is None:
        return _sign_in_first(request)
    data = citizen_export(actor=citizen_actor(request), citizen=citizen)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False, default=str),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="imbizo-my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest) -> HttpResponse:
    citizen = request_citizen(request)
    if citizen is None:
        return _sign_in_first(request)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            typed = normalise_phone(form.cleaned_data["phone"])
        except ImbizoError:
            typed = ""
        if typed != citizen.phone:
            form.add_error("phone", _("That is not the number you signed in with."))
        else:
            try:
                citizen_erase(actor=citizen_actor(request), citizen=citizen)
            except ImbizoError as exc:
                form_error(form, exc)
            else:
                sign_out(request)
                request.session[ERASED] = True
                return HttpResponseRedirect(reverse("web:erased"))
    return page(request, "web/erase.html", {"form": form},
                status=400 if form.errors else 200)


@require_GET
def erased(request: HttpRequest) -> HttpResponse:
    if not request.session.get(ERASED):
        return HttpResponseRedirect(reverse("home"))
    return page(request, "web/erased.html")
