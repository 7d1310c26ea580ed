"""What messaging holds about a resident, for their export and their erasure
(accounts/privacy.py): the messages sent to them, what they sent us, and their channel
addresses.

Erased, an outbound message keeps its channel, purpose, status and times (delivery
figures stay right) and loses its address and its words; one still queued fails instead
of going out to an address nobody may hold any more. An inbound message keeps its
channel, provider and times and loses its sender and payload (their words, number,
place); one not yet handled is failed, so the engine never acts on it. Channel
addresses (a number's opt-out, a linked Telegram chat) are deleted: they are found here,
after the inbound messages that are matched by them, because parts run in the order
they are registered.
"""

from django.db.models import Q, QuerySet
from django.utils import timezone

from imbizo.accounts.models import ChannelAddress, Citizen
from imbizo.accounts.privacy import matching_any, personal_data

from .models import InboundMessage, OutboundMessage, PushSubscription, Status

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


def _their_addresses(citizen: Citizen) -> QuerySet[ChannelAddress]:
    """Linked to them, or their number on a channel that knows people by number."""
    numbers = [Q(channel__in=("sms", "whatsapp", "ussd"), address=citizen.phone)] \
        if citizen.phone else []
    return matching_any(ChannelAddress.objects.all(), [Q(citizen=citizen), *numbers])


def _their_inbound(citizen: Citizen) -> QuerySet[InboundMessage]:
    """Sent by them (the engine links the resident), from their number, or from a
    channel address linked to them (a Telegram user id)."""
    senders = {citizen.phone} if citizen.phone else set()
    senders.update(ChannelAddress.objects.filter(citizen=citizen).values_list("address",
                                                                              flat=True))
    return matching_any(InboundMessage.objects.all(),
                        [Q(citizen=citizen), *[Q(sender=s) for s in sorted(senders)]])


def inbound_export(citizen: Citizen, within: set[int] | None) -> list[dict]:
    """What they sent us. Inbound messages belong to no municipality: like the
    resident's own fields, they are handed over with any export of the resident."""
    return [{"channel": m.channel, "provider": m.provider, "sender": m.sender,
             "sent": m.payload, "received": m.created.isoformat(), "state": m.state}
            for m in _their_inbound(citizen).order_by("created", "pk")]


def inbound_erase(citizen: Citizen) -> int:
    mine = _their_inbound(citizen)
    mine.filter(state=InboundMessage.State.RECEIVED).update(
        state=InboundMessage.State.FAILED, next_attempt_at=None, last_error=ERASED)
    return mine.update(sender="", payload={})


def addresses_export(citizen: Citizen, within: set[int] | None) -> list[dict]:
    return [{"channel": a.channel, "address": a.address,
             "opted_out": a.opted_out.isoformat() if a.opted_out else None,
             "last_message": a.last_inbound.isoformat() if a.last_inbound else None}
            for a in _their_addresses(citizen).order_by("channel", "pk")]


def addresses_erase(citizen: Citizen) -> int:
    deleted, _by_model = _their_addresses(citizen).delete()
    return deleted


def push_export(citizen: Citizen, within: set[int] | None) -> list[dict]:
    return [{"push_service": s.endpoint, "created": s.created.isoformat(),
             "last_message": s.last_success.isoformat() if s.last_success else None}
            for s in PushSubscription.objects.filter(citizen=citizen).order_by("pk")]


def push_erase(citizen: Citizen) -> int:
    deleted, _by_model = PushSubscription.objects.filter(citizen=citizen).delete()
    return deleted


personal_data("messages", export=messages_export, erase=messages_erase)
personal_data("inbound_messages", export=inbound_export, erase=inbound_erase)
personal_data("channel_addresses", export=addresses_export, erase=addresses_erase)
personal_data("push_subscriptions", export=push_export, erase=push_erase)
