"""Revenue staff's queues: payment arrangements awaiting a decision (approve or decline,
with a reason, through ``billing.arrangements.arrangement_decide``), every arrangement by
status, and flagged meter readings to review (accept or correct, through
``billing.readings.reading_review``). A refused step comes back on its own form, with
what was typed; a done one is audited by the service and redirected."""

from uuid import UUID

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from imbizo.billing.arrangement_terms import referral_text
from imbizo.billing.arrangements import arrangement_decide
from imbizo.billing.readings import reading_review
from imbizo.core.errors import ImbizoError

from .revenue_access import revenue_view
from .revenue_forms import ArrangementFilterForm, DecisionForm, ReviewForm, error_to
from .revenue_selectors import (
    arrangement_of,
    arrangements,
    reading_of,
    readings_to_review,
    waiting_arrangements,
)


def _with(items: list, refused) -> list:
    """The page's items, and first the one whose form was refused if it is elsewhere."""
    if refused is not None and all(item.pk != refused.pk for item in items):
        return [refused, *items]
    return items


def _cards(request, *, template: str, page, blank, refused=None, form=None,
           status: int = 200, extra=None):
    """A queue's page of cards, each with its own form: ``blank(item)`` for every card but
    the refused one, which keeps ``form`` (what was typed, with its errors)."""
    revenue = request.revenue
    cards = [(item, form if refused is not None and item.pk == refused.pk else blank(item),
              *(extra(item) if extra else ()))
             for item in _with(page.items, refused)]
    return render(request, template, {
        "revenue": revenue, "cards": cards,
        "next_url": revenue.query(after=page.next_cursor) if page.next_cursor else None,
    }, status=status)


def _waiting(request, refused=None, form=None, status: int = 200):
    page = waiting_arrangements(revenue=request.revenue, cursor=request.GET.get("after"))
    return _cards(request, template="console/revenue/waiting.html", page=page,
                  blank=lambda a: DecisionForm(auto_id=f"d{a.pk}-%s"),
                  refused=refused, form=form, status=status,
                  extra=lambda a: (referral_text(a.referral) if a.referral else "",))


@require_GET
@revenue_view
def arrangements_waiting(request):
    return _waiting(request)


@require_POST
@revenue_view
def arrangement_decision(request, key: UUID):
    revenue = request.revenue
    arrangement = arrangement_of(revenue=revenue, key=key)
    if arrangement is None:
        raise Http404(_("No such payment arrangement."))
    if arrangement.status != arrangement.Status.PROPOSED:  # decided by someone else meanwhile
        messages.error(request, _("This arrangement has already been decided."))
        return redirect(reverse("console:revenue_waiting") + revenue.query())
    form = DecisionForm(request.POST, auto_id=f"d{arrangement.pk}-%s")
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            arrangement_decide(actor=revenue.staff, arrangement=arrangement,
                               approve=approve, reason=form.cleaned_data["reason"])
        except ImbizoError as error:
            error_to(form, error)
        else:
            messages.success(request, (_("Approved the arrangement on %(account)s.") if approve
                                       else _("Declined the arrangement on %(account)s."))
                             % {"account": arrangement.account.account_number})
            return redirect(reverse("console:revenue_waiting") + revenue.query())
    return _waiting(request, arrangement, form, status=400)


@require_GET
@revenue_view
def arrangement_list_page(request):
    revenue = request.revenue
    form = ArrangementFilterForm(request.GET, auto_id="f-%s")
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = arrangements(revenue=revenue, status=status, cursor=request.GET.get("after"))
    return render(request, "console/revenue/arrangements.html", {
        "revenue": revenue, "form": form, "arrangements": page.items,
        "next_url": revenue.query(status=status, after=page.next_cursor)
        if page.next_cursor else None})


def _readings(request, refused=None, form=None, status: int = 200):
    page = readings_to_review(revenue=request.revenue, cursor=request.GET.get("after"))
    return _cards(request, template="console/revenue/readings.html", page=page,
                  blank=lambda r: ReviewForm(auto_id=f"r{r.pk}-%s"),
                  refused=refused, form=form, status=status)


@require_GET
@revenue_view
def readings(request):
    return _readings(request)


@require_POST
@revenue_view
def reading_decision(request, key: UUID):
    revenue = request.revenue
    reading = reading_of(revenue=revenue, key=key)
    if reading is None:
        raise Http404(_("No such meter reading."))
    form = ReviewForm(request.POST, auto_id=f"r{reading.pk}-%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            reading_review(actor=revenue.staff, reading=reading, outcome=data["outcome"],
                           value=data["value"] or None, note=data["note"])
        except ImbizoError as error:
            error_to(form, error)
        else:
            messages.success(request, _("Reviewed the reading of %(account)s.")
                             % {"account": reading.account.account_number})
            return redirect(reverse("console:revenue_readings") + revenue.query())
    if reading.awaiting_review:
        return _readings(request, reading, form, status=400)
    # Reviewed or exported since: the queue no longer holds it; say so above it.
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect(reverse("console:revenue_readings") + revenue.query())
