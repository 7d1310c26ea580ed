"""Abstract bases shared by every domain model, and the few rows core keeps itself."""

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    """``created``/``updated`` and a public ``uuid`` that can be shown outside."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class MunicipalModel(TimeStampedModel):
    """A record that belongs to one municipality: the unit of tenancy."""

    municipality = models.ForeignKey(
        "geo.Municipality", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class ConfigGeneration(models.Model):
    """One row whose token database triggers replace on every change to a configuration
    table, so each process knows when its memo of configuration is stale (config_cache.py)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token


class DomainEvent(models.Model):
    """A domain event in the transactional outbox: written in the transaction of the change
    that raised it, so that the change and the news of it commit together, then relayed to
    its subscribers (core/events.py). An unrelayed row is work left to resume."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=64)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    # A number, not a foreign key: the write checks nothing and no municipality is pinned.
    municipality_id = models.BigIntegerField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    relayed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Relays tried.")
    relayed_to = models.JSONField(
        default=list, blank=True,
        help_text="The subscribers that succeeded, while another still fails.")
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="After a failed relay: when to try again.")

    class Meta:
        indexes = [
            # Small: only the events still to relay, which the relay reads oldest first.
            models.Index(fields=["created"], condition=models.Q(relayed_at__isnull=True),
                         name="core_event_unrelayed"),
            models.Index(fields=["created"], name="core_event_created"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.id}"
