"""The revenue console's reads: each list one query a page (keyset pagination, so the
hundredth page costs what the first does), each filter served by an index of the billing
tables, and everything through the billing selectors with the revenue actor
(``revenue_access``), so only the chosen municipality's records are reached.

Indexes used: accounts by number (``unique_account_number``) or by the holder's name in
capitals (``billing_account_holder``); arrangements by status (``billing_arrangement_queue``);
flagged readings (``billing_reading_to_review``); payments newest first
(``billing_payment_recent``) and those awaiting reconciliation
(``billing_payment_unreconciled``); imports (``municipality, -started``).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.conf import settings
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Upper
from django.utils import timezone

from imbizo.billing.arrangement_models import Arrangement, MeterReading
from imbizo.billing.arrangement_selectors import (
    arrangement_list,
    arrangements_awaiting_decision,
    reading_list,
    readings_for_review,
)
from imbizo.billing.models import (
    AccountLink,
    ImportBatch,
    Payment,
    Statement,
    StatementLine,
    Transaction,
    UtilityAccount,
)
from imbizo.billing.queries import BILL_QUERY
from imbizo.billing.selectors import account_list
from imbizo.cases.selectors import case_list
from imbizo.core.permissions import scope

from .revenue_access import Revenue

PAGE_SIZE = 30
SHOWN = 12  # of each kind on an account's page
IMPORTS_SHOWN = 5
HIGH = "\uffff"  # sorts after every character a name holds, binary, C and ICU alike


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None


def keyset(qs: QuerySet, *, key: str, cursor: str | None, descending: bool = False,
           key_expression=None, unique: bool = False, limit: int = PAGE_SIZE) -> Page:
    """One page ordered by ``key`` then the primary key (not needed when ``key`` is unique
    in the municipality: the index gives the order whole). The cursor is the last row's
    primary key: the next page starts after that row's key, looked up in the same query
    (a subquery the index seeks from). A cursor that is not a number is the first page."""
    sign, op = ("-", "lt") if descending else ("", "gt")
    qs = qs.order_by(f"{sign}{key}") if unique else qs.order_by(f"{sign}{key}", f"{sign}pk")
    if cursor and cursor.isdigit():
        after = int(cursor)
        source = qs.model.objects.filter(pk=after)
        if key_expression is not None:
            source = source.annotate(**{key: key_expression})
        value = Subquery(source.values(key)[:1])
        qs = qs.filter(**{f"{key}__{op}": value}) if unique else \
            qs.filter(Q(**{f"{key}__{op}": value}) | Q(**{key: value, f"pk__{op}": after}))
    rows = list(qs[:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, str(rows[-1].pk) if more and rows else None)


# --- accounts ----------------------------------------------------------------------------
def _accounts(revenue: Revenue) -> QuerySet[UtilityAccount]:
    live = AccountLink.objects.filter(account=OuterRef("pk"), unlinked__isnull=True) \
        .order_by().values("account").annotate(n=Count("pk")).values("n")
    return account_list(actor=revenue.billing).filter(municipality=revenue.municipality) \
        .annotate(linked=Coalesce(Subquery(live), 0))


def account_search(*, revenue: Revenue, q: str, by: str, cursor: str | None) -> Page:
    """Accounts whose number, or holder's name (any case), starts with ``q``, by number or
    by name; every account by number when ``q`` is empty."""
    accounts, q = _accounts(revenue), " ".join(q.split())
    if by == "name" and q:
        key = Upper("holder_name")
        typed = Upper(Value(q))
        accounts = accounts.annotate(holder_key=key).filter(
            holder_key__gte=typed, holder_key__lt=Concat(typed, Value(HIGH)),
            holder_name__istartswith=q)
        return keyset(accounts, key="holder_key", key_expression=key, cursor=cursor)
    if q:
        accounts = accounts.filter(account_number__gte=q, account_number__lt=q + HIGH,
                                   account_number__startswith=q)
    return keyset(accounts, key="account_number", unique=True, cursor=cursor)


@dataclass(frozen=True)
class AccountPage:
    account: UtilityAccount
    statements: list[Statement]
    transactions: list[Transaction]
    links: list[AccountLink]
    payments: list[Payment]
    arrangements: list[Arrangement]
    readings: list[MeterReading]
    cases: list


def account_page(*, revenue: Revenue, key: UUID) -> AccountPage | None:
    """An account and what revenue staff look at with it, in a fixed number of queries
    (ten) however much it holds; None for one outside the municipality."""
    account = _accounts(revenue).filter(uuid=key).select_related("ward") \
        .defer("ward__boundary").first()
    if account is None:
        return None
    lines = StatementLine.objects.order_by("line")
    return AccountPage(
        account=account,
        statements=list(Statement.objects.filter(account=account).order_by("-period")
                        .prefetch_related(Prefetch("lines", queryset=lines))[:6]),
        transactions=list(Transaction.objects.filter(account=account)
                          .order_by("-date", "-pk")[:SHOWN]),
        links=list(AccountLink.objects.filter(account=account).select_related("citizen")
                   .order_by("unlinked", "created", "pk")[:SHOWN]),
        payments=list(Payment.objects.filter(account=account)
                      .order_by("-created", "-pk")[:SHOWN]),
        arrangements=list(arrangement_list(actor=revenue.billing).filter(account=account)
                          [:SHOWN]),
        readings=list(reading_list(actor=revenue.billing).filter(account=account)[:SHOWN]),
        cases=list(case_list(actor=revenue.staff).filter(
            municipality=revenue.municipality, category__code=BILL_QUERY,
            extra__account_number=account.account_number).order_by("-created")[:SHOWN]),
    )


# --- arrangements and readings ------------------------------------------------------------
def waiting_arrangements(*, revenue: Revenue, cursor: str | None) -> Page:
    waiting = arrangements_awaiting_decision(actor=revenue.billing).filter(
        municipality=revenue.municipality)
    return keyset(waiting, key="created", cursor=cursor)


def arrangements(*, revenue: Revenue, status: str, cursor: str | None) -> Page:
    found = arrangement_list(actor=revenue.billing).filter(municipality=revenue.municipality)
    if status:
        found = found.filter(status=status)
    return keyset(found, key="created", descending=True, cursor=cursor)


def arrangement_of(*, revenue: Revenue, key: UUID) -> Arrangement | None:
    return arrangement_list(actor=revenue.billing).filter(
        municipality=revenue.municipality, uuid=key).first()


def readings_to_review(*, revenue: Revenue, cursor: str | None) -> Page:
    flagged = readings_for_review(actor=revenue.billing).filter(
        municipality=revenue.municipality)
    return keyset(flagged, key="created", cursor=cursor)


def reading_of(*, revenue: Revenue, key: UUID) -> MeterReading | None:
    return reading_list(actor=revenue.billing).filter(
        municipality=revenue.municipality, uuid=key).first()


# --- payments -------------------------------------------------------------------------------
PAID, PENDING, LATE, RECONCILED, UNPAID = "paid", "pending", "late", "reconciled", "unpaid"


def payment_state(payment: Payment, late_before: datetime) -> str:
    """Where a payment stands with the billing system: not paid; received and pending
    (exported or not); late (pending past ``BILLING_RECONCILE_DAYS``); reconciled."""
    if payment.status != Payment.Status.COMPLETE:
        return UNPAID
    if payment.reconciled:
        return RECONCILED
    return LATE if payment.completed and payment.completed < late_before else PENDING


def late_before() -> datetime:
    return timezone.now() - timedelta(days=settings.BILLING_RECONCILE_DAYS)


def payments(*, revenue: Revenue, filters: dict, cursor: str | None) -> Page:
    """The municipality's payments newest first, by status, provider, reconciliation
    state and the day they were started (``since``, ``until``)."""
    found = scope(revenue.billing, Payment.objects.all(), "billing.view") \
        .filter(municipality=revenue.municipality).select_related("account")
    if filters.get("status"):
        found = found.filter(status=filters["status"])
    if filters.get("provider"):
        found = found.filter(provider=filters["provider"])
    state = filters.get("state")
    if state in (PENDING, LATE):
        found = found.filter(status=Payment.Status.COMPLETE, reconciled__isnull=True)
        cut = late_before()
        found = found.filter(completed__lt=cut) if state == LATE \
            else found.filter(completed__gte=cut)
    elif state == RECONCILED:
        found = found.filter(reconciled__isnull=False)
    zone = timezone.get_current_timezone()
    if filters.get("since"):
        found = found.filter(created__gte=_start(filters["since"], zone))
    if filters.get("until"):
        found = found.filter(created__lt=_start(filters["until"] + timedelta(days=1), zone))
    return keyset(found, key="created", descending=True, cursor=cursor)


def _start(day: date, zone) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), zone)


def late_count(*, revenue: Revenue) -> int:
    """Completed payments no import has matched within ``BILLING_RECONCILE_DAYS``."""
    return Payment.objects.filter(municipality=revenue.municipality,
                                  status=Payment.Status.COMPLETE, reconciled__isnull=True,
                                  completed__lt=late_before()).count()


def latest_imports(*, revenue: Revenue) -> list[ImportBatch]:
    return list(ImportBatch.objects.filter(municipality=revenue.municipality)
                .order_by("-started")[:IMPORTS_SHOWN])


def waiting_counts(*, revenue: Revenue) -> dict[str, int]:
    """What waits for revenue staff: proposals to decide and readings to review."""
    return {
        "arrangements": arrangements_awaiting_decision(actor=revenue.billing)
        .filter(municipality=revenue.municipality).count(),
        "readings": readings_for_review(actor=revenue.billing)
        .filter(municipality=revenue.municipality).count(),
        "late_payments": late_count(revenue=revenue),
    }

