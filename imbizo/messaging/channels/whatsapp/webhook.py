"""Meta's ``messages`` webhook read into channel-neutral events, without a query.

One POST may carry several entries, each several changes, each several messages and
statuses (developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/
reference/messages). Changes of other fields (template reviews, account updates) carry
nothing for residents and are skipped; a body that is not the documented envelope is
``Malformed``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from imbizo.messaging.inbound import Batch, Incoming, Malformed, Receipt

PROVIDER = "whatsapp"
CHANNEL = "whatsapp"
# Meta's statuses; "read" implies delivered (Meta may send "read" without "delivered").
RECEIPT_STATUS = {"sent": "sent", "delivered": "delivered", "read": "delivered",
                  "failed": "undeliverable"}


def batch_from_body(body: bytes) -> Batch:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Malformed("not JSON") from None
    if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
        raise Malformed("not a whatsapp_business_account notification")
    batch = Batch()
    for entry in _list(data, "entry"):
        for change in _list(entry, "changes"):
            if change.get("field", "messages") != "messages":
                continue
            value = change.get("value")
            if not isinstance(value, dict):
                raise Malformed("a change without a value")
            names = {c.get("wa_id"): _profile_name(c) for c in _list(value, "contacts")}
            batch.incoming += [_incoming(m, names) for m in _list(value, "messages")]
            batch.receipts += [r for s in _list(value, "statuses") if (r := _receipt(s))]
    return batch


def _list(parent: object, key: str) -> list[dict]:
    if not isinstance(parent, dict):
        raise Malformed(f"{key}: its parent is not an object")
    items = parent.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise Malformed(f"{key} is not a list of objects")
    return items


def _profile_name(contact: dict) -> str:
    profile = contact.get("profile")
    return str(profile.get("name") or "") if isinstance(profile, dict) else ""


def _when(timestamp: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(timestamp), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _incoming(message: dict, names: dict) -> Incoming:
    sender, message_id, kind = message.get("from"), message.get("id"), message.get("type")
    digits = isinstance(sender, str) and sender.isascii() and sender.isdigit()
    if not (digits and message_id and kind):
        raise Malformed("a message without from, id or type")
    event = {"provider": PROVIDER, "channel": CHANNEL, "message_id": str(message_id),
             "sender": f"+{sender}", "name": names.get(sender, ""),
             "sent_at": _when(message.get("timestamp"))}
    return Incoming(**event, **_content(kind, message))


def _content(kind: str, message: dict) -> dict:
    """The part of an ``Incoming`` that depends on the message's type."""
    body = message.get(kind)
    body = body if isinstance(body, dict) else {}
    if kind == "text":
        return {"kind": "text", "text": str(body.get("body", ""))}
    if kind == "interactive":  # a tapped list row or reply button: its id is the choice
        reply = body.get(body.get("type", ""))
        if body.get("type") in ("list_reply", "button_reply") and isinstance(reply, dict):
            return {"kind": "choice", "text": str(reply.get("id", ""))}
    if kind == "button":  # a template's quick-reply button
        return {"kind": "choice", "text": str(body.get("payload") or body.get("text") or "")}
    if kind == "location":
        try:
            return {"kind": "location", "latitude": float(body["latitude"]),
                    "longitude": float(body["longitude"])}
        except (KeyError, TypeError, ValueError):
            raise Malformed("a location without coordinates") from None
    if kind == "image" and body.get("id"):
        return {"kind": "photo", "media_id": str(body["id"]),
                "media_type": str(body.get("mime_type", "")), "text": str(body.get("caption", ""))}
    return {"kind": "unsupported"}


def _receipt(status: dict) -> Receipt | None:
    mapped = RECEIPT_STATUS.get(status.get("status", ""))
    if mapped is None or not status.get("id"):
        return None  # "deleted", "warning", "played": nothing the outbox tracks
    error = ""
    if mapped == "undeliverable":
        errors = status.get("errors")
        first = errors[0] if isinstance(errors, list) and errors else None
        if isinstance(first, dict):
            error = f"WhatsApp {first.get('code', '')}: {first.get('title', '')}".strip()
    return Receipt(provider=PROVIDER, provider_message_id=str(status["id"]), status=mapped,
                   at=_when(status.get("timestamp")), error=error)
