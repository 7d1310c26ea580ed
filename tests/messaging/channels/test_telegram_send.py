"""Telegram through the outbox: ``sendMessage`` as the Bot API documents it, faked with respx."""

import json
import logging

import httpx
import pytest

from imbizo.messaging.channels.telegram import TelegramPlugin
from imbizo.messaging.models import OutboundMessage, Status
from imbizo.messaging.providers import ChannelClosed
from imbizo.messaging.screens import Choice, Screen
from imbizo.messaging.services import message_send

from ..helpers import queue

pytestmark = pytest.mark.django_db
TELEGRAM = "imbizo.messaging.channels.telegram.TelegramPlugin"
TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
API = "https://bots.example.test"
SEND_URL = f"{API}/bot{TOKEN}/sendMessage"
CHAT = "1111111"


@pytest.fixture(autouse=True)
def telegram_channel(use_providers, settings):
    use_providers(telegram=TELEGRAM)
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_API_URL = API


def sent_message(message_id=4242) -> httpx.Response:
    return httpx.Response(200, json={"ok": True, "result": {
        "message_id": message_id, "date": 1441645550, "text": "sent",
        "chat": {"id": int(CHAT), "type": "private"},
        "from": {"id": 777000, "is_bot": True, "first_name": "Imbizo"}}})


def refusal(status: int, description: str, **parameters) -> httpx.Response:
    body = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return httpx.Response(status, json=body)


def send(screen: Screen | None = None, body="What is the problem?", **kwargs) -> OutboundMessage:
    payload = screen.as_payload() if screen else None
    message = queue(channel="telegram", to=CHAT, body=body, payload=payload, **kwargs)
    return message_send(message_id=message.pk)


def request_json(route) -> dict:
    return json.loads(route.calls.last.request.content)


def test_it_declares_what_it_can_do():
    plugin = TelegramPlugin
    assert (plugin.name, plugin.channel, plugin.channels) == (
        "telegram", "telegram", frozenset({"telegram"}))
    assert (plugin.screen_chars, plugin.max_length, plugin.choice_style, plugin.max_choices,
            plugin.choice_label_chars) == (4096, 4096, "keyboard", 8, 40)
    assert plugin.shares_location and plugin.shares_photo and plugin.shares_contact
    assert plugin.sends_documents
    assert not plugin.supports_receipts and not plugin.synchronous


def test_a_text_goes_to_the_chat_and_stays_sent(respx_mock):
    route = respx_mock.post(SEND_URL).mock(return_value=sent_message(4242))
    message = send(body="Your report DMO-7 was received.")
    assert request_json(route) == {"chat_id": CHAT, "text": "Your report DMO-7 was received."}
    assert (message.status, message.provider, message.provider_message_id) == (
        Status.SENT, "telegram", f"{CHAT}:4242")  # Telegram reports no delivery


def test_options_become_an_inline_keyboard_one_button_a_row(respx_mock):
    route = respx_mock.post(SEND_URL).mock(return_value=sent_message())
    screen = Screen(text="What is the problem?",
                    choices=(Choice("water", "Water"), Choice("roads", "Roads and potholes"),
                             Choice("0", "Back")))
    message = send(screen, body="What is the problem?\nwater. Water\nroads. Roads\n0. Back")
    assert message.status == Status.SENT
    assert request_json(route) == {"chat_id": CHAT, "text": "What is the problem?",
                                   "reply_markup": {"inline_keyboard": [
                                       [{"text": "Water", "callback_data": "water"}],
                                       [{"text": "Roads and potholes", "callback_data": "roads"}],
                                       [{"text": "Back", "callback_data": "0"}]]}}


def test_a_location_question_offers_telegrams_location_button(respx_mock):
    route = respx_mock.post(SEND_URL).mock(return_value=sent_message())
    screen = Screen(text="Where is it?", expects="location",
                    choices=(Choice("1", "Type the place instead"),))
    send(screen, body="Where is it?")
    sent = request_json(route)
    assert sent["text"] == "Where is it?\n1. Type the place instead"  # typed back, as on SMS
    assert sent["reply_markup"] == {
        "keyboard": [[{"text": "Send my location", "request_location": True}]],
        "one_time_keyboard": True, "resize_keyboard": True}


