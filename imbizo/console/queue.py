"""The queues: my queue and every case I may see, with filters, saved views and bulk
assign. With htmx the table is swapped in place; without it, plain GETs and POSTs."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from imbizo.cases.lifecycle import case_assign
from imbizo.cases.selectors import access_case, assignment_targets
from imbizo.core.errors import ImbizoError

from .access import console_view
from .forms import BulkAssignForm, QueueFilterForm, SavedViewForm
from .roles import CASES, may_any, requires, start_page
from .selectors import (
    assign_choices,
    filter_choices,
    may_assign_anywhere,
    queue_page,
    queue_rows,
    saved_view_list,
)
from .services import saved_view_delete, saved_view_save


def _query_string(form: QueueFilterForm) -> str:
    """The filters in force, as a query string (what a saved view keeps)."""
    data = form.cleaned_data if form.is_valid() else {}
    kept = {key: ("1" if data[key] is True else data[key]) for key in form.KEYS
            if data.get(key)}
    return urlencode(kept)


def _queue(request, *, mine_only: bool, bulk_form=None, status: int = 200):
    actor = request.console_actor
    form = QueueFilterForm(request.GET, **filter_choices(actor=actor))
    filters = form.cleaned_data if form.is_valid() else {}
    page = queue_page(actor=actor, filters=filters, mine_only=mine_only,
                      cursor=request.GET.get("cursor"))
    query = _query_string(form)
    can_assign = may_assign_anywhere(actor)
    if can_assign and bulk_form is None:
        bulk_form = BulkAssignForm(choices=assign_choices(actor=actor), references=[])
    context = {
        "form": form, "rows": queue_rows(page.items), "query": query, "mine_only": mine_only,
        "next_url": f"?{query}&cursor={page.next_cursor}" if page.next_cursor else None,
        "saved_views": saved_view_list(actor=actor), "bulk_form": bulk_form,
        "save_form": SavedViewForm(initial={"query": query}, auto_id="save-%s"),
        "here": reverse("console:my_queue" if mine_only else "console:cases"),
    }
    template = "console/_queue_table.html" if request.headers.get("HX-Target") == "queue" \
        else "console/queue.html"
    return render(request, template, context, status=status)


@require_GET
@console_view
def my_queue(request):
    """The landing page: the queue, or a contractor's or councillor's own start page."""
    start = start_page(request.console_actor)
    if start is not None:
        return redirect(start)
    if not may_any(request.console_actor, CASES):
        return render(request, "console/forbidden.html", status=403)
    return _queue(request, mine_only=True)


@require_GET
@console_view
@requires(CASES)
def all_cases(request):
    return _queue(request, mine_only=False)


@require_POST
@console_view
@requires(CASES)
def saved_view_create(request):
    form = SavedViewForm(request.POST)
    if form.is_valid():
        try:
            view = saved_view_save(actor=request.console_actor, name=form.cleaned_data["name"],
                                   query=form.cleaned_data["query"])
        except ImbizoError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved the view “%(name)s”.") % {"name": view.name})
            return redirect(f"{reverse('console:cases')}?{view.query}")
    else:
        messages.error(request, _("Give the view a name (up to 60 characters)."))
    return redirect(f"{reverse('console:cases')}?{form.data.get('query', '')}")


@require_POST
@console_view
@requires(CASES)
def saved_view_remove(request, pk: int):
    try:
        saved_view_delete(actor=request.console_actor, view_id=pk)
    except ImbizoError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Deleted the saved view."))
    return redirect("console:cases")


def _assign_one(actor, reference: str, data: dict) -> str | None:
    """Assign one case; the error to report for it, if any."""
    try:
        case = access_case(actor, reference)
        targets = assignment_targets(case, department=data.get("department") or None,
                                     team=data.get("team"), assignee=data.get("assignee"))
        case_assign(actor=actor, case=case, department=targets.department, team=targets.team,
                    assignee=targets.assignee)
    except ImbizoError as error:
        return error.message
    return None


@require_POST
@console_view
@requires(CASES)
def bulk_assign(request):
    """Each ticked case through ``case_assign`` on its own: one failing (not allowed,
    another municipality's team) is reported and does not stop the others."""
    actor = request.console_actor
    back = request.POST.get("back") or reverse("console:cases")
    if not back.startswith("/console/"):
        back = reverse("console:cases")
    form = BulkAssignForm(request.POST, choices=assign_choices(actor=actor),
                          references=request.POST.getlist("cases"))
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect(back)
    done, failed = [], []
    for reference in form.cleaned_data["cases"]:
        problem = _assign_one(actor, reference, form.cleaned_data)
        (failed.append(f"{reference}: {problem}") if problem else done.append(reference))
    if done:
        messages.success(request, _("Assigned %(refs)s.") % {"refs": ", ".join(done)})
    for line in failed:
        messages.error(request, _("Not assigned %(line)s") % {"line": line})
    return redirect(back)
