"""One attempt at a time: back-off on transient errors, none after permanent ones."""

from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from imbizo.messaging.models import Status
from imbizo.messaging.providers import (
    PermanentProviderError,
    Provider,
    SendResult,
    TransientProviderError,
)
from imbizo.messaging.services import MAX_ATTEMPTS, citizen_notify, message_send

from .helpers import queue


class FakeGateway(Provider):
    """Fails with the errors in ``script`` (one per call), then accepts."""

    name = "fake-gateway"
    channels = frozenset({"sms"})
    max_length = 160
    supports_receipts = True
    script: list[Exception] = []
    sent: list[str] = []

    def send(self, message):
        if self.script:
            raise self.script.pop(0)
        self.sent.append(str(message.uuid))
        return SendResult(provider_message_id=f"fg-{len(self.sent)}")


@pytest.fixture
def gateway(use_providers):
    use_providers(sms=f"{__name__}.FakeGateway")
    FakeGateway.script, FakeGateway.sent = [], []
    return FakeGateway


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run ``message_send`` as the task would, enqueuing its retry on commit."""
    def run(message):
        with django_capture_on_commit_callbacks(execute=True):
            message_send(message_id=message.pk)
        message.refresh_from_db()
        return message
    return run


@pytest.fixture
def queued(db, django_capture_on_commit_callbacks):
    def make(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return queue(**{"body": "Short text", **kwargs})
    return make


def retry_times() -> list:
    return list(DBTaskResult.objects.exclude(run_after__year=9999)
                .order_by("run_after").values_list("run_after", flat=True))


def test_transient_failures_back_off_exponentially_then_succeed(gateway, clock, queued, send):
    gateway.script = [TransientProviderError("timeout")] * 3
    message = queued()
    waits, due = [], []
    for attempt in (1, 2, 3):
        message = send(message)
        assert (message.status, message.attempts) == (Status.QUEUED, attempt)
        waits.append(message.next_attempt_at - clock.now)
        due.append(message.next_attempt_at)
        clock.move_to(message.next_attempt_at)
    assert waits == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
    assert retry_times() == due  # each retry went to the queue with its run_after

    message = send(message)
    assert (message.status, message.attempts, message.provider_message_id) == (
        Status.SENT, 4, "fg-1")
    assert message.next_attempt_at is None and message.last_error == ""


def test_a_retry_task_runs_no_earlier_than_the_back_off(gateway, clock, queued, send):
    gateway.script = [TransientProviderError("timeout")]
    message = send(queued())
    assert retry_times() == [message.next_attempt_at]
    clock.advance(seconds=30)
    message = send(message)  # a duplicate task, early: it must not send
    assert message.attempts == 1 and gateway.sent == []


def test_a_permanent_failure_is_not_retried(gateway, clock, queued, send):
    gateway.script = [PermanentProviderError("number not on the network")]
    message = send(queued())
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert message.last_error == "PermanentProviderError: number not on the network"
    assert message.next_attempt_at is None and retry_times() == []
    clock.advance(days=1)
    assert send(message).attempts == 1 and gateway.sent == []


def test_the_message_fails_after_its_last_attempt(gateway, clock, queued, send):
    gateway.script = [TransientProviderError("down")] * MAX_ATTEMPTS
    message = queued()
    for _ in range(MAX_ATTEMPTS):
        clock.move_to(max(clock.now, message.next_attempt_at))
        message = send(message)
    assert MAX_ATTEMPTS == 6
    assert (message.status, message.attempts, message.next_attempt_at) == (Status.FAILED, 6, None)
    assert len(retry_times()) == 5  # no seventh attempt is scheduled
    clock.advance(days=1)
    assert send(message).attempts == 6 and gateway.sent == []


def test_an_unexpected_error_is_retried_like_a_transient_one(gateway, queued, send):
    gateway.script = [RuntimeError("bug in a client")]
    message = send(queued())
    assert (message.status, message.attempts) == (Status.QUEUED, 1)
    assert message.last_error == "RuntimeError: bug in a client"


def test_sending_twice_sends_once(gateway, queued, send):
    message = queued()
    send(message)
    send(message)
    assert gateway.sent == [str(message.uuid)]
    assert message.status == Status.SENT and message.attempts == 1


def test_a_body_too_long_for_the_provider_now_in_use_fails_without_sending(
        gateway, queued, send, use_providers):
    use_providers()  # queued on the dev provider (918 characters) ...
    message = queued(body="x" * 300)
    use_providers(sms=f"{__name__}.FakeGateway")  # ... sent by one that takes 160
    message = send(message)
    assert (message.status, message.provider) == (Status.FAILED, "fake-gateway")
    assert "160" in message.last_error and gateway.sent == []


def test_a_message_to_a_resident_erased_meanwhile_is_not_sent(gateway, make_resident, send,
                                                             django_capture_on_commit_callbacks,
                                                             clock):
    citizen = make_resident()
    with django_capture_on_commit_callbacks(execute=True):
        message = citizen_notify(citizen=citizen, purpose="service", text_for_language="Hi")
    citizen.erased = clock.now  # erasure has no service yet; it will set this field
    citizen.save(update_fields=["erased"])
    message = send(message)
    assert (message.status, message.attempts) == (Status.FAILED, 0)
    assert gateway.sent == []
