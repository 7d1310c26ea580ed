"""The console's own data: a staff member's saved queue filters."""

from django.conf import settings
from django.db import models

from imbizo.core.models import TimeStampedModel


class SavedView(TimeStampedModel):
    """A named filter set of the case queue, kept as the query string it was saved from."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="saved_views")
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"],
                                               name="unique_saved_view_name")]

    def __str__(self) -> str:
        return self.name
