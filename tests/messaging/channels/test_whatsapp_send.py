"""Sending through the WhatsApp Cloud API, faked at HTTP level (respx) with the request
and response shapes of Meta's Messages API, and fetching a resident's photo."""

import json
import uuid
from datetime import timedelta

import httpx
import pytest
import respx

from imbizo.accounts.services import channel_address_seen
from imbizo.messaging.channels.whatsapp import WhatsAppPlugin
from imbizo.messaging.models import Status
from imbizo.messaging.providers import (
    ChannelClosed,
    PermanentProviderError,
    TransientProviderError,
)
from imbizo.messaging.screens import Choice, Screen
from imbizo.messaging.services import message_send

from ..helpers import queue

pytestmark = pytest.mark.django_db
API = "https://graph.test/v21.0"
SEND = f"{API}/106540352242922/messages"
WHATSAPP = "imbizo.messaging.channels.whatsapp.WhatsAppPlugin"
TO = "+27821234567"


@pytest.fixture(autouse=True)
def whatsapp(settings, use_providers):
    settings.WHATSAPP_ACCESS_TOKEN = "access-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
    settings.WHATSAPP_API_URL = API
    use_providers(whatsapp=WHATSAPP)


@pytest.fixture
def graph():
    with respx.mock(assert_all_called=False) as mock:
        yield mock


def accepted(request=None, wamid: str = "") -> httpx.Response:
    """Meta's answer to a message it took, with a new id each time."""
    wamid = wamid or f"wamid.{uuid.uuid4().hex}"
    return httpx.Response(200, json={
        "messaging_product": "whatsapp",
        "contacts": [{"input": "27821234567", "wa_id": "27821234567"}],
        "messages": [{"id": wamid, "message_status": "accepted"}]})


def refused(status: int, code: int, title: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {
        "message": f"(#{code}) {title}", "type": "OAuthException", "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": title},
        "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam"}})


@pytest.fixture
def resident_wrote(clock):
    """The resident's last message ``hours_ago``, recorded as the engine records it."""
    def wrote(*, hours_ago: float) -> None:
        clock.advance(hours=-hours_ago)
        channel_address_seen("whatsapp", TO)
        clock.advance(hours=hours_ago)
    return wrote


def send(graph, *, body="Your report DMO-7 was received.", screen: Screen | None = None,
         template: dict | None = None, language: str = "en", response=None):
    if response is None or isinstance(response, Exception):
        route = graph.post(SEND).mock(side_effect=response or accepted)
    else:
        route = graph.post(SEND).mock(return_value=response)
    message = queue(channel="whatsapp", body=body, language=language, template=template,
                    payload=screen.as_payload() if screen else None)
    message = message_send(message_id=message.pk)
    sent = json.loads(route.calls.last.request.content) if route.called else None
    return message, sent, route


def choices(n: int, label: str = "Option") -> tuple[Choice, ...]:
    return tuple(Choice(str(i), f"{label} {i}") for i in range(1, n + 1))


def test_it_declares_what_whatsapp_can_show():
    plugin = WhatsAppPlugin
    assert (plugin.name, plugin.channel, plugin.channels) == (
        "whatsapp", "whatsapp", frozenset({"whatsapp"}))
    assert (plugin.max_choices, plugin.choice_label_chars, plugin.screen_chars) == (10, 24, 1024)
    assert plugin.choice_style == "list" and not plugin.synchronous
    assert plugin.shares_location and plugin.shares_photo and plugin.supports_receipts
    assert plugin.sends_documents
    assert plugin.max_length == 4096 and plugin.resume_window == timedelta(hours=24)


