"""The case page: header, timeline, photos, and every action the actor's role may take,
each a POST to one service; an error comes back on its form with what was typed."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imbizo.cases.duplicates import case_merge
from imbizo.cases.lifecycle import case_assign, case_comment
from imbizo.cases.models import Case, WorkOrder
from imbizo.cases.photos import photo_url
from imbizo.cases.selectors import access_case, assignment_targets, case_detail
from imbizo.cases.workorders import (
    access_workorder,
    contractor_list,
    contractor_name,
    workorder_issue,
    workorder_signoff,
)
from imbizo.core.errors import ImbizoError, NotFound

from .access import console_view
from .actions import BY_NAME, offered, powers
from .forms import AssignForm, CommentForm, MergeForm, SignOffForm, VersionedForm, WorkOrderForm
from .roles import CASES, requires
from .selectors import assign_choices


class CaseAssignForm(AssignForm, VersionedForm):
    pass


def _case(actor, reference: str) -> Case:
    try:
        return access_case(actor, reference)
    except ImbizoError:  # unknown, mistyped or another municipality's: all the same 404
        raise Http404(_("No such case.")) from None


def _contractors(actor, case: Case) -> list:
    try:
        return [(u.pk, contractor_name(u))
                for u in contractor_list(actor=actor, municipality_code=case.municipality.code)]
    except ImbizoError:
        return []


def _context(actor, case: Case, bound: dict) -> dict:
    """Everything the page shows; ``bound`` holds the forms of a failed POST by name."""
    case = case_detail(case)
    may = powers(actor, case)
    version = {"expected_version": case.version}
    transitions = [(t, bound.get(t.name) or t.form(initial=version))
                   for t in offered(actor, case)]
    orders = list(WorkOrder.objects.filter(case=case).select_related("contractor")
                  .order_by("number")) if may.see_internal else []
    context = {
        "case": case, "may": may, "transitions": transitions,
        "overdue": bool(case.is_open and case.resolve_due and case.resolve_due < timezone.now()),
        "updates": [u for u in case.updates.all() if may.see_internal or u.public],
        "photos": [(photo_url(a, thumbnail=True), photo_url(a)) for a in case.attachments.all()
                   if a.public or may.see_internal],
        "orders": [(o, bound.get(f"signoff-{o.pk}") or SignOffForm())
                   if o.state == WorkOrder.State.COMPLETED else (o, None) for o in orders],
        "public_form": bound.get("comment-public") or CommentForm(),
        "internal_form": bound.get("comment-internal") or CommentForm(),
        "merge_form": bound.get("merge") or MergeForm(),
    }
    if may.see_reporter:
        reporter = case.reporter
        context["reporter"] = {
            "name": (reporter.name if reporter else "") or case.contact_name,
            "phone": (reporter.phone if reporter else "") or case.contact_phone}
    if may.assign:
        context["assign_form"] = bound.get("assign") or CaseAssignForm(
            initial=version, choices=assign_choices(actor=actor,
                                                    municipality_id=case.municipality_id))
    if may.work_orders and case.is_open:
        context["workorder_form"] = bound.get("workorder") or WorkOrderForm(
            contractors=_contractors(actor, case))
    _unique_ids(context)
    return context


def _unique_ids(context: dict) -> None:
    """Many forms share a page: each field's id (and so its label) names its form."""
    for t, form in context["transitions"]:
        form.auto_id = f"{t.name}-%s"
    for order, form in context["orders"]:
        if form is not None:
            form.auto_id = f"signoff{order.pk}-%s"
    for key in ("public_form", "internal_form", "merge_form", "assign_form",
                "workorder_form"):
        if key in context:
            context[key].auto_id = f"{key.removesuffix('_form')}-%s"


def _page(request, case: Case, bound: dict | None = None, status: int = 200):
    return render(request, "console/case.html",
                  _context(request.console_actor, case, bound or {}), status=status)


@require_GET
@console_view
@requires(CASES)
def case_page(request, reference: str):
    return _page(request, _case(request.console_actor, reference))


