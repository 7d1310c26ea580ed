"""Telegram updates through the real webhook view, as the Bot API documents and posts them.

The payloads follow core.telegram.org/bots/api (Update, Message, CallbackQuery, Location,
PhotoSize, Contact) and the sample updates of core.telegram.org/bots/webhooks.
"""

import json

import pytest
from django_tasks_db.models import DBTaskResult

from imbizo.conversations.pump import inbound_pump
from imbizo.messaging.models import InboundMessage

pytestmark = pytest.mark.django_db
URL = "/channels/telegram"
SECRET = "s3cret_token-for-TESTS"
USER = {"id": 1111111, "is_bot": False, "first_name": "Thandi", "last_name": "Mokoena",
        "username": "thandi_m", "language_code": "en"}
CHAT = {"id": 1111111, "first_name": "Thandi", "last_name": "Mokoena", "username": "thandi_m",
        "type": "private"}


@pytest.fixture(autouse=True)
def telegram_secret(settings):
    settings.TELEGRAM_SECRET_TOKEN = SECRET


def message_update(update_id=10000, **content) -> dict:
    return {"update_id": update_id, "message": {
        "message_id": 1365, "from": USER, "chat": CHAT, "date": 1441645532, **content}}


def callback_update(update_id=10001, data="2") -> dict:
    return {"update_id": update_id, "callback_query": {
        "id": "4382bfdwdsb323b2d9", "from": USER, "chat_instance": "-8193720193",
        "data": data,
        "message": {"message_id": 1366, "from": {"id": 777000, "is_bot": True,
                                                  "first_name": "Imbizo"},
                    "chat": CHAT, "date": 1441645540, "text": "What is the problem?"}}}


def post(client, update, secret=SECRET):
    body = update if isinstance(update, str | bytes) else json.dumps(update)
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    return client.post(URL, body, content_type="application/json", headers=headers)


def stored() -> dict:
    [inbound] = InboundMessage.objects.all()
    return inbound.payload


def handle_tasks() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="handle_inbound").count()


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x"])
def test_a_request_without_the_secret_token_is_refused_and_nothing_stored(client, secret):
    response = post(client, message_update(text="hello"), secret=secret)
    assert response.status_code == 401
    assert not InboundMessage.objects.exists() and handle_tasks() == 0


def test_without_a_configured_secret_every_request_is_refused(client, settings):
    settings.TELEGRAM_SECRET_TOKEN = ""
    assert post(client, message_update(text="hello"), secret="").status_code == 401
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize("body", [
    "not json", b"\xff\xfe", "[]", "{}", '{"update_id": "10000"}', '{"update_id": true}',
    json.dumps({"update_id": 1, "message": "hello"}),
    json.dumps({"update_id": 1, "message": {"from": USER, "chat": {"type": "private"}}}),
    json.dumps({"update_id": 1, "message": {"chat": CHAT, "text": "no sender"}}),
    json.dumps(message_update(text=42)),
    json.dumps(message_update(location={"latitude": "north", "longitude": 28.0})),
    json.dumps(message_update(photo=[])),
    json.dumps({"update_id": 1, "callback_query": {"from": USER, "data": "1"}}),
])
def test_what_is_not_an_update_is_answered_400_and_nothing_stored(client, body):
    response = post(client, body)
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


def test_a_text_message_is_stored_and_handed_to_the_engine(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):  # the row, and nothing else
        response = post(client, message_update(text="/start"))
    assert response.status_code == 200
    inbound = InboundMessage.objects.get()
    assert (inbound.provider, inbound.provider_message_id, inbound.channel, inbound.sender) == (
        "telegram", "10000", "telegram", "1111111")
    payload = inbound.payload
    assert (payload["kind"], payload["text"], payload["reply_to"]) == ("text", "/start", "1111111")
    assert payload["name"] == "Thandi Mokoena"
    assert payload["sent_at"].startswith("2015-09-07T")
    assert handle_tasks() == 0  # the clock's pump hands it out, not the request
    assert inbound_pump() == 1 and handle_tasks() == 1


def test_a_retried_update_is_stored_once(client):
    for _ in range(3):
        assert post(client, message_update(text="water leak")).status_code == 200
    assert InboundMessage.objects.count() == 1 and inbound_pump() == 1 and handle_tasks() == 1
    assert post(client, message_update(update_id=10002, text="again")).status_code == 200
    assert InboundMessage.objects.count() == 2


