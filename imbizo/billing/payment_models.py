"""Payments residents make towards their municipal accounts, and every notification a
payment provider sent about them (billing/payments.py, docs/billing.md "Payments").

A payment's public ``uuid`` is the reference we give the provider (PayFast's
``m_payment_id``) and the billing system. Card details never reach Imbizo: the resident
pays on the provider's hosted page, which tells us the outcome in a signed notification.
The billing system stays the source of truth for the balance: a payment shows as
received, pending until an import brings the billing system's own transaction for it
(``reconciled``).
"""

from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from imbizo.core.models import MunicipalModel

__all__ = ["Payment", "PaymentNotification"]


class Payment(MunicipalModel):
    class Status(models.TextChoices):
        INITIATED = "initiated", "Initiated"
        COMPLETE = "complete", "Complete"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    account = models.ForeignKey("billing.UtilityAccount", on_delete=models.PROTECT,
                                related_name="payments", db_index=False)
    citizen = models.ForeignKey("accounts.Citizen", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                help_text="The resident who paid.")
    provider = models.CharField(max_length=20, help_text="payfast, sandbox, ...")
    channel = models.CharField(max_length=16, blank=True,
                               help_text="Where the resident started it (web, whatsapp, "
                                         "ussd, ...): the receipt goes back there if it can.")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INITIATED)
    provider_payment_id = models.CharField(
        max_length=64, blank=True, help_text="The provider's id (PayFast's pf_payment_id).")
    completed = models.DateTimeField(null=True, blank=True,
                                     help_text="When the provider's notification said so.")
    receipt_sent = models.DateTimeField(null=True, blank=True,
                                        help_text="When the resident's receipt was queued.")
    exported = models.DateTimeField(null=True, blank=True)
    export_batch = models.UUIDField(null=True, blank=True,
                                    help_text="The export-payments run that wrote it.")
    reconciled = models.DateTimeField(
        null=True, blank=True, help_text="When an import brought the billing system's "
                                         "transaction for it.")
    reconciled_reference = models.CharField(
        max_length=64, blank=True, help_text="That transaction's reference.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_payment_id"],
                                    condition=~Q(provider_payment_id=""),
                                    name="unique_provider_payment_id"),
            models.CheckConstraint(condition=Q(amount__gt=Decimal("0")),
                                   name="payment_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["account", "-created"], name="billing_payment_account"),
            # The revenue console's payments, newest first (console/revenue_selectors.py).
            models.Index(fields=["municipality", "-created"], name="billing_payment_recent"),
            # Small: what the export and the reconciliation look for.
            models.Index(fields=["municipality", "completed"],
                         condition=Q(status="complete", exported__isnull=True),
                         name="billing_payment_unexported"),
            models.Index(fields=["municipality", "completed"],
                         condition=Q(status="complete", reconciled__isnull=True),
                         name="billing_payment_unreconciled"),
        ]

    def __str__(self) -> str:
        return f"{self.uuid} ({self.status})"

    @property
    def m_payment_id(self) -> str:
        """Our reference, as the provider and the billing system see it."""
        return str(self.uuid)

    @property
    def pending(self) -> bool:
        """Received, but not yet in the billing system's balance."""
        return self.status == self.Status.COMPLETE and self.reconciled is None


class PaymentNotification(models.Model):
    """One notification a provider sent (PayFast's ITN), whatever became of it: the record
    that shows a tampered or replayed notification was refused or credited nothing. Card
    details and the payer's name and contact details are never kept (``fields`` is
    stripped of them); ``body_sha256`` names the exact body received."""

    class Outcome(models.TextChoices):
        COMPLETED = "completed", "Completed the payment"
        FAILED = "failed", "Failed the payment"
        CANCELLED = "cancelled", "Cancelled the payment"
        DUPLICATE = "duplicate", "Already recorded: nothing changed"
        IGNORED = "ignored", "Later than the payment's outcome: nothing changed"
        CONFLICT = "conflict", "Contradicts the payment's outcome: nothing changed"
        REJECTED = "rejected", "Refused: not verified"
        UNCONFIRMED = "unconfirmed", "The provider could not be asked: to be sent again"

    municipality = models.ForeignKey("geo.Municipality", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     help_text="The payment's, when it names one we know.")
    provider = models.CharField(max_length=20)
    received = models.DateTimeField(default=timezone.now)
    source_address = models.GenericIPAddressField(null=True, blank=True)
    fields = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    body_sha256 = models.CharField(max_length=64)
    reference = models.CharField(max_length=100, blank=True,
                                 help_text="Our reference, as the notification gave it.")
    provider_payment_id = models.CharField(max_length=64, blank=True)
    verified = models.BooleanField(default=False)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="notifications")

    class Meta:
        indexes = [models.Index(fields=["payment", "received"],
                                name="billing_notification_payment"),
                   models.Index(fields=["-received"], name="billing_notification_received")]

    def __str__(self) -> str:
        return f"{self.provider} {self.outcome} at {self.received:%Y-%m-%d %H:%M}"
