"""What the outbox holds about a resident, for their export and their erasure
(accounts/privacy.py). Erased, a message keeps its channel, purpose, status and times
(delivery figures stay right) and loses its address and its words; one still queued
fails instead of going out to an address nobody may hold any more."""

from django.db.models import Q
from django.utils import timezone

from imbizo.accounts.models import Citizen
from imbizo.accounts.privacy import matching_any, personal_data

from .models import OutboundMessage, Status

ERASED = "The resident's personal data was erased."


def _their_messages(citizen: Citizen):
    addresses = [Q(to__iexact=a) for a in (citizen.phone, citizen.email) if a]
    return matching_any(OutboundMessage.objects.all(), [Q(citizen=citizen), *addresses])


def messages_export(citizen: Citizen, within: set[int] | None) -> list[dict]:
    mine = _their_messages(citizen)
    if within is not None:
        mine = mine.filter(municipality__in=within)
    return [{"channel": m.channel, "to": m.to, "body": m.body, "purpose": m.purpose,
             "status": m.status, "created": m.created.isoformat(),
             "sent": m.sent_at.isoformat() if m.sent_at else None}
            for m in mine.order_by("created", "pk")]


def messages_erase(citizen: Citizen) -> int:
    now = timezone.now()
    mine = _their_messages(citizen)
    mine.filter(status=Status.QUEUED).update(status=Status.FAILED, next_attempt_at=None,
                                             last_error=ERASED, updated=now)
    return mine.update(to="", body="", updated=now)


personal_data("messages", export=messages_export, erase=messages_erase)
