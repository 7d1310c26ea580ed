"""Talk to a person: the resident joins their municipality's queue for an agent (the
agents' console comes with the staff web)."""

from django.db import transaction

from imbizo.audit.services import audit_record
from imbizo.geo.models import Municipality

from .models import ConversationSession, Handover


@transaction.atomic
def handover_request(*, session: ConversationSession,
                     municipality: Municipality | None) -> Handover:
    """Queue the resident once: asking again while waiting keeps their place."""
    waiting = Handover.objects.filter(channel=session.channel, address=session.sender,
                                      state=Handover.State.QUEUED).first()
    if waiting is not None:
        return waiting
    handover = Handover.objects.create(citizen=session.citizen, channel=session.channel,
                                       address=session.sender, session=session,
                                       municipality=municipality)
    audit_record(actor=f"citizen:{session.citizen.uuid}" if session.citizen else "anonymous",
                 channel=session.channel, action="handover.request", obj=handover,
                 municipality_code=municipality.code if municipality else "", changes={})
    return handover
