"""The web chat plugin: no webhook, replies delivered when sent, photos only from the
page's own uploads, addresses that are residents' uuids, and nothing left after an
erasure."""

import pytest
from django.core.files.storage import default_storage

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_erase, citizen_register
from imbizo.conversations.services import inbound_handle
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import Actor, system_actor
from imbizo.messaging.channels.webchat.selectors import webchat_history
from imbizo.messaging.channels.webchat.services import (
    webchat_deliver,
    webchat_photo_keep,
    webchat_post,
)
from imbizo.messaging.models import InboundMessage, OutboundMessage
from imbizo.messaging.plugins import plugin_for, plugin_named
from imbizo.messaging.providers import PermanentProviderError, provider_for
from imbizo.messaging.services import message_queue


@pytest.fixture
def nomsa(municipalities):
    return citizen_register(actor=system_actor("web"), phone="0821234567", name="Nomsa",
                            municipality=municipalities[0])


def test_the_plugin_carries_the_web_channel_and_takes_no_webhook(client, db):
    plugin = plugin_for("web")
    assert plugin is plugin_named("webchat") is provider_for("web")
    assert plugin.shares_photo and plugin.shares_location and not plugin.shares_contact
    answer = client.post("/channels/web", {"text": "hi"})
    assert answer.status_code == 401
    assert InboundMessage.objects.count() == 0


def test_a_reply_is_delivered_as_soon_as_it_is_sent(nomsa):
    message = message_queue(to=str(nomsa.uuid), channel="web", body="Hello", purpose="service",
                            citizen=nomsa)
    assert webchat_deliver(citizen=nomsa) == 1
    message.refresh_from_db()
    assert message.status == "delivered" and message.provider == "webchat"
    assert message.provider_message_id.startswith("web-")
    assert webchat_deliver(citizen=nomsa) == 0


def test_a_web_address_is_a_residents_uuid(nomsa):
    with pytest.raises(ImbizoError) as refused:
        message_queue(to="+27821234567", channel="web", body="Hello", purpose="service")
    assert refused.value.code == "invalid_chat"
    message = message_queue(to=str(nomsa.uuid).upper(), channel="web", body="Hi",
                            purpose="service")
    assert message.to == str(nomsa.uuid)


def test_a_message_is_recorded_once_per_client_id(nomsa):
    first = webchat_post(citizen=nomsa, client_id="abc12345", text="hi")
    assert first is not None
    assert webchat_post(citizen=nomsa, client_id="abc12345", text="hi") is None
    inbound = InboundMessage.objects.get()
    assert inbound.sender == str(nomsa.uuid) and inbound.channel == "web"
    inbound_handle(inbound_id=first)
    inbound.refresh_from_db()
    assert inbound.state == "handled" and inbound.citizen == nomsa  # known by the link


def test_photos_come_only_from_the_pages_uploads(settings, tmp_path, db):
    settings.MEDIA_ROOT = tmp_path
    plugin = plugin_for("web")
    media_id = webchat_photo_keep(b"\xff\xd8\xff fake jpeg")
    assert plugin.fetch_media(media_id)[0] == b"\xff\xd8\xff fake jpeg"
    for bad in ("conversations/pending/x", "webchat/../secret", "webchat/gone"):
        with pytest.raises(PermanentProviderError):
            plugin.fetch_media(bad)
    settings.ATTACHMENT_MAX_BYTES = 4
    with pytest.raises(PermanentProviderError):
        plugin.fetch_media(media_id)
    default_storage.delete(media_id)


def test_the_history_is_the_residents_own(nomsa):
    inbound_handle(inbound_id=webchat_post(citizen=nomsa, client_id="abc12345", text="menu"))
    webchat_deliver(citizen=nomsa)
    history = webchat_history(actor=citizen_actor(nomsa, channel="web"))
    assert [line.mine for line in history.lines] == [True, False]
    assert history.screen is not None and history.screen.choices
    with pytest.raises(PermissionDenied):
        webchat_history(actor=Actor(kind="anonymous", channel="web"))


def test_an_erasure_empties_the_chat_both_ways(nomsa):
    inbound_handle(inbound_id=webchat_post(citizen=nomsa, client_id="abc12345", text="menu"))
    webchat_deliver(citizen=nomsa)
    citizen_erase(actor=citizen_actor(nomsa, channel="web"), citizen=nomsa)
    assert list(InboundMessage.objects.values_list("sender", "payload")) == [("", {})]
    assert list(OutboundMessage.objects.values_list("to", "body")) == [("", "")]
