"""WhatsApp webhooks through the real view ``/channels/whatsapp``, signed as Meta signs
them, with the payloads of Meta's webhook reference (messages, statuses)."""

import hashlib
import hmac
import json

import httpx
import pytest
import respx
from django_tasks_db.models import DBTaskResult

from imbizo.accounts.services import channel_address_seen
from imbizo.conversations.pump import inbound_pump
from imbizo.messaging import providers
from imbizo.messaging.channels.whatsapp.webhook import batch_from_body
from imbizo.messaging.inbound import Malformed
from imbizo.messaging.models import InboundMessage, Status
from imbizo.messaging.services import message_send

from ..helpers import queue

URL = "/channels/whatsapp"
SECRET = "app-secret-for-tests"
API = "https://graph.test/v21.0"
WHATSAPP = "imbizo.messaging.channels.whatsapp.WhatsAppPlugin"


@pytest.fixture(autouse=True)
def whatsapp(settings, use_providers):
    settings.WHATSAPP_APP_SECRET = SECRET
    settings.WHATSAPP_VERIFY_TOKEN = "verify-me"
    settings.WHATSAPP_ACCESS_TOKEN = "access-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
    settings.WHATSAPP_API_URL = API
    use_providers(whatsapp=WHATSAPP)
    providers._instances.clear()
    yield
    providers._instances.clear()


def envelope(value: dict) -> dict:
    """Meta's notification around one change of the ``messages`` field."""
    return {"object": "whatsapp_business_account", "entry": [{
        "id": "102290129340398",
        "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881",
                         "phone_number_id": "106540352242922"},
            **value}}]}]}


def message(kind: str, content: dict, *, wamid: str = "wamid.HBgLMjc4MjEyMzQ1NjcVAgASGBQ",
            sender: str = "27821234567") -> dict:
    return {"from": sender, "id": wamid, "timestamp": "1749416383", "type": kind, kind: content}


def from_resident(*messages: dict, name: str = "Thandi") -> dict:
    return envelope({"contacts": [{"profile": {"name": name}, "wa_id": "27821234567"}],
                     "messages": list(messages)})


def post(client, payload, *, secret: str = SECRET, signature: str | None = None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    if signature is None:
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"HTTP_X_HUB_SIGNATURE_256": signature} if signature else {}
    return client.post(URL, body, content_type="application/json", **headers)


def parsed(payload: dict):
    [incoming] = batch_from_body(json.dumps(payload).encode()).incoming
    return incoming


# --- the GET handshake -------------------------------------------------------------
def test_the_handshake_echoes_the_challenge_to_the_right_token(client):
    response = client.get(URL, {"hub.mode": "subscribe", "hub.verify_token": "verify-me",
                                "hub.challenge": "1158201444"})
    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("query", [
    {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
    {"hub.mode": "unsubscribe", "hub.verify_token": "verify-me", "hub.challenge": "1"},
    {"hub.challenge": "1"},
])
def test_the_handshake_refuses_a_wrong_token_or_mode(client, query):
    response = client.get(URL, query)
    assert response.status_code == 403
    assert b"1" not in response.content


def test_no_verify_token_configured_refuses_every_handshake(client, settings):
    settings.WHATSAPP_VERIFY_TOKEN = ""
    response = client.get(URL, {"hub.mode": "subscribe", "hub.verify_token": "",
                                "hub.challenge": "1"})
    assert response.status_code == 403


# --- the signature ------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("signature", ["sha256=" + "0" * 64, "", "md5=abc"])
def test_a_bad_or_missing_signature_is_401_and_nothing_is_stored(client, signature):
    response = post(client, from_resident(message("text", {"body": "Hello"})),
                    signature=signature)
    assert response.status_code == 401
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_a_body_signed_with_another_secret_is_refused(client):
    response = post(client, from_resident(message("text", {"body": "Hello"})), secret="other")
    assert response.status_code == 401
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_without_an_app_secret_nothing_is_accepted(client, settings):
    settings.WHATSAPP_APP_SECRET = ""
    response = post(client, from_resident(message("text", {"body": "Hello"})), secret="")
    assert response.status_code == 401


# --- malformed ----------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("body", [
    b"{not json",
    b"[]",
    json.dumps({"object": "page", "entry": []}).encode(),
    json.dumps({"object": "whatsapp_business_account", "entry": {"id": "1"}}).encode(),
    json.dumps(envelope({"messages": [{"id": "wamid.1", "type": "text"}]})).encode(),
    json.dumps(envelope({"messages": [message("location", {"name": "no coordinates"})]})).encode(),
])
def test_a_malformed_body_is_400_and_nothing_is_stored(client, body):
    assert post(client, body).status_code == 400
    assert not InboundMessage.objects.exists()


