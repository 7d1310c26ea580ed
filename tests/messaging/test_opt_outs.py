"""A resident who opted out of a channel is not sent messages on it."""

import pytest

from imbizo.accounts.services import channel_opt_in, channel_opt_out
from imbizo.messaging.models import OutboundMessage, Status
from imbizo.messaging.screens import Choice, Screen
from imbizo.messaging.services import citizen_notify, message_send

from .helpers import queue

pytestmark = pytest.mark.django_db
MENU = Screen("Main menu", (Choice("1", "Report a fault"),)).as_payload()


def notify(citizen, purpose="service"):
    return citizen_notify(citizen=citizen, purpose=purpose, text_for_language="News.")


def send(message, capture) -> OutboundMessage:
    with capture(execute=True):
        message_send(message_id=message.pk)
    message.refresh_from_db()
    return message


def test_notifying_never_picks_a_channel_the_resident_opted_out_of(make_resident,
                                                                  http_gateway):
    citizen = make_resident(channel="sms")
    channel_opt_out("sms", citizen.phone)
    assert notify(citizen).channel == "whatsapp"
    channel_opt_out("whatsapp", citizen.phone)
    assert notify(citizen) is None  # nothing left that reaches them
    channel_opt_in("sms", citizen.phone)
    assert notify(citizen).channel == "sms"


def test_a_message_queued_before_the_opt_out_goes_by_the_next_channel(
        make_resident, http_gateway, django_capture_on_commit_callbacks):
    citizen = make_resident(channel="sms")
    message = notify(citizen)
    channel_opt_out("sms", citizen.phone)  # STOP arrives before the send
    message = send(message, django_capture_on_commit_callbacks)
    assert (message.status, message.attempts) == (Status.FAILED, 0)
    assert message.last_error == "ChannelClosed: The resident opted out of this channel."
    assert message.fallback.channel == "whatsapp"
    assert http_gateway.requests == []


def test_after_stop_only_the_confirmation_goes_by_sms(make_resident, http_gateway,
                                                      django_capture_on_commit_callbacks):
    citizen = make_resident(channel="sms")
    channel_opt_out("sms", citizen.phone)
    confirmation = queue(to=citizen.phone, citizen=citizen, payload=MENU,
                         body="You will get no more SMS from us.", dedupe_key="optout:sms:1")
    reply = queue(to=citizen.phone, citizen=citizen, payload=MENU, dedupe_key="reply:9:0")
    assert send(confirmation, django_capture_on_commit_callbacks).status == Status.SENT
    assert send(reply, django_capture_on_commit_callbacks).status == Status.FAILED
    assert http_gateway.to(citizen.phone) == ["You will get no more SMS from us."]


def test_a_reply_in_a_conversation_goes_on_a_channel_opted_out_of_other_than_sms(
        make_resident, http_gateway, django_capture_on_commit_callbacks):
    citizen = make_resident(channel="whatsapp")
    channel_opt_out("whatsapp", citizen.phone)
    reply = queue(channel="whatsapp", to=citizen.phone, citizen=citizen, payload=MENU,
                  dedupe_key="reply:9:0")
    news = queue(channel="whatsapp", to=citizen.phone, citizen=citizen, body="News.")
    assert send(reply, django_capture_on_commit_callbacks).status == Status.SENT
    assert send(news, django_capture_on_commit_callbacks).status == Status.FAILED


def test_an_opt_out_confirmation_of_another_purpose_is_not_let_through(
        make_resident, http_gateway, django_capture_on_commit_callbacks):
    citizen = make_resident(channel="sms", consents=("broadcasts",))
    channel_opt_out("sms", citizen.phone)
    message = queue(to=citizen.phone, citizen=citizen, purpose="broadcasts",
                    dedupe_key="optout:sms:2")
    assert send(message, django_capture_on_commit_callbacks).status == Status.FAILED


def test_a_number_that_said_stop_before_registering_is_honoured(make_resident, http_gateway):
    channel_opt_out("sms", "+27821200001")  # the STOP came before the number was a resident
    citizen = make_resident(channel="sms")
    assert citizen.phone == "+27821200001"
    assert notify(citizen).channel == "whatsapp"
