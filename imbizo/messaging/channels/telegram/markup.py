"""A conversation screen as ``sendMessage`` parameters: text and keyboard; or, for a
screen with a document, ``sendDocument``'s, the text its caption.

Options become an inline keyboard, one button a row, whose ``callback_data`` is the
option's key: a tap comes back as a callback query carrying that key. A screen that asks
for the resident's location or phone number gets a reply keyboard with Telegram's own
button for it (``request_location`` / ``request_contact``, private chats only); a message
carries one keyboard, so such a screen's options, if any, are numbered in its text and
come back typed, as on SMS.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.providers import PermanentProviderError
from imbizo.messaging.screens import Screen, numbered_text

CAPTION_CHARS = 1024  # sendDocument's caption
CALLBACK_DATA_BYTES = 64  # Telegram's limit on an inline button's callback_data
REQUEST_BUTTONS = {"location": "request_location", "contact": "request_contact"}


def _request_label(expects: str) -> str:
    if expects == "location":
        return _("Send my location")
    return _("Share my phone number")


def _inline_keyboard(screen: Screen) -> dict[str, Any]:
    rows = []
    for choice in screen.choices:
        if not choice.key or len(choice.key.encode()) > CALLBACK_DATA_BYTES:
            raise PermanentProviderError(
                f"an option key must be 1-{CALLBACK_DATA_BYTES} bytes for Telegram")
        rows.append([{"text": choice.label, "callback_data": choice.key}])
    return {"inline_keyboard": rows}


def send_call(message: OutboundMessage) -> tuple[str, dict[str, Any]]:
    """The Bot API method and its parameters for one outbox message."""
    screen = Screen.from_payload(message.payload) if message.payload else None
    if screen is None or not screen.document:
        return "sendMessage", send_params(message, screen)
    url, _filename = screen.document  # Telegram names the file from its address
    caption = screen.text or message.body
    if len(caption) > CAPTION_CHARS:
        raise PermanentProviderError(f"a caption holds at most {CAPTION_CHARS} characters")
    return "sendDocument", {"chat_id": message.to, "document": url, "caption": caption}


def send_params(message: OutboundMessage, screen: Screen | None) -> dict[str, Any]:
    """The parameters of ``sendMessage`` for one outbox message."""
    params: dict[str, Any] = {"chat_id": message.to, "text": message.body}
    if screen is None:
        return params
    request = REQUEST_BUTTONS.get(screen.expects)
    if request:
        params["text"] = numbered_text(screen) or message.body
        with translation.override(message.language):
            button = {"text": _request_label(screen.expects), request: True}
        params["reply_markup"] = {"keyboard": [[button]], "one_time_keyboard": True,
                                  "resize_keyboard": True}
    elif screen.choices:
        params["text"] = screen.text or message.body
        params["reply_markup"] = _inline_keyboard(screen)
    return params
