"""A Telegram ``Update`` read into the channel-neutral ``Incoming``.

Telegram posts one Update per webhook call. Its ``update_id`` is the message id: a
retried delivery repeats it, so the inbox stores it once. The resident is their Telegram
user id (Telegram gives no phone number until the user shares their contact); replies
go to the chat. Only private chats are read: in a group, a reply about someone's fault
would be read by everyone in it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from imbizo.accounts.phone import normalise_phone
from imbizo.core.errors import ImbizoError
from imbizo.messaging.inbound import Incoming, Malformed

PROVIDER = "telegram"
CHANNEL = "telegram"
# Telegram re-encodes every photo it carries as JPEG.
PHOTO_TYPE = "image/jpeg"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _object(parent: dict, key: str) -> dict:
    value = parent.get(key)
    if not isinstance(value, dict):
        raise Malformed(f"{key} is not an object")
    return value


def _id(parent: dict, key: str = "id") -> int:
    value = parent.get(key)
    if not _is_int(value):
        raise Malformed(f"{key} is not an integer")
    return value


def _text(parent: dict, key: str) -> str:
    value = parent.get(key, "")
    if not isinstance(value, str):
        raise Malformed(f"{key} is not a string")
    return value


def _number(parent: dict, key: str) -> float:
    value = parent.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise Malformed(f"{key} is not a number")
    return float(value)


def read_update(update: Any) -> tuple[Incoming | None, str]:
    """The resident's event in an Update (None when it is nothing for the conversation:
    an edit, a group, a chat-member change) and the id of a callback query to answer."""
    if not isinstance(update, dict) or not _is_int(update.get("update_id")):
        raise Malformed("not an Update")
    message_id = str(update["update_id"])
    if "message" in update:
        return _from_message(message_id, _object(update, "message")), ""
    if "callback_query" in update:
        query = _object(update, "callback_query")
        query_id = _text(query, "id")
        if not query_id:
            raise Malformed("a callback query without an id")
        return _from_callback(message_id, query), query_id
    return None, ""


def _resident(message_id: str, user: dict, chat_id: int, **event) -> Incoming:
    name = " ".join(filter(None, (_text(user, "first_name"), _text(user, "last_name"))))
    return Incoming(provider=PROVIDER, channel=CHANNEL, message_id=message_id,
                    sender=str(_id(user)), reply_to=str(chat_id), name=name, **event)


def _from_message(message_id: str, message: dict) -> Incoming | None:
    chat = _object(message, "chat")
    chat_id, user = _id(chat), _object(message, "from")
    if chat.get("type") != "private":
        return None
    date = message.get("date")
    sent_at = datetime.fromtimestamp(date, tz=UTC) if _is_int(date) else None
    return _resident(message_id, user, chat_id, sent_at=sent_at, **_content(message, user))


def _content(message: dict, user: dict) -> dict:
    """What the message carries, as the fields of an ``Incoming``."""
    if "text" in message:
        return {"kind": "text", "text": _text(message, "text")}
    if "location" in message:
        location = _object(message, "location")
        return {"kind": "location", "latitude": _number(location, "latitude"),
                "longitude": _number(location, "longitude")}
    caption = _text(message, "caption")
    if "photo" in message:
        sizes = message["photo"]
        if not isinstance(sizes, list) or not sizes or not all(isinstance(s, dict) for s in sizes):
            raise Malformed("photo is not a list of sizes")
        largest = max(sizes, key=lambda s: (s.get("width") or 0) * (s.get("height") or 0))
        return {"kind": "photo", "media_id": _text(largest, "file_id"),
                "media_type": PHOTO_TYPE, "text": caption}
    document = message.get("document")
    if isinstance(document, dict) and _text(document, "mime_type").startswith("image/"):
        # A photo sent "as a file", uncompressed: still a photo of the fault.
        return {"kind": "photo", "media_id": _text(document, "file_id"),
                "media_type": _text(document, "mime_type"), "text": caption}
    if "contact" in message:
        return _contact(_object(message, "contact"), user)
    return {"kind": "unsupported"}


def _contact(contact: dict, user: dict) -> dict:
    """A shared phone number links the resident's Telegram account to it, so only their
    own counts: Telegram sets the contact's ``user_id`` to the sender's own id only when
    they share themselves (the "share my phone number" button)."""
    if contact.get("user_id") != _id(user):
        return {"kind": "unsupported"}
    try:
        phone = normalise_phone(_text(contact, "phone_number"))
    except ImbizoError:
        return {"kind": "unsupported"}
    return {"kind": "contact", "contact_phone": phone}


def _from_callback(message_id: str, query: dict) -> Incoming | None:
    """A tapped inline-keyboard button: ``data`` is the choice's key."""
    user = _object(query, "from")
    chat_id = _id(user)  # a private chat's id is the user's id
    if "message" in query:
        chat = _object(_object(query, "message"), "chat")
        if chat.get("type") != "private":
            return None
        chat_id = _id(chat)
    if "data" not in query:  # a game's button: nothing this bot sends
        return _resident(message_id, user, chat_id, kind="unsupported")
    return _resident(message_id, user, chat_id, kind="choice", text=_text(query, "data"))
