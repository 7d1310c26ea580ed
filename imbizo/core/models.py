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