def test_plain_text_within_the_window(resident_wrote, graph):
    resident_wrote(hours_ago=2)
    message, sent, route = send(graph, response=accepted(wamid="wamid.HBgLMjc4MjEyMzQ1NjcVAgARGBI"))
    assert route.calls.last.request.headers["Authorization"] == "Bearer access-token"
    assert sent == {"messaging_product": "whatsapp", "recipient_type": "individual",
                    "to": "27821234567", "type": "text",
                    "text": {"body": "Your report DMO-7 was received.", "preview_url": False}}
    assert (message.status, message.provider) == (Status.SENT, "whatsapp")
    assert message.provider_message_id == "wamid.HBgLMjc4MjEyMzQ1NjcVAgARGBI"


def test_up_to_three_short_choices_are_reply_buttons(resident_wrote, graph):
    resident_wrote(hours_ago=1)
    screen = Screen("Is this the right place?", (Choice("yes", "Yes"), Choice("no", "No")))
    _, sent, _ = send(graph, screen=screen)
    assert sent["type"] == "interactive"
    assert sent["interactive"] == {
        "type": "button", "body": {"text": "Is this the right place?"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": "yes", "title": "Yes"}},
                               {"type": "reply", "reply": {"id": "no", "title": "No"}}]}}


def test_more_choices_or_longer_titles_are_a_list(resident_wrote, graph):
    resident_wrote(hours_ago=1)
    screen = Screen("What is the problem?", (
        Choice("water", "Water and sanitation", "Leaks, no water, blocked drains"),
        Choice("roads", "Roads"), Choice("power", "Electricity"), Choice("waste", "Refuse")))
    _, sent, _ = send(graph, screen=screen)
    interactive = sent["interactive"]
    assert interactive["type"] == "list"
    assert interactive["body"] == {"text": "What is the problem?"}
    assert 0 < len(interactive["action"]["button"]) <= 20
    [section] = interactive["action"]["sections"]
    assert section["rows"][0] == {"id": "water", "title": "Water and sanitation",
                                  "description": "Leaks, no water, blocked drains"}
    assert [r["id"] for r in section["rows"]] == ["water", "roads", "power", "waste"]


def test_three_choices_with_a_title_over_20_characters_are_a_list(resident_wrote, graph):
    resident_wrote(hours_ago=1)
    twenty = Screen("Choose", (Choice("1", "Report a new problem"), *choices(2)))
    _, sent, _ = send(graph, screen=twenty)
    assert sent["interactive"]["type"] == "button"
    longer = Screen("Choose", (Choice("1", "Report a water problem"), *choices(2)))
    _, sent, _ = send(graph, screen=longer)
    assert sent["interactive"]["type"] == "list"


def test_ten_rows_go_and_eleven_are_refused_not_cut(resident_wrote, graph):
    resident_wrote(hours_ago=1)
    _, sent, _ = send(graph, screen=Screen("Pick your ward", choices(10, "Ward")))
    assert len(sent["interactive"]["action"]["sections"][0]["rows"]) == 10
    message, _, route = send(graph, screen=Screen("Pick your ward", choices(11, "Ward")))
    assert message.status == Status.FAILED and "at most 10 rows" in message.last_error
    assert route.call_count == 1  # only the ten-row list reached WhatsApp


def test_a_row_title_over_24_characters_is_refused(resident_wrote, graph):
    resident_wrote(hours_ago=1)
    screen = Screen("Pick", (*choices(3), Choice("4", "A title that is far too long")))
    message, _, route = send(graph, screen=screen)
    assert message.status == Status.FAILED and not route.called


def test_a_location_question_asks_for_the_location(resident_wrote, graph):
    resident_wrote(hours_ago=1)
    screen = Screen("Please share where the problem is.", expects="location")
    _, sent, _ = send(graph, screen=screen)
    assert sent["interactive"] == {"type": "location_request_message",
                                   "body": {"text": "Please share where the problem is."},
                                   "action": {"name": "send_location"}}


TEMPLATE = {"name": "imbizo_case_update", "language": "zu",
            "params": ["DMO-7", "We have started work on it.\nThank you."]}


