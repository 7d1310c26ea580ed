"""The one webhook view in front of every plugin: what it answers before any plugin reads."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_unknown_channel_is_404(client):
    response = client.post("/channels/carrier-pigeon", data="x", content_type="text/plain")
    assert response.status_code == 404


def test_a_method_no_provider_uses_is_405_naming_the_allowed_ones(client):
    response = client.put("/channels/whatsapp", data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"


def test_a_plugin_without_a_handshake_refuses_get(client):
    response = client.get("/channels/sms/africastalking")
    assert response.status_code == 405


def test_a_receipt_for_a_message_not_yet_recorded_is_asked_for_again(client):
    """A delivery report can overtake the recording of its own send: the provider is told
    to retry (503), and nothing is changed meanwhile."""
    from imbizo.messaging.models import OutboundMessage

    response = client.post("/channels/sms/africastalking", {
        "id": "ATXid_never-recorded", "status": "Success", "phoneNumber": "+27821234567",
        "networkCode": "65501", "retryCount": "0"})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert not OutboundMessage.objects.exists()
