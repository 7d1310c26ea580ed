"""An arrangement's terms checked against its municipality's policy, and its schedule.

Two kinds of rule (docs/billing.md, "Payment arrangements"):

- **Limits** no one approves past, refused at once with the field to correct and a
  sentence in the resident's language: arrears to arrange, a deposit below them, 1 to
  ``MAX_MONTHS`` months, and instalments of at least the policy's minimum (a plan of one
  month may be less).
- **The policy's rules** (the deposit, the longest plan, the largest arrears, no
  arrangement broken lately): terms within all of them are approved without a person;
  terms outside any go to revenue staff, and ``referral`` says which and why.

Pure functions on values: the services (arrangements.py) read and write the rows.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from imbizo.core.errors import ImbizoError

from .arrangement_models import MAX_MONTHS, ArrangementPolicy
from .models import ARREARS_BUCKETS, UtilityAccount

CENT = Decimal("0.01")
LAST_DUE_DAY = 28  # instalments fall on one day every month, and every month has a 28th


def policy_for(municipality_id: int) -> ArrangementPolicy:
    """The municipality's policy, or one with the defaults written on the model's fields."""
    found = ArrangementPolicy.objects.filter(municipality_id=municipality_id).first()
    return found or ArrangementPolicy(municipality_id=municipality_id)


def arrears_of(account: UtilityAccount) -> Decimal:
    """What is overdue: every age bucket but the current one (30, 60, 90, 120+ days)."""
    return sum((getattr(account, f"arrears_{b}") for b in ARREARS_BUCKETS if b != "current"),
               Decimal("0"))


def rand(amount: Decimal) -> str:
    """An amount as residents are told it, after "R": 1100.50."""
    return f"{amount:.2f}"


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def parse_amount(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(" ", "").removeprefix("R"))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount != amount.quantize(CENT):
        raise ImbizoError("invalid_amount", _("Enter an amount in rand, such as 250 or "
                                              "250.50."), field=field)
    return amount.quantize(CENT)


def parse_months(value) -> int:
    try:
        months = int(str(value).strip())
    except ValueError:
        months = 0
    if not 1 <= months <= MAX_MONTHS:
        raise ImbizoError("invalid_months", _("Choose from 1 to %(max)s months.")
                          % {"max": MAX_MONTHS}, field="months")
    return months


@dataclass(frozen=True)
class Due:
    number: int  # 0: the deposit
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class Terms:
    """What a resident would agree to, and whether the policy approves it alone."""

    arrears: Decimal
    deposit: Decimal
    months: int
    schedule: list[Due]
    required_deposit: Decimal
    referral: list[dict]  # the policy's rules these terms are outside of; empty: within

    @property
    def within_policy(self) -> bool:
        return not self.referral

    @property
    def instalments(self) -> list[Due]:
        return [d for d in self.schedule if d.number]

    @property
    def instalment(self) -> Decimal:
        return self.instalments[0].amount

    @property
    def first_due(self) -> date:
        return self.instalments[0].due_date


def split(total: Decimal, months: int) -> list[Decimal]:
    """``total`` in ``months`` amounts to the cent that add up to it exactly: equal, the
    first ones a cent more where it does not divide."""
    base, extra = divmod(int(total / CENT), months)
    return [(base + (i < extra)) * CENT for i in range(months)]


def schedule(*, policy: ArrangementPolicy, due_day: int | None, deposit: Decimal,
             rest: Decimal, months: int, start: date) -> list[Due]:
    """The deposit ``deposit_due_days`` after ``start`` (the decision), then monthly
    instalments on the account's due day (at most the 28th; without one, the deposit's
    day), the first after the deposit's due date."""
    deposit_due = start + timedelta(days=policy.deposit_due_days)
    day = min(due_day or deposit_due.day, LAST_DUE_DAY)
    first = deposit_due.replace(day=day) if day > deposit_due.day \
        else add_months(deposit_due.replace(day=day), 1)
    dues = [Due(0, deposit_due, deposit)] if deposit else []
    return dues + [Due(i + 1, add_months(first, i), amount)
                   for i, amount in enumerate(split(rest, months))]


