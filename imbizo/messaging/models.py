"""The outbox: every message to a resident is a row here before any provider sees it."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper

from imbizo.accounts.models import Consent
from imbizo.core.models import TimeStampedModel


class Channel(models.TextChoices):
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"
    # USSD cannot push: kept so a network-initiated USSD provider can be configured later.
    USSD = "ussd", "USSD"
    EMAIL = "email", "E-mail"
    TELEGRAM = "telegram", "Telegram"
    WEB = "web", "Web chat"  # the citizen site's chat (messaging/channels/webchat)
    WEBPUSH = "webpush", "Web Push"  # a resident's browsers (PushSubscription)


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"  # waiting for its first or next attempt
    SENT = "sent", "Sent"  # the provider accepted it
    DELIVERED = "delivered", "Delivered"  # the provider reports it reached the resident
    FAILED = "failed", "Failed"  # never accepted by a provider: permanent error or out of attempts
    UNDELIVERABLE = "undeliverable", "Undeliverable"  # accepted, then reported undeliverable


class OutboundMessage(TimeStampedModel):
    municipality = models.ForeignKey(
        "geo.Municipality", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,  # led by the (municipality, status, created) index below
        help_text="Whose message this is: which staff may see it.")
    citizen = models.ForeignKey("accounts.Citizen", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="outbound_messages")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    to = models.CharField(max_length=254, help_text="E.164 phone number or e-mail address.")
    body = models.TextField()
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    purpose = models.CharField(max_length=20, choices=Consent.Purpose.choices)
    # NULL, not "": the unique constraints below must not treat "no key" as a value.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    provider = models.CharField(max_length=50, blank=True)
    provider_message_id = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # A conversation screen's options and what it expects (messaging/screens.py), which
    # the channel renders as a list, buttons or a keyboard; None for plain text.
    payload = models.JSONField(null=True, blank=True)
    # The approved template that may carry this message when the channel only allows
    # templates (WhatsApp outside the 24-hour window): {"name": ..., "params": [...]}.
    template = models.JSONField(null=True, blank=True)
    # The message that could not be delivered on its channel and was sent again as this.
    fallback_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="fallback")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_message_id"],
                                    name="outbound_unique_provider_message_id"),
            models.CheckConstraint(condition=models.Q(status__in=Status.values),
                                   name="outbound_status_valid"),
            models.CheckConstraint(condition=models.Q(channel__in=Channel.values),
                                   name="outbound_channel_valid"),
        ]
        indexes = [
            # The scoped outbox list, filtered by status, newest first.
            models.Index(fields=["municipality", "status", "-created"],
                         name="outbound_muni_status_created"),
            # Due messages for the dispatcher; the status filter for platform-wide lists.
            models.Index(fields=["status", "next_attempt_at"], name="outbound_status_due"),
            models.Index(fields=["channel", "-created"], name="outbound_channel_created"),
            # A resident's export and erasure find messages to their number or address
            # (messaging/privacy.py), matched as ``to__iexact`` does on PostgreSQL.
            models.Index(Upper("to"), name="outbound_to"),
            # The provider filter uses the (provider, provider_message_id) unique index.
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} message {self.uuid} ({self.status})"


class InboundMessage(models.Model):
    """One thing a resident sent, stored before anything acts on it: the webhook is
    acknowledged once this row is written, and a retried webhook finds it and adds
    nothing (unique on the provider's message id). The conversation engine handles it in
    a task; the clock re-drives a row whose task was lost."""

    class State(models.TextChoices):
        RECEIVED = "received", "Received"
        HANDLED = "handled", "Handled"
        FAILED = "failed", "Failed"

    provider = models.CharField(max_length=50)
    provider_message_id = models.CharField(max_length=200)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    sender = models.CharField(max_length=64, help_text="E.164 phone or the provider's user id.")
    citizen = models.ForeignKey("accounts.Citizen", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="inbound_messages")
    # The channel-neutral event (messaging/inbound.py Incoming.as_dict()).
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_message_id"],
                                    name="inbound_unique_provider_message_id"),
        ]
        indexes = [
            # Rows still to handle, for the clock's re-drive.
            models.Index(fields=["state", "next_attempt_at"], name="inbound_state_due"),
            # A resident's export and erasure; the WhatsApp window of a number.
            models.Index(fields=["sender", "-created"], name="inbound_sender_created"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} message {self.pk} from {self.provider} ({self.state})"


class PushSubscription(models.Model):
    """One browser a resident allowed to show notifications (the web app's "Notify me on
    this phone"): the push service's address for it and the keys its messages are
    encrypted to. Deleted when the push service says it is gone (404, 410)."""

    citizen = models.ForeignKey("accounts.Citizen", on_delete=models.CASCADE,
                                related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created = models.DateTimeField(auto_now_add=True)
    last_success = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"push subscription {self.pk} of resident {self.citizen_id}"
