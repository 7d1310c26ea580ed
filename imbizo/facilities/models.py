"""Facilities residents look for (clinics, police stations, pay points ...), where they
come from and under which licence, and the version each process's nearest-facility index
checks (index.py)."""

from django.db import models
from django.db.models import Q

from imbizo.core.models import TimeStampedModel

from .kinds import CODE_MAX, KIND_CHOICES


class FacilitySource(TimeStampedModel):
    """A published data set and the terms it is shown under: its attribution goes with
    every answer that shows one of its facilities. A municipality's own entries have no
    source."""

    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    licence = models.CharField(max_length=100, help_text="For example: CC BY-SA 4.0.")
    licence_url = models.URLField(blank=True)
    attribution = models.TextField(help_text="Shown wherever its data is shown.")
    credit = models.CharField(max_length=40,
                              help_text="The attribution in a few words, for a USSD screen.")
    url = models.URLField(blank=True, help_text="Where the data set is published.")

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class Facility(TimeStampedModel):
    """One facility. Imported ones are keyed by (source, kind, source_ref) and changed only
    by a new import; the municipality's own (no source) are entered in the admin."""

    kind = models.CharField(max_length=CODE_MAX, choices=KIND_CHOICES)
    name = models.CharField(max_length=200)
    # Derived from the point by the ward index; empty where no ward we hold covers it.
    municipality = models.ForeignKey("geo.Municipality", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    ward = models.ForeignKey("geo.Ward", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    latitude = models.FloatField()
    longitude = models.FloatField()
    address = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    hours = models.CharField(max_length=200, blank=True,
                             help_text="Opening hours, for example: Mon-Fri 07:30-16:00.")
    source = models.ForeignKey(FacilitySource, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="facilities")
    source_ref = models.CharField(max_length=200, blank=True,
                                  help_text="The row's identity in its source.")
    details = models.JSONField(default=dict, blank=True,
                               help_text="The source's other columns, as published.")
    active = models.BooleanField(default=True, help_text="Shown to residents.")

    class Meta:
        verbose_name_plural = "facilities"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "source_ref"],
                                    condition=Q(source__isnull=False),
                                    name="facility_unique_source_ref"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90,
                            longitude__gte=-180, longitude__lte=180),
                name="facility_coordinates_in_range"),
            models.CheckConstraint(condition=Q(source__isnull=False) |
                                   Q(municipality__isnull=False),
                                   name="facility_own_entry_has_municipality"),
        ]
        indexes = [
            models.Index(fields=["kind", "active"], name="facility_kind_active"),
            models.Index(fields=["municipality", "kind"], name="facility_municipality_kind"),
        ]

    def __str__(self) -> str:
        return self.name


class FacilityVersion(models.Model):
    """One row, bumped by every change to facilities, so each process's index knows when
    to reload."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    version = models.PositiveIntegerField(default=0)
    changed = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"facilities version {self.version}"
