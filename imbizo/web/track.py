"""Following a case: find it by reference, read its public timeline and photos, and for
a signed-in resident, join it or (as its reporter) confirm, reopen or rate it. Each step
calls the same service as every other channel; refusals are said on the page."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from imbizo.cases import lifecycle
from imbizo.cases.duplicates import case_join
from imbizo.cases.models import Case, Status
from imbizo.cases.photos import attachment_is_public, photo_url
from imbizo.cases.selectors import case_mine, case_public
from imbizo.cases.standard import category_name
from imbizo.cases.transitions import is_reporter
from imbizo.core.errors import ImbizoError

from .forms import TrackForm
from .pages import page
from .rating import RatingForm, ReopenForm
from .session import citizen_actor, request_citizen
from .signin import form_error

# A status in words, for someone who does not know the municipality's terms.
MEANING = {
    Status.LOGGED: gettext_lazy("We have it and are sending it to the right team."),
    Status.ASSIGNED: gettext_lazy("A team has it and will start work."),
    Status.IN_PROGRESS: gettext_lazy("Someone is working on it."),
    Status.ON_HOLD: gettext_lazy("Work has paused for now."),
    Status.RESOLVED: gettext_lazy("It has been marked as fixed."),
    Status.REOPENED: gettext_lazy("It was reopened and will be looked at again."),
    Status.CLOSED: gettext_lazy("It is fixed and closed."),
    Status.REJECTED: gettext_lazy("It was not taken on."),
    Status.CANCELLED: gettext_lazy("It was withdrawn."),
}


@require_GET
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.GET or None)
    if form.is_valid():
        try:
            case = case_public(actor=citizen_actor(request),
                               reference=form.cleaned_data["reference"])
        except ImbizoError as exc:
            form_error(form, ImbizoError(exc.code, exc.message, field="reference"))
        else:
            return HttpResponseRedirect(reverse("web:track_case", args=[case.reference]))
    return page(request, "web/track_form.html", {"form": form},
                status=404 if form.errors and "reference" in request.GET else 200)


@require_http_methods(["GET", "POST"])
def track_case(request: HttpRequest, reference: str) -> HttpResponse:
    actor = citizen_actor(request)
    try:
        case = case_public(actor=actor, reference=reference)
    except ImbizoError as exc:
        form = TrackForm({"reference": reference})
        form.is_valid()
        form_error(form, ImbizoError(exc.code, exc.message, field="reference"))
        return page(request, "web/track_form.html", {"form": form}, status=404)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and actor.kind != "citizen":
        return HttpResponseRedirect(reverse("web:signin") + "?" + urlencode(
            {"next": request.path}))
    forms_ = {"rate": RatingForm(request.POST if action == "rate" else None),
              "reopen": ReopenForm(request.POST if action == "reopen" else None)}
    if action and _act(request, actor, case, action, forms_):
        return HttpResponseRedirect(request.path)
    return page(request, "web/track.html", _context(request, actor, case, forms_),
                status=400 if action else 200)


def _act(request, actor, case: Case, action: str, forms_: dict) -> bool:
    """Run the step asked for; True when done (the page then shows its new state)."""
    form = forms_.get(action)
    if form is not None and not form.is_valid():
        return False
    try:
        if action == "join":
            case_join(actor=actor, case=case)
            messages.success(request, _("You have joined this case. We will keep you posted."))
        elif action == "confirm":
            lifecycle.case_close(actor=actor, case=case)
            messages.success(request, _("Thank you: the case is closed. You can rate it now."))
        elif action == "reopen":
            lifecycle.case_reopen(actor=actor, case=case, reason=form.cleaned_data["reason"])
            messages.success(request, _("It has been reopened and will be looked at again."))
        elif action == "rate":
            lifecycle.case_rate(actor=actor, case=case, rating=form.cleaned_data["rating"],
                                comment=form.cleaned_data["comment"])
            messages.success(request, _("Thank you for your rating."))
        else:
            raise ImbizoError("unknown_action", _("That cannot be done here."))
    except ImbizoError as exc:
        if form is not None:
            form_error(form, exc)
        else:
            messages.error(request, exc.message)
            return True  # said on the page it goes back to
        return False
    return True


def _context(request, actor, case: Case, forms_: dict) -> dict:
    citizen = request_citizen(request)
    mine = citizen is not None and is_reporter(actor, case)
    following = mine or (citizen is not None
                         and case.subscriptions.filter(citizen=citizen).exists())
    return {
        "case": case, "municipality": case.municipality,
        "category": category_name(case.category.name),
        "status": Status(case.status).label, "meaning": MEANING.get(case.status, ""),
        "updates": [u for u in case.updates.all() if u.public],
        "photos": [(photo_url(a, thumbnail=True), photo_url(a))
                   for a in case.attachments.all() if mine or attachment_is_public(a)],
        "mine": mine, "following": following,
        "may_join": citizen is not None and case.is_open and not following,
        "may_confirm": mine and case.status == Status.RESOLVED,
        "may_rate": mine and case.status == Status.CLOSED and case.rating is None,
        "rate_form": forms_["rate"], "reopen_form": forms_["reopen"],
        "status_labels": dict(Status.choices),
    }


@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    actor = citizen_actor(request)
    if actor.kind != "citizen":
        return HttpResponseRedirect(reverse("web:signin") + "?" + urlencode(
            {"next": request.path}))
    cases = [(c, category_name(c.category.name), Status(c.status).label)
             for c in case_mine(actor=actor)]
    return page(request, "web/my.html", {"cases": cases})


