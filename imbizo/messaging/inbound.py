"""What a channel plugin makes of a provider's webhook: channel-neutral events.

A plugin (``messaging/channels/<provider>/``) reads its provider's documented payload
and returns a ``Batch``: what residents did (``Incoming``) and what the provider reports
about messages we sent (``Receipt``). Nothing above the plugin knows a provider's format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class Unauthorized(Exception):
    """The request is not from the provider (bad signature or token): 401, nothing stored."""


class Malformed(Exception):
    """The payload is not what the provider documents: 400, logged (without its content)."""


# What a resident did. USSD sessions are normalised to the same events: a gateway that
# sends every input so far (Africa's Talking) and one that sends only the latest both
# produce ``new`` / ``text`` / ``close``.
KINDS = frozenset({
    "new",  # a USSD session opened (the dial string is in ``text``, if any)
    "text",  # typed text, or the key of a numbered menu option
    "choice",  # a tapped list row, button or keyboard key: ``text`` is the choice's key
    "location",  # a shared GPS point
    "photo",  # an image: ``media_id`` is the provider's reference, fetched later
    "contact",  # a shared phone number (Telegram links a user to a resident this way)
    "close",  # the gateway ended the session (timeout, hang-up)
    "unsupported",  # anything else (a voice note, a sticker): answered politely
})


@dataclass(frozen=True, slots=True)
class Incoming:
    provider: str  # the plugin's ``name``
    channel: str  # "ussd", "sms", "whatsapp", "telegram"
    message_id: str  # the provider's id: a retried webhook repeats it
    sender: str  # E.164 phone, or the provider's user id where there is no phone
    kind: str = "text"
    text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    media_id: str = ""
    media_type: str = ""
    contact_phone: str = ""  # E.164, for kind "contact"
    session_id: str = ""  # the gateway's session (USSD)
    # The gateway sent every input of the session joined by "*" (Africa's Talking):
    # the engine takes the part after what it has already seen.
    cumulative: bool = False
    reply_to: str = ""  # where replies go when it is not ``sender`` (a Telegram chat id)
    name: str = ""  # the profile name the provider gives, if any
    sent_at: datetime | None = None

    def as_dict(self) -> dict:
        data = {name: getattr(self, name) for name in self.__slots__}  # flat: no asdict copy
        data["sent_at"] = self.sent_at.isoformat() if self.sent_at else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Incoming:
        data = dict(data)
        if data.get("sent_at"):
            data["sent_at"] = datetime.fromisoformat(data["sent_at"])
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Receipt:
    """A provider's report on a message we sent: "sent", "delivered" or "undeliverable"."""

    provider: str
    provider_message_id: str
    status: str
    at: datetime | None = None
    error: str = ""  # the provider's reason, kept on the message row, never logged


@dataclass(slots=True)
class Batch:
    incoming: list[Incoming] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
