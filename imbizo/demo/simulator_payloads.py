"""What each provider would send to our webhooks, built to its documented format.

The simulator posts these to the real ``/channels/...`` endpoints, signed as the provider
signs them, so a demo exercises exactly what a resident's phone would: Africa's Talking
USSD and SMS form posts, a WhatsApp Cloud API notification with its
``X-Hub-Signature-256``, a Telegram ``Update`` with its secret-token header.
"""

import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass

from django.conf import settings

SERVICE_CODE = "*120*4629#"  # a demo USSD code; the real one is the municipality's
SHORT_CODE = "40629"
NETWORK_CODE = "65501"  # Vodacom South Africa


@dataclass(frozen=True)
class Request:
    slug: str  # /channels/<slug>
    body: bytes
    headers: dict


def ussd_hop(*, session_id: str, phone: str, text: str) -> Request:
    """Africa's Talking: every input of the session so far, joined by ``*``."""
    from urllib.parse import urlencode

    body = urlencode({"sessionId": session_id, "serviceCode": SERVICE_CODE, "phoneNumber": phone,
                      "networkCode": NETWORK_CODE, "text": text}).encode()
    return Request("ussd/africastalking", body,
                   {"Content-Type": "application/x-www-form-urlencoded"})


def sms_in(*, phone: str, text: str) -> Request:
    from urllib.parse import urlencode

    body = urlencode({"from": phone, "to": SHORT_CODE, "text": text,
                      "date": time.strftime("%Y-%m-%d %H:%M:%S"), "id": str(uuid.uuid4()),
                      "linkId": str(uuid.uuid4()), "networkCode": NETWORK_CODE}).encode()
    return Request("sms/africastalking", body,
                   {"Content-Type": "application/x-www-form-urlencoded"})


def _whatsapp_message(phone: str, kind: str, content: dict) -> dict:
    digits = phone.lstrip("+")
    return {"object": "whatsapp_business_account", "entry": [{
        "id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "27100000000",
                         "phone_number_id": settings.WHATSAPP_PHONE_NUMBER_ID or "106540352242922"},
            "contacts": [{"profile": {"name": "Demo resident"}, "wa_id": digits}],
            "messages": [{"from": digits, "id": f"wamid.{uuid.uuid4().hex}",
                          "timestamp": str(int(time.time())), "type": kind, kind: content}],
        }}]}]}


def whatsapp_text(*, phone: str, text: str) -> Request:
    return _whatsapp(_whatsapp_message(phone, "text", {"body": text}))


def whatsapp_choice(*, phone: str, key: str, title: str, button: bool) -> Request:
    reply = ({"type": "button_reply", "button_reply": {"id": key, "title": title}} if button
             else {"type": "list_reply", "list_reply": {"id": key, "title": title}})
    return _whatsapp(_whatsapp_message(phone, "interactive", reply))


def whatsapp_location(*, phone: str, latitude: float, longitude: float) -> Request:
    return _whatsapp(_whatsapp_message(phone, "location",
                                       {"latitude": latitude, "longitude": longitude}))


def _whatsapp(payload: dict) -> Request:
    body = json.dumps(payload).encode()
    signature = hmac.new(settings.WHATSAPP_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return Request("whatsapp", body, {"Content-Type": "application/json",
                                      "X-Hub-Signature-256": f"sha256={signature}"})


def telegram_user(phone: str) -> int:
    """A stand-in Telegram user id for a simulated phone (Telegram ids are integers)."""
    return int(phone.lstrip("+"))


def _telegram(update: dict) -> Request:
    return Request("telegram", json.dumps(update).encode(),
                   {"Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": settings.TELEGRAM_SECRET_TOKEN})


def _telegram_message(phone: str, content: dict) -> dict:
    user = telegram_user(phone)
    return {"update_id": time.time_ns() // 1000 % 2**31, "message": {
        "message_id": time.time_ns() // 1000 % 2**31,
        "from": {"id": user, "is_bot": False, "first_name": "Demo", "language_code": "en"},
        "chat": {"id": user, "first_name": "Demo", "type": "private"},
        "date": int(time.time()), **content}}


def telegram_text(*, phone: str, text: str) -> Request:
    return _telegram(_telegram_message(phone, {"text": text}))


def telegram_location(*, phone: str, latitude: float, longitude: float) -> Request:
    return _telegram(_telegram_message(phone, {"location": {"latitude": latitude,
                                                            "longitude": longitude}}))


def telegram_contact(*, phone: str) -> Request:
    """The resident shares their own number (the button Telegram shows for it)."""
    return _telegram(_telegram_message(phone, {"contact": {
        "phone_number": phone.lstrip("+"), "first_name": "Demo", "user_id": telegram_user(phone)}}))


def telegram_choice(*, phone: str, key: str) -> Request:
    user = telegram_user(phone)
    update = _telegram_message(phone, {"text": "…"})
    return _telegram({"update_id": update["update_id"], "callback_query": {
        "id": str(uuid.uuid4().int % 2**63), "from": update["message"]["from"],
        "message": update["message"], "chat_instance": str(user), "data": key}})
