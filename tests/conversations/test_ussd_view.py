"""End to end through the webhook: Africa's Talking posts its USSD form fields and gets
``CON``/``END`` text back; a fault is logged and a retried hop logs nothing more."""

from imbizo.cases.models import Case
from imbizo.conversations.models import ConversationSession

URL = "/channels/ussd/africastalking"


def hop(client, text: str, session: str = "ATUid_view1"):
    response = client.post(URL, {"sessionId": session, "serviceCode": "*384*123#",
                                 "phoneNumber": "+27821234567", "networkCode": "65501",
                                 "text": text})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert len(body) <= 4 + 182
    return body


def key(body: str, label: str) -> str:
    for line in body.splitlines():
        number, _, rest = line.partition(". ")
        if rest.startswith(label):
            return number.removeprefix("CON ")
    raise AssertionError(f"no {label!r} in {body!r}")


def test_a_fault_logged_through_the_africastalking_webhook(client, citizen):
    inputs: list[str] = []
    body = hop(client, "")
    assert body.startswith("CON ")
    for label in ("Report a fault", "Water", "Burst", "Newlands"):
        inputs.append(key(body, label))
        body = hop(client, "*".join(inputs))
    inputs.append("No water, pipe burst")
    body = hop(client, "*".join(inputs))
    inputs.append(key(body, "Yes"))
    body = hop(client, "*".join(inputs))
    case = Case.objects.get()
    assert body.startswith("END ") and case.reference in body
    assert hop(client, "*".join(inputs)) == body  # the gateway retried: same answer
    assert Case.objects.count() == 1


def test_the_session_end_notification_marks_a_session_resumable(client, citizen):
    body = hop(client, "")
    hop(client, key(body, "Report a fault"))
    client.post(URL, {"sessionId": "ATUid_view1", "phoneNumber": "+27821234567",
                      "status": "Incomplete", "serviceCode": "*384*123#", "input": "1",
                      "durationInMillis": "5000", "networkCode": "65501"})
    assert ConversationSession.objects.get().state == "dropped"
    assert "Continue" in hop(client, "", session="ATUid_view2")


def test_the_session_keeps_no_typed_input_only_a_keyed_mark_of_it(client, citizen):
    """What a resident types on USSD (an ID number, a PIN) is not kept in the session:
    only how many inputs were consumed and a keyed digest, which still tells a retried
    hop and the new input apart."""
    inputs: list[str] = []
    body = hop(client, "")
    for label in ("Report a fault", "Water", "Burst", "Newlands"):
        inputs.append(key(body, label))
        body = hop(client, "*".join(inputs))
    inputs.append("Pipe burst outside 8001015009087")
    body = hop(client, "*".join(inputs))
    assert "Yes" in body  # the description reached the engine as one input
    kept = ConversationSession.objects.get().last_cumulative
    assert kept.startswith(f"{len(inputs)}:") and "8001015009087" not in kept
    assert hop(client, "*".join(inputs)) == body  # a retried hop: the same screen
