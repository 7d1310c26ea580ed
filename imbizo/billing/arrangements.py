"""Payment arrangements: a resident proposes to pay an account's arrears as a deposit and
monthly instalments; the municipality's policy approves it, or revenue staff decide.

Every write here is one transaction that locks the rows it changes, emits its domain event
(``arrangement_approved``, ``arrangement_rejected``, ``instalment_due``,
``arrangement_broken``, ...; the notifications tell the resident) and appends its audit
entry last. Payments are counted from the billing system's imported transactions
(``arrangements_match_payments``) or as they are made (``arrangement_instalment_paid``),
once per reference. The clock's ``arrangements_check_due`` reminds residents before each
due date and breaks an arrangement whose instalment stays unpaid (docs/billing.md).
"""

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.events import emit
from imbizo.core.permissions import Actor, system_actor

from .arrangement_models import Arrangement, ArrangementPayment, ArrangementPolicy, Instalment
from .arrangement_terms import (
    Due,
    Terms,
    parse_amount,
    policy_for,
    reschedule,
    terms_check,
)
from .models import Transaction, UtilityAccount
from .policy import require_revenue
from .selectors import account_list

Status = Arrangement.Status


def _audit(actor: Actor, action: str, arrangement: Arrangement, **changes) -> None:
    audit_record(actor=actor.label, channel=actor.channel, action=action, obj=arrangement,
                 municipality_code=arrangement.municipality.code,
                 changes={"account": arrangement.account.account_number, **changes})


def _linked(actor: Actor, account: UtilityAccount) -> None:
    """A resident whose link to the account is approved (the billing selectors' rule)."""
    if actor.kind != "citizen" or not account_list(actor=actor).filter(pk=account.pk).exists():
        raise PermissionDenied(_("Only a resident linked to this account can arrange to pay "
                                 "its arrears. Link the account first."))


def _last_broken(account_id: int) -> date | None:
    ended = Arrangement.objects.filter(account_id=account_id, status=Status.BROKEN) \
        .order_by("-ended").values_list("ended", flat=True).first()
    return timezone.localdate(ended) if ended else None


def _event(name: str, arrangement: Arrangement, **extra) -> None:
    emit(name, municipality_id=arrangement.municipality_id, arrangement_id=arrangement.pk,
         account_id=arrangement.account_id, citizen_id=arrangement.citizen_id, **extra)


def arrangement_quote(*, actor: Actor, account: UtilityAccount, deposit, months) -> Terms:
    """The terms a resident would propose, checked, with their schedule if approved today
    and whether the policy approves them alone (else ``referral`` says why not). Writes
    nothing: a flow shows it before the resident confirms."""
    _linked(actor, account)
    return terms_check(policy=policy_for(account.municipality_id), account=account,
                       deposit=deposit, months=months, today=timezone.localdate(),
                       broken_on=_last_broken(account.pk))


def arrangement_propose(*, actor: Actor, account: UtilityAccount, deposit,
                        months) -> Arrangement:
    """Propose to pay the account's arrears (30 days and more overdue) as ``deposit`` now
    and the rest over ``months``. Within the municipality's policy it is approved at once,
    with its instalments; outside it, it waits for revenue staff (``referral`` says which
    rules, ``referral_text`` in the resident's words). Terms past the limits are refused
    with the field to correct, as is a second open arrangement on the account."""
    _linked(actor, account)
    try:
        with transaction.atomic():
            return _propose(actor, account, deposit, months)
    except IntegrityError:  # another proposal for the account committed first
        raise _already_open() from None


def _already_open() -> ImbizoError:
    return ImbizoError("arrangement_open", _(
        "This account already has a payment arrangement waiting for a decision or running."),
        status=409)


def _propose(actor: Actor, account: UtilityAccount, deposit, months) -> Arrangement:
    # The account's row is locked: two proposals at once are taken one after the other.
    account = UtilityAccount.objects.select_for_update().select_related("municipality") \
        .defer("municipality__boundary").get(pk=account.pk)
    if Arrangement.objects.filter(account=account, status__in=Arrangement.OPEN).exists():
        raise _already_open()
    today = timezone.localdate()
    policy = policy_for(account.municipality_id)
    terms = terms_check(policy=policy, account=account, deposit=deposit, months=months,
                        today=today, broken_on=_last_broken(account.pk))
    arrangement = Arrangement(
        municipality=account.municipality, account=account, citizen=actor.citizen,
        channel=actor.channel[:10], arrears=terms.arrears, deposit=terms.deposit,
        months=terms.months, instalment=terms.instalment, first_due=terms.first_due,
        referral=terms.referral)
    arrangement.full_clean(exclude=["municipality", "account", "citizen", "decided_by"])
    arrangement.save()
    if terms.within_policy:
        _approve(arrangement, terms.schedule, policy, today, auto=True)
        _event("arrangement_approved", arrangement, auto=True)
    else:
        _event("arrangement_proposed", arrangement, referral=terms.referral)
    _audit(actor, "billing.arrangement_propose", arrangement, arrears=terms.arrears,
           deposit=terms.deposit, months=terms.months, status=arrangement.status,
           referral=[rule["rule"] for rule in terms.referral])
    return arrangement


