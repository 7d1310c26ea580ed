"""A message its channel cannot deliver goes to the resident's next channel, once."""

import pytest

from imbizo.accounts.services import (
    channel_address_link,
    channel_opt_out,
    citizen_update,
)
from imbizo.core.permissions import system_actor
from imbizo.messaging.models import OutboundMessage, Status
from imbizo.messaging.providers import TransientProviderError
from imbizo.messaging.screens import Choice, Screen
from imbizo.messaging.services import (
    MAX_ATTEMPTS,
    citizen_notify,
    message_receipt,
    messages_send,
)

from .conftest import DEV, GATEWAY
from .helpers import HttpGateway, queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliver(clock, django_capture_on_commit_callbacks):
    """Run the send task for every message due, over and over, as the worker would,
    moving the clock to each retry; returns the messages, oldest first."""
    def run(limit: int = 20) -> list[OutboundMessage]:
        for _ in range(limit):
            waiting = OutboundMessage.objects.filter(status=Status.QUEUED)
            if not waiting.exists():
                break
            clock.move_to(max(clock.now, min(m.next_attempt_at for m in waiting)))
            with django_capture_on_commit_callbacks(execute=True):
                messages_send(message_ids=[m.pk for m in waiting])
        return list(OutboundMessage.objects.order_by("pk"))
    return run


def notify(citizen, **kwargs):
    return citizen_notify(citizen=citizen, purpose="service",
                          text_for_language="Your report DMO-7 was fixed.",
                          dedupe_key=f"case:7:status:1:citizen:{citizen.pk}", **kwargs)


def chain(first: OutboundMessage) -> list[tuple[str, str]]:
    """(channel, status) of a message and each message that carried it on."""
    found, message = [], first
    while message is not None:
        message.refresh_from_db()
        found.append((message.channel, message.status))
        message = OutboundMessage.objects.filter(fallback_of=message).first()
    return found


def test_a_closed_whatsapp_window_sends_the_message_by_sms(make_resident, http_gateway, deliver):
    citizen = make_resident(channel="whatsapp")
    http_gateway.script = [409]  # the window is closed and no template fits
    message = notify(citizen)
    deliver()
    assert chain(message) == [("whatsapp", "failed"), ("sms", "sent")]
    message.refresh_from_db()
    assert message.fallback.to == citizen.phone and "ChannelClosed" in message.last_error
    assert message.fallback.dedupe_key == f"{message.dedupe_key}>sms"
    assert (message.fallback.body, message.fallback.purpose, message.fallback.citizen) == (
        message.body, "service", citizen)
    assert http_gateway.to(citizen.phone) == ["Your report DMO-7 was fixed."]


def test_a_permanent_refusal_falls_back_too(make_resident, http_gateway, deliver):
    http_gateway.script = [400]
    message = notify(make_resident(channel="whatsapp"))
    deliver()
    assert chain(message) == [("whatsapp", "failed"), ("sms", "sent")]


def test_when_the_retries_run_out_the_next_channel_is_tried(make_resident, http_gateway,
                                                           deliver):
    http_gateway.script = [503] * MAX_ATTEMPTS
    message = notify(make_resident(channel="whatsapp"))
    deliver()
    assert chain(message) == [("whatsapp", "failed"), ("sms", "sent")]
    message.refresh_from_db()
    assert message.attempts == MAX_ATTEMPTS and "503" in message.last_error


def test_an_undeliverable_receipt_falls_back(make_resident, http_gateway, deliver):
    message = notify(make_resident(channel="whatsapp"))
    deliver()
    message.refresh_from_db()
    message_receipt(provider="gateway", provider_message_id=message.provider_message_id,
                    status="undeliverable", error="131026 Message undeliverable")
    message_receipt(provider="gateway", provider_message_id=message.provider_message_id,
                    status="undeliverable")  # the provider repeats itself: nothing more
    deliver()
    assert chain(message) == [("whatsapp", "undeliverable"), ("sms", "sent")]
    assert OutboundMessage.objects.count() == 2


def test_the_order_is_preferred_then_whatsapp_sms_telegram_email(make_resident, http_gateway,
                                                                 deliver):
    citizen = make_resident(channel="sms", email="thandi@example.org")
    channel_address_link(actor=system_actor("telegram"), channel="telegram",
                         address="734001", phone=citizen.phone)
    http_gateway.script = [400] * 4
    message = notify(citizen)
    deliver()
    assert chain(message) == [("sms", "failed"), ("whatsapp", "failed"),
                              ("telegram", "failed"), ("email", "failed")]
    last = OutboundMessage.objects.get(channel="telegram")
    assert last.to == "734001"  # the linked chat
    assert len(http_gateway.requests) == 4  # each channel tried once


