"""Reads of the outbox, scoped to the actor: messages carry personal data."""

from django.db.models import QuerySet

from imbizo.accounts.models import Citizen
from imbizo.core.permissions import Actor, scope

from .models import OutboundMessage


def message_list(*, actor: Actor, status: str | None = None, channel: str | None = None,
                 citizen: Citizen | None = None) -> QuerySet[OutboundMessage]:
    """Messages to residents the actor may see (``citizen.view``), newest first.

    A ward-bound membership (a councillor) sees messages to its ward's residents.
    """
    qs = OutboundMessage.objects.select_related("municipality").order_by("-created")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if citizen is not None:
        qs = qs.filter(citizen=citizen)
    return scope(actor, qs, "citizen.view", municipality_field="municipality",
                 ward_field="citizen__ward")
