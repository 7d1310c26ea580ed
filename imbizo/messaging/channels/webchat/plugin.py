"""The citizen site's chat: the conversation engine in the browser, as a channel plugin.

Nothing arrives by webhook: the signed-in resident's page (web/chat.py) records what they
send through ``webchat_post`` and has it handled at once, so ``verify`` refuses anyone
calling ``/channels/web``. Replies go through the outbox like any channel's; ``send``
hands nothing to a network: the page reads the sent rows, so a message is delivered the
moment it is sent. The address is the resident's uuid (opaque, stable, not their number).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import HttpRequest

from imbizo.messaging.inbound import Batch, Malformed, Unauthorized
from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.plugins import ChannelPlugin
from imbizo.messaging.providers import PermanentProviderError, SendResult

PHOTO_PREFIX = "webchat/"  # where a photo waits, in the default storage, for the engine


class WebChatPlugin(ChannelPlugin):
    name = "webchat"
    channel = "web"
    channels = frozenset({"web"})
    max_length = 4096
    supports_receipts = True  # delivered when sent: the page is the delivery
    screen_chars = 2000
    choice_style = "keyboard"  # one button per option
    max_choices = 12
    choice_label_chars = 60
    shares_location = True
    shares_photo = True

    def verify(self, request: HttpRequest) -> None:
        raise Unauthorized("the web chat takes no webhook; residents post to /chat")

    def parse(self, request: HttpRequest) -> Batch:
        raise Malformed("the web chat takes no webhook")

    def send(self, message: OutboundMessage) -> SendResult:
        return SendResult(provider_message_id=f"web-{uuid.uuid4().hex}", receipt="delivered")

    def fetch_media(self, media_id: str) -> tuple[bytes, str]:
        """A photo the page stored (``webchat_photo_keep``), at most
        ``ATTACHMENT_MAX_BYTES``; its type is checked again by the engine."""
        if not media_id.startswith(PHOTO_PREFIX) or ".." in media_id:
            raise PermanentProviderError("not a web chat photo")
        try:
            with default_storage.open(media_id, "rb") as file:
                data = file.read(settings.ATTACHMENT_MAX_BYTES + 1)
        except FileNotFoundError:
            raise PermanentProviderError("the photo is gone") from None
        if len(data) > settings.ATTACHMENT_MAX_BYTES:
            raise PermanentProviderError("the photo is too large")
        return data, "application/octet-stream"
