"""Debt-recovery campaigns (issue #15, item 9): reminders of arrears by age, sent to the
residents linked to each account. Imported at the end of models.py, so they are the
billing app's models.

A reminder holds references only (campaign, account, resident, the outbox message's id)
and what became of it, never the message's text or the balance it named: the text is in
the outbox, which a resident's export and erasure already cover. One reminder per
campaign, account and resident (a unique constraint), so a task run again, or a campaign
started again, never reminds anyone twice.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from imbizo.core.models import MunicipalModel

from .models import MONEY, UtilityAccount

__all__ = ["BUCKET_DAYS", "Campaign", "CampaignReminder"]

BUCKET_DAYS = (30, 60, 90, 120)  # an account's bucket: its oldest arrears (120: and more)


class Campaign(MunicipalModel):
    """Revenue staff's reminder to every account whose oldest arrears fall in the chosen
    buckets and whose arrears (30 days and more) reach the minimum."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        RUNNING = "running", _("Sending")
        DONE = "done", _("Done")

    class Kind(models.TextChoices):
        PAY_OR_ARRANGE = "pay_or_arrange", _("Pay, or arrange to pay")
        PAY = "pay", _("Pay (one SMS)")

    buckets = models.JSONField(help_text="Days overdue: some of 30, 60, 90, 120.")
    min_arrears = models.DecimalField(**MONEY, default=0,
                                      help_text="Arrears (30 days and more) at least this.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PAY_OR_ARRANGE)
    window_days = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Payments and arrangements this many days after a reminder count as "
                  "recovered by it.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    cursor = models.BigIntegerField(default=0, help_text="The last account id worked on: "
                                                         "the sending task's place.")
    accounts = models.PositiveIntegerField(default=0, help_text="Accounts reminded or tried.")
    sent = models.PositiveIntegerField(default=0, help_text="Reminders queued.")
    skipped = models.PositiveIntegerField(default=0, help_text="Residents not sent one: no "
                                                               "billing consent, opted out, "
                                                               "no channel.")

    class Meta:
        indexes = [models.Index(fields=["municipality", "-created"],
                                name="billing_campaign_list")]
        constraints = [
            models.UniqueConstraint(fields=["municipality"], condition=Q(status="running"),
                                    name="one_running_campaign_per_municipality"),
        ]

    def __str__(self) -> str:
        return f"Campaign {self.pk} ({self.status})"


class CampaignReminder(models.Model):
    """One resident of one account in one campaign: sent (``message_id`` names the
    outbox's message) or skipped, and why."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        NO_CONSENT = "no_consent", _("No consent to billing messages")
        OPTED_OUT = "opted_out", _("Opted out")
        UNREACHABLE = "unreachable", _("No channel reaches them")

    municipality = models.ForeignKey("geo.Municipality", on_delete=models.PROTECT,
                                     related_name="+", db_index=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminders",
                                 db_index=False)  # led by the unique constraint
    account = models.ForeignKey(UtilityAccount, on_delete=models.CASCADE,
                                related_name="campaign_reminders")
    citizen = models.ForeignKey("accounts.Citizen", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                help_text="Emptied when the resident is erased.")
    bucket = models.PositiveSmallIntegerField(help_text="The account's oldest arrears, days.")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    message_id = models.BigIntegerField(null=True, blank=True,
                                        help_text="The outbox message (messaging app).")
    sent = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "account", "citizen"],
                                    name="one_reminder_per_campaign_account_resident"),
        ]

    def __str__(self) -> str:
        return f"Reminder of campaign {self.campaign_id}: {self.outcome}"
