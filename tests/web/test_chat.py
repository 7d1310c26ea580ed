"""The web chat: the engine's flows in the browser, as plain form posts (POST, redirect,
GET), one message per client id, and the live endpoint the script polls."""

import io
import re
import uuid

import pytest
from PIL import Image

from imbizo.accounts.services import citizen_register
from imbizo.cases.models import Attachment, Case
from imbizo.core.permissions import system_actor
from imbizo.messaging.models import InboundMessage, OutboundMessage

BUTTON = re.compile(r'<button type="submit" name="choice" value="([^"]+)">([^<]+)</button>')


@pytest.fixture
def nomsa(municipalities):
    return citizen_register(actor=system_actor("web"), phone="0821234567", name="Nomsa",
                            municipality=municipalities[0])


@pytest.fixture
def chat_as(client, sign_in_as, nomsa):
    sign_in_as(nomsa)
    return client


def post(client, **data):
    data.setdefault("cmid", uuid.uuid4().hex)
    answer = client.post("/chat", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return client.get("/chat")


def pick(page, label: str) -> str:
    for key, text in BUTTON.findall(page.text):
        if text.startswith(label):
            return key
    raise AssertionError(f"no button {label!r} in {BUTTON.findall(page.text)}")


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_visitor_is_asked_to_sign_in_first(client, municipalities):
    answer = client.get("/chat")
    assert answer.status_code == 302 and answer.url == "/signin?next=%2Fchat"
    assert client.post("/chat", {"cmid": "abcdefgh1", "text": "hi"}).status_code == 302
    assert InboundMessage.objects.count() == 0
    assert client.get("/chat/log").status_code == 403


def test_a_resident_logs_a_fault_end_to_end_through_the_chat(chat_as, nomsa):
    start = chat_as.get("/chat")
    assert start.status_code == 200 and "Start" in start.text
    menu = post(chat_as, text="menu")
    groups = post(chat_as, choice=pick(menu, "Report"))
    category = post(chat_as, choice=pick(groups, "Roads"))
    where = post(chat_as, choice=pick(category, "Pothole"))
    assert '<details class="chat-more" data-for="location" open>' in where.text
    describe = post(chat_as, lat="-29.9501", lon="20.0501")
    assert "(my location)" in describe.text
    photo = post(chat_as, text="A deep pothole outside number 12")
    assert '<details class="chat-more" data-for="photo" open>' in photo.text
    upload = io.BytesIO(jpeg())
    upload.name = "hole.jpg"
    confirm = post(chat_as, photo=upload)
    assert "Ward 1" in confirm.text
    done = post(chat_as, choice=pick(confirm, "Yes"))
    case = Case.objects.get()
    assert case.reference in done.text
    assert case.reporter == nomsa and case.channel == "web"
    assert case.latitude == pytest.approx(-29.9501)
    assert Attachment.objects.filter(case=case).count() == 1
    assert "Report" in menu.text and "You" in done.text  # both sides of the conversation
    replies = OutboundMessage.objects.filter(channel="web")
    assert {r.to for r in replies} == {str(nomsa.uuid)}
    assert {r.status for r in replies} == {"delivered"}  # delivered by the web chat provider


def test_the_same_form_posted_twice_acts_once(chat_as):
    post(chat_as, text="menu")
    menu = chat_as.get("/chat")
    key = pick(menu, "Report")
    form = {"cmid": "double-click-1", "choice": key}
    assert chat_as.post("/chat", form).status_code == 302
    assert chat_as.post("/chat", form).status_code == 302
    assert InboundMessage.objects.filter(payload__text=key).count() == 1
    assert OutboundMessage.objects.filter(channel="web").count() == 2  # menu, then groups


def test_unsupported_input_gets_the_polite_answer(chat_as):
    post(chat_as, text="menu")
    answer = post(chat_as, lat="-29.95", lon="20.05")  # a place where a menu is shown
    assert "Sorry, we cannot read that here." in answer.text
    assert "Report" in answer.text  # the menu again, to pick from


def test_an_empty_message_is_a_form_error_and_the_text_is_kept(chat_as):
    answer = chat_as.post("/chat", {"cmid": "abcdefgh2", "text": "", "lat": "-29.9"})
    assert answer.status_code == 400
    assert "Give both the latitude and the longitude." in answer.text
    answer = chat_as.post("/chat", {"cmid": "abcdefgh3", "text": "x" * 1001})
    assert answer.status_code == 400 and 'value="' + "x" * 1001 + '"' in answer.text
    assert InboundMessage.objects.count() == 0


def test_the_script_posts_for_json_and_polls_for_changes(chat_as):
    answer = chat_as.post("/chat", {"cmid": "abcdefgh4", "text": "menu"},
                          headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.json() == {"ok": True}
    bad = chat_as.post("/chat", {"cmid": "abcdefgh5"}, headers={"Accept": "application/json"})
    assert bad.status_code == 400 and bad.json()["errors"] == [
        "Type a message or pick an option."]
    fragment = chat_as.get("/chat/log")
    assert fragment.status_code == 200 and "<html" not in fragment.text
    version = re.search(r'data-version="([^"]+)"', fragment.text).group(1)
    assert chat_as.get("/chat/log", {"v": version}).status_code == 204
    chat_as.post("/chat", {"cmid": "abcdefgh6", "text": "menu"})
    assert chat_as.get("/chat/log", {"v": version}).status_code == 200


def test_a_resident_sees_only_their_own_chat(chat_as, client, municipalities, sign_in_as):
    post(chat_as, text="menu")
    other = citizen_register(actor=system_actor("web"), phone="0827654321", name="Lwazi",
                             municipality=municipalities[0])
    sign_in_as(other)
    page = client.get("/chat")
    assert "Nothing yet." in page.text and "You</span>" not in page.text


def test_the_chat_page_costs_a_fixed_number_of_queries(chat_as, django_assert_max_num_queries):
    for n in range(6):
        post(chat_as, text="menu" if n % 2 else "hello")
    with django_assert_max_num_queries(6):
        page = chat_as.get("/chat")
    assert page.text.count('class="reply"') == 6
    with django_assert_max_num_queries(6):
        assert chat_as.get("/chat/log").status_code == 200


def test_the_chat_page_is_small_accessible_and_works_without_script(chat_as):
    from tests.web.test_pages import BUDGET, weight

    post(chat_as, text="menu")
    page = chat_as.get("/chat")
    assert weight(page) < BUDGET
    assert '<a class="skip" href="#main">' in page.text and 'for="id_text"' in page.text
    assert '<script src="/static/web/chat.js" defer></script>' in page.text
    assert page.text.count('name="cmid"') >= 4  # every form carries the message id
