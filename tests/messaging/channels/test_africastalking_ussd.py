"""USSD: Africa's Talking's callback (every input so far, joined by ``*``) and a gateway
that sends only the latest input both become the same ``new`` / ``text`` / ``close``
events; screens go back as ``CON`` / ``END`` pages of at most 182 characters."""

import json
from datetime import timedelta

import pytest
from django.test import RequestFactory

from imbizo.accounts.services import citizen_register
from imbizo.core.permissions import system_actor
from imbizo.messaging.channels.africastalking import UssdPlugin
from imbizo.messaging.channels.ussd_latest import LatestInputUssdPlugin
from imbizo.messaging.inbound import Malformed
from imbizo.messaging.models import InboundMessage
from imbizo.messaging.providers import PermanentProviderError
from imbizo.messaging.screens import Choice, Screen

URL = "/channels/ussd/africastalking"
GENERIC_URL = "/channels/ussd/generic"


def hop(text: str = "", **extra: str) -> dict:
    """Africa's Talking's session callback."""
    return {"sessionId": "ATUid_7f3a9c", "serviceCode": "*120*4629#",
            "phoneNumber": "+27821234567", "networkCode": "65501", "text": text, **extra}


def session_end(status: str, **extra: str) -> dict:
    """Africa's Talking's end-of-session notification."""
    return {"date": "2024-05-02 10:16:01", "sessionId": "ATUid_7f3a9c",
            "serviceCode": "*120*4629#", "networkCode": "65501",
            "phoneNumber": "+27821234567", "status": status, "cost": "0.0",
            "durationInMillis": "31250", "hopsCount": "3", "input": "1*2",
            "lastAppResponse": "CON Where is it?", "errorMessage": "", **extra}


def parse(plugin, data: dict):
    return plugin.parse(RequestFactory().post("/channels/x", data))


def parse_json(data: dict):
    request = RequestFactory().post("/channels/x", json.dumps(data),
                                    content_type="application/json")
    return LatestInputUssdPlugin().parse(request)


def test_it_declares_what_a_ussd_screen_can_hold():
    for plugin in (UssdPlugin, LatestInputUssdPlugin):
        assert (plugin.channel, plugin.synchronous, plugin.screen_chars) == ("ussd", True, 182)
        assert (plugin.choice_style, plugin.max_choices, plugin.choice_label_chars) == (
            "numbered", 9, 40)
        assert plugin.resume_window == timedelta(minutes=10)
        assert not (plugin.shares_location or plugin.shares_photo or plugin.shares_contact)
        assert plugin.channels == frozenset()
    assert UssdPlugin.name == "africastalking-ussd"


def test_the_first_hop_opens_a_session():
    [incoming] = parse(UssdPlugin(), hop("")).incoming
    assert (incoming.kind, incoming.text, incoming.cumulative) == ("new", "", True)
    assert (incoming.channel, incoming.provider) == ("ussd", "africastalking-ussd")
    assert (incoming.session_id, incoming.sender) == ("ATUid_7f3a9c", "+27821234567")


def test_a_later_hop_carries_every_input_so_far():
    [incoming] = parse(UssdPlugin(), hop("1*2*Near the clinic")).incoming
    assert (incoming.kind, incoming.text, incoming.cumulative) == (
        "text", "1*2*Near the clinic", True)


def test_a_retried_hop_has_the_same_id_and_every_new_input_another():
    plugin = UssdPlugin()
    ids = [parse(plugin, hop(text)).incoming[0].message_id
           for text in ("", "1", "1*1", "1*2", "1*1")]
    assert ids[2] == ids[4]
    assert len(set(ids)) == 4
    assert all(i.startswith("ATUid_7f3a9c:") for i in ids)


def test_a_number_from_another_country_is_kept_in_e164():
    [incoming] = parse(UssdPlugin(), hop("", phoneNumber="+254711082123")).incoming
    assert incoming.sender == "+254711082123"


@pytest.mark.parametrize("broken", [
    {"sessionId": ""}, {"phoneNumber": ""}, {"phoneNumber": "12345"},
    {"phoneNumber": "not a phone"}, {"serviceCode": ""},
])
def test_a_malformed_hop_is_refused(broken):
    with pytest.raises(Malformed):
        parse(UssdPlugin(), hop("1", **broken))


@pytest.mark.parametrize("field", ["sessionId", "serviceCode", "phoneNumber", "text"])
def test_a_hop_missing_a_field_is_refused(field):
    data = {k: v for k, v in hop("1").items() if k != field}
    with pytest.raises(Malformed):
        parse(UssdPlugin(), data)


@pytest.mark.parametrize("status", ["Incomplete", "Failed"])
def test_a_dropped_session_closes(status):
    [incoming] = parse(UssdPlugin(), session_end(status, errorMessage="timeout")).incoming
    assert (incoming.kind, incoming.session_id, incoming.sender) == (
        "close", "ATUid_7f3a9c", "+27821234567")
    assert incoming.message_id == "ATUid_7f3a9c:close"


def test_a_session_that_reached_its_end_needs_nothing_more():
    batch = parse(UssdPlugin(), session_end("Success"))
    assert batch.incoming == [] and batch.receipts == []


def test_a_screen_waiting_for_input_continues_the_session():
    screen = Screen(text="Report a fault:", choices=(Choice("1", "Water"), Choice("2", "Roads")))
    response = UssdPlugin().respond(screen)
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "CON Report a fault:\n1. Water\n2. Roads"


