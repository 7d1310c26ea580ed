"""Outbound webhooks stored as data: subscriptions, deliveries and their attempts.

A delivery is one event for one subscription; its ``payload`` is the exact JSON body
sent (and signed) on every attempt, and its ``event_id`` stays the same across retries
and replays so that receivers can drop duplicates.
"""

import json
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from imbizo.core.models import MunicipalModel


class WebhookSubscription(MunicipalModel):
    """A receiver of a municipality's events, e.g. its CRM or ERP."""

    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128, editable=False,
                              help_text="Signs every request; shown only to its creator.")
    events = models.JSONField(default=list, help_text="Names of the events sent to this URL.")
    active = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["municipality_id", "pk"]
        indexes = [models.Index(fields=["municipality", "active"])]

    def __str__(self) -> str:
        return self.description or self.url


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE,
                                     related_name="deliveries")
    event = models.CharField(max_length=64)
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    # Text, not JSONField: PostgreSQL's jsonb reorders keys and normalises numbers, and
    # the signature must cover exactly the bytes stored and sent.
    payload = models.TextField(help_text="The exact JSON body sent on every attempt.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Attempts since it was created or last replayed.")
    replays = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["subscription", "created"]),
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["event_id"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_id"],
                                    name="one_delivery_per_event_and_subscription"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id}"

    @property
    def data(self) -> dict:
        """The payload as an object (for display; the stored text is what is sent)."""
        return json.loads(self.payload)


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery and what came back."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE,
                                 related_name="attempt_log")
    at = models.DateTimeField(help_text="When the request was sent.")
    response_status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty when no response came (timeout, refused).")
    response_body = models.TextField(blank=True, help_text="The first 1,000 characters.")
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.response_status or self.error[:40]}"