def test_a_phone_number_question_offers_telegrams_contact_button(respx_mock):
    route = respx_mock.post(SEND_URL).mock(return_value=sent_message())
    send(Screen(text="Please share your phone number.", expects="contact"),
         body="Please share your phone number.")
    sent = request_json(route)
    assert sent["text"] == "Please share your phone number."
    assert sent["reply_markup"]["keyboard"] == [
        [{"text": "Share my phone number", "request_contact": True}]]
    assert sent["reply_markup"]["one_time_keyboard"] is True


def test_a_question_without_options_is_plain_text(respx_mock):
    route = respx_mock.post(SEND_URL).mock(return_value=sent_message())
    send(Screen(text="Describe the problem.", expects="text"), body="Describe the problem.")
    assert request_json(route) == {"chat_id": CHAT, "text": "Describe the problem."}


def test_an_option_key_telegram_cannot_carry_fails_without_a_call(respx_mock):
    route = respx_mock.post(SEND_URL).mock(return_value=sent_message())
    message = send(Screen(text="Pick", choices=(Choice("k" * 65, "Too long a key"),)))
    assert (message.status, route.call_count) == (Status.FAILED, 0)
    assert "1-64 bytes" in message.last_error


@pytest.mark.parametrize(("answer", "status"), [
    (refusal(429, "Too Many Requests: retry after 5", retry_after=5), Status.QUEUED),
    (refusal(500, "Internal Server Error"), Status.QUEUED),
    (refusal(502, "Bad Gateway"), Status.QUEUED),
    (httpx.Response(200, text="<html>proxy error</html>"), Status.QUEUED),
    (httpx.ConnectTimeout("timed out"), Status.QUEUED),
    (httpx.ReadTimeout("timed out"), Status.QUEUED),
    (refusal(400, "Bad Request: chat not found"), Status.FAILED),
    (refusal(403, "Forbidden: bot was blocked by the user"), Status.FAILED),
])
def test_outages_are_retried_and_refusals_fail(respx_mock, answer, status):
    route = respx_mock.post(SEND_URL)
    if isinstance(answer, Exception):
        route.mock(side_effect=answer)
    else:
        route.mock(answer)
    message = send()
    assert (message.status, message.attempts) == (status, 1)
    assert (message.next_attempt_at is None) == (status == Status.FAILED)
    assert TOKEN not in message.last_error


def test_flood_control_says_how_long_telegram_asked_to_wait(respx_mock):
    respx_mock.post(SEND_URL).mock(refusal(429, "Too Many Requests: retry after 5",
                                           retry_after=5))
    assert "retry after 5 s" in send().last_error


def test_a_resident_who_blocked_the_bot_closes_the_channel(respx_mock):
    respx_mock.post(SEND_URL).mock(refusal(403, "Forbidden: bot was blocked by the user"))
    message = queue(channel="telegram", to=CHAT, body="Your report was resolved.")
    with pytest.raises(ChannelClosed):  # the outbox may reach them on another channel
        TelegramPlugin().send(message)


def test_the_bot_token_in_every_url_never_reaches_the_log(respx_mock, caplog):
    caplog.set_level(logging.DEBUG, logger="imbizo")
    caplog.set_level(logging.INFO)
    respx_mock.post(SEND_URL).mock(refusal(500, "Internal Server Error"))
    send()
    respx_mock.post(SEND_URL).mock(return_value=sent_message())
    send()
    assert caplog.records and TOKEN not in caplog.text and CHAT not in caplog.text


def test_a_screen_with_a_document_sends_it_with_the_text_as_its_caption(respx_mock):
    route = respx_mock.post(SEND_URL.replace("sendMessage", "sendDocument")).mock(
        return_value=sent_message(4243))
    screen = Screen("2026-11 statement: R 512.40.", expects="none",
                    document=("https://imbizo.test/s/abc.pdf", "statement-2026-11.pdf"))
    message = send(screen=screen)
    assert request_json(route) == {"chat_id": CHAT, "document": "https://imbizo.test/s/abc.pdf",
                                   "caption": "2026-11 statement: R 512.40."}
    assert message.status == Status.SENT


def test_a_caption_telegram_cannot_carry_fails_without_a_call(respx_mock):
    route = respx_mock.post(SEND_URL.replace("sendMessage", "sendDocument"))
    screen = Screen("x" * 1025, expects="none", document=("https://imbizo.test/s/a.pdf", "a.pdf"))
    message = send(screen=screen)
    assert message.status == Status.FAILED and not route.called