def _approve(arrangement: Arrangement, schedule: list[Due], policy: ArrangementPolicy,
             today: date, *, auto: bool) -> None:
    """Write the schedule and set it going: approved until the deposit is paid (running at
    once without one). An instalment whose reminder time has come already is marked
    reminded: the approval names the first amounts due."""
    now = timezone.now()
    remind_from = today + timedelta(days=policy.reminder_days)
    Instalment.objects.bulk_create([
        Instalment(municipality_id=arrangement.municipality_id, arrangement=arrangement,
                   number=due.number, due_date=due.due_date, amount=due.amount,
                   reminded=now if due.due_date <= remind_from else None)
        for due in schedule])
    first = next(d for d in schedule if d.number)
    arrangement.status = Status.APPROVED if arrangement.deposit else Status.ACTIVE
    arrangement.instalment, arrangement.first_due = first.amount, first.due_date
    arrangement.auto, arrangement.decided_at = auto, now
    arrangement.save(update_fields=["status", "instalment", "first_due", "auto", "decided_at",
                                    "decided_by", "reason", "updated"])


def _locked(arrangement: Arrangement) -> Arrangement:
    return Arrangement.objects.select_for_update(of=("self",)).select_related(
        "account", "municipality").defer("municipality__boundary").get(pk=arrangement.pk)


@transaction.atomic
def arrangement_decide(*, actor: Actor, arrangement: Arrangement, approve: bool,
                       reason: str = "") -> Arrangement:
    """Revenue staff (``billing.manage`` in its municipality) approve or reject a proposal
    outside the policy. Approved, its schedule runs from today; a rejection needs a reason,
    which the resident is told."""
    require_revenue(actor, arrangement.municipality_id)
    arrangement = _locked(arrangement)
    if arrangement.status != Status.PROPOSED:
        raise ImbizoError("arrangement_decided", _("This arrangement has already been "
                                                   "decided."), status=409)
    reason = " ".join((reason or "").split())
    if not approve and not reason:
        raise ImbizoError("reason_required", _("Give the resident the reason it is not "
                                               "approved."), field="reason")
    arrangement.decided_by = actor.user if actor.kind == "staff" else None
    arrangement.reason = reason[:1000]
    if approve:
        today = timezone.localdate()
        policy = policy_for(arrangement.municipality_id)
        _approve(arrangement, reschedule(arrangement, policy, today), policy, today,
                 auto=False)
        _event("arrangement_approved", arrangement, auto=False)
    else:
        arrangement.status, arrangement.decided_at = Status.REJECTED, timezone.now()
        arrangement.save(update_fields=["status", "decided_by", "decided_at", "reason",
                                        "updated"])
        _event("arrangement_rejected", arrangement)
    _audit(actor, "billing.arrangement_decide", arrangement, status=arrangement.status,
           reason=arrangement.reason)
    return arrangement


def resident_may_cancel(arrangement: Arrangement, *, paid: bool) -> bool:
    """A resident may withdraw a proposal, or an approved arrangement nothing is paid on
    yet; a running one only the municipality ends (``arrangement_cancel`` checks it, the
    pages ask it before offering the button)."""
    return arrangement.status in (Status.PROPOSED, Status.APPROVED) and not paid


@transaction.atomic
def arrangement_cancel(*, actor: Actor, arrangement: Arrangement) -> Arrangement:
    """A linked resident withdraws a proposal, or an approved one before anything is paid;
    revenue staff end any open arrangement."""
    if actor.kind != "citizen":
        require_revenue(actor, arrangement.municipality_id)
    arrangement = _locked(arrangement)
    if arrangement.status not in Arrangement.OPEN:
        raise ImbizoError("arrangement_ended", _("This arrangement has already ended."),
                          status=409)
    if actor.kind == "citizen":
        _linked(actor, arrangement.account)
        if not resident_may_cancel(arrangement, paid=arrangement.payments.exists()):
            raise ImbizoError("arrangement_running", _(
                "Payments have started on this arrangement: ask the municipality to end it."),
                status=409)
    arrangement.status, arrangement.ended = Status.CANCELLED, timezone.now()
    arrangement.save(update_fields=["status", "ended", "updated"])
    _event("arrangement_cancelled", arrangement)
    _audit(actor, "billing.arrangement_cancel", arrangement)
    return arrangement