@pytest.mark.parametrize("hours_ago", [25, None])
def test_outside_the_window_the_template_goes_instead(resident_wrote, graph, hours_ago):
    if hours_ago is not None:
        resident_wrote(hours_ago=hours_ago)
    message, sent, _ = send(graph, template=TEMPLATE, language="zu",
                            screen=Screen("Menu", choices(4)))
    assert sent["type"] == "template"
    assert sent["template"] == {
        "name": "imbizo_case_update", "language": {"code": "zu"},
        "components": [{"type": "body", "parameters": [
            {"type": "text", "text": "DMO-7"},
            {"type": "text", "text": "We have started work on it. Thank you."}]}]}
    assert message.status == Status.SENT


@pytest.mark.parametrize(("language", "code"), [
    ("en", "en"), ("af", "af"), ("zu", "zu"), ("xh", "en"), ("st", "en"), ("tn", "en")])
def test_template_languages_meta_lacks_fall_back_to_english(graph, language, code):
    _, sent, _ = send(graph, template={"name": "imbizo_case_update", "language": language,
                                       "params": []}, language=language)
    assert sent["template"] == {"name": "imbizo_case_update", "language": {"code": code}}


def test_outside_the_window_without_a_template_the_channel_is_closed(resident_wrote, graph):
    resident_wrote(hours_ago=24.5)
    plugin = WhatsAppPlugin()
    with pytest.raises(ChannelClosed):
        plugin.send(queue(channel="whatsapp"))
    assert not graph.calls


def test_the_outbox_sends_a_closed_window_s_message_by_sms_instead(graph, make_resident):
    resident = make_resident(channel="whatsapp")  # who has not written on WhatsApp today
    route = graph.post(SEND).mock(side_effect=accepted)
    message = queue(channel="whatsapp", to=resident.phone, citizen=resident)
    message = message_send(message_id=message.pk)
    assert message.status == Status.FAILED and not route.called
    assert (message.fallback.channel, message.fallback.to) == ("sms", resident.phone)


def test_the_window_check_is_one_query(resident_wrote, graph, django_assert_num_queries):
    resident_wrote(hours_ago=3)
    graph.post(SEND).mock(side_effect=accepted)
    message = queue(channel="whatsapp")
    with django_assert_num_queries(1):
        WhatsAppPlugin().send(message)


# Meta's error codes (developers.facebook.com/.../whatsapp/support/error-codes).
@pytest.mark.parametrize(("response", "error"), [
    (refused(400, 131047, "Re-engagement message"), ChannelClosed),
    (refused(400, 131026, "Message undeliverable"), PermanentProviderError),
    (refused(400, 100, "Invalid parameter"), PermanentProviderError),
    (refused(404, 132001, "Template does not exist"), PermanentProviderError),
    (refused(429, 130429, "Rate limit hit"), TransientProviderError),
    (refused(400, 131056, "Pair rate limit hit"), TransientProviderError),
    (refused(400, 80007, "Rate limit issues"), TransientProviderError),
    (refused(500, 131000, "Something went wrong"), TransientProviderError),
    (refused(503, 131016, "Service unavailable"), TransientProviderError),
    (refused(401, 190, "Access token has expired"), TransientProviderError),
    (httpx.Response(502, text="Bad gateway"), TransientProviderError),
    (httpx.Response(200, json={"messaging_product": "whatsapp"}), TransientProviderError),
])
def test_meta_s_errors_map_to_retry_fail_or_fall_back(resident_wrote, graph, response, error):
    resident_wrote(hours_ago=1)
    graph.post(SEND).mock(return_value=response)
    with pytest.raises(error) as raised:
        WhatsAppPlugin().send(queue(channel="whatsapp"))
    assert type(raised.value) is error  # exactly: ChannelClosed is a PermanentProviderError


def test_a_timeout_is_retried_by_the_outbox(resident_wrote, graph):
    resident_wrote(hours_ago=1)
    message, _, _ = send(graph, response=httpx.ConnectTimeout("timed out"))
    assert (message.status, message.attempts) == (Status.QUEUED, 1)
    assert message.next_attempt_at is not None


