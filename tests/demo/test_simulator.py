"""The channel simulator plays a phone against this server's real webhooks, over HTTP."""

import pytest

from imbizo.accounts.services import staff_user_create
from imbizo.conversations.services import inbound_handle
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Ward
from imbizo.messaging.models import InboundMessage, OutboundMessage
from imbizo.messaging.services import message_queue

PHONE = "+27825550123"


@pytest.fixture
def simulator(transactional_db, live_server, settings, municipalities, client):
    settings.ROOT_URLCONF = "tests.demo.simulator_urls"
    settings.SITE_URL = live_server.url
    settings.WHATSAPP_APP_SECRET = settings.TELEGRAM_SECRET_TOKEN = "test-secret"
    Ward.objects.filter(municipality__code="AAA", number=1).update(suburbs="Sizwe\nHilltop")
    user = staff_user_create(actor=system_actor("cli"), username="trainer",
                             password="a-long-test-password")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    return client


def play(client, channel: str, **form):
    response = client.post("/simulator/", {"channel": channel, "phone": PHONE, **form})
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def handle_waiting() -> None:
    """What the task worker does with each stored message."""
    for pk in InboundMessage.objects.filter(state="received").values_list("pk", flat=True):
        inbound_handle(inbound_id=pk)


def test_a_ussd_session_is_played_against_the_real_callback(simulator):
    page = play(simulator, "ussd", action="dial")
    assert "CON Welcome. What do you need?" in page
    assert "1. Report a fault" in page
    page = play(simulator, "ussd", action="send", text="1")
    assert "CON Which municipality?" in page  # two are served here: the resident picks
    assert "1. Aaa Local" in page


def test_a_whatsapp_message_is_signed_stored_and_answered_through_the_outbox(simulator):
    page = play(simulator, "whatsapp", action="send", text="Hi")
    [inbound] = InboundMessage.objects.all()
    assert (inbound.provider, inbound.sender, inbound.payload["text"]) == (
        "whatsapp", PHONE, "Hi")
    assert "Waiting for the reply" in page
    handle_waiting()
    page = simulator.get("/simulator/", {"channel": "whatsapp", "phone": PHONE}).content.decode()
    assert "Welcome. What do you need?" in page
    assert 'name="key" value="1"' in page  # each option of the list is a button to tap
    play(simulator, "whatsapp", action="choose", key="1", title="Report a fault")
    tapped = InboundMessage.objects.order_by("-pk").first()
    assert (tapped.payload["kind"], tapped.payload["text"]) == ("choice", "1")


def test_a_telegram_user_shares_their_own_contact(simulator):
    play(simulator, "telegram", action="contact")
    [inbound] = InboundMessage.objects.all()
    assert (inbound.payload["kind"], inbound.payload["contact_phone"]) == ("contact", PHONE)


def test_it_shows_nothing_the_number_was_sent_before_it_was_played(simulator, municipalities):
    message_queue(to=PHONE, channel="sms", body="A message from before", purpose="service")
    page = play(simulator, "sms", action="send", text="Hi")
    assert "A message from before" not in page
    assert OutboundMessage.objects.filter(to=PHONE).count() == 1


def test_only_staff_may_play(transactional_db, settings, client):
    settings.ROOT_URLCONF = "tests.demo.simulator_urls"
    response = client.get("/simulator/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