def _perform(actor, case: Case, action: str, post) -> tuple[object, str]:
    """Bind the action's form and call its service; (form, success message). The form
    carries the service's error, if any, as a form error."""
    if action in BY_NAME:
        transition = BY_NAME[action]
        form = transition.form(post)
        if not transition.allowed(actor, case):
            form.add_error(None, _("You may not do that to this case now."))
        elif form.is_valid():
            transition.perform(actor, case, form.cleaned_data)
        return form, _("Done: %(what)s.") % {"what": transition.label}
    if action in ("comment-public", "comment-internal"):
        form = CommentForm(post)
        if form.is_valid():
            case_comment(actor=actor, case=case, text=form.cleaned_data["text"],
                         public=action == "comment-public")
        return form, _("Added.")
    if action == "assign":
        form = CaseAssignForm(post, choices=assign_choices(
            actor=actor, municipality_id=case.municipality_id))
        if form.is_valid():
            data = form.cleaned_data
            targets = assignment_targets(case, department=data["department"] or None,
                                         team=data["team"], assignee=data["assignee"])
            case_assign(actor=actor, case=case, department=targets.department,
                        team=targets.team, assignee=targets.assignee,
                        expected_version=data["expected_version"])
        return form, _("Assigned.")
    if action == "workorder":
        form = WorkOrderForm(post, contractors=_contractors(actor, case))
        if form.is_valid():
            data = form.cleaned_data
            workorder_issue(actor=actor, case=case, contractor_id=data["contractor"],
                            scope=data["scope"], due=data["due"], estimate=data["estimate"])
        return form, _("Work order issued.")
    raise Http404(_("No such action."))


@require_POST
@console_view
@requires(CASES)
def case_action(request, reference: str, action: str):
    actor = request.console_actor
    case = _case(actor, reference)
    if action == "signoff":
        return _signoff(request, case)
    form, done = _perform_safely(actor, case, action, request.POST)
    if form.errors:
        return _page(request, case, {action: form}, status=400)
    messages.success(request, done)
    return redirect("console:case", reference=case.reference)


def _perform_safely(actor, case, action, post):
    try:
        return _perform(actor, case, action, post)
    except ImbizoError as error:
        form = _failed_form(actor, case, action, post)
        form.add_error(None, error.message)
        return form, ""


def _failed_form(actor, case, action, post):
    """The action's form bound again, to carry a service error with what was typed."""
    if action in BY_NAME:
        form = BY_NAME[action].form(post)
    elif action == "assign":
        form = CaseAssignForm(post, choices=assign_choices(
            actor=actor, municipality_id=case.municipality_id))
    elif action == "workorder":
        form = WorkOrderForm(post, contractors=_contractors(actor, case))
    else:
        form = CommentForm(post)
    form.is_valid()
    return form


def _signoff(request, case: Case):
    actor = request.console_actor
    try:
        order = access_workorder(actor, int(request.POST.get("order", "0")))
    except (ValueError, NotFound):
        raise Http404(_("No such work order.")) from None
    if order.case_id != case.pk:
        raise Http404(_("No such work order."))
    form = SignOffForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            workorder_signoff(actor=actor, order=order, note=data["note"],
                              accept=data["decision"] == "accept", public=data["public"])
        except ImbizoError as error:
            form.add_error(None, error.message)
    if form.errors:
        return _page(request, case, {f"signoff-{order.pk}": form}, status=400)
    messages.success(request, _("Work order W%(n)s: done.") % {"n": order.number})
    return redirect("console:case", reference=case.reference)


@require_http_methods(["GET", "POST"])
@console_view
@requires(CASES)
def merge(request, reference: str):
    """Step one (GET): show both cases to confirm. Step two (POST): merge this case into
    the other with ``case_merge``."""
    actor = request.console_actor
    case = _case(actor, reference)
    form = MergeForm(request.POST if request.method == "POST" else request.GET)
    into = None
    if form.is_valid():
        try:
            into = access_case(actor, form.cleaned_data["into"])
        except ImbizoError as error:
            form.add_error("into", error.message)
    if form.errors or into is None:
        return _page(request, case, {"merge": form}, status=400)
    if request.method == "POST" and form.cleaned_data["confirm"]:
        try:
            case_merge(actor=actor, duplicate=case, into=into)
        except ImbizoError as error:
            form.add_error(None, error.message)
            return _page(request, case, {"merge": form}, status=400)
        messages.success(request, _("%(dup)s merged into %(into)s.")
                         % {"dup": case.reference, "into": into.reference})
        return redirect("console:case", reference=into.reference)
    return render(request, "console/merge.html", {"case": case, "into": into})
