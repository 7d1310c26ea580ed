"""Delivery receipts: idempotent, and never moving a message backwards."""

from datetime import timedelta

import pytest

from imbizo.core.errors import ImbizoError
from imbizo.messaging.models import Status
from imbizo.messaging.providers import Provider, SendResult
from imbizo.messaging.services import message_receipt, message_send

from .helpers import queue


class ReportingGateway(Provider):
    """Accepts every message; its delivery reports come later, by webhook."""

    name = "reporting"
    channels = frozenset({"sms"})
    max_length = 918
    supports_receipts = True

    def send(self, message):
        return SendResult(provider_message_id=f"rp-{message.pk}")


@pytest.fixture
def sent(db, use_providers):
    use_providers(sms=f"{__name__}.ReportingGateway")
    message = message_send(message_id=queue().pk)
    assert message.status == Status.SENT
    return message


def receipt(message, status, **kwargs):
    return message_receipt(provider="reporting", provider_message_id=message.provider_message_id,
                           status=status, **kwargs)


def test_a_delivery_receipt_marks_the_message_delivered_at_its_time(sent, clock):
    at = clock.now - timedelta(seconds=5)
    message = receipt(sent, "delivered", at=at)
    assert (message.status, message.delivered_at) == (Status.DELIVERED, at)
    sent.refresh_from_db()
    assert (sent.status, sent.delivered_at) == (Status.DELIVERED, at)


def test_a_repeated_receipt_changes_nothing(sent, clock):
    first = clock.now
    receipt(sent, "delivered", at=first)
    clock.advance(minutes=3)
    receipt(sent, "delivered", at=clock.now)
    sent.refresh_from_db()
    assert (sent.status, sent.delivered_at) == (Status.DELIVERED, first)


@pytest.mark.parametrize("late", ["sent", "undeliverable", "delivered"])
def test_a_late_receipt_never_moves_a_delivered_message_backwards(sent, late):
    receipt(sent, "delivered")
    assert receipt(sent, late).status == Status.DELIVERED
    sent.refresh_from_db()
    assert sent.status == Status.DELIVERED


def test_an_undeliverable_report_is_final(sent):
    assert receipt(sent, "sent").status == Status.SENT  # a "sent" report on a sent message
    assert receipt(sent, "undeliverable").status == Status.UNDELIVERABLE
    assert receipt(sent, "delivered").status == Status.UNDELIVERABLE
    sent.refresh_from_db()
    assert sent.status == Status.UNDELIVERABLE and sent.delivered_at is None


def test_a_receipt_for_an_unknown_message_is_a_not_found_error(sent):
    with pytest.raises(ImbizoError) as err:
        message_receipt(provider="reporting", provider_message_id="rp-nope", status="delivered")
    assert (err.value.code, err.value.status) == ("message_not_found", 404)
    # the same id reported by another provider is not ours either
    with pytest.raises(ImbizoError) as err:
        message_receipt(provider="dev", provider_message_id=sent.provider_message_id,
                        status="delivered")
    assert err.value.code == "message_not_found"
    sent.refresh_from_db()
    assert sent.status == Status.SENT


def test_a_receipt_with_an_unknown_status_is_refused(sent):
    for status in ("queued", "failed", "read"):
        with pytest.raises(ImbizoError) as err:
            receipt(sent, status)
        assert err.value.code == "unknown_receipt_status"


def test_a_receipt_costs_two_queries(sent, django_assert_num_queries):
    with django_assert_num_queries(2):
        receipt(sent, "delivered")
    with django_assert_num_queries(1):
        receipt(sent, "delivered")
