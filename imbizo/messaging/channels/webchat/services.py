"""What the citizen site's chat writes: a resident's message recorded exactly as a
webhook's would be, and the replies handed to the web chat provider at once.

The page calls ``webchat_post``, then the conversation engine (``inbound_handle``, the
same code path as WhatsApp's task), then ``webchat_deliver``. A message is keyed by the
client's id (a hidden field, new on every page), so a double click is recorded once.
"""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from imbizo.accounts.models import Citizen
from imbizo.accounts.services import channel_address_seen
from imbizo.messaging.inbound import Incoming
from imbizo.messaging.models import InboundMessage, OutboundMessage, Status
from imbizo.messaging.services import inbound_record, messages_send

from .plugin import PHOTO_PREFIX, WebChatPlugin

CHANNEL = WebChatPlugin.channel


def webchat_address(citizen: Citizen) -> str:
    """Where a resident's chat lives: their uuid, on every message in and out."""
    return str(citizen.uuid)


def webchat_photo_keep(data: bytes) -> str:
    """Keep an uploaded photo until the engine fetches it; its ``media_id``."""
    return default_storage.save(f"{PHOTO_PREFIX}{uuid.uuid4().hex}", ContentFile(data))


def webchat_photo_drop(media_id: str) -> None:
    if media_id.startswith(PHOTO_PREFIX):
        default_storage.delete(media_id)


def webchat_post(*, citizen: Citizen, client_id: str, kind: str = "text", text: str = "",
                 latitude: float | None = None, longitude: float | None = None,
                 media_id: str = "") -> int | None:
    """Record what the resident sent; its inbound id, or None when this client id was
    recorded before (the same form posted twice). Their chat address is linked to them
    first, so the engine knows who they are, as a linked Telegram chat is known."""
    address = webchat_address(citizen)
    channel_address_seen(CHANNEL, address, citizen=citizen)
    return inbound_record(Incoming(
        provider=WebChatPlugin.name, channel=CHANNEL, message_id=f"{address}:{client_id}",
        sender=address, kind=kind, text=text, latitude=latitude, longitude=longitude,
        media_id=media_id, media_type="image" if media_id else "", name=citizen.name))


def webchat_deliver(*, citizen: Citizen) -> int:
    """Send the resident's queued chat replies now, through the outbox's own attempt
    (a worker finds them sent and does nothing): the page shows them without waiting
    for the worker. Returns how many were waiting."""
    waiting = list(OutboundMessage.objects.filter(
        channel=CHANNEL, to=webchat_address(citizen), status=Status.QUEUED,
    ).values_list("pk", flat=True))
    if waiting:
        messages_send(message_ids=waiting)
    return len(waiting)


def webchat_photo_release(*, media_id: str, inbound_id: int | None) -> None:
    """Delete an upload the engine is done with: it kept its own copy, or the message
    was a repeat. One still waiting to be handled again keeps its photo."""
    waiting = inbound_id is not None and InboundMessage.objects.filter(
        pk=inbound_id, state=InboundMessage.State.RECEIVED).exists()
    if not waiting:
        webchat_photo_drop(media_id)
