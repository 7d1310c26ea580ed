"""Shared by the "My account" flow tests of paying, meter readings and arrangements
(tests/conversations/test_account_flow_*.py): AAA's account 1001 held by the resident,
USSD through Africa's Talking's real callback, and WhatsApp through Meta's real, signed
webhook, its stored messages then handled as the worker would."""

import hashlib
import hmac
import itertools
import json

import pytest
from django.urls import get_resolver

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import department_create
from imbizo.billing.services import account_link_verify
from imbizo.conversations.services import inbound_handle
from imbizo.core.config_cache import config_cache
from imbizo.core.permissions import system_actor
from imbizo.messaging.models import InboundMessage, OutboundMessage
from imbizo.messaging.screens import Screen
from tests.billing.conftest import HOLDER_ID, account
from tests.web.account_world import load

from .conftest import PHONE

__all__ = ["holds", "memo_forgotten", "whatsapp_webhook"]

USSD_URL = "/channels/ussd/africastalking"
WA_URL = "/channels/whatsapp"
WA_SECRET = "app-secret-for-account-tests"


@pytest.fixture(autouse=True)
def memo_forgotten():
    """A configuration memo checked under a frozen clock looks fresh for ever: forget it.
    The URLs are loaded first, unfrozen: the API's schemas cannot be built under freezegun."""
    get_resolver().url_patterns  # noqa: B018
    yield
    config_cache.clear()


@pytest.fixture
def holds(place, citizen):
    """Load AAA's accounts (``account(...)`` rows), with a Revenue & Billing department,
    and link the resident (PHONE) to the first as its holder."""
    def make(*rows: dict):
        aaa = place[0]
        load(aaa, list(rows) or [account("1001")])
        department_create(actor=system_actor("cli"), municipality=aaa, code="revenue",
                          name="Revenue & Billing")
        account_link_verify(actor=citizen_actor(citizen, channel="web"), municipality=aaa,
                            account_number=(rows[0] if rows else account())["account_number"],
                            method="id_number", proof=HOLDER_ID)
        return aaa
    return make


class UssdCallback:
    """Africa's Talking's USSD callback through the real view: every input so far joined
    by ``*``; the body is ``CON ...`` or ``END ...`` within 182 characters."""

    sessions = itertools.count(1)
    whole = True  # no screen shortened with "…"

    def __init__(self, client, phone: str = PHONE):
        self.client, self.phone = client, phone
        self.inputs: list[str] = []
        self.session = ""

    def post(self) -> str:
        response = self.client.post(USSD_URL, {
            "sessionId": self.session, "serviceCode": "*384*123#", "phoneNumber": self.phone,
            "networkCode": "65501", "text": "*".join(self.inputs)})
        assert response.status_code == 200
        body = response.content.decode()
        assert len(body) <= 4 + 182, body
        assert "…" not in body or not self.whole, body
        return body

    def dial(self) -> str:
        self.session, self.inputs = f"ATUid_acct{next(self.sessions)}", []
        return self.post()

    def send(self, text: str) -> str:
        self.inputs.append(text)
        return self.post()

    def pick(self, body: str, label: str) -> str:
        """Choose the option whose label starts with ``label``, paging with "98" to it."""
        for _ in range(5):
            for line in body.splitlines():
                number, _dot, rest = line.removeprefix("CON ").partition(". ")
                if rest.startswith(label):
                    return self.send(number)
            if "98. " not in body:
                break
            body = self.send("98")
        raise AssertionError(f"no {label!r} in {body!r}")


@pytest.fixture
def whatsapp_webhook(settings, client):
    settings.WHATSAPP_APP_SECRET = WA_SECRET
    return WhatsAppWebhook(client)


class WhatsAppWebhook:
    """A resident on WhatsApp: each message posted to ``/channels/whatsapp`` as Meta posts
    it (signed), then the stored messages handled as the task would; the replies read from
    the outbox."""

    ids = itertools.count(1)

    def __init__(self, client, sender: str = PHONE.lstrip("+")):
        self.client, self.sender = client, sender
        self.last_body = b""

    def _message(self, kind: str, content: dict) -> dict:
        return {"from": self.sender, "id": f"wamid.acct{next(self.ids)}",
                "timestamp": "1751356800", "type": kind, kind: content}

    def post(self, body: bytes) -> list[OutboundMessage]:
        signature = "sha256=" + hmac.new(WA_SECRET.encode(), body, hashlib.sha256).hexdigest()
        before = set(OutboundMessage.objects.values_list("pk", flat=True))
        response = self.client.post(WA_URL, body, content_type="application/json",
                                    HTTP_X_HUB_SIGNATURE_256=signature)
        assert response.status_code == 200
        for pk in InboundMessage.objects.filter(state="received").order_by("pk") \
                .values_list("pk", flat=True):
            inbound_handle(inbound_id=pk)
        self.last_body = body
        return list(OutboundMessage.objects.exclude(pk__in=before).order_by("pk"))

    def send(self, kind: str, content: dict) -> list[OutboundMessage]:
        payload = {"object": "whatsapp_business_account", "entry": [{
            "id": "102290129340398", "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "15550783881",
                             "phone_number_id": "106540352242922"},
                "contacts": [{"profile": {"name": "Thandi"}, "wa_id": self.sender}],
                "messages": [self._message(kind, content)]}}]}]}
        return self.post(json.dumps(payload).encode())

    def text(self, text: str) -> Screen:
        return self._screen(self.send("text", {"body": text}))

    def choose(self, screen: Screen, label: str) -> Screen:
        """Tap the list row or button whose title starts with ``label``."""
        for choice in screen.choices:
            if choice.label.startswith(label):
                kind = "button_reply" if len(screen.choices) <= 3 else "list_reply"
                return self._screen(self.send("interactive", {
                    "type": kind, kind: {"id": choice.key, "title": choice.label}}))
        raise AssertionError(f"no {label!r} in {[c.label for c in screen.choices]}")

    def photo(self, media_id: str) -> Screen:
        return self._screen(self.send("image", {"id": media_id, "mime_type": "image/jpeg",
                                                "sha256": "x"}))

    def again(self) -> list[OutboundMessage]:
        """Meta delivers the last notification again (it got no 200 in time)."""
        return self.post(self.last_body)

    @staticmethod
    def _screen(replies: list[OutboundMessage]) -> Screen:
        assert replies, "no reply"
        return Screen.from_payload(replies[-1].payload)


def whatsapp_fits(screen: Screen) -> bool:
    """A WhatsApp list: at most 10 rows of at most 24 characters; buttons 3 of 20."""
    labels = [c.label for c in screen.choices]
    if len(labels) <= 3 and all(len(label) <= 20 for label in labels):
        return True
    return len(labels) <= 10 and all(len(label) <= 24 for label in labels)
