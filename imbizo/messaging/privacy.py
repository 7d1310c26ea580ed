"""What the outbox holds about a resident, for their export and their erasure
(accounts/privacy.py). Erased, a message keeps its channel, purpose, status and times
(delivery figures stay right) and loses its address and its words; one still queued
fails instead of going out to an address nobody may hold any more."""

from django.db.models import Q
from django.utils import timezone

from imbizo.accounts.models import Citizen
from imbizo.accounts.privacy import personal_data

from .models import OutboundMessage, Status

ERASED = "The resident's personal data was erased."


def _theirs(citizen: Citizen) -> Q:
    mine = Q(citizen=citizen)
    for address in (citizen.phone, citizen.email):
        if address:
            mine |= Q(to__iexact=address)
    return mine


def messages_export(citizen: Citizen) -> list[dict]:
    return [{"channel": m.channel, "to": m.to, "body": m.body, "purpose": m.purpose,
             "status": m.status, "created": m.created.isoformat(),
             "sent": m.sent_at.isoformat() if m.sent_at else None}
            for m in OutboundMessage.objects.filter(_theirs(citizen)).order_by("created", "pk")]


def messages_erase(citizen: Citizen) -> int:
    now = timezone.now()
    mine = OutboundMessage.objects.filter(_theirs(citizen))
    mine.filter(status=Status.QUEUED).update(status=Status.FAILED, next_attempt_at=None,
                                             last_error=ERASED, updated=now)
    return mine.update(to="", body="", updated=now)


personal_data("messages", export=messages_export, erase=messages_erase)