def terms_check(*, policy: ArrangementPolicy, account: UtilityAccount, deposit, months,
                today: date, broken_on: date | None, arrears: Decimal | None = None) -> Terms:
    """Check a proposal's limits (raising ImbizoError with the field to correct) and the
    policy's rules (``referral``), and work out its schedule from ``today``.
    ``broken_on``: when an arrangement on the account was last broken."""
    arrears = arrears_of(account) if arrears is None else arrears
    if arrears <= 0:
        raise ImbizoError("no_arrears", _("This account has nothing overdue to arrange: "
                                          "pay the current bill by its due date."), status=409)
    deposit, months = parse_amount(deposit, "deposit"), parse_months(months)
    if deposit >= arrears:
        raise ImbizoError("deposit_covers_arrears", _(
            "A deposit of R%(deposit)s pays all the arrears of R%(arrears)s: pay them "
            "instead, no arrangement is needed.") % {"deposit": rand(deposit),
                                                     "arrears": rand(arrears)},
            field="deposit")
    rest = arrears - deposit
    minimum = max(policy.min_instalment, CENT)
    if months > 1 and rest / months < minimum:
        most = max(int(rest // minimum), 1)
        raise ImbizoError("instalment_too_small", ngettext(
            "Over %(months)s months each instalment would be less than the minimum of "
            "R%(minimum)s: choose %(most)s month.",
            "Over %(months)s months each instalment would be less than the minimum of "
            "R%(minimum)s: choose %(most)s months or fewer.", most)
            % {"months": months, "minimum": rand(minimum), "most": most},
            field="months", most_months=most)
    required = min(max((arrears * policy.deposit_percent / 100).quantize(CENT, ROUND_CEILING),
                       policy.deposit_minimum), arrears)
    referral = []
    if deposit < required:
        referral.append({"rule": "deposit", "minimum": rand(required)})
    if months > policy.max_months:
        referral.append({"rule": "months", "maximum": policy.max_months})
    if arrears > policy.auto_approve_max_arrears:
        referral.append({"rule": "arrears", "maximum": rand(policy.auto_approve_max_arrears)})
    if broken_on and policy.broken_lookback_months \
            and broken_on > add_months(today, -policy.broken_lookback_months):
        referral.append({"rule": "broken", "months": policy.broken_lookback_months})
    due_day = account.due_date.day if account.due_date else None
    return Terms(arrears, deposit, months,
                 schedule(policy=policy, due_day=due_day, deposit=deposit, rest=rest,
                          months=months, start=today),
                 required, referral)


def reschedule(arrangement, policy: ArrangementPolicy, start: date) -> list[Due]:
    """An arrangement's schedule from ``start``, when staff approve it later."""
    return schedule(policy=policy, due_day=arrangement.account.due_date.day
                    if arrangement.account.due_date else None,
                    deposit=arrangement.deposit, rest=arrangement.arrears - arrangement.deposit,
                    months=arrangement.months, start=start)


def _reason(rule: dict) -> str:
    if rule["rule"] == "deposit":
        return _("the deposit is less than R%(minimum)s") % rule
    if rule["rule"] == "months":
        return ngettext("it is longer than %(maximum)s month",
                        "it is longer than %(maximum)s months", rule["maximum"]) % rule
    if rule["rule"] == "arrears":
        return _("arrears over R%(maximum)s are decided by staff") % rule
    return ngettext("an arrangement on this account was broken in the last %(months)s month",
                    "an arrangement on this account was broken in the last %(months)s months",
                    rule["months"]) % rule


def referral_text(referral: list[dict]) -> str:
    """Why terms go to staff, in the active language (the resident's)."""
    return _("Revenue staff will decide on it, because %(reasons)s.") % {
        "reasons": "; ".join(_reason(rule) for rule in referral)}
