"""Which channels reach a resident, best first: their preferred one, then WhatsApp, SMS,
Telegram and e-mail.

A channel counts when a provider is configured for it, the resident has an address on
it (a phone for SMS and WhatsApp, a linked Telegram chat, an e-mail address) and they
have not opted out of it there. USSD cannot push, and a preferred channel the resident
has no address on (web, e-mail without one) stands for SMS, which every phone gets.
Web Push counts only as the preferred channel, and only while one of the resident's
browsers is subscribed (its address is the resident's uuid).
The addresses of many residents are read at once (``address_book``), so a fan-out to
ten thousand followers costs two queries, not two per follower.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from imbizo.accounts.models import ChannelAddress, Citizen

from .models import Channel, PushSubscription
from .providers import provider_paths

ORDER = (Channel.WHATSAPP, Channel.SMS, Channel.TELEGRAM, Channel.EMAIL)
PHONE_CHANNELS = (Channel.SMS, Channel.WHATSAPP)


@dataclass
class AddressBook:
    telegram: dict[int, str] = field(default_factory=dict)  # resident id -> linked chat
    opted_out: set[tuple[str, str]] = field(default_factory=set)  # (channel, address)
    pushed: set[int] = field(default_factory=set)  # residents with a browser subscribed
    # The channels a provider carries, read once: a fan-out asks for 100,000 residents.
    configured: dict[str, str] = field(default_factory=provider_paths)

    def address(self, citizen: Citizen, channel: str) -> str | None:
        if channel in PHONE_CHANNELS:
            return citizen.phone
        if channel == Channel.EMAIL:
            return citizen.email or None
        if channel == Channel.TELEGRAM:
            return self.telegram.get(citizen.pk)
        if channel == Channel.WEBPUSH:
            return str(citizen.uuid) if citizen.pk in self.pushed else None
        return None  # USSD, web, ...: nothing to push to

    def reaches(self, citizen: Citizen) -> list[tuple[str, str]]:
        """(channel, address) pairs that may carry a message to ``citizen``, best first."""
        preferred = citizen.preferred_channel
        first = preferred if self.address(citizen, preferred) else Channel.SMS
        found = []
        for channel in dict.fromkeys((first, *ORDER)):
            address = self.address(citizen, channel)
            if address and channel in self.configured and \
                    (channel, address) not in self.opted_out:
                found.append((channel, address))
        return found

    def allows(self, channel: str, address: str) -> bool:
        return (channel, address) not in self.opted_out


def address_book(citizens: QuerySet[Citizen] | Iterable[Citizen],
                 phones: Iterable[str] = ()) -> AddressBook:
    """The linked Telegram chats and the opt-outs of ``citizens`` (a queryset is used as
    a subquery, so its size costs nothing here) and of numbers known without a resident
    (``phones``). Opt-outs are found by resident and by number, since a number may have
    said STOP before it was ever linked to anyone."""
    if isinstance(citizens, QuerySet):
        ids, numbers = citizens.values("pk"), citizens.filter(phone__isnull=False).values("phone")
    else:
        citizens = list(citizens)
        ids, numbers = [c.pk for c in citizens], [c.phone for c in citizens if c.phone]
    book = AddressBook()
    linked = ChannelAddress.objects.filter(citizen__in=ids).values_list(
        "citizen_id", "channel", "address", "opted_out")
    for citizen_id, channel, address, opted_out in linked:
        if opted_out:
            book.opted_out.add((channel, address))
        elif channel == Channel.TELEGRAM:
            book.telegram[citizen_id] = address
    if Channel.WEBPUSH in provider_paths():  # a third query only where the channel is on
        book.pushed.update(PushSubscription.objects.filter(citizen__in=ids).values_list(
            "citizen_id", flat=True))
    for extra in ([numbers, list(phones)] if phones else [numbers]):
        book.opted_out.update(ChannelAddress.objects.filter(
            channel__in=PHONE_CHANNELS, address__in=extra, opted_out__isnull=False,
        ).values_list("channel", "address"))
    return book