def test_the_last_screen_ends_the_session():
    response = UssdPlugin().respond(Screen(text="Thank you. Ref DMO-7K", expects="none",
                                           end=True))
    assert response.content.decode() == "END Thank you. Ref DMO-7K"


def test_a_screen_of_182_characters_is_sent_whole():
    text = "x" * 182
    assert UssdPlugin().respond(Screen(text=text, expects="text")).content.decode() == (
        "CON " + text)


def test_a_longer_screen_is_cut_to_182_characters():
    body = UssdPlugin().respond(Screen(text="y" * 300, expects="text")).content.decode()
    page = body.removeprefix("CON ")
    assert len(page) == 182 and page.endswith("...")


def test_ussd_cannot_push_a_message():
    with pytest.raises(PermanentProviderError):
        UssdPlugin().send(None)


@pytest.mark.django_db
def test_the_webhook_refuses_a_malformed_hop_and_stores_nothing(client):
    assert client.post(URL, hop("1", phoneNumber="garbage")).status_code == 400
    assert client.post(URL, {"sessionId": "ATUid_7f3a9c"}).status_code == 400
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_the_webhook_acknowledges_a_completed_session(client):
    response = client.post(URL, session_end("Success"))
    assert response.status_code == 200 and response.content == b""


# --- A gateway that sends only the latest input -------------------------------------

def generic(input_: str = "", **extra) -> dict:
    return {"sessionId": "s-81", "requestId": "r-1", "msisdn": "27821234567",
            "input": input_, "newSession": False, **extra}


def test_both_gateways_make_the_same_events():
    at = UssdPlugin()
    pairs = [(hop(""), generic("", newSession=True)), (hop("1*2"), generic("2"))]
    for at_data, latest_data in pairs:
        [a] = parse(at, at_data).incoming
        [b] = parse_json(latest_data).incoming
        assert (a.kind, a.sender, a.channel) == (b.kind, b.sender, b.channel)
    assert parse_json(generic("2")).incoming[0].text == "2"
    assert parse_json(generic("2")).incoming[0].cumulative is False


def test_a_gateway_ended_session_closes():
    [incoming] = parse_json(generic("", ended=True, requestId="r-9")).incoming
    assert (incoming.kind, incoming.session_id, incoming.message_id) == ("close", "s-81",
                                                                         "s-81:r-9")


def test_a_new_session_keeps_the_dial_strings_extension():
    [incoming] = parse_json(generic("5", newSession=True)).incoming
    assert (incoming.kind, incoming.text) == ("new", "5")


def test_a_retried_request_has_the_same_id():
    first = parse_json(generic("1", requestId="r-4")).incoming[0].message_id
    assert parse_json(generic("1", requestId="r-4")).incoming[0].message_id == first
    assert parse_json(generic("1", requestId="r-5")).incoming[0].message_id != first


@pytest.mark.parametrize("broken", [
    {"sessionId": ""}, {"requestId": None}, {"msisdn": "0"}, {"input": 2},
    {"newSession": "yes"}, {"ended": 1},
])
def test_a_malformed_generic_request_is_refused(broken):
    with pytest.raises(Malformed):
        parse_json(generic("1", **broken))


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]"])
def test_a_body_that_is_no_json_object_is_refused(body):
    request = RequestFactory().post("/channels/x", body, content_type="application/json")
    with pytest.raises(Malformed):
        LatestInputUssdPlugin().parse(request)


def test_the_generic_gateway_is_answered_in_json():
    plugin = LatestInputUssdPlugin()
    screen = Screen(text="Where is it?", choices=(Choice("1", "Ward 12"),))
    assert json.loads(plugin.respond(screen).content) == {"message": "Where is it?\n1. Ward 12",
                                                          "end": False}
    ended = json.loads(plugin.respond(Screen(text="Bye", expects="none", end=True)).content)
    assert ended == {"message": "Bye", "end": True}
    long = json.loads(plugin.respond(Screen(text="z" * 200, expects="text")).content)
    assert len(long["message"]) == 182


@pytest.mark.django_db
def test_the_generic_webhook_refuses_a_malformed_request(client):
    response = client.post(GENERIC_URL, "{}", content_type="application/json")
    assert response.status_code == 400


# --- Through the webhook and the engine -----------------------------------------------

def generic_post(client, request_id: str, input_: str = "", **extra) -> dict:
    data = generic(input_, requestId=request_id, **extra)
    response = client.post(GENERIC_URL, json.dumps(data), content_type="application/json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return json.loads(response.content)


def option(message: str, label: str) -> str:
    for line in message.splitlines():
        number, _, rest = line.partition(". ")
        if rest.startswith(label):
            return number
    raise AssertionError(f"no {label!r} in the menu")


@pytest.fixture
def resident(municipalities):
    return citizen_register(actor=system_actor("ussd"), phone="0821234567",
                            municipality=municipalities[0])


@pytest.mark.django_db
def test_a_latest_input_gateway_drives_the_engine_and_resumes_a_dropped_session(client,
                                                                                resident):
    first = generic_post(client, "r-1", newSession=True)
    assert first["end"] is False and len(first["message"]) <= 182
    second = generic_post(client, "r-2", option(first["message"], "Report a fault"))
    assert second["message"] != first["message"]
    assert generic_post(client, "r-2", option(first["message"], "Report a fault")) == second
    generic_post(client, "r-3", ended=True)  # the resident hung up
    again = generic_post(client, "r-1", newSession=True, sessionId="s-82")
    assert "Continue" in again["message"]