def test_an_undeliverable_number_fails_at_once(resident_wrote, graph):
    resident_wrote(hours_ago=1)
    message, _, _ = send(graph, response=refused(400, 131026, "Message undeliverable"))
    assert message.status == Status.FAILED and "131026" in message.last_error


# --- a resident's photo -------------------------------------------------------------
MEDIA_URL = "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200


def media(graph, *, mime_type="image/jpeg", content=JPEG, file_size=None):
    graph.get(f"{API}/1003383421387256").mock(return_value=httpx.Response(200, json={
        "messaging_product": "whatsapp", "url": MEDIA_URL, "mime_type": mime_type,
        "sha256": "HgEM5nYTv/GuVsqK5Y3iKE3KrgWwKtHuyBBHhfDcqrA=",
        "file_size": file_size if file_size is not None else len(content),
        "id": "1003383421387256"}))
    return graph.get(MEDIA_URL).mock(return_value=httpx.Response(
        200, content=content, headers={"Content-Type": mime_type}))


def test_a_photo_is_fetched_by_id_with_the_access_token(graph):
    download = media(graph)
    assert WhatsAppPlugin().fetch_media("1003383421387256") == (JPEG, "image/jpeg")
    assert download.calls.last.request.headers["Authorization"] == "Bearer access-token"


@pytest.mark.parametrize("mime_type", ["video/mp4", "application/pdf", "image/gif"])
def test_anything_but_jpeg_png_or_webp_is_refused_unread(graph, mime_type):
    download = media(graph, mime_type=mime_type)
    with pytest.raises(PermanentProviderError):
        WhatsAppPlugin().fetch_media("1003383421387256")
    assert not download.called


def test_a_photo_over_the_attachment_limit_is_refused(graph, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    download = media(graph)
    with pytest.raises(PermanentProviderError):
        WhatsAppPlugin().fetch_media("1003383421387256")
    assert not download.called  # Meta said how big it is
    media(graph, file_size=0)  # and if it had not, the download stops at the limit
    with pytest.raises(PermanentProviderError):
        WhatsAppPlugin().fetch_media("1003383421387256")


def test_a_media_id_that_is_not_one_is_refused_before_any_request(graph):
    with pytest.raises(PermanentProviderError):
        WhatsAppPlugin().fetch_media("../106540352242922/messages")
    assert not graph.calls


def test_graph_down_while_fetching_is_transient(graph):
    graph.get(f"{API}/1003383421387256").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(TransientProviderError):
        WhatsAppPlugin().fetch_media("1003383421387256")


def test_a_screen_with_a_document_is_a_document_message_captioned_with_its_text(
        resident_wrote, graph):
    resident_wrote(hours_ago=1)
    screen = Screen("2026-11 statement: R 512.40, due 2026-12-15.", expects="none",
                    document=("https://imbizo.test/s/abc.pdf", "statement-2026-11.pdf"))
    message, sent, _ = send(graph, screen=screen)
    assert sent["type"] == "document"
    assert sent["document"] == {"link": "https://imbizo.test/s/abc.pdf",
                                "filename": "statement-2026-11.pdf",
                                "caption": "2026-11 statement: R 512.40, due 2026-12-15."}
    assert message.status == Status.SENT


def test_a_document_outside_the_window_goes_as_the_template(resident_wrote, graph):
    resident_wrote(hours_ago=30)
    screen = Screen("Statement", expects="none", document=("https://imbizo.test/s/a.pdf", "a.pdf"))
    _, sent, _ = send(graph, screen=screen, template=TEMPLATE)
    assert sent["type"] == "template"


def test_a_screen_keeps_its_document_through_the_outbox():
    screen = Screen("Statement", expects="none", document=("https://imbizo.test/a.pdf", "a.pdf"))
    assert Screen.from_payload(screen.as_payload()) == screen
    assert "document" not in Screen("Plain").as_payload()
