"""The reporter's feedback page, reached by the signed link in their case's messages
(``/r/<token>``, notifications/links.py): say that a resolved case is not fixed, or rate
a closed one from 1 to 5. Plain forms that work without JavaScript on any phone's
browser; the link is the only proof asked for.

A reporter who left only a number is registered as the resident of that number when
they first act here (``citizen_register``, idempotent per number), and acts as that
resident: the owner of the number left with a case is its reporter (``is_reporter``),
as on every other channel, so the services need no second kind of proof.
"""

from contextlib import nullcontext

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register
from imbizo.cases.lifecycle import case_rate, case_reopen
from imbizo.cases.models import Case, Status
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import Actor, system_actor
from imbizo.notifications.links import Feedback, feedback_read

TEXT_MAX = 1000
# Refusals that are no mistake of the resident's: said politely, with no form to fix.
NOTICES = {"already_rated", "not_closed", "invalid_transition", "reopen_window_passed"}


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How well did we deal with it?"), coerce=int, widget=forms.RadioSelect,
        choices=[(5, _("5 (very well)")), (4, "4"), (3, "3"), (2, "2"), (1, _("1 (badly)"))])
    comment = forms.CharField(label=_("Anything to add? (optional)"), required=False,
                              max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("What is still wrong?"), max_length=TEXT_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}))


def _state(case: Case) -> str:
    if case.status == Status.CLOSED:
        return "rated" if case.rating is not None else "rate"
    if case.status == Status.RESOLVED:
        return "resolved"
    return "open" if case.is_open else "ended"


def _resident(found: Feedback) -> Actor:
    citizen = found.citizen
    if citizen is None:
        language = translation.get_language()
        citizen = citizen_register(
            actor=system_actor("web"), phone=found.phone, municipality=found.case.municipality,
            language=language if language in dict(settings.LANGUAGES) else "en")
    return citizen_actor(citizen, channel="web")


def _act(found: Feedback, action: str, form: forms.Form) -> dict:
    """Run the one service the form asks for; what the page should say after it."""
    try:
        actor = _resident(found)
        if action == "rate":
            case = case_rate(actor=actor, case=found.case, rating=form.cleaned_data["rating"],
                             comment=form.cleaned_data["comment"])
        else:
            case = case_reopen(actor=actor, case=found.case,
                               reason=form.cleaned_data["reason"])
    except ImbizoError as exc:
        if exc.code in NOTICES:
            return {"notice": exc.message}
        form.add_error(exc.extra.get("field") if exc.extra.get("field") in form.fields
                       else None, exc.message)
        return {}
    return {"case": case, "done": action}


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    found = feedback_read(token)
    if found is None:
        return render(request, "web/feedback.html", {"state": "missing"}, status=404)
    language = found.citizen.language if found.citizen else None
    with translation.override(language) if language else nullcontext():
        action = request.POST.get("action") if request.method == "POST" else None
        forms_ = {"rate": RatingForm(request.POST if action == "rate" else None),
                  "reopen": ReopenForm(request.POST if action == "reopen" else None)}
        context = {"case": found.case}
        if action in forms_ and forms_[action].is_valid():
            context |= _act(found, action, forms_[action])
        case = context["case"]
        context |= {"state": _state(case), "status": Status(case.status).label,
                    "rate_form": forms_["rate"], "reopen_form": forms_["reopen"],
                    "autoclose_days": settings.CASE_AUTOCLOSE_DAYS,
                    "language": translation.get_language()}
        return render(request, "web/feedback.html", context)
