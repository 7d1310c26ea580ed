"""The resident's chat so far, as the page shows it: what they sent and the replies the
provider delivered, oldest first. Two queries, whatever the length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from imbizo.core.errors import PermissionDenied
from imbizo.core.permissions import Actor
from imbizo.messaging.models import InboundMessage, OutboundMessage, Status
from imbizo.messaging.screens import Choice, Screen

from .services import CHANNEL, webchat_address

SHOWN = (Status.SENT, Status.DELIVERED)


@dataclass(frozen=True)
class Line:
    mine: bool  # the resident's own message, else a reply
    kind: str  # "text", "choice", "location", "photo", ... (the resident's), or "reply"
    text: str
    when: datetime


@dataclass(frozen=True)
class History:
    lines: list[Line]
    screen: Screen | None  # the last reply: its choices are the buttons to offer now
    version: str  # changes whenever a line is added (the script polls with it)


def webchat_history(*, actor: Actor, limit: int = 40) -> History:
    """The last ``limit`` messages each way of the acting resident's own chat."""
    if actor.kind != "citizen":
        raise PermissionDenied()
    address = webchat_address(actor.citizen)
    sent = list(InboundMessage.objects.filter(channel=CHANNEL, sender=address)
                .only("payload", "created").order_by("-pk")[:limit])
    replies = list(OutboundMessage.objects.filter(channel=CHANNEL, to=address,
                                                  status__in=SHOWN)
                   .only("body", "payload", "created").order_by("-pk")[:limit])
    events = sorted([(m.created, 0, m) for m in sent] + [(m.created, 1, m) for m in replies],
                    key=lambda e: (e[0], e[1], e[2].pk))
    lines, screen = [], None
    for when, is_reply, message in events:
        if is_reply:
            screen = Screen.from_payload(message.payload) if message.payload else None
            lines.append(Line(False, "reply", message.body, when))
        else:
            lines.append(_their_line(message, screen, when))
    last = screen if events and events[-1][1] else None
    version = f"{sent[0].pk if sent else 0}.{replies[0].pk if replies else 0}"
    return History(lines=lines, screen=last, version=version)


def _their_line(message: InboundMessage, screen: Screen | None, when: datetime) -> Line:
    """A tapped option is shown by its label, as the resident saw it."""
    payload = message.payload or {}
    kind, text = payload.get("kind", "text"), payload.get("text", "")
    if kind == "choice" and screen is not None:
        text = next((c.label for c in screen.choices if isinstance(c, Choice) and
                     c.key == text), text)
    return Line(True, kind, text, when)
