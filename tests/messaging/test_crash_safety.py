"""A process that dies between any two steps of a message (queued, claimed, handed to
the provider, recorded; failed, fallback queued) leaves it to the clock's re-drive:
never dropped, never sent twice. A death is what a killed worker leaves: no task enqueued
after a commit, a claimed row, or a ``SystemExit`` from inside the provider's HTTP call,
which nothing in the outbox catches."""

import pytest
from django_tasks_db.models import DBTaskResult

from imbizo.messaging.models import OutboundMessage, Status
from imbizo.messaging.services import (
    SEND_LEASE,
    citizen_notify,
    message_dispatch_due,
    messages_send,
)

from .helpers import DIES_AFTER_ACCEPTING, queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(django_capture_on_commit_callbacks):
    """Run, as the worker does, every send task on the queue, once each."""
    def run() -> None:
        tasks = list(DBTaskResult.objects.filter(status="READY"))
        DBTaskResult.objects.filter(pk__in=[t.pk for t in tasks]).delete()
        for task in tasks:
            ids = task.args_kwargs["args"][0]
            with django_capture_on_commit_callbacks(execute=True):
                messages_send(message_ids=ids if isinstance(ids, list) else [ids])
    return run


@pytest.fixture
def clock_tick(clock, django_capture_on_commit_callbacks):
    """The clock's re-drive, ``seconds`` after now."""
    def tick(seconds: float) -> int:
        clock.advance(seconds=seconds)
        with django_capture_on_commit_callbacks(execute=True):
            return message_dispatch_due()
    return tick


def lost_queue() -> None:
    """The task queue loses everything it held (the process died before its enqueue)."""
    DBTaskResult.objects.all().delete()


def test_queued_then_the_task_is_lost(http_gateway, clock, clock_tick, worker):
    message = queue()  # committed; the on-commit enqueue never ran
    worker()
    assert http_gateway.requests == []
    assert clock_tick(31) == 1
    worker()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 1)
    assert len(http_gateway.requests) == 1


def test_claimed_then_the_worker_dies_before_the_call(http_gateway, clock, clock_tick, worker):
    message = queue()
    # What a worker killed right after its claim leaves: one attempt counted, held.
    OutboundMessage.objects.filter(pk=message.pk).update(attempts=1,
                                                         next_attempt_at=clock.now + SEND_LEASE)
    assert clock_tick(30) == 0  # held by the lease, then the grace
    assert clock_tick(31) == 1
    worker()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 2)
    assert len(http_gateway.requests) == 1


def test_the_worker_dies_during_the_call(http_gateway, clock, clock_tick, worker,
                                         django_capture_on_commit_callbacks):
    message = queue()
    http_gateway.script = [SystemExit("SIGKILL")]
    with pytest.raises(SystemExit):
        messages_send(message_ids=[message.pk])
    assert clock_tick(61) == 1
    worker()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 2)
    assert len(http_gateway.delivered) == 1


def test_the_provider_accepts_and_the_worker_dies_before_recording_it(
        http_gateway, clock, clock_tick, worker):
    """The outbox cannot know the first call got through: it tries again, with the same
    reference, which a gateway with idempotency keys drops."""
    message = queue()
    http_gateway.script = [DIES_AFTER_ACCEPTING]
    with pytest.raises(SystemExit):
        messages_send(message_ids=[message.pk])
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.QUEUED, 1)
    assert clock_tick(61) == 1
    worker()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 2)
    references = [r["reference"] for r in http_gateway.requests]
    assert references == [str(message.uuid)] * 2
    assert http_gateway.to(message.to) == [message.body]  # reached the resident once
    assert clock_tick(3600) == 0


def test_the_worker_dies_between_the_refusal_and_the_fallback(
        make_resident, http_gateway, clock, clock_tick, worker,
        django_capture_on_commit_callbacks):
    """Failing the original and queuing its fallback are one transaction: a worker killed
    before its commit leaves the original claimed; the next attempt decides again."""
    citizen = make_resident(channel="whatsapp")
    message = citizen_notify(citizen=citizen, purpose="service", text_for_language="News.",
                             dedupe_key="case:1:status:2:citizen:3")
    http_gateway.script = [SystemExit("SIGKILL"), 409]
    with pytest.raises(SystemExit):
        messages_send(message_ids=[message.pk])
    assert not OutboundMessage.objects.filter(fallback_of=message).exists()
    assert clock_tick(61) == 1
    worker()  # refused again: failed, and the SMS queued with it
    worker()  # the SMS goes
    for _ in range(3):  # the clock and copies of every task find nothing more to do
        clock_tick(3600)
        with django_capture_on_commit_callbacks(execute=True):
            messages_send(message_ids=list(OutboundMessage.objects.values_list("pk", flat=True)))
        worker()
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert OutboundMessage.objects.count() == 2
    assert message.fallback.status == Status.SENT and message.fallback.channel == "sms"
    assert http_gateway.to(citizen.phone) == ["News."]


def test_the_fallback_is_queued_and_its_task_is_lost(make_resident, http_gateway, clock,
                                                      clock_tick, worker):
    citizen = make_resident(channel="whatsapp")
    message = citizen_notify(citizen=citizen, purpose="service", text_for_language="News.")
    http_gateway.script = [409]
    messages_send(message_ids=[message.pk])  # its on-commit enqueue of the SMS never runs
    lost_queue()
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.fallback.status == Status.QUEUED
    assert clock_tick(31) == 1
    worker()
    message.fallback.refresh_from_db()
    assert message.fallback.status == Status.SENT
    assert http_gateway.to(citizen.phone) == ["News."]
