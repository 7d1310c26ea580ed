"""Paying a municipal account: starting a payment, the provider's notification of its
outcome, and what a resident sees of their payments (docs/billing.md, "Payments").

A signed-in resident linked to an account (its holder, or a proxy the holder approved)
starts a payment (``payment_start``) and is sent to the provider's hosted page, where
they pay; card details never reach Imbizo. The provider tells us the outcome in a
notification (PayFast's ITN), which ``payment_notified`` verifies (providers/), logs
whatever it finds (``PaymentNotification``) and applies once: a replay, or a copy racing
the first, credits nothing more. A completed payment is audited and announced
(``payment_received``, written in the same transaction: the receipt to the resident and
the webhooks to the billing system follow from it). The account's balance is not
touched: the billing system is the source of truth, and the payment shows as received,
pending until an import brings its transaction (payment_export.py, reconciliation).
"""

import hashlib
import ipaddress
import logging
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, NotFound, PermissionDenied
from imbizo.core.events import emit
from imbizo.core.permissions import Actor

from .models import Payment, PaymentNotification, UtilityAccount
from .providers import (
    Checkout,
    CheckoutUrls,
    Notification,
    NotificationRejected,
    PaymentProvider,
    ProviderUnreachable,
    Verified,
    active_provider,
    provider_for,
)
from .providers.base import amount_check
from .selectors import account_list

logger = logging.getLogger(__name__)

Outcome = PaymentNotification.Outcome
Status = Payment.Status
# What a notification's outcome answers the provider: 200 stops its retries, 400 says the
# notification is refused, 503 asks for it again later.
ANSWERS = {Outcome.REJECTED: 400, Outcome.UNCONFIRMED: 503}
# Kept out of the notification log: anything like card data, and the payer's name and
# contact details (they are the provider's business, not this log's).
STRIPPED_KEYS = re.compile(r"card|pan$|cvv|cvc|expir|token|name_|email|cell|phone", re.I)
DIGIT_RUNS = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")  # 13 to 19 digits
REMOVED = "[removed]"
KEPT_KEYS = {"m_payment_id", "pf_payment_id", "sandbox_payment_id", "payment_status",
             "amount_gross", "amount_fee", "amount_net", "merchant_id", "signature"}


# --- starting a payment -------------------------------------------------------------------
def _amount(value) -> Decimal:
    """Rands to the cent, within ``BILLING_PAYMENT_MIN`` and ``BILLING_PAYMENT_MAX``."""
    low, high = Decimal(settings.BILLING_PAYMENT_MIN), Decimal(settings.BILLING_PAYMENT_MAX)
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ImbizoError("invalid_amount", _("Enter an amount in rands, like 250.00."),
                          field="amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise ImbizoError("invalid_amount", _("Enter the amount in rands and cents, with at "
                                              "most two digits after the point."),
                          field="amount")
    if amount < low or amount > high:
        raise ImbizoError("amount_out_of_range",
                          _("You can pay from R%(low)s to R%(high)s at a time.")
                          % {"low": f"{low:.2f}", "high": f"{high:.2f}"},
                          field="amount", minimum=str(low), maximum=str(high))
    return amount.quantize(Decimal("0.01"))


def _audit(actor_label: str, channel: str, action: str, payment: Payment, **changes) -> None:
    """Last in its transaction: the audit chain's lock is held from here to the commit."""
    audit_record(actor=actor_label, channel=channel, action=action, obj=payment,
                 municipality_code=payment.municipality.code,
                 changes={"account": payment.account.account_number, **changes})


@transaction.atomic
def payment_start(*, actor: Actor, account: UtilityAccount, amount) -> Payment:
    """A payment of ``amount`` towards ``account`` by the signed-in resident, who must be
    linked to it (holder, or a proxy the holder approved), to the configured provider.
    The resident is then sent to ``payment_checkout``'s hosted page."""
    if actor.kind != "citizen":
        raise ImbizoError("sign_in_required", _("Sign in to pay an account."), status=403)
    if not account_list(actor=actor).filter(pk=account.pk).exists():
        raise NotFound("account_not_found", _("No account %(number)s.")
                       % {"number": account.account_number})
    provider = active_provider()
    payment = Payment(municipality_id=account.municipality_id, account=account,
                      citizen=actor.citizen, provider=provider.slug, channel=actor.channel,
                      amount=_amount(amount))
    payment.full_clean(exclude=["municipality", "account", "citizen"], validate_unique=False,
                       validate_constraints=False)
    payment.save(force_insert=True)
    payment.account, payment.municipality = account, account.municipality
    _audit(actor.label, actor.channel, "billing.payment_start", payment,
           amount=payment.amount, provider=provider.slug)
    return payment


