"""Sending SMS through Africa's Talking's API (``POST /version1/messaging``), faked at
HTTP with its documented answers, through the real outbox."""

from urllib.parse import parse_qs

import httpx
import pytest
import respx

from imbizo.messaging.channels.africastalking import SmsPlugin
from imbizo.messaging.models import Status
from imbizo.messaging.screens import Choice, Screen
from imbizo.messaging.services import message_send

from ..helpers import queue

pytestmark = pytest.mark.django_db
SMS = "imbizo.messaging.channels.africastalking.SmsPlugin"
API = "https://api.sandbox.africastalking.com"


def answer(status_code: int, status: str, message_id: str = "None",
           http_status: int = 201) -> httpx.Response:
    """The API's documented JSON answer for one recipient."""
    return httpx.Response(http_status, json={"SMSMessageData": {
        "Message": "Sent to 1/1 Total Cost: ZAR 0.2000",
        "Recipients": [{"statusCode": status_code, "number": "+27821234567", "status": status,
                        "cost": "ZAR 0.2000", "messageId": message_id}]}})


@pytest.fixture
def api(use_providers, settings):
    settings.AFRICASTALKING_API_URL = API
    settings.AFRICASTALKING_USERNAME = "sandbox"
    settings.AFRICASTALKING_API_KEY = "test-api-key"
    settings.AFRICASTALKING_SENDER_ID = "IMBIZO"
    use_providers(sms=SMS)
    with respx.mock(assert_all_called=False) as mock:
        yield mock.post(f"{API}/version1/messaging")


def send(**kwargs):
    message = queue(**kwargs)
    message_send(message_id=message.pk)
    message.refresh_from_db()
    return message


def test_it_declares_what_it_can_do():
    assert SmsPlugin.channels == frozenset({"sms"}) and SmsPlugin.supports_receipts
    assert SmsPlugin.name == "africastalking" and SmsPlugin.channel == "sms"
    assert SmsPlugin.screen_chars <= SmsPlugin.max_length == 918
    assert SmsPlugin.choice_style == "numbered"


def test_a_message_is_posted_as_the_api_documents(api):
    api.mock(return_value=answer(101, "Success", "ATXid_4b6f0d2c8a1e"))
    message = send(body="Your report DMO-7 was received.")
    assert (message.status, message.provider_message_id) == (Status.SENT, "ATXid_4b6f0d2c8a1e")
    request = api.calls.last.request
    assert request.headers["apiKey"] == "test-api-key"
    assert request.headers["Accept"] == "application/json"
    assert parse_qs(request.content.decode()) == {
        "username": ["sandbox"], "to": ["+27821234567"], "from": ["IMBIZO"],
        "message": ["Your report DMO-7 was received."]}


def test_without_a_sender_id_the_account_default_is_used(api, settings):
    settings.AFRICASTALKING_SENDER_ID = ""
    api.mock(return_value=answer(101, "Success", "ATXid_1"))
    send()
    assert "from" not in parse_qs(api.calls.last.request.content.decode())


def test_a_menu_is_sent_as_numbered_lines(api):
    api.mock(return_value=answer(102, "Queued", "ATXid_2"))
    screen = Screen(text="What is wrong?", choices=(Choice("1", "Water"), Choice("2", "Roads")))
    send(body="What is wrong?", payload=screen.as_payload())
    sent = parse_qs(api.calls.last.request.content.decode())["message"]
    assert sent == ["What is wrong?\n1. Water\n2. Roads"]


@pytest.mark.parametrize("reply", [
    answer(500, "InternalServerError"), answer(501, "GatewayError"),
    answer(502, "RejectedByGateway"), answer(405, "InsufficientBalance"),
    httpx.Response(500, text="Internal Server Error"), httpx.Response(503),
    httpx.Response(429, text="Too many requests"), httpx.Response(201, text="<html>"),
], ids=["500", "501", "502", "405", "http-500", "http-503", "http-429", "unreadable"])
def test_what_may_work_later_is_tried_again(api, reply):
    api.mock(return_value=reply)
    message = send()
    assert (message.status, message.attempts) == (Status.QUEUED, 1)
    assert message.next_attempt_at is not None and message.last_error


@pytest.mark.parametrize("error", [httpx.ReadTimeout("slow"), httpx.ConnectError("refused")])
def test_a_timeout_or_a_dropped_connection_is_tried_again(api, error):
    api.mock(side_effect=error)
    message = send()
    assert message.status == Status.QUEUED
    assert message.last_error.endswith(type(error).__name__)


@pytest.mark.parametrize("reply", [
    answer(403, "InvalidPhoneNumber"), answer(404, "UnsupportedNumberType"),
    answer(406, "UserInBlacklist"), answer(402, "InvalidSenderId"), answer(401, "RiskHold"),
    answer(407, "CouldNotRoute"),
    httpx.Response(401, text="The supplied authentication is invalid"),
    httpx.Response(201, json={"SMSMessageData": {"Message": "InvalidSenderId",
                                                 "Recipients": []}}),
], ids=["403", "404", "406", "402", "401", "407", "http-401", "no-recipient"])
def test_what_would_be_refused_again_fails_at_once(api, reply):
    api.mock(return_value=reply)
    message = send()
    assert (message.status, message.attempts, message.next_attempt_at) == (Status.FAILED, 1, None)
    assert message.last_error.startswith("PermanentProviderError")


def test_a_refusal_keeps_the_providers_words_on_the_row(api):
    api.mock(return_value=answer(403, "InvalidPhoneNumber"))
    assert "403 InvalidPhoneNumber" in send().last_error


def test_the_base_url_comes_from_settings(api, settings):
    settings.AFRICASTALKING_API_URL = "http://127.0.0.1:9999"
    with respx.mock() as local:
        route = local.post("http://127.0.0.1:9999/version1/messaging").mock(
            return_value=answer(101, "Success", "ATXid_3"))
        assert send().status == Status.SENT
    assert route.called and not api.called
