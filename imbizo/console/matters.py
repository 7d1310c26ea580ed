"""The councillor's matters: the queue of their wards' matters (overdue first) and a
matter's page, where they acknowledge, answer, refer to a department (a case) or close
it, each a POST to one matters service. Managers and administrators (``matters.view``)
read their municipality's matters here without acting."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import allows
from imbizo.matters.access import may_answer
from imbizo.matters.lifecycle import (
    TRANSITIONS,
    matter_acknowledge,
    matter_answer,
    matter_close,
    matter_refer,
)
from imbizo.matters.models import Matter, Status
from imbizo.matters.selectors import QueueFilters, access_matter, matter_queue, matter_timeline

from .access import console_view
from .matters_forms import AcknowledgeForm, AnswerForm, MatterFilterForm, NoteForm, ReferForm
from .roles import requires

MATTERS = ("matters.view",)


@require_GET
@console_view
@requires(MATTERS)
def matter_queue_page(request):
    form = MatterFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = QueueFilters(status=data.get("status", ""), kind=data.get("kind", ""))
    page = matter_queue(actor=request.console_actor, filters=filters,
                        page=request.GET.get("page", 1))
    query = {k: v for k, v in (("status", filters.status), ("kind", filters.kind)) if v}
    return render(request, "console/matters/queue.html", {
        "form": form, "page": page, "query": urlencode(query),
        "answers": any(m.role == "councillor" for m in request.console_actor.grants)})


def _matter(actor, reference: str) -> Matter:
    try:
        return access_matter(actor, reference)
    except ImbizoError:  # unknown, mistyped or not theirs: the same 404
        raise Http404(_("No such matter.")) from None


def _forms(matter: Matter, bound: dict) -> dict:
    """The steps open to the matter now, each with its form (a failed one bound)."""
    allowed = TRANSITIONS.get(matter.status, frozenset())
    steps = {}
    if matter.status == Status.RECEIVED:
        steps["acknowledge"] = bound.get("acknowledge") or AcknowledgeForm()
    if Status.ANSWERED in allowed:
        steps["answer"] = bound.get("answer") or AnswerForm()
    if Status.REFERRED in allowed and not matter.case_id:
        steps["refer"] = bound.get("refer") or ReferForm(municipality=matter.municipality)
    if Status.CLOSED in allowed:
        steps["close"] = bound.get("close") or NoteForm()
    for name, form in steps.items():
        form.auto_id = f"{name}-%s"
    return steps


def _page(request, matter: Matter, bound: dict | None = None, status: int = 200):
    actor = request.console_actor
    may = may_answer(actor, matter)
    resident = matter.citizen if matter.citizen_id and allows(
        actor, "citizen.view", municipality_id=matter.municipality_id,
        ward_id=matter.ward_id) else None
    return render(request, "console/matters/matter.html", {
        "matter": matter, "may_answer": may, "steps": _forms(matter, bound or {}) if may else {},
        "updates": matter_timeline(matter, internal=True), "resident": resident,
        "status_labels": dict(Status.choices)}, status=status)


@require_GET
@console_view
@requires(MATTERS)
def matter_page(request, reference: str):
    return _page(request, _matter(request.console_actor, reference))


def _bind(step: str, matter: Matter, post):
    if step == "acknowledge":
        return AcknowledgeForm(post)
    if step == "answer":
        return AnswerForm(post)
    if step == "refer":
        return ReferForm(post, municipality=matter.municipality)
    if step == "close":
        return NoteForm(post)
    raise Http404(_("No such step."))


def _perform(actor, matter: Matter, step: str, data: dict) -> str:
    """Call the step's service; the message to show when it is done."""
    if step == "acknowledge":
        matter_acknowledge(actor=actor, matter=matter)
        return _("Acknowledged: the resident is told (after 07:00 if it is night).")
    if step == "answer":
        matter_answer(actor=actor, matter=matter, text=data["text"])
        return _("Answer saved: the resident is told on their channel (after 07:00 if it "
                 "is night).")
    if step == "refer":
        referred = matter_refer(actor=actor, matter=matter, category=data["category"],
                                note=data["note"])
        return _("Referred as case %(case)s; the resident is told its reference.") % {
            "case": referred.case.reference}
    matter_close(actor=actor, matter=matter, note=data["note"])
    return _("Closed.")


@require_POST
@console_view
@requires(MATTERS)
def matter_step(request, reference: str, step: str):
    actor = request.console_actor
    matter = _matter(actor, reference)
    form = _bind(step, matter, request.POST)
    status = 400
    if form.is_valid():
        try:
            done = _perform(actor, matter, step, form.cleaned_data)
        except ImbizoError as error:
            field = {"answer": "text"}.get(error.extra.get("field"), error.extra.get("field"))
            form.add_error(field if field in form.fields else None, error.message)
            status = 403 if error.status == 403 else 400
        else:
            messages.success(request, done)
            return redirect("console:matter", reference=matter.reference)
    return _page(request, _matter(actor, reference), {step: form}, status=status)