def test_a_linked_telegram_is_the_first_channel_of_a_resident_who_prefers_it(
        make_resident, http_gateway, deliver):
    citizen = make_resident(channel="sms")
    channel_address_link(actor=system_actor("telegram"), channel="telegram",
                         address="734001", phone=citizen.phone)
    citizen = citizen_update(actor=system_actor("cli"), citizen=citizen,
                             preferred_channel="telegram")
    message = notify(citizen)
    assert (message.channel, message.to) == ("telegram", "734001")


def test_channels_without_a_provider_opted_out_or_unable_to_push_are_skipped(
        make_resident, http_gateway, deliver, use_providers):
    use_providers(sms=GATEWAY, whatsapp=GATEWAY)  # e-mail on dev; Telegram unconfigured
    citizen = make_resident(channel="ussd")  # cannot push: SMS stands for it
    channel_address_link(actor=system_actor("telegram"), channel="telegram",
                         address="734001", phone=citizen.phone)
    http_gateway.script = [400]
    message = notify(citizen)
    channel_opt_out("whatsapp", citizen.phone)
    deliver()
    assert chain(message) == [("sms", "failed")]  # every channel left was skipped
    message.refresh_from_db()
    assert message.last_error == "PermanentProviderError: HTTP 400: refused"


def test_a_message_with_no_resident_has_nowhere_else_to_go(http_gateway, deliver):
    http_gateway.script = [400]
    message = queue(channel="whatsapp")
    deliver()
    assert chain(message) == [("whatsapp", "failed")]


def test_a_conversation_screen_stays_on_its_channel(make_resident, http_gateway, deliver):
    citizen = make_resident(channel="whatsapp")
    http_gateway.script = [400]
    screen = Screen("Main menu", (Choice("1", "Report a fault"),))
    message = queue(channel="whatsapp", to=citizen.phone, citizen=citizen,
                    payload=screen.as_payload(), dedupe_key="reply:1:0")
    deliver()
    assert chain(message) == [("whatsapp", "failed")]


class ShortSms(HttpGateway):
    max_length = 160


def test_a_text_too_long_for_the_next_channel_skips_it(make_resident, use_providers,
                                                       http_gateway, deliver):
    use_providers(whatsapp=GATEWAY, sms=f"{__name__}.ShortSms", email=GATEWAY)
    citizen = make_resident(channel="whatsapp", email="thandi@example.org")
    http_gateway.script = [400]
    message = citizen_notify(citizen=citizen, purpose="service", text_for_language="x" * 300)
    deliver()
    assert chain(message) == [("whatsapp", "failed"), ("email", "sent")]


def test_an_erased_resident_s_message_does_not_fall_back(make_resident, http_gateway, deliver,
                                                        clock):
    citizen = make_resident(channel="whatsapp")
    message = notify(citizen)
    citizen.erased = clock.now
    citizen.save(update_fields=["erased"])
    deliver()
    assert chain(message) == [("whatsapp", "failed")] and http_gateway.requests == []


def test_a_delivered_message_has_no_fallback(make_resident, use_providers, deliver):
    use_providers(sms=DEV)
    message = notify(make_resident())
    deliver()
    assert chain(message) == [("sms", "delivered")]


def test_a_transient_error_is_retried_on_the_same_channel_first(make_resident, http_gateway,
                                                               deliver):
    http_gateway.script = [TransientProviderError("x")]  # raised inside the gateway call
    message = notify(make_resident(channel="whatsapp"))
    deliver()
    assert chain(message) == [("whatsapp", "sent")]


def test_the_admin_shows_where_a_message_went_next(make_resident, http_gateway, deliver,
                                                   make_staff, client):
    from imbizo.accounts.models import Role

    http_gateway.script = [409]
    message = notify(make_resident(channel="whatsapp"))
    deliver()
    message.refresh_from_db()
    client.force_login(make_staff({"role": Role.PLATFORM_ADMIN}).user)
    page = client.get(f"/admin/messaging/outboundmessage/{message.pk}/change/")
    assert page.status_code == 200
    assert f"/admin/messaging/outboundmessage/{message.fallback.pk}/change/" in page.text
