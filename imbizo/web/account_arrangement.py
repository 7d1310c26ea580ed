"""A payment arrangement on a linked account, without JavaScript: the resident types a
deposit and a number of months, sees the terms (the schedule, and whether the policy
approves them at once or revenue staff decide), then proposes them; afterwards the page
shows the arrangement, its instalments and whether they are paid, and lets the resident
withdraw it while billing allows. The rules are billing's (billing/arrangements.py,
docs/billing.md): this page shows the quote, the refusals and the arrangement it reads.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from imbizo.billing.arrangement_models import Arrangement, Instalment
from imbizo.billing.arrangement_selectors import access_arrangement, arrangement_list
from imbizo.billing.arrangement_terms import Terms, arrears_of, referral_text
from imbizo.billing.arrangements import (
    arrangement_cancel,
    arrangement_propose,
    arrangement_quote,
    resident_may_cancel,
)
from imbizo.billing.models import UtilityAccount
from imbizo.billing.money import rands
from imbizo.billing.selectors import access_account
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.core.permissions import Actor

from .account import sign_in_first
from .account_forms import ArrangementForm
from .pages import page
from .session import citizen_actor, request_citizen
from .signin import form_error

Status = Arrangement.Status


def linked_account(request: HttpRequest, municipality: str,
                   account_number: str) -> UtilityAccount:
    """The account if the signed-in resident's link to it is approved, else the same 404
    as every other "My account" page (web/account_detail.py)."""
    try:
        return access_account(citizen_actor(request), municipality=municipality,
                              account_number=account_number)
    except NotFound as exc:
        raise Http404(exc.message) from None


def latest_arrangement(actor: Actor, account: UtilityAccount) -> Arrangement | None:
    """The account's newest arrangement, its instalments in order: two queries (one when
    there is none)."""
    return arrangement_list(actor=actor).filter(account_id=account.pk).prefetch_related(
        Prefetch("instalments", queryset=Instalment.objects.order_by("number"))).first()


@dataclass(frozen=True)
class Row:
    """One amount of a schedule as the page lists it."""

    name: str
    due_date: date
    amount: Decimal
    state: str = ""
    late: bool = False


def _name(number: int) -> str:
    return _("Deposit") if number == 0 else _("Instalment %(number)s") % {"number": number}


def _state(instalment: Instalment, today: date, owing: bool) -> tuple[str, bool]:
    if instalment.paid_on:
        return _("Paid on %(date)s") % {"date": date_format(instalment.paid_on,
                                                            "j M Y")}, False
    late = owing and instalment.due_date < today
    if instalment.paid_amount:
        return _("%(amount)s paid, %(left)s to pay") % {
            "amount": rands(instalment.paid_amount), "left": rands(instalment.outstanding)}, late
    return (_("Overdue") if late else _("Not paid yet")), late


def instalment_rows(arrangement: Arrangement, instalments: list[Instalment]) -> list[Row]:
    today = timezone.localdate()
    owing = arrangement.status in (*Arrangement.RUNNING, Status.BROKEN)
    return [Row(_name(i.number), i.due_date, i.amount, *_state(i, today, owing))
            for i in instalments]


def quote_rows(terms: Terms) -> list[Row]:
    return [Row(_name(due.number), due.due_date, due.amount) for due in terms.schedule]


def _here(account: UtilityAccount) -> str:
    return reverse("web:account_arrangement",
                   args=[account.municipality.code, account.account_number])


def _already_open(request: HttpRequest, account: UtilityAccount) -> HttpResponse:
    messages.info(request, _("This account already has a payment arrangement. It is shown "
                             "below."))
    return HttpResponseRedirect(_here(account))


@require_http_methods(["GET", "POST"])
def account_arrangement(request: HttpRequest, municipality: str,
                        account_number: str) -> HttpResponse:
    """GET: the arrangement, or the form. POST ``step=quote``: the terms shown;
    ``step=propose``: proposed (then back to GET); ``step=change``: the form again, filled."""
    if request_citizen(request) is None:
        return sign_in_first(request)
    actor = citizen_actor(request)
    account = linked_account(request, municipality, account_number)
    current = latest_arrangement(actor, account)
    is_open = current is not None and current.status in Arrangement.OPEN
    form = ArrangementForm(request.POST if request.method == "POST" else None)
    terms = None
    if request.method == "POST":
        if is_open:  # proposed twice, or from a page left open: nothing more to propose
            return _already_open(request, account)
        step = request.POST.get("step")
        if form.is_valid() and step != "change":
            deposit, months = form.cleaned_data["deposit"], form.cleaned_data["months"]
            try:
                if step == "propose":
                    proposed = arrangement_propose(actor=actor, account=account,
                                                   deposit=deposit, months=months)
                    messages.success(request, _proposed_message(proposed))
                    return HttpResponseRedirect(_here(account))
                terms = arrangement_quote(actor=actor, account=account, deposit=deposit,
                                          months=months)
            except ImbizoError as exc:
                if exc.code == "arrangement_open":
                    return _already_open(request, account)
                form_error(form, exc)
    instalments = list(current.instalments.all()) if current else []
    return page(request, "web/account_arrangement.html", {
        "account": account, "municipality": account.municipality, "form": form,
        "arrears": arrears_of(account), "current": current, "is_open": is_open,
        "rows": instalment_rows(current, instalments) if current else [],
        "referral": referral_text(current.referral)
        if current and current.status == Status.PROPOSED and current.referral else "",
        "may_cancel": is_open and resident_may_cancel(
            current, paid=any(i.paid_amount for i in instalments)),
        "terms": terms, "quote_rows": quote_rows(terms) if terms else [],
        "quote_referral": referral_text(terms.referral) if terms and terms.referral else "",
    }, status=400 if form.errors else 200)


def _proposed_message(arrangement: Arrangement) -> str:
    if arrangement.status == Status.PROPOSED:
        return _("Your proposal is sent. Revenue staff will decide on it and you will hear "
                 "from them on your phone.")
    return _("Your payment arrangement is approved. Pay each amount by its due date.")


@require_POST
def account_arrangement_cancel(request: HttpRequest, municipality: str,
                               account_number: str) -> HttpResponse:
    """The resident withdraws their proposal, or an approved arrangement not yet paid."""
    if request_citizen(request) is None:
        return sign_in_first(request)
    actor = citizen_actor(request)
    account = linked_account(request, municipality, account_number)
    try:
        arrangement = access_arrangement(actor, UUID(request.POST.get("arrangement", "")))
        if arrangement.account_id != account.pk:
            raise NotFound("arrangement_not_found", _("No such payment arrangement."))
        arrangement_cancel(actor=actor, arrangement=arrangement)
    except ValueError:
        messages.error(request, _("No such payment arrangement."))
    except ImbizoError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your payment arrangement is cancelled."))
    return HttpResponseRedirect(_here(account))