# --- what residents send ------------------------------------------------------------
def test_a_text_message_gives_its_words_the_e164_sender_and_profile_name():
    incoming = parsed(from_resident(message("text", {"body": "Water leak on Main Rd"})))
    assert (incoming.kind, incoming.text) == ("text", "Water leak on Main Rd")
    assert (incoming.sender, incoming.name) == ("+27821234567", "Thandi")
    assert (incoming.provider, incoming.channel) == ("whatsapp", "whatsapp")
    assert incoming.message_id == "wamid.HBgLMjc4MjEyMzQ1NjcVAgASGBQ"
    assert incoming.sent_at.timestamp() == 1749416383


def test_a_tapped_list_row_is_a_choice_of_its_id():
    incoming = parsed(from_resident(message("interactive", {
        "type": "list_reply",
        "list_reply": {"id": "water", "title": "Water", "description": "Leaks, no water"}}),
    ))
    assert (incoming.kind, incoming.text) == ("choice", "water")


def test_a_tapped_reply_button_is_a_choice_of_its_id():
    incoming = parsed(from_resident(message("interactive", {
        "type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}})))
    assert (incoming.kind, incoming.text) == ("choice", "yes")


def test_a_template_quick_reply_is_a_choice_of_its_payload():
    incoming = parsed(from_resident(message("button", {"payload": "track", "text": "Track it"})))
    assert (incoming.kind, incoming.text) == ("choice", "track")


def test_a_shared_location_gives_its_coordinates():
    incoming = parsed(from_resident(message("location", {
        "latitude": -29.85, "longitude": 31.02, "name": "Sizwe tavern",
        "address": "12 Main Rd"})))
    assert (incoming.kind, incoming.latitude, incoming.longitude) == ("location", -29.85, 31.02)


def test_an_image_gives_its_media_id_and_type_to_fetch_later():
    incoming = parsed(from_resident(message("image", {
        "caption": "The leak", "mime_type": "image/jpeg",
        "sha256": "HgEM5nYTv/GuVsqK5Y3iKE3KrgWwKtHuyBBHhfDcqrA=", "id": "1003383421387256"})))
    assert (incoming.kind, incoming.media_id, incoming.media_type) == (
        "photo", "1003383421387256", "image/jpeg")
    assert incoming.text == "The leak"


@pytest.mark.parametrize(("kind", "content"), [
    ("audio", {"mime_type": "audio/ogg; codecs=opus", "id": "1", "voice": True}),
    ("sticker", {"mime_type": "image/webp", "id": "2", "animated": False}),
    ("unsupported", {}),
    ("interactive", {"type": "nfm_reply", "nfm_reply": {"response_json": "{}"}}),
])
def test_anything_else_is_unsupported(kind, content):
    assert parsed(from_resident(message(kind, content))).kind == "unsupported"


def test_one_webhook_may_carry_several_entries_and_messages():
    payload = from_resident(message("text", {"body": "one"}, wamid="wamid.A"),
                            message("text", {"body": "two"}, wamid="wamid.B"))
    payload["entry"].append(from_resident(message("text", {"body": "three"},
                                                  wamid="wamid.C"))["entry"][0])
    batch = batch_from_body(json.dumps(payload).encode())
    assert [i.text for i in batch.incoming] == ["one", "two", "three"]


def test_changes_of_other_fields_are_skipped_not_refused():
    payload = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
        {"field": "message_template_status_update",
         "value": {"event": "APPROVED", "message_template_name": "imbizo_case_update"}}]}]}
    batch = batch_from_body(json.dumps(payload).encode())
    assert (batch.incoming, batch.receipts) == ([], [])