def test_a_tapped_button_is_a_choice_and_its_callback_is_answered_in_the_response(client):
    response = post(client, callback_update(data="water"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"method": "answerCallbackQuery",
                                             "callback_query_id": "4382bfdwdsb323b2d9"}
    payload = stored()
    assert (payload["kind"], payload["text"], payload["sender"], payload["reply_to"]) == (
        "choice", "water", "1111111", "1111111")
    # The next request, on the same thread, answers no callback.
    response = post(client, message_update(text="hello"))
    assert response.status_code == 200 and response.content == b""


def test_a_callback_from_an_inline_message_replies_to_the_user(client):
    update = callback_update()
    del update["callback_query"]["message"]
    update["callback_query"]["inline_message_id"] = "1234csdbsk4839"
    assert post(client, update).status_code == 200
    assert stored()["reply_to"] == "1111111"


def test_a_shared_location_is_a_point(client):
    post(client, message_update(location={"latitude": -26.2041, "longitude": 28.0473}))
    payload = stored()
    assert (payload["kind"], payload["latitude"], payload["longitude"]) == (
        "location", -26.2041, 28.0473)


def test_a_photo_is_referenced_by_its_largest_size(client):
    sizes = [
        {"file_id": "AgAD-small", "file_unique_id": "s", "width": 90, "height": 67,
         "file_size": 1254},
        {"file_id": "AgAD-large", "file_unique_id": "l", "width": 1280, "height": 960,
         "file_size": 98012},
        {"file_id": "AgAD-medium", "file_unique_id": "m", "width": 320, "height": 240,
         "file_size": 14367},
    ]
    post(client, message_update(photo=sizes, caption="Burst pipe on Main Road"))
    payload = stored()
    assert (payload["kind"], payload["media_id"], payload["media_type"], payload["text"]) == (
        "photo", "AgAD-large", "image/jpeg", "Burst pipe on Main Road")


def test_an_image_sent_as_a_file_is_a_photo_too(client):
    document = {"file_name": "pothole.png", "mime_type": "image/png", "file_id": "BQAD-doc",
                "file_unique_id": "d", "file_size": 52000}
    post(client, message_update(document=document))
    payload = stored()
    assert (payload["kind"], payload["media_id"], payload["media_type"]) == (
        "photo", "BQAD-doc", "image/png")


def test_the_residents_own_contact_gives_their_number(client):
    contact = {"phone_number": "27821234567", "first_name": "Thandi", "user_id": USER["id"]}
    post(client, message_update(contact=contact))
    payload = stored()
    assert (payload["kind"], payload["contact_phone"]) == ("contact", "+27821234567")


@pytest.mark.parametrize("contact", [
    {"phone_number": "+27831234567", "first_name": "Sipho", "user_id": 2222222},
    {"phone_number": "+27831234567", "first_name": "Sipho"},  # not a Telegram user
    {"phone_number": "12", "first_name": "Thandi", "user_id": USER["id"]},
])
def test_someone_elses_contact_links_nothing(client, contact):
    post(client, message_update(contact=contact))
    payload = stored()
    assert (payload["kind"], payload["contact_phone"]) == ("unsupported", "")


@pytest.mark.parametrize("content", [
    {"sticker": {"file_id": "CAAD", "file_unique_id": "x", "width": 512, "height": 512,
                 "is_animated": False, "is_video": False, "type": "regular"}},
    {"voice": {"file_id": "AwAD", "file_unique_id": "v", "duration": 3}},
    {"document": {"file_id": "BQAD", "file_unique_id": "p", "mime_type": "application/pdf"}},
])
def test_other_messages_are_stored_as_unsupported(client, content):
    assert post(client, message_update(**content)).status_code == 200
    assert stored()["kind"] == "unsupported"


@pytest.mark.parametrize("update", [
    {"update_id": 10003, "edited_message": message_update(text="edited")["message"]},
    {"update_id": 10004, "my_chat_member": {"chat": CHAT, "from": USER, "date": 1441645600}},
    message_update(text="in a group", chat={"id": -100123, "title": "Ward 12", "type": "group"}),
])
def test_updates_that_are_not_a_private_conversation_are_acknowledged_and_ignored(client, update):
    assert post(client, update).status_code == 200
    assert not InboundMessage.objects.exists() and handle_tasks() == 0
