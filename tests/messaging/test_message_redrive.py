"""Copies of a send task (the clock's re-drive, a reclaimed task) never send a message
before its time, never send one attempt twice and never start a second retry chain; a
message whose worker died mid-send is sent again within a minute."""

import pytest
from django_tasks_db.models import DBTaskResult

from imbizo.messaging.models import Status
from imbizo.messaging.providers import Provider, SendResult, TransientProviderError
from imbizo.messaging.services import SEND_LEASE, message_dispatch_due, message_send

from .helpers import queue

pytestmark = pytest.mark.django_db


class Gateway(Provider):
    """An SMS gateway scripted per call: "down" fails for now, "die" kills the worker
    mid-send, a callable runs (another worker) and then the call fails."""

    name = "scripted"
    channels = frozenset({"sms"})
    max_length = 160
    script: list = []
    calls = 0

    def send(self, message):
        type(self).calls += 1
        step = self.script.pop(0) if self.script else "ok"
        if step == "die":
            raise SystemExit("SIGKILL")  # nothing in message_send catches it
        if callable(step):
            step()
            step = "down"
        if step == "down":
            raise TransientProviderError("gateway timeout")
        return SendResult(provider_message_id=f"gw-{type(self).calls}")


@pytest.fixture
def gateway(use_providers):
    use_providers(sms=f"{__name__}.Gateway")
    Gateway.script, Gateway.calls = [], 0
    return Gateway


def send(message, capture):
    """One run of the send task, with the retry it enqueues after commit."""
    with capture(execute=True):
        return message_send(message_id=message.pk)


def retries() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(status="READY").order_by("run_after"))


def test_a_copy_of_the_task_before_the_retry_time_sends_nothing(
        gateway, clock, django_capture_on_commit_callbacks):
    message = queue()
    gateway.script = ["down"]
    send(message, django_capture_on_commit_callbacks)
    (retry,) = retries()
    clock.advance(seconds=10)
    again = send(message, django_capture_on_commit_callbacks)  # a re-driven copy, early
    assert (again.status, again.attempts, gateway.calls) == (Status.QUEUED, 1, 1)
    assert retries() == [retry]


def test_an_attempt_outlived_by_its_lease_starts_no_second_retry_chain(
        gateway, clock, django_capture_on_commit_callbacks):
    message = queue()

    def another_worker_takes_it_on():
        clock.advance(seconds=SEND_LEASE.total_seconds() + 1)
        message_send(message_id=message.pk)  # its attempt fails too

    gateway.script = [another_worker_takes_it_on, "down"]
    send(message, django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert (message.status, message.attempts, gateway.calls) == (Status.QUEUED, 2, 2)
    (retry,) = retries()  # the second attempt's; the first found the message taken on
    assert retry.run_after == message.next_attempt_at


def test_a_message_whose_worker_died_mid_send_is_sent_again_within_a_minute(
        gateway, clock, django_capture_on_commit_callbacks):
    message = queue()
    gateway.script = ["die"]
    with pytest.raises(SystemExit):
        send(message, django_capture_on_commit_callbacks)
    assert not retries()
    clock.advance(seconds=59)
    assert message_dispatch_due() == 0  # its lease, then the grace, have not both passed
    clock.advance(seconds=1)
    assert message_dispatch_due() == 1
    assert message_dispatch_due() == 0  # enqueued again once per grace, not every tick
    sent = send(message, django_capture_on_commit_callbacks)
    assert (sent.status, sent.attempts, gateway.calls) == (Status.SENT, 2, 2)
    assert send(message, django_capture_on_commit_callbacks).attempts == 2  # the copy
    assert gateway.calls == 2