def test_a_non_numeric_sender_is_malformed():
    with pytest.raises(Malformed):
        parsed(from_resident(message("text", {"body": "x"}, sender="+27 82")))


# --- through the view ---------------------------------------------------------------
@pytest.mark.django_db
def test_a_message_is_stored_and_handed_to_a_task_without_reading_anything_else(
        client, django_assert_max_num_queries):
    # Two statements (the row, its task), each in a savepoint: nothing is read.
    with django_assert_max_num_queries(1):  # the row, and nothing else
        response = post(client, from_resident(message("text", {"body": "Hello"})))
    assert response.status_code == 200
    inbound = InboundMessage.objects.get()
    assert (inbound.provider, inbound.channel, inbound.sender) == (
        "whatsapp", "whatsapp", "+27821234567")
    assert inbound.payload["text"] == "Hello"
    assert not DBTaskResult.objects.exists()  # the clock's pump hands it out, not the request
    assert inbound_pump() == 1
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("handle_inbound") and task.args_kwargs["args"] == [[inbound.pk]]


@pytest.mark.django_db
def test_a_retried_webhook_stores_one_row_and_one_task(client):
    payload = from_resident(message("text", {"body": "Hello"}))
    assert post(client, payload).status_code == 200
    assert post(client, payload).status_code == 200
    assert InboundMessage.objects.count() == 1
    assert inbound_pump() == 1 and DBTaskResult.objects.count() == 1


# --- status callbacks ---------------------------------------------------------------
def status(wamid: str, state: str, **extra) -> dict:
    return envelope({"statuses": [{
        "id": wamid, "status": state, "timestamp": "1750263773",
        "recipient_id": "27821234567",
        "pricing": {"billable": True, "pricing_model": "PMP", "category": "utility"},
        **extra}]})


@pytest.fixture
def sent_message(db, settings):
    """A message the plugin handed to the Graph API, which named it ``wamid.OUT``."""
    channel_address_seen("whatsapp", "+27821234567")  # the resident wrote just now
    with respx.mock(assert_all_called=True) as graph:
        graph.post(f"{API}/106540352242922/messages").mock(return_value=httpx.Response(
            200, json={"messaging_product": "whatsapp",
                       "contacts": [{"input": "27821234567", "wa_id": "27821234567"}],
                       "messages": [{"id": "wamid.OUT"}]}))
        message = message_send(message_id=queue(channel="whatsapp").pk)
    assert (message.status, message.provider_message_id) == (Status.SENT, "wamid.OUT")
    return message


@pytest.mark.parametrize("state", ["delivered", "read"])
def test_delivered_or_read_marks_the_message_delivered(client, sent_message, state):
    assert post(client, status("wamid.OUT", state)).status_code == 200
    sent_message.refresh_from_db()
    assert sent_message.status == Status.DELIVERED and sent_message.delivered_at is not None


def test_failed_marks_the_message_undeliverable_with_meta_s_reason(client, sent_message):
    response = post(client, status("wamid.OUT", "failed", errors=[{
        "code": 131026, "title": "Message undeliverable",
        "message": "Message undeliverable", "error_data": {"details": "..."}}]))
    assert response.status_code == 200
    sent_message.refresh_from_db()
    assert sent_message.status == Status.UNDELIVERABLE
    assert sent_message.last_error == "WhatsApp 131026: Message undeliverable"


def test_a_late_sent_status_does_not_undo_delivered(client, sent_message):
    post(client, status("wamid.OUT", "delivered"))
    post(client, status("wamid.OUT", "sent"))
    sent_message.refresh_from_db()
    assert sent_message.status == Status.DELIVERED
