"""An outbox message as the body of a Cloud API ``POST /<phone-number-id>/messages``.

Plain text, reply buttons, a list, a location request, a document or a template, in Meta's
documented shapes (developers.facebook.com/documentation/business-messaging/whatsapp/
messages/). Limits are Meta's; content that breaks one is refused, never cut silently,
except a row's secondary description, which is shortened with an ellipsis.
"""

from __future__ import annotations

import re

from django.utils import translation
from django.utils.translation import gettext as _

from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.providers import PermanentProviderError
from imbizo.messaging.screens import Screen

BODY_CHARS = 1024  # interactive body text
BUTTONS, BUTTON_TITLE_CHARS = 3, 20
ROWS, ROW_TITLE_CHARS, ROW_DESCRIPTION_CHARS, LIST_BUTTON_CHARS = 10, 24, 72, 20
# Imbizo's languages as Meta's template language codes. Meta's list of supported
# template languages has Afrikaans (af) and isiZulu (zu) but not isiXhosa, Sesotho or
# Setswana: their templates go out in English, the approved translation that exists.
TEMPLATE_LANGUAGES = {"en": "en", "af": "af", "zu": "zu"}
TEMPLATE_FALLBACK_LANGUAGE = "en"


def message_body(message: OutboundMessage, *, window_open: bool) -> dict:
    """Within the 24-hour window the screen itself; outside it, only the template."""
    to = message.to.lstrip("+")
    if not window_open:
        return _envelope(to, "template", _template(message))
    screen = Screen.from_payload(message.payload) if message.payload else None
    if screen is not None and screen.expects == "location":
        return _envelope(to, "interactive", {
            "type": "location_request_message", "body": {"text": _body_text(screen, message)},
            "action": {"name": "send_location"}})
    if screen is not None and screen.document:
        return _envelope(to, "document", _document(screen, message))
    if screen is None or not screen.choices:
        return _envelope(to, "text", {"body": message.body, "preview_url": False})
    if len(screen.choices) <= BUTTONS and all(
            len(c.label) <= BUTTON_TITLE_CHARS for c in screen.choices):
        return _envelope(to, "interactive", _buttons(screen, message))
    return _envelope(to, "interactive", _list(screen, message))


def _envelope(to: str, kind: str, content: dict) -> dict:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
            "type": kind, kind: content}


def _body_text(screen: Screen, message: OutboundMessage) -> str:
    text = screen.text or message.body
    if not text or len(text) > BODY_CHARS:
        raise PermanentProviderError(f"an interactive body needs 1 to {BODY_CHARS} characters")
    return text


def _document(screen: Screen, message: OutboundMessage) -> dict:
    """A file Meta fetches from its address, with the message as its caption."""
    url, filename = screen.document
    caption = screen.text or message.body
    if len(caption) > BODY_CHARS:
        raise PermanentProviderError(f"a document's caption holds at most {BODY_CHARS} "
                                     "characters")
    return {"link": url, "filename": filename, "caption": caption}


def _buttons(screen: Screen, message: OutboundMessage) -> dict:
    return {"type": "button", "body": {"text": _body_text(screen, message)},
            "action": {"buttons": [{"type": "reply", "reply": {"id": c.key, "title": c.label}}
                                   for c in screen.choices]}}


def _list(screen: Screen, message: OutboundMessage) -> dict:
    if len(screen.choices) > ROWS:
        raise PermanentProviderError(f"a WhatsApp list holds at most {ROWS} rows, "
                                     f"not {len(screen.choices)}")
    rows = []
    for choice in screen.choices:
        if not choice.label or len(choice.label) > ROW_TITLE_CHARS:
            raise PermanentProviderError(f"a list row title needs 1 to {ROW_TITLE_CHARS} "
                                         "characters")
        row = {"id": choice.key, "title": choice.label}
        if choice.description:
            row["description"] = _shortened(choice.description, ROW_DESCRIPTION_CHARS)
        rows.append(row)
    with translation.override(message.language):
        button = _shortened(_("Choose"), LIST_BUTTON_CHARS)
    return {"type": "list", "body": {"text": _body_text(screen, message)},
            "action": {"button": button, "sections": [{"rows": rows}]}}


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _template(message: OutboundMessage) -> dict:
    template = message.template or {}
    language = template.get("language") or message.language
    content = {"name": template["name"], "language": {
        "code": TEMPLATE_LANGUAGES.get(language, TEMPLATE_FALLBACK_LANGUAGE)}}
    params = template.get("params") or []
    if params:
        content["components"] = [{"type": "body", "parameters": [
            {"type": "text", "text": _parameter(p)} for p in params]}]
    return content


def _parameter(value: object) -> str:
    """Meta refuses a parameter with new lines, tabs or more than four spaces in a row
    (error 132018): they become single spaces."""
    return re.sub(r"\s+", " ", str(value)).strip()
