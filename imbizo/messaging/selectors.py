"""Reads of the outbox, scoped to the actor: messages carry personal data."""

from django.db.models import QuerySet

from imbizo.accounts.models import Citizen
from imbizo.core.permissions import Actor, scope

from .models import InboundMessage, OutboundMessage


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


def inbound_list(*, actor: Actor, channel: str | None = None,
                 citizen: Citizen | None = None) -> QuerySet[InboundMessage]:
    """What residents sent, newest first, scoped as ``message_list`` by the resident's
    home (``citizen.view``). A message from no known resident yet (a Telegram user not
    linked) has no home: only platform-wide roles see it."""
    qs = InboundMessage.objects.order_by("-created")
    if channel:
        qs = qs.filter(channel=channel)
    if citizen is not None:
        qs = qs.filter(citizen=citizen)
    return scope(actor, qs, "citizen.view", municipality_field="citizen__municipality",
                 ward_field="citizen__ward")


def messages_to_simulated_phone(*, to: str, channel: str, since) -> QuerySet[OutboundMessage]:
    """What the outbox sent to a phone the simulator plays, since it began playing it
    in this browser session: the simulator is that phone, and sees only what reached it
    from then on, nothing the number was sent before (demo and training installs only)."""
    return OutboundMessage.objects.filter(to=to, channel=channel,
                                          created__gte=since).order_by("-created")
