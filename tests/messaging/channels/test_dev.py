"""The development provider: the row is the delivery, and the log holds only the uuid."""

import logging

import pytest

from imbizo.messaging.channels.dev import DevProvider
from imbizo.messaging.models import Status
from imbizo.messaging.providers import Provider, provider_for
from imbizo.messaging.services import message_send

from ..helpers import queue

pytestmark = pytest.mark.django_db


def test_it_declares_what_it_can_do():
    assert issubclass(DevProvider, Provider)
    assert DevProvider.name == "dev" and DevProvider.supports_receipts
    assert {"sms", "whatsapp", "email"} <= DevProvider.channels
    assert DevProvider.max_length == 918  # six GSM-7 SMS segments


def test_it_carries_every_channel_by_default(settings):
    del settings.MESSAGING_PROVIDERS
    for channel in ("sms", "whatsapp", "email"):
        assert isinstance(provider_for(channel), DevProvider)


def test_a_message_is_sent_with_a_fresh_id_and_delivered_at_once(caplog):
    caplog.set_level(logging.INFO, logger="imbizo.messaging.channels.dev")
    first = message_send(message_id=queue(body="Hello from the dev provider").pk)
    second = message_send(message_id=queue().pk)
    assert (first.status, first.provider, first.attempts) == (Status.DELIVERED, "dev", 1)
    assert first.delivered_at is not None
    assert first.provider_message_id != second.provider_message_id
    lines = [r.getMessage() for r in caplog.records if r.name.endswith(".dev.provider")]
    assert lines == [f"dev provider delivered message {m.uuid}" for m in (first, second)]
