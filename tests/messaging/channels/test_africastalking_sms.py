"""Africa's Talking SMS callbacks, posted through the real webhook view as documented:
incoming messages (``from``, ``to``, ``text``, ``date``, ``id``, ``linkId``,
``networkCode``) and delivery reports (``id``, ``status``, ``failureReason``,
``phoneNumber``, ``networkCode``, ``retryCount``)."""

from datetime import UTC, datetime

import httpx
import pytest
import respx
from django_tasks_db.models import DBTaskResult

from imbizo.conversations.pump import inbound_pump
from imbizo.messaging.models import InboundMessage, Status
from imbizo.messaging.services import message_send

from ..helpers import queue

pytestmark = pytest.mark.django_db
SMS = "imbizo.messaging.channels.africastalking.SmsPlugin"
URL = "/channels/sms/africastalking"
API = "https://api.sandbox.africastalking.com"

INCOMING = {  # Africa's Talking's incoming-message callback
    "from": "+27821234567", "to": "31415", "text": "Water leak", "date": "2024-05-02 10:15:30",
    "id": "f6b4a2c0-1c3e-4b5e-9a7e-2d4c1b0a9e8f", "linkId": "SampleLinkId123",
    "networkCode": "65501",
}


def report(message_id: str, status: str, **extra: str) -> dict:
    """Africa's Talking's delivery report callback."""
    return {"id": message_id, "status": status, "phoneNumber": "+27821234567",
            "networkCode": "65501", "retryCount": "0", **extra}


def handle_inbound_tasks() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="handle_inbound").count()


def test_an_incoming_sms_is_stored_and_handed_to_the_engine(client,
                                                             django_assert_max_num_queries):
    with django_assert_max_num_queries(1):  # the row, and nothing else
        response = client.post(URL, INCOMING)
    assert response.status_code == 200
    [inbound] = InboundMessage.objects.all()
    assert (inbound.provider, inbound.provider_message_id, inbound.channel, inbound.sender) == (
        "africastalking", INCOMING["id"], "sms", "+27821234567")
    assert inbound.payload["kind"] == "text" and inbound.payload["text"] == "Water leak"
    assert inbound.payload["sent_at"] == datetime(2024, 5, 2, 10, 15, 30, tzinfo=UTC).isoformat()
    assert handle_inbound_tasks() == 0  # the clock's pump hands it out, not the request
    assert inbound_pump() == 1 and handle_inbound_tasks() == 1


def test_a_retried_callback_stores_one_message_and_acts_once(client):
    assert client.post(URL, INCOMING).status_code == 200
    assert client.post(URL, INCOMING).status_code == 200
    assert InboundMessage.objects.count() == 1
    assert inbound_pump() == 1 and handle_inbound_tasks() == 1


def test_an_empty_sms_is_still_a_message(client):
    assert client.post(URL, {**INCOMING, "text": ""}).status_code == 200
    assert InboundMessage.objects.get().payload["text"] == ""


@pytest.mark.parametrize("broken", [
    {"id": ""}, {"from": ""}, {"from": "not a phone"}, {"from": "+2782"},
])
def test_a_malformed_callback_is_refused_and_nothing_is_stored(client, broken):
    response = client.post(URL, {**INCOMING, **broken})
    assert response.status_code == 400
    assert not InboundMessage.objects.exists() and handle_inbound_tasks() == 0


def test_a_callback_missing_a_field_is_refused(client):
    for field in ("from", "id", "text"):
        payload = {k: v for k, v in INCOMING.items() if k != field}
        assert client.post(URL, payload).status_code == 400
    assert not InboundMessage.objects.exists()


@pytest.fixture
def sent_message(use_providers, settings):
    """An SMS handed to Africa's Talking (faked at HTTP), waiting for its reports."""
    settings.AFRICASTALKING_API_URL = API
    use_providers(sms=SMS)
    message = queue()
    with respx.mock:
        respx.post(f"{API}/version1/messaging").mock(return_value=httpx.Response(201, json={
            "SMSMessageData": {"Message": "Sent to 1/1 Total Cost: ZAR 0.2000", "Recipients": [{
                "statusCode": 101, "number": "+27821234567", "status": "Success",
                "cost": "ZAR 0.2000", "messageId": "ATXid_4b6f0d2c8a1e"}]}}))
        message_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.provider) == (Status.SENT, "africastalking")
    return message


def test_a_success_report_marks_the_message_delivered(client, sent_message):
    assert client.post(URL, report("ATXid_4b6f0d2c8a1e", "Success")).status_code == 200
    sent_message.refresh_from_db()
    assert sent_message.status == Status.DELIVERED and sent_message.delivered_at


@pytest.mark.parametrize("status", ["Sent", "Submitted", "Buffered"])
def test_a_report_on_the_way_keeps_the_message_sent(client, sent_message, status):
    assert client.post(URL, report("ATXid_4b6f0d2c8a1e", status)).status_code == 200
    sent_message.refresh_from_db()
    assert sent_message.status == Status.SENT


@pytest.mark.parametrize(("status", "reason"), [
    ("Failed", "UserInBlackList"), ("Rejected", "DeliveryFailure"), ("Failed", ""),
])
def test_a_failed_report_marks_it_undeliverable_with_the_reason(client, sent_message, status,
                                                                 reason):
    fields = report("ATXid_4b6f0d2c8a1e", status, **({"failureReason": reason} if reason else {}))
    assert client.post(URL, fields).status_code == 200
    sent_message.refresh_from_db()
    assert sent_message.status == Status.UNDELIVERABLE
    assert sent_message.last_error == (reason or status)


def test_a_late_sent_report_does_not_undo_delivery(client, sent_message):
    client.post(URL, report("ATXid_4b6f0d2c8a1e", "Success"))
    client.post(URL, report("ATXid_4b6f0d2c8a1e", "Sent"))
    sent_message.refresh_from_db()
    assert sent_message.status == Status.DELIVERED


def test_a_report_with_an_unknown_status_changes_nothing(client, sent_message):
    assert client.post(URL, report("ATXid_4b6f0d2c8a1e", "Teleported")).status_code == 200
    sent_message.refresh_from_db()
    assert sent_message.status == Status.SENT


def test_a_report_without_an_id_is_malformed(client, sent_message):
    assert client.post(URL, report("", "Success")).status_code == 400
    sent_message.refresh_from_db()
    assert sent_message.status == Status.SENT
