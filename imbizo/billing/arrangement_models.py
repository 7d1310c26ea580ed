"""Payment arrangements for arrears, and meter readings residents send (issue #15, items 6
and 7). Imported at the end of models.py, so they are the billing app's models.

An arrangement's deposit is its instalment number 0 (there is none without a deposit), so
the deposit and the monthly instalments are tracked, reminded and matched to payments
alike. Every reading is kept, a doubtful one flagged for review, never refused.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from imbizo.core.models import MunicipalModel, TimeStampedModel

from .models import MONEY, UtilityAccount

__all__ = ["Arrangement", "ArrangementPayment", "ArrangementPolicy", "Instalment",
           "MeterReading"]

MAX_MONTHS = 60  # no plan runs longer than five years, whoever approves it
READING = {"max_digits": 12, "decimal_places": 3}  # kilolitres or kWh, to the litre / Wh


class ArrangementPolicy(TimeStampedModel):
    """A municipality's rules for approving arrangements without a person. A municipality
    without a row of its own gets these fields' defaults (``policy_for``): a deposit of
    10% of the arrears, at most 24 months, instalments of at least R100, no arrangement
    broken on the account in the last 12 months, and at most R50,000 of arrears."""

    municipality = models.OneToOneField("geo.Municipality", on_delete=models.PROTECT,
                                        related_name="+")
    deposit_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("10"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Smallest deposit, as a percentage of the arrears.")
    deposit_minimum = models.DecimalField(
        **MONEY, default=Decimal("0"), validators=[MinValueValidator(0)],
        help_text="Smallest deposit in rand, whatever the percentage gives (0: none).")
    max_months = models.PositiveSmallIntegerField(
        default=24, validators=[MinValueValidator(1), MaxValueValidator(MAX_MONTHS)],
        help_text="Longest plan approved automatically.")
    min_instalment = models.DecimalField(
        **MONEY, default=Decimal("100"), validators=[MinValueValidator(0)],
        help_text="Smallest monthly instalment (a plan of one month may be less).")
    broken_lookback_months = models.PositiveSmallIntegerField(
        default=12, help_text="An arrangement broken on the account within this many months "
                              "sends a new one to staff (0: never).")
    auto_approve_max_arrears = models.DecimalField(
        **MONEY, default=Decimal("50000"), validators=[MinValueValidator(0)],
        help_text="Larger arrears go to staff whatever the terms.")
    deposit_due_days = models.PositiveSmallIntegerField(
        default=7, validators=[MaxValueValidator(31)],
        help_text="Days after approval by which the deposit is due.")
    reminder_days = models.PositiveSmallIntegerField(
        default=3, validators=[MaxValueValidator(14)],
        help_text="Days before each due date that the resident is reminded.")
    broken_after_days = models.PositiveSmallIntegerField(
        default=7, validators=[MaxValueValidator(60)],
        help_text="Days an instalment may be overdue before the arrangement is broken.")

    class Meta:
        verbose_name_plural = "arrangement policies"

    def __str__(self) -> str:
        return f"Arrangement policy of {self.municipality_id}"


class Arrangement(MunicipalModel):
    """A resident's plan to pay an account's arrears: a deposit and monthly instalments."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for a decision")
        APPROVED = "approved", _("Approved, deposit due")
        REJECTED = "rejected", _("Not approved")
        ACTIVE = "active", _("Running")
        COMPLETED = "completed", _("Paid off")
        BROKEN = "broken", _("Broken")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.PROPOSED, Status.APPROVED, Status.ACTIVE)  # at most one per account
    RUNNING = (Status.APPROVED, Status.ACTIVE)  # instalments reminded, payments matched

    account = models.ForeignKey(UtilityAccount, on_delete=models.CASCADE,
                                related_name="arrangements")
    citizen = models.ForeignKey("accounts.Citizen", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                help_text="The resident who proposed it, and is told of it.")
    channel = models.CharField(max_length=10)
    arrears = models.DecimalField(**MONEY, help_text="Overdue (30 days and more) when "
                                                     "proposed: what the plan pays off.")
    deposit = models.DecimalField(**MONEY)
    months = models.PositiveSmallIntegerField()
    instalment = models.DecimalField(**MONEY, help_text="The monthly amount (the first "
                                                        "instalments may be a cent more).")
    first_due = models.DateField(help_text="The first monthly instalment's due date.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    referral = models.JSONField(default=list, blank=True,
                                help_text="Why it went to staff: the policy's rules it is "
                                          "outside of, with their limits.")
    auto = models.BooleanField(default=False, help_text="Approved by the policy, not a person.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Staff's reason for their decision.")
    ended = models.DateTimeField(null=True, blank=True,
                                 help_text="When it was paid off, broken or cancelled.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account"],
                                    condition=Q(status__in=["proposed", "approved", "active"]),
                                    name="one_open_arrangement_per_account"),
            models.CheckConstraint(condition=Q(months__gte=1, deposit__gte=0),
                                   name="arrangement_terms_positive"),
        ]
        indexes = [models.Index(fields=["municipality", "status", "created"],
                                name="billing_arrangement_queue")]

    def __str__(self) -> str:
        return f"Arrangement on {self.account_id}: {self.status}"


