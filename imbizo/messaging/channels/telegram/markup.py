"""A conversation screen as ``sendMessage`` parameters: text and keyboard.

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


def send_params(message: OutboundMessage) -> dict[str, Any]:
    """The parameters of ``sendMessage`` for one outbox message."""
    params: dict[str, Any] = {"chat_id": message.to, "text": message.body}
    if not message.payload:
        return params
    screen = Screen.from_payload(message.payload)
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
