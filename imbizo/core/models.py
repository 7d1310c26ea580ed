"""Abstract bases shared by every domain model."""

import uuid

from django.db import models


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
