"""Residents hear about their payment arrangements and meter readings: an arrangement
approved (with its first amounts due) or not (with staff's reason), each instalment a few
days before it is due, an arrangement broken, and a reading that will be checked.

Subscribers only enqueue ``notify_billing``; the task writes the message through
``citizen_notify``, which sends only what the resident consented to, on the first channel
that reaches them and that they have not opted out of, in their language. The answer to
what a resident has just done (an arrangement approved by the policy, a reading flagged)
goes at once; everything else waits for the end of the quiet hours (20:00 to 07:00,
South African time). One message per event and resident (``dedupe_key``), however often
the event is relayed.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from imbizo.accounts.models import Consent
from imbizo.billing.models import Arrangement, Instalment, MeterReading
from imbizo.core.events import subscribe
from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.services import citizen_notify

QUIET_FROM, QUIET_UNTIL = time(20, 0), time(7, 0)


def quiet_until(now: datetime) -> datetime | None:
    """When the quiet hours around ``now`` end, or None outside them."""
    local = timezone.localtime(now)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return None
    day = local.date() + timedelta(days=1 if local.time() >= QUIET_FROM else 0)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=local.tzinfo)


def _rand(amount: Decimal) -> str:
    return f"{Decimal(amount):.2f}"


def _day(day) -> str:
    return f"{day:%Y-%m-%d}"


def approved_text(arrangement: Arrangement) -> str:
    instalments = list(arrangement.instalments.order_by("number")[:2])
    first = next(i for i in instalments if i.number)
    params = {"account": arrangement.account.account_number, "months": arrangement.months,
              "amount": _rand(first.amount), "first_due": _day(first.due_date)}
    if instalments[0].number == 0:
        deposit = instalments[0]
        return ngettext(
            "Imbizo: your payment arrangement for account %(account)s is approved. Pay the "
            "deposit of R%(deposit)s by %(deposit_due)s, then %(months)s monthly instalment "
            "of R%(amount)s by %(first_due)s.",
            "Imbizo: your payment arrangement for account %(account)s is approved. Pay the "
            "deposit of R%(deposit)s by %(deposit_due)s, then %(months)s monthly "
            "instalments, the first of R%(amount)s by %(first_due)s.", arrangement.months,
        ) % {**params, "deposit": _rand(deposit.amount), "deposit_due": _day(deposit.due_date)}
    return ngettext(
        "Imbizo: your payment arrangement for account %(account)s is approved: "
        "%(months)s monthly instalment of R%(amount)s by %(first_due)s.",
        "Imbizo: your payment arrangement for account %(account)s is approved: "
        "%(months)s monthly instalments, the first of R%(amount)s by %(first_due)s.",
        arrangement.months) % params


def rejected_text(arrangement: Arrangement) -> str:
    return _("Imbizo: your payment arrangement for account %(account)s was not approved. "
             "Reason: %(reason)s") % {"account": arrangement.account.account_number,
                                      "reason": arrangement.reason}


def reminder_text(instalment: Instalment) -> str:
    params = {"account": instalment.arrangement.account.account_number,
              "amount": _rand(instalment.outstanding), "due": _day(instalment.due_date)}
    if instalment.number == 0:
        return _("Imbizo: the deposit of R%(amount)s for your payment arrangement on account "
                 "%(account)s is due by %(due)s.") % params
    return _("Imbizo: R%(amount)s of your payment arrangement for account %(account)s is due "
             "by %(due)s.") % params


def broken_text(arrangement: Arrangement, instalment: Instalment) -> str:
    return _("Imbizo: your payment arrangement for account %(account)s has ended because "
             "R%(amount)s due by %(due)s was not paid. All your arrears are due again: "
             "please contact the municipality.") % {
        "account": arrangement.account.account_number,
        "amount": _rand(instalment.outstanding), "due": _day(instalment.due_date)}


def flagged_text(reading: MeterReading) -> str:
    return _("Imbizo: thank you for your meter reading of %(value)s for account "
             "%(account)s. It is not what we expected, so we will check it before it is "
             "used for your bill.") % {"value": f"{reading.value.normalize():f}",
                                       "account": reading.account.account_number}


def _send(citizen, purpose: str, text, municipality, key: str, account: str) -> int:
    if citizen is None or OutboundMessage.objects.filter(dedupe_key=key).exists():
        return 0
    name = settings.WHATSAPP_TEMPLATES.get("billing_update")
    template = {"name": name, "language": citizen.language, "params": [account, text]} \
        if name else None
    sent = citizen_notify(citizen=citizen, purpose=purpose, text_for_language=text,
                          municipality=municipality, dedupe_key=key, template=template)
    return int(sent is not None)


def _arrangement(pk: int) -> Arrangement:
    return Arrangement.objects.select_related("account", "citizen", "municipality") \
        .defer("municipality__boundary").get(pk=pk)


@task()
def notify_billing(kind: str, object_id: int, instalment_id: int | None = None) -> int:
    """Queue the resident's message about an arrangement ("approved", "rejected",
    "broken", with the instalment left unpaid), an instalment ("due") or a reading
    ("flagged"). Returns how many were queued: none when run again, or when the news is
    stale (an instalment paid since)."""
    if kind == "flagged":
        reading = MeterReading.objects.select_related("account", "submitted_by",
                                                      "municipality") \
            .defer("municipality__boundary").get(pk=object_id)
        return _send(reading.submitted_by, Consent.Purpose.SERVICE,
                     lambda: flagged_text(reading), reading.municipality,
                     f"billing:reading:{reading.uuid}:flagged", reading.account.account_number)
    if kind == "due":
        instalment = Instalment.objects.select_related(
            "arrangement__account", "arrangement__citizen", "arrangement__municipality") \
            .defer("arrangement__municipality__boundary").get(pk=object_id)
        arrangement = instalment.arrangement
        if instalment.paid_on or arrangement.status not in Arrangement.RUNNING:
            return 0
        return _send(arrangement.citizen, Consent.Purpose.BILLING,
                     lambda: reminder_text(instalment), arrangement.municipality,
                     f"billing:arrangement:{arrangement.uuid}:due:{instalment.number}",
                     arrangement.account.account_number)
    if kind == "broken":
        arrangement = _arrangement(object_id)
        instalment = arrangement.instalments.get(pk=instalment_id)
        return _send(arrangement.citizen, Consent.Purpose.BILLING,
                     lambda: broken_text(arrangement, instalment), arrangement.municipality,
                     f"billing:arrangement:{arrangement.uuid}:broken",
                     arrangement.account.account_number)
    arrangement = _arrangement(object_id)
    if arrangement.status not in (Arrangement.RUNNING if kind == "approved"
                                  else (Arrangement.Status.REJECTED,)):
        return 0  # cancelled before a delayed message went
    text = {"approved": approved_text, "rejected": rejected_text}[kind]
    return _send(arrangement.citizen, Consent.Purpose.SERVICE, lambda: text(arrangement),
                 arrangement.municipality, f"billing:arrangement:{arrangement.uuid}:{kind}",
                 arrangement.account.account_number)


def _enqueue(kind: str, object_id: int, instalment_id: int | None = None, *,
             at_once: bool = False) -> None:
    later = None if at_once else quiet_until(timezone.now())
    (notify_billing.using(run_after=later) if later else notify_billing).enqueue(
        kind, object_id, instalment_id)


@subscribe("arrangement_approved")
def on_arrangement_approved(*, arrangement_id: int, auto: bool, **_payload) -> None:
    _enqueue("approved", arrangement_id, at_once=auto)  # auto: the answer to the proposal


@subscribe("arrangement_rejected")
def on_arrangement_rejected(*, arrangement_id: int, **_payload) -> None:
    _enqueue("rejected", arrangement_id)


@subscribe("instalment_due")
def on_instalment_due(*, instalment_id: int, **_payload) -> None:
    _enqueue("due", instalment_id)


@subscribe("arrangement_broken")
def on_arrangement_broken(*, arrangement_id: int, instalment_id: int, **_payload) -> None:
    _enqueue("broken", arrangement_id, instalment_id)


@subscribe("reading_flagged")
def on_reading_flagged(*, reading_id: int, **_payload) -> None:
    _enqueue("flagged", reading_id, at_once=True)  # the answer to the reading just sent