# --- payments --------------------------------------------------------------------------
def _key(reference: str) -> str:
    """A payment's reference as compared and kept: the billing system may write ours (a
    payment's uuid) in capitals or without its hyphens (payment_export.py)."""
    return reference.strip().replace("-", "").upper()[:64]


def _credit(actor: Actor, arrangement: Arrangement,
            payments: list[tuple[str, Decimal, date]]) -> int:
    """Count new payments (reference, amount, date) towards a locked arrangement, then
    share everything paid over its instalments, oldest first. Returns how many were new."""
    known = set(arrangement.payments.values_list("reference", flat=True))
    new = {}
    for ref, amount, paid_on in payments:
        if _key(ref) not in known and amount > 0:
            new.setdefault(_key(ref), ArrangementPayment(
                municipality_id=arrangement.municipality_id, arrangement=arrangement,
                reference=_key(ref), amount=amount, paid_on=paid_on, actor=actor.label))
    new = list(new.values())
    if not new:
        return 0
    ArrangementPayment.objects.bulk_create(new)
    _allocate(arrangement)
    _audit(actor, "billing.arrangement_paid", arrangement, status=arrangement.status,
           payments=[{"reference": p.reference, "amount": p.amount, "date": p.paid_on}
                     for p in new])
    return len(new)


def _allocate(arrangement: Arrangement) -> None:
    paid = list(arrangement.payments.order_by("paid_on", "pk").values_list("amount", "paid_on"))
    instalments = list(arrangement.instalments.order_by("number"))
    changed = []
    payment = iter(paid)
    left, on = Decimal("0"), None
    for instalment in instalments:
        amount, paid_on = Decimal("0"), None
        while amount < instalment.amount:
            if not left:
                left, on = next(payment, (Decimal("0"), None))
                if not left:
                    break
            take = min(left, instalment.amount - amount)
            amount, left, paid_on = amount + take, left - take, on
        paid_on = paid_on if amount >= instalment.amount else None
        if (amount, paid_on) != (instalment.paid_amount, instalment.paid_on):
            instalment.paid_amount, instalment.paid_on = amount, paid_on
            changed.append(instalment)
    Instalment.objects.bulk_update(changed, ["paid_amount", "paid_on"])
    deposit_paid = all(i.paid_on for i in instalments if i.number == 0)
    if arrangement.status == Status.APPROVED and deposit_paid:
        arrangement.status = Status.ACTIVE
    if arrangement.status == Status.ACTIVE and all(i.paid_on for i in instalments):
        arrangement.status, arrangement.ended = Status.COMPLETED, timezone.now()
        _event("arrangement_completed", arrangement)
    arrangement.save(update_fields=["status", "ended", "updated"])


@transaction.atomic
def arrangement_instalment_paid(*, actor: Actor, arrangement: Arrangement, amount,
                                paid_on: date, reference: str) -> Arrangement:
    """Count a payment towards an arrangement as it is made (at a pay point, or a payment
    through Imbizo). ``reference`` must be the one the billing system will import it
    under, so that matching the import later does not count it twice; the same reference
    again changes nothing."""
    require_revenue(actor, arrangement.municipality_id)
    arrangement = _locked(arrangement)
    reference = (reference or "").strip()
    if not reference:
        raise ImbizoError("reference_required", _("Give the payment's reference."),
                          field="reference")
    if arrangement.status not in Arrangement.RUNNING:
        raise ImbizoError("arrangement_not_running", _("This arrangement is not running."),
                          status=409)
    _credit(actor, arrangement, [(reference, parse_amount(amount, "amount"), paid_on)])
    return arrangement


