"""A resident on WhatsApp asks for a person (Meta's signed webhook, then the handling the
workers do); an agent signs in, takes the conversation from the inbox and replies: the
reply is queued to the resident's WhatsApp number. The resident's next message appears in
the agent's transcript by itself (the page polls)."""

import hashlib
import hmac
import itertools
import json

import httpx
import pytest

from imbizo.conversations.models import Handover
from imbizo.conversations.pump import inbound_pump
from imbizo.conversations.services import inbound_handle
from imbizo.messaging.models import InboundMessage, OutboundMessage
from imbizo.messaging.screens import Screen

from .checks import axe_check
from .journey import console_sign_in, resident

pytestmark = pytest.mark.browser

SECRET = "whatsapp-app-secret-for-the-journey"
PHONE, WA_ID = "+27825550101", "27825550101"
wamids = itertools.count(1)


@pytest.fixture
def whatsapp(settings):
    settings.WHATSAPP_APP_SECRET = SECRET
    settings.WHATSAPP_VERIFY_TOKEN = "verify-me"


def whatsapp_says(server: str, kind: str, content: dict) -> None:
    """What Meta posts when the resident sends a message, signed with the app secret;
    then what the clock and a worker do with it (the pump, and the handling)."""
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{
        "id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881",
                         "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "Thandi"}, "wa_id": WA_ID}],
            "messages": [{"from": WA_ID, "id": f"wamid.journey{next(wamids)}",
                          "timestamp": "1749416383", "type": kind, kind: content}]}}]}]}
    ).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = httpx.post(f"{server}/channels/whatsapp", content=body, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": signature})
    assert response.status_code == 200, response.text
    assert inbound_pump() == 1
    for pk in InboundMessage.objects.filter(state=InboundMessage.State.RECEIVED) \
            .values_list("pk", flat=True):
        inbound_handle(inbound_id=pk)


def last_screen() -> Screen:
    return Screen.from_payload(
        OutboundMessage.objects.filter(to=PHONE).order_by("-pk").first().payload)


def test_an_agent_answers_a_whatsapp_resident_who_asked_for_a_person(
        page, console, server, town, whatsapp):
    resident(phone=PHONE, name="Thandi", municipality=town["aaa"])
    whatsapp_says(server, "text", {"body": "Hi"})
    [talk] = [c.key for c in last_screen().choices if c.label.startswith("Talk")]
    whatsapp_says(server, "interactive", {"type": "list_reply", "list_reply": {
        "id": talk, "title": "Talk to a person"}})
    handover = Handover.objects.get(address=PHONE)
    assert (handover.channel, handover.state) == ("whatsapp", "queued")

    console_sign_in(page, town["agent"].user)
    page.goto("/console/inbox")
    axe_check(page)
    page.get_by_role("link", name="Thandi").click()
    page.wait_for_url(f"**/console/inbox/{handover.pk}")
    page.get_by_role("button", name="Take this conversation").click()
    page.wait_for_url(f"**/console/inbox/{handover.pk}")
    page.get_by_label("Your reply").fill("Sorry! A team is on the way.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(f"**/console/inbox/{handover.pk}")
    sent = OutboundMessage.objects.get(body="Sorry! A team is on the way.")
    assert (sent.channel, sent.to, sent.purpose) == ("whatsapp", PHONE, "service")
    axe_check(page)

    whatsapp_says(server, "text", {"body": "Thank you, the water is still off"})
    transcript = page.locator("#transcript")
    transcript.get_by_text("Thank you, the water is still off").wait_for(timeout=15_000)
    assert console.csp_violations == []
