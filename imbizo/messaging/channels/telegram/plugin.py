"""Telegram through the Bot API: a social channel that is just another plugin.

Inbound: Telegram posts each Update to ``/channels/telegram`` with the secret given to
``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token``. A tapped inline button must be
answered (``answerCallbackQuery``) or the resident's app shows a spinner; the answer
rides on the webhook's own HTTP response, which Telegram runs as a Bot API call, so it
costs no request of ours and is made before the engine has even read the tap. Outbound:
``sendMessage`` to the chat. Telegram reports no delivery, so a sent message stays sent.
"""

from __future__ import annotations

import hmac
import json
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from imbizo.messaging.inbound import Batch, Malformed, Unauthorized
from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.plugins import ChannelPlugin
from imbizo.messaging.providers import (
    ChannelClosed,
    PermanentProviderError,
    SendResult,
    TransientProviderError,
)
from imbizo.messaging.screens import Screen

from .client import TelegramClient, TelegramError
from .markup import send_call
from .updates import read_update

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# The callback query this request carries: ``parse`` sets it (to "" for any other
# update, so nothing is left from an earlier request on this thread) and ``respond``,
# which the webhook view calls next in the same request, answers it.
_callback_to_answer: ContextVar[str] = ContextVar("telegram_callback_to_answer", default="")
# Magic numbers of the image formats a case accepts (cases.images.FORMATS).
IMAGE_SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


def image_type(data: bytes) -> str:
    """The content type of a JPEG, PNG or WebP image by its first bytes; "" otherwise."""
    for signature, content_type in IMAGE_SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return ""


def _provider_error(exc: TelegramError) -> Exception:
    if exc.transient:
        return TransientProviderError(str(exc))
    if exc.status == 403:  # the resident blocked the bot: reach them on another channel
        return ChannelClosed(str(exc))
    return PermanentProviderError(str(exc))


class TelegramPlugin(ChannelPlugin):
    name = "telegram"
    channel = "telegram"
    channels = frozenset({"telegram"})
    max_length = 4096  # sendMessage's text, in characters
    supports_receipts = False
    rate_per_second = 30  # the Bot API's documented limit for messages to different chats
    screen_chars = 4096
    choice_style = "keyboard"
    max_choices = 8
    choice_label_chars = 40
    shares_location = True
    shares_photo = True
    sends_documents = True
    shares_contact = True

    def __init__(self) -> None:
        self.client = TelegramClient()

    def verify(self, request: HttpRequest) -> None:
        expected = settings.TELEGRAM_SECRET_TOKEN
        given = request.headers.get(SECRET_HEADER, "")
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            raise Unauthorized("no or a wrong secret token")

    def parse(self, request: HttpRequest) -> Batch:
        _callback_to_answer.set("")
        try:
            update = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise Malformed("not JSON") from None
        incoming, callback_id = read_update(update)
        _callback_to_answer.set(callback_id)
        return Batch(incoming=[incoming] if incoming else [])

    def respond(self, screen: Screen | None) -> HttpResponse:
        callback_id = _callback_to_answer.get()
        if not callback_id:
            return HttpResponse(status=200)
        _callback_to_answer.set("")
        return JsonResponse({"method": "answerCallbackQuery", "callback_query_id": callback_id})

    def send(self, message: OutboundMessage) -> SendResult:
        try:
            sent = self.client.call(*send_call(message))
        except TelegramError as exc:
            raise _provider_error(exc) from None
        message_id = sent.get("message_id") if isinstance(sent, dict) else None
        if message_id is None:
            raise TransientProviderError("Telegram answered without a message_id")
        # Telegram numbers messages per chat: the chat id makes the id unique.
        return SendResult(provider_message_id=f"{message.to}:{message_id}")

    def fetch_media(self, media_id: str) -> tuple[bytes, str]:
        """A resident's photo: ``getFile`` gives its path, then the file server its bytes.
        Anything but a JPEG, PNG or WebP image, or larger than ``ATTACHMENT_MAX_BYTES``,
        is refused (``PermanentProviderError``)."""
        limit = settings.ATTACHMENT_MAX_BYTES
        try:
            file = self.client.call("getFile", {"file_id": media_id})
            if not isinstance(file, dict) or not isinstance(file.get("file_path"), str):
                raise PermanentProviderError("getFile gave no file_path")
            if (file.get("file_size") or 0) > limit:
                raise PermanentProviderError(f"the file is larger than {limit} bytes")
            data = self.client.download(file["file_path"], max_bytes=limit)
        except TelegramError as exc:
            error = TransientProviderError if exc.transient else PermanentProviderError
            raise error(str(exc)) from None
        content_type = image_type(data)
        if not content_type:
            raise PermanentProviderError("the file is not a JPEG, PNG or WebP image")
        return data, content_type
