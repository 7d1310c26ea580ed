"""A resident's conversations and handover requests (with what they and the agent
said) in their export, and gone when they are erased (POPIA): what they answered
mid-flow is personal data."""

from django.db.models import Q

from imbizo.accounts.models import Citizen
from imbizo.accounts.privacy import personal_data

from .models import ConversationSession, Handover


def _theirs(model, citizen: Citizen, address_field: str):
    found = Q(citizen=citizen)
    if citizen.phone:
        found |= Q(**{address_field: citizen.phone})
    return model.objects.filter(found)


def conversations_export(citizen: Citizen, _within: set[int] | None) -> list[dict]:
    return [{"channel": s.channel, "flow": s.flow, "node": s.node, "answers": s.answers,
             "language": s.language, "updated": s.updated.isoformat()}
            for s in _theirs(ConversationSession, citizen, "sender").order_by("pk")] + \
        [{"handover": h.channel, "state": h.state, "created": h.created.isoformat(),
          "transcript": [{"from": "you" if m.direction == "in" else "agent", "text": m.text,
                          "at": m.created.isoformat()} for m in h.messages.all()]}
         for h in _theirs(Handover, citizen, "address").order_by("pk")
         .prefetch_related("messages")]


def conversations_erase(citizen: Citizen) -> int:
    handovers, _ = _theirs(Handover, citizen, "address").delete()
    sessions, _ = _theirs(ConversationSession, citizen, "sender").delete()
    return handovers + sessions


personal_data("conversations", export=conversations_export, erase=conversations_erase)
