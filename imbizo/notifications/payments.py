"""A resident who paid their municipal account is sent a receipt, in their language, on
the channel they started the payment from if it reaches them (the pay link asked for on
WhatsApp: the receipt on WhatsApp), else their first channel, once the provider's
notification completed the payment (the durable ``payment_received`` event). The
subscriber only enqueues a task; the task queues the message through the outbox, once per
payment (its dedupe key), so an event relayed twice or a task run again sends one
receipt."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from imbizo.accounts.models import Consent
from imbizo.billing.models import Payment
from imbizo.billing.payments import payment_receipt_sent
from imbizo.core.events import subscribe
from imbizo.messaging.services import citizen_notify

RECEIPT = _("Imbizo: payment received, thank you. R%(amount)s to %(municipality)s account "
            "%(account)s on %(date)s. Reference %(reference)s. It shows on your account "
            "once the municipality has processed it.")


@task()
def send_receipt(payment_id: int) -> bool:
    """Queue the receipt of a completed payment to the resident who made it. True if a
    message is queued (or was already)."""
    payment = Payment.objects.select_related("account", "municipality", "citizen") \
        .defer("municipality__boundary").get(pk=payment_id)
    if payment.citizen is None or payment.status != Payment.Status.COMPLETE:
        return False
    message = citizen_notify(
        citizen=payment.citizen, purpose=Consent.Purpose.SERVICE, text_for_language=RECEIPT,
        params={"amount": f"{payment.amount:.2f}", "municipality": payment.municipality.name,
                "account": payment.account.account_number,
                "date": f"{timezone.localtime(payment.completed):%Y-%m-%d %H:%M}",
                "reference": payment.m_payment_id},
        municipality=payment.municipality, dedupe_key=f"payment:{payment.uuid}:receipt",
        prefer=payment.channel)
    if message is None:
        return False
    payment_receipt_sent(payment=payment)
    return True


@subscribe("payment_received")
def on_payment_received(*, payment_id: int, citizen_id: int | None = None, **_payload) -> None:
    if citizen_id:
        send_receipt.enqueue(payment_id)