def payment_checkout(*, actor: Actor, payment: Payment,
                     urls: CheckoutUrls) -> tuple[PaymentProvider, Checkout]:
    """The provider of the resident's own payment, still waiting for its outcome, and the
    form that takes them to its hosted page. Writes nothing."""
    if actor.kind != "citizen" or payment.citizen_id != actor.citizen.pk:
        raise PermissionDenied(_("This is not your payment."))
    if payment.status != Status.INITIATED:
        raise ImbizoError("payment_not_open", _("This payment is no longer waiting to be "
                                                "paid."), status=409)
    provider = provider_for(payment.provider)
    if provider is None:
        raise ImbizoError("provider_unavailable",
                          _("This way of paying is not available now: start again."),
                          status=409)
    return provider, provider.checkout(payment, urls, payer=actor.citizen)


def payment_cancel(*, actor: Actor, payment: Payment) -> Payment:
    """The resident came back from the provider's page without paying: a payment still
    waiting for its outcome is cancelled. A notification that it was paid after all still
    completes it."""
    if actor.kind != "citizen" or payment.citizen_id != actor.citizen.pk:
        raise PermissionDenied(_("This is not your payment."))
    with transaction.atomic():
        done = Payment.objects.filter(pk=payment.pk, status=Status.INITIATED).update(
            status=Status.CANCELLED, updated=timezone.now())
        if done:
            payment.status = Status.CANCELLED
            _audit(actor.label, actor.channel, "billing.payment_cancel", payment)
    return payment


# --- the provider's notification ----------------------------------------------------------
@dataclass(frozen=True)
class Notified:
    """What became of a notification, and what to answer the provider."""

    outcome: str
    payment: Payment | None
    reason: str = ""

    @property
    def http_status(self) -> int:
        return ANSWERS.get(self.outcome, 200)


