"""WhatsApp Business Cloud API: the webhook at ``/channels/whatsapp`` and the sender.

Inbound requests are signed by Meta (``X-Hub-Signature-256``, HMAC-SHA256 of the raw body
with the app secret) and read without a query, so the view acknowledges them as soon as
they are stored. Outbound, free-form messages may go only within 24 hours of the
resident's last message (``ChannelAddress.last_inbound``); outside that window only an
approved template may, and without one the outbox falls back to the next channel.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from imbizo.accounts.models import ChannelAddress
from imbizo.messaging.inbound import Batch, Unauthorized
from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.plugins import ChannelPlugin
from imbizo.messaging.providers import (
    ChannelClosed,
    PermanentProviderError,
    SendResult,
    TransientProviderError,
)

from .client import GraphError, GraphUnreachable, MediaTooLarge, WhatsAppClient
from .errors import provider_error
from .outbound import message_body
from .webhook import batch_from_body

MEDIA_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
MEDIA_ID = re.compile(r"[0-9A-Za-z_-]{1,100}")


class WhatsAppPlugin(ChannelPlugin):
    name = "whatsapp"
    channel = "whatsapp"
    channels = frozenset({"whatsapp"})
    synchronous = False
    screen_chars = 1024
    choice_style = "list"
    max_choices = 10
    choice_label_chars = 24
    shares_location = True
    shares_photo = True
    sends_documents = True
    supports_receipts = True
    rate_per_second = 80  # Cloud API default throughput per business number
    max_length = 4096
    resume_window = timedelta(hours=24)
    service_window = timedelta(hours=24)  # Meta's customer-service window

    def __init__(self) -> None:
        self.client = WhatsAppClient()

    # --- inbound -------------------------------------------------------------------
    def handshake(self, request: HttpRequest) -> HttpResponse:
        """Meta's subscription check: echo ``hub.challenge`` if the token is ours."""
        expected = settings.WHATSAPP_VERIFY_TOKEN
        token = request.GET.get("hub.verify_token", "")
        if (expected and request.GET.get("hub.mode") == "subscribe"
                and hmac.compare_digest(token.encode(), expected.encode())):
            return HttpResponse(request.GET.get("hub.challenge", ""),
                                content_type="text/plain; charset=utf-8")
        return HttpResponse("Verification failed.", status=403,
                            content_type="text/plain; charset=utf-8")

    def verify(self, request: HttpRequest) -> None:
        secret = settings.WHATSAPP_APP_SECRET
        if not secret:
            raise Unauthorized("no app secret is configured")
        header = request.headers.get("X-Hub-Signature-256", "")
        if not header.startswith("sha256="):
            raise Unauthorized("no X-Hub-Signature-256 header")
        expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(header.removeprefix("sha256=").encode(), expected.encode()):
            raise Unauthorized("bad signature")

    def parse(self, request: HttpRequest) -> Batch:
        return batch_from_body(request.body)

    # --- outbound ------------------------------------------------------------------
    def window_open(self, address: str) -> bool:
        """Whether the resident wrote within the last 24 hours (one indexed read)."""
        return ChannelAddress.objects.filter(
            channel=self.channel, address=address,
            last_inbound__gte=timezone.now() - self.service_window).exists()

    def send(self, message: OutboundMessage) -> SendResult:
        window_open = self.window_open(message.to)
        if not window_open and not (message.template or {}).get("name"):
            raise ChannelClosed("the 24-hour window is closed and there is no template")
        body = message_body(message, window_open=window_open)
        try:
            return SendResult(provider_message_id=self.client.send_message(body))
        except GraphUnreachable as exc:
            raise TransientProviderError(f"WhatsApp unreachable: {exc}") from exc
        except GraphError as exc:
            raise provider_error(exc) from exc

    def fetch_media(self, media_id: str) -> tuple[bytes, str]:
        """A resident's photo by its media id: JPEG, PNG or WebP up to
        ``ATTACHMENT_MAX_BYTES``; anything else is refused (``PermanentProviderError``)."""
        if not MEDIA_ID.fullmatch(media_id or ""):
            raise PermanentProviderError("not a WhatsApp media id")
        limit = settings.ATTACHMENT_MAX_BYTES
        try:
            info = self.client.media_info(media_id)
            mime_type, url = info.get("mime_type", ""), info.get("url", "")
            if mime_type not in MEDIA_TYPES:
                raise PermanentProviderError(f"media of type {mime_type or 'unknown'} refused")
            if int(info.get("file_size") or 0) > limit or not url:
                raise PermanentProviderError("media too large or without a URL")
            return self.client.download(url, max_bytes=limit), mime_type
        except MediaTooLarge as exc:
            raise PermanentProviderError(f"media too large: {exc}") from exc
        except GraphUnreachable as exc:
            raise TransientProviderError(f"WhatsApp unreachable: {exc}") from exc
        except GraphError as exc:
            raise provider_error(exc) from exc