class Instalment(models.Model):
    """One amount due under an arrangement: number 0 is the deposit."""

    municipality = models.ForeignKey("geo.Municipality", on_delete=models.PROTECT,
                                     related_name="+", db_index=False)
    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE,
                                    related_name="instalments", db_index=False)
    number = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    amount = models.DecimalField(**MONEY)
    paid_amount = models.DecimalField(**MONEY, default=Decimal("0"))
    paid_on = models.DateField(null=True, blank=True, help_text="When it was paid in full.")
    reminded = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["arrangement", "number"]
        constraints = [models.UniqueConstraint(fields=["arrangement", "number"],
                                               name="unique_instalment_number")]
        # The clock's reminders and overdue checks read only instalments still unpaid.
        indexes = [models.Index(fields=["due_date"], condition=Q(paid_on__isnull=True),
                                name="billing_instalment_unpaid")]

    def __str__(self) -> str:
        return f"{self.number}: {self.amount} by {self.due_date}"

    @property
    def outstanding(self) -> Decimal:
        return max(self.amount - self.paid_amount, Decimal("0"))


class ArrangementPayment(models.Model):
    """Money counted towards an arrangement: a payment imported from the billing system
    (its transaction's reference) or recorded as it was made. Unique per reference (kept
    in capitals without hyphens, as the billing system may write ours), so matching the
    same payment again counts it once."""

    municipality = models.ForeignKey("geo.Municipality", on_delete=models.PROTECT,
                                     related_name="+", db_index=False)
    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE,
                                    related_name="payments", db_index=False)
    reference = models.CharField(max_length=64)
    amount = models.DecimalField(**MONEY)
    paid_on = models.DateField()
    actor = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "reference"],
                                    name="unique_arrangement_payment"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="arrangement_payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.amount}"


def reading_photo_path(instance: "MeterReading", filename: str) -> str:
    return f"readings/{instance.municipality.code}/{filename}"


class MeterReading(MunicipalModel):
    """A water (kilolitres) or electricity (kWh) reading of an account's meter."""

    class Kind(models.TextChoices):
        WATER = "water", _("Water")
        ELECTRICITY = "electricity", _("Electricity")

    class Flag(models.TextChoices):
        NONE = "", "None"
        LOWER = "lower_than_last", "Lower than the last reading"
        HIGH = "unusually_high", "Far above usual consumption"

    class Review(models.TextChoices):
        NONE = "", "Not reviewed"
        ACCEPTED = "accepted", "Accepted as read"
        CORRECTED = "corrected", "Corrected"

    account = models.ForeignKey(UtilityAccount, on_delete=models.CASCADE,
                                related_name="readings", db_index=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    meter_number = models.CharField(max_length=32, blank=True)
    value = models.DecimalField(**READING, validators=[MinValueValidator(0)],
                                help_text="As the resident read it.")
    read_on = models.DateField()
    photo = models.FileField(upload_to=reading_photo_path, blank=True,
                             help_text="Checked and re-encoded without metadata.")
    photo_sha256 = models.CharField(max_length=64, blank=True)
    submitted_by = models.ForeignKey("accounts.Citizen", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    actor = models.CharField(max_length=200)
    channel = models.CharField(max_length=10)
    meter_replaced = models.BooleanField(default=False, help_text="A new meter: this reading "
                                                                  "starts its history again.")
    flag = models.CharField(max_length=20, choices=Flag.choices, blank=True, default="")
    flag_reason = models.CharField(max_length=300, blank=True)
    review = models.CharField(max_length=10, choices=Review.choices, blank=True, default="")
    corrected_value = models.DecimalField(**READING, null=True, blank=True,
                                          validators=[MinValueValidator(0)])
    review_note = models.CharField(max_length=300, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    exported = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "kind", "-read_on"], name="billing_reading_history"),
            models.Index(fields=["municipality", "created"],
                         condition=~Q(flag="") & Q(reviewed_at__isnull=True),
                         name="billing_reading_to_review"),
            models.Index(fields=["municipality", "read_on"], condition=Q(exported__isnull=True),
                         name="billing_reading_to_export"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.value} on {self.read_on}"

    @property
    def billed_value(self) -> Decimal:
        """What the billing system is sent: staff's correction, else the reading."""
        return self.corrected_value if self.corrected_value is not None else self.value

    @property
    def awaiting_review(self) -> bool:
        return bool(self.flag) and self.reviewed_at is None
