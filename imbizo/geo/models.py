"""Provinces, municipalities (districts included), wards and traditional authorities.

Boundaries are stored as WKB so that SQLite and PostgreSQL hold the same data;
point look-ups never hit the database but the in-memory ward index (index.py).
"""

from django.db import models
from shapely import wkb
from shapely.geometry.base import BaseGeometry

from imbizo.core.models import TimeStampedModel


class BoundaryModel(TimeStampedModel):
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    boundary = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def geometry(self) -> BaseGeometry | None:
        return wkb.loads(bytes(self.boundary)) if self.boundary else None


class Province(BoundaryModel):
    class Meta(BoundaryModel.Meta):
        pass


class Municipality(BoundaryModel):
    class Category(models.TextChoices):
        METRO = "A", "Metropolitan (A)"
        LOCAL = "B", "Local (B)"
        DISTRICT = "C", "District (C)"

    category = models.CharField(max_length=1, choices=Category.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="municipalities")
    district = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="locals",
        limit_choices_to={"category": "C"},
    )

    class Meta(BoundaryModel.Meta):
        verbose_name_plural = "municipalities"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(district__isnull=True) | models.Q(category="B"),
                name="only_local_municipalities_have_a_district",
            ),
        ]


class Ward(BoundaryModel):
    """An electoral ward; ``code`` is the Demarcation Board's 8-digit ward id."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="wards")
    number = models.PositiveSmallIntegerField()
    suburbs = models.TextField(blank=True, help_text="Suburbs and places in the ward, one a line.")

    class Meta(BoundaryModel.Meta):
        ordering = ["municipality__code", "number"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "number"], name="unique_ward_number"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality.code} ward {self.number}"


class TraditionalAuthority(BoundaryModel):
    province = models.ForeignKey(
        Province, null=True, blank=True, on_delete=models.PROTECT,
        related_name="traditional_authorities",
    )

    class Meta(BoundaryModel.Meta):
        verbose_name_plural = "traditional authorities"


class BoundaryVersion(models.Model):
    """One row, bumped by every boundary import, so each process's ward index
    knows when to reload."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    version = models.PositiveIntegerField(default=0)
    changed = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"
