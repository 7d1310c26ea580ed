"""Append-only, hash-chained audit log.

Each entry stores the hash of the one before it, so removing or editing any row
breaks every later hash. ``ChainHead`` is a single row locked ``FOR UPDATE`` by
each writer: the one serialisation point that keeps the chain unforked.
"""

from django.db import models


class AuditEntry(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=200, help_text="user:<id>, citizen:<uuid>, system, ...")
    channel = models.CharField(max_length=20)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    municipality_code = models.CharField(max_length=32, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class ChainHead(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"
