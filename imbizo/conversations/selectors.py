"""Reads of hand-overs for the agents' inbox, scoped to where the actor may answer."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from imbizo.core.errors import NotFound
from imbizo.core.permissions import Actor, scope

from .handover import PERMISSION
from .models import Handover, HandoverMessage


def handover_list(*, actor: Actor) -> QuerySet[Handover]:
    """Every hand-over of the municipalities where the actor answers residents."""
    qs = Handover.objects.select_related("citizen", "agent")
    return scope(actor, qs, PERMISSION)


def handover_inbox(*, actor: Actor, limit: int = 200) -> list[Handover]:
    """The conversations the actor holds, then residents waiting; oldest first."""
    qs = handover_list(actor=actor).filter(
        Q(state=Handover.State.QUEUED) | Q(state=Handover.State.TAKEN, agent=actor.user))
    return list(qs.order_by("-state", "created")[:limit])  # "taken" before "queued"


def access_handover(actor: Actor, pk: int) -> Handover:
    """One hand-over, or a 404 for anyone who may not answer it: no hint it exists."""
    found = handover_list(actor=actor).select_related("session").filter(pk=pk).first()
    if found is None:
        raise NotFound("handover_not_found", _("No such conversation."))
    return found


def handover_messages(*, handover: Handover, after: int = 0) -> list[HandoverMessage]:
    """The transcript, or only the lines newer than ``after`` (the live poll)."""
    return list(HandoverMessage.objects.filter(handover=handover, pk__gt=after).order_by("pk"))