def arrangements_match_payments(*, municipality=None, arrangement_ids=None,
                                actor: Actor | None = None) -> int:
    """Count towards each running arrangement the payments imported on its account since
    it was proposed (transactions of kind payment; their amounts are negative), each
    once. Run it after every import of transactions, for the importing municipality.
    Reads are three queries however many arrangements run; each arrangement with new
    payments is one short transaction. Returns how many payments were counted."""
    actor = actor or system_actor()
    running = Arrangement.objects.filter(status__in=Arrangement.RUNNING)
    if municipality is not None:
        running = running.filter(municipality=municipality)
    if arrangement_ids is not None:
        running = running.filter(pk__in=arrangement_ids)
    rows = list(running.values_list("pk", "account_id", "created"))
    if not rows:
        return 0
    since = {pk: timezone.localdate(created) for pk, _account, created in rows}
    by_account = defaultdict(list)
    for pk, account_id, _created in rows:
        by_account[account_id].append(pk)
    known = set(ArrangementPayment.objects.filter(arrangement_id__in=since)
                .values_list("arrangement_id", "reference"))
    found = defaultdict(list)
    payments = Transaction.objects.filter(
        account_id__in=running.values("account_id"), kind=Transaction.Kind.PAYMENT,
        amount__lt=0, date__gte=min(since.values())).values_list(
        "account_id", "reference", "amount", "date")
    for account_id, reference, amount, on in payments:
        for pk in by_account[account_id]:
            if on >= since[pk] and (pk, _key(reference)) not in known:
                found[pk].append((reference, -amount, on))
    counted = 0
    for pk, new in found.items():
        with transaction.atomic():
            arrangement = _locked(Arrangement(pk=pk))
            if arrangement.status in Arrangement.RUNNING:
                counted += _credit(actor, arrangement, new)
    return counted


# --- the clock -------------------------------------------------------------------------
def arrangements_check_due(*, now: datetime | None = None) -> int:
    """The clock's job (hourly): emit ``instalment_due`` for each unpaid instalment whose
    reminder time has come (``reminder_days`` before it is due), once; and break each
    running arrangement with an instalment unpaid more than ``broken_after_days`` after
    its due date, once the payments imported since are counted. Idempotent, so a second
    clock does no harm. Returns reminders plus arrangements broken."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    policies: dict[int, ArrangementPolicy] = {}

    def policy(municipality_id: int) -> ArrangementPolicy:
        if municipality_id not in policies:
            policies[municipality_id] = policy_for(municipality_id)
        return policies[municipality_id]

    unpaid = Instalment.objects.filter(paid_on__isnull=True,
                                       arrangement__status__in=Arrangement.RUNNING)
    done = 0
    soon = unpaid.filter(reminded__isnull=True, due_date__gte=today,
                         due_date__lte=today + timedelta(days=14))
    for pk, municipality_id, due in soon.values_list("pk", "municipality_id", "due_date"):
        if (due - today).days <= policy(municipality_id).reminder_days:
            done += _remind(pk, now)
    late = {}
    for arrangement_id, municipality_id, due in unpaid.filter(due_date__lt=today) \
            .values_list("arrangement_id", "municipality_id", "due_date"):
        if (today - due).days > policy(municipality_id).broken_after_days:
            late[arrangement_id] = municipality_id
    if late:
        arrangements_match_payments(arrangement_ids=list(late))
        for arrangement_id, municipality_id in late.items():
            done += _break(arrangement_id, today, policy(municipality_id))
    return done


@transaction.atomic
def _remind(instalment_id: int, now: datetime) -> int:
    # Marked in the transaction that emits: two clocks remind once.
    if not Instalment.objects.filter(pk=instalment_id, reminded__isnull=True,
                                     paid_on__isnull=True).update(reminded=now):
        return 0
    instalment = Instalment.objects.select_related("arrangement").get(pk=instalment_id)
    _event("instalment_due", instalment.arrangement, instalment_id=instalment.pk,
           number=instalment.number, due_date=instalment.due_date,
           amount=instalment.outstanding)
    return 1


@transaction.atomic
def _break(arrangement_id: int, today: date, policy: ArrangementPolicy) -> int:
    arrangement = _locked(Arrangement(pk=arrangement_id))
    overdue = arrangement.instalments.filter(
        paid_on__isnull=True,
        due_date__lt=today - timedelta(days=policy.broken_after_days)).order_by("number").first()
    if arrangement.status not in Arrangement.RUNNING or overdue is None:
        return 0
    arrangement.status, arrangement.ended = Status.BROKEN, timezone.now()
    arrangement.save(update_fields=["status", "ended", "updated"])
    _event("arrangement_broken", arrangement, instalment_id=overdue.pk, number=overdue.number,
           due_date=overdue.due_date, amount=overdue.outstanding)
    _audit(system_actor("clock"), "billing.arrangement_broken", arrangement,
           instalment=overdue.number, due_date=overdue.due_date,
           outstanding=overdue.outstanding)
    return 1