def _luhn(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _cardish(value: str) -> bool:
    """Whether ``value`` holds something like a card number (13 to 19 digits, spaces or
    dashes between them allowed, passing the Luhn check)."""
    return any(_luhn(re.sub(r"[ -]", "", run)) for run in DIGIT_RUNS.findall(value))


def _text(value) -> str:
    return str(value).replace("\x00", "")


def _stored(fields) -> dict[str, str]:
    """The fields, without card-like data or the payer's personal details."""
    kept = {}
    for key, value in list(fields.items())[:100]:
        # No NUL: PostgreSQL refuses it in text and JSON, and a forged notification may
        # carry one.
        key, value = _text(key)[:64], _text(value)[:500]
        if key not in KEPT_KEYS and (STRIPPED_KEYS.search(key) or _cardish(value)):
            value = REMOVED
        kept[key] = value
    return kept


def _payment_of(slug: str, reference: str) -> Payment | None:
    try:
        key = uuid.UUID(reference)
    except (ValueError, AttributeError, TypeError):
        return None
    return Payment.objects.filter(provider=slug, uuid=key).select_related(
        "municipality", "account").defer("municipality__boundary").first()


def _log(slug: str, notification: Notification, *, outcome: str, reason: str = "",
         verified: Verified | None = None, payment: Payment | None = None,
         confirmed: bool = False) -> PaymentNotification:
    fields = notification.fields
    return PaymentNotification.objects.create(
        municipality_id=payment.municipality_id if payment else None, provider=slug,
        source_address=_address(notification.source_ip), fields=_stored(fields),
        body_sha256=hashlib.sha256(notification.raw).hexdigest(),
        reference=_text(verified.reference if verified else fields.get("m_payment_id", ""))[
            :100],
        provider_payment_id=_text(verified.provider_payment_id) if verified else "",
        verified=confirmed, outcome=outcome, reason=_text(reason)[:300], payment=payment)


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def payment_notified(*, provider: str, fields, source_ip: str, raw: bytes) -> Notified:
    """Verify a provider's notification and apply it once. Every notification is logged
    with its outcome; one that fails a check changes nothing else. The provider is called
    (PayFast's validation) outside any transaction, so no lock waits on it."""
    handler = provider_for(provider)
    if handler is None:
        raise NotFound("unknown_provider", _("No such payment provider."))
    notification = Notification(fields=fields, source_ip=source_ip or "", raw=raw or b"")
    payment = verified = None
    try:
        verified = handler.authenticate(notification)
        payment = _payment_of(handler.slug, verified.reference)
        amount_check(verified, payment.amount if payment else None)
        if _recorded(payment, verified):
            return _noted(handler.slug, notification, verified, payment, Outcome.DUPLICATE,
                          "already recorded: not confirmed again, nothing changed")
        handler.confirm(notification)
    except NotificationRejected as exc:
        logger.warning("payment notification from %s refused: %s", handler.slug, exc.code)
        _log(handler.slug, notification, outcome=Outcome.REJECTED,
             reason=f"{exc.code}: {exc.reason}", verified=verified, payment=payment)
        return Notified(Outcome.REJECTED, payment, exc.code)
    except ProviderUnreachable as exc:
        logger.warning("payment notification from %s not confirmed: %s", handler.slug, exc)
        _log(handler.slug, notification, outcome=Outcome.UNCONFIRMED, reason=str(exc),
             verified=verified, payment=payment)
        return Notified(Outcome.UNCONFIRMED, payment, "unconfirmed")
    return _apply(handler.slug, notification, verified, payment)


def _recorded(payment: Payment, verified: Verified) -> bool:
    """The payment already says what this notification says (a replay)."""
    return (payment.status == verified.status
            and payment.provider_payment_id == verified.provider_payment_id)


def _noted(slug, notification, verified, payment, outcome, reason) -> Notified:
    _log(slug, notification, outcome=outcome, reason=reason, verified=verified,
         payment=payment)
    return Notified(outcome, payment, reason)


@transaction.atomic
def _apply(slug: str, notification: Notification, verified: Verified,
           payment: Payment) -> Notified:
    # Locked: a copy of this notification arriving at the same moment waits here, then
    # finds the payment done and changes nothing.
    payment = Payment.objects.select_for_update(of=("self",)).select_related(
        "municipality", "account").defer("municipality__boundary").get(pk=payment.pk)
    outcome, reason = _outcome(payment, verified)
    if outcome not in (Outcome.COMPLETED, Outcome.FAILED, Outcome.CANCELLED):
        if outcome == Outcome.CONFLICT:
            logger.error("payment %s: %s", payment.uuid, reason)
        _log(slug, notification, outcome=outcome, reason=reason, verified=verified,
             payment=payment, confirmed=True)
        return Notified(outcome, payment, reason)
    before = payment.status
    payment.status, payment.provider_payment_id = verified.status, verified.provider_payment_id
    fields = ["status", "provider_payment_id", "updated"]
    if verified.status == Status.COMPLETE:
        payment.completed = timezone.now()
        fields.append("completed")
    payment.save(update_fields=fields)
    note = _log(slug, notification, outcome=outcome, verified=verified, payment=payment,
                confirmed=True)
    if payment.status == Status.COMPLETE:
        emit("payment_received", municipality_id=payment.municipality_id,
             payment_id=payment.pk, account_id=payment.account_id,
             citizen_id=payment.citizen_id, data=payment_data(payment))
    _audit(f"provider:{slug}", slug, f"billing.payment_{verified.status}", payment,
           status=[before, payment.status], amount=payment.amount,
           provider_payment_id=payment.provider_payment_id, notification=note.pk)
    return Notified(outcome, payment)


def _outcome(payment: Payment, verified: Verified) -> tuple[str, str]:
    same_id = payment.provider_payment_id == verified.provider_payment_id
    if payment.status == Status.COMPLETE:
        if same_id and verified.status == Status.COMPLETE:
            return Outcome.DUPLICATE, "already recorded: nothing changed"
        if verified.status == Status.COMPLETE:
            return Outcome.CONFLICT, (f"completed again under another {payment.provider} id "
                                      f"({verified.provider_payment_id}): not credited twice")
        return Outcome.IGNORED, f"{verified.status} after it was complete: nothing changed"
    if same_id and payment.status == verified.status:
        return Outcome.DUPLICATE, "already recorded: nothing changed"
    taken = Payment.objects.filter(provider=payment.provider,
                                   provider_payment_id=verified.provider_payment_id) \
        .exclude(pk=payment.pk).exists()
    if taken:
        return Outcome.CONFLICT, (f"{payment.provider} id {verified.provider_payment_id} "
                                  "belongs to another payment")
    return {Status.COMPLETE: Outcome.COMPLETED, Status.FAILED: Outcome.FAILED,
            Status.CANCELLED: Outcome.CANCELLED}[verified.status], ""


def payment_data(payment: Payment) -> dict:
    """A payment as integrators see it (the webhook's ``data``): no personal data."""
    return {"reference": payment.m_payment_id, "municipality": payment.municipality.code,
            "account_number": payment.account.account_number,
            "amount": f"{payment.amount:.2f}", "currency": "ZAR",
            "provider": payment.provider, "provider_payment_id": payment.provider_payment_id,
            "status": payment.status,
            "completed": payment.completed.isoformat() if payment.completed else None}


def payment_receipt_sent(*, payment: Payment) -> bool:
    """Mark the resident's receipt as queued (once). True if this call marked it."""
    return bool(Payment.objects.filter(pk=payment.pk, receipt_sent__isnull=True)
                .update(receipt_sent=timezone.now()))


# --- reads --------------------------------------------------------------------------------
def payment_list(*, actor: Actor, account: UtilityAccount | None = None) -> QuerySet[Payment]:
    """A resident's own payments (of one account), newest first."""
    if actor.kind != "citizen":
        return Payment.objects.none()
    payments = Payment.objects.filter(citizen=actor.citizen)
    if account is not None:
        payments = payments.filter(account=account)
    return payments.order_by("-created", "-pk")


def access_payment(actor: Actor, key) -> Payment:
    """One of the resident's own payments by its uuid, with its account and municipality;
    404 for any other."""
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        key = None
    payment = key and payment_list(actor=actor).filter(uuid=key).select_related(
        "account", "municipality").defer("municipality__boundary").first()
    if not payment:
        raise NotFound("payment_not_found", _("No such payment."))
    return payment
