"""The outbox through the real database task queue and its ``db_worker``."""

from datetime import timedelta

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from imbizo.messaging import services
from imbizo.messaging.models import Status
from imbizo.messaging.providers import Provider, SendResult, TransientProviderError
from imbizo.messaging.services import message_dispatch_due

from .helpers import queue

pytestmark = pytest.mark.django_db(transaction=True)


class DownOnceProvider(Provider):
    """An SMS gateway that times out once, then accepts (no delivery report yet)."""

    name = "down-once"
    channels = frozenset({"sms"})
    max_length = 160
    calls = 0

    def send(self, message):
        type(self).calls += 1
        if type(self).calls == 1:
            raise TransientProviderError("gateway timeout")
        return SendResult(provider_message_id=f"gw-{type(self).calls}")


def test_a_queued_message_is_sent_by_the_worker_and_delivered(run_worker):
    message = queue()
    task = DBTaskResult.objects.get()
    assert task.task_path == "imbizo.messaging.tasks.send_message"
    assert task.args_kwargs == {"args": [message.pk], "kwargs": {}}
    assert message.status == Status.QUEUED

    run_worker()

    message.refresh_from_db()
    assert (message.status, message.provider, message.attempts) == (Status.DELIVERED, "dev", 1)
    assert message.provider_message_id.startswith("dev-")
    assert message.sent_at <= message.delivered_at and message.next_attempt_at is None
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL" and task.return_value == "delivered"


def test_nothing_is_enqueued_when_the_callers_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue()
        raise RuntimeError("the case change failed")
    assert not DBTaskResult.objects.exists()


def test_a_transient_failure_is_retried_by_the_worker_after_its_back_off(
        run_worker, clock, use_providers):
    use_providers(sms=f"{__name__}.DownOnceProvider")
    DownOnceProvider.calls = 0
    message = queue(body="Short text")
    run_worker()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.QUEUED, 1)
    assert message.next_attempt_at == clock.now + timedelta(seconds=60)
    assert message.last_error == "TransientProviderError: gateway timeout"
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after == message.next_attempt_at

    clock.advance(seconds=59)
    run_worker()  # not due yet: the worker leaves it
    assert DownOnceProvider.calls == 1

    clock.advance(seconds=1)
    run_worker()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_message_id) == (
        Status.SENT, 2, "gw-2")
    assert message.last_error == "" and DownOnceProvider.calls == 2


def test_a_message_whose_task_was_lost_is_dispatched_again(run_worker, clock, monkeypatch):
    def queue_down(*args, **kwargs):
        raise ConnectionError("the task queue is down")

    with monkeypatch.context() as patch:
        patch.setattr(services, "_enqueue_send", queue_down)
        message = queue()  # committed; the commit callback fails and is only logged
    assert not DBTaskResult.objects.exists()

    assert message_dispatch_due() == 0  # within the grace period a task may still be on its way
    clock.advance(minutes=11)
    assert message_dispatch_due() == 1
    run_worker()
    message.refresh_from_db()
    assert message.status == Status.DELIVERED and message.attempts == 1
