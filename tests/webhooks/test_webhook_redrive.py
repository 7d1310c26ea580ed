"""Copies of a delivery's task (the clock's re-drive, a reclaimed task) never send it
before its ``next_attempt_at``, never make one attempt twice and never start a second
retry chain; a delivery whose worker died mid-attempt goes on within a minute."""

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from imbizo.webhooks.models import WebhookAttempt, WebhookDelivery
from imbizo.webhooks.services import (
    ATTEMPT_LEASE,
    webhook_delivery_attempt,
    webhook_dispatch_due,
)

URL = "https://crm.aaa.example/imbizo"


@pytest.fixture
def delivery(subscribe, emit_event, two_municipalities):
    subscribe()
    emit_event("case_logged", two_municipalities[0])
    return WebhookDelivery.objects.get()


@pytest.fixture
def later(monkeypatch):
    """Stop ``timezone.now()`` some seconds after the test began."""
    start = timezone.now()

    def advance(seconds: float) -> None:
        monkeypatch.setattr(timezone, "now", lambda: start + timedelta(seconds=seconds))
    return advance


def attempt(delivery, capture):
    """One run of the task, with the retry it enqueues after commit."""
    with capture(execute=True):
        return webhook_delivery_attempt(delivery_id=delivery.pk)


def test_a_copy_of_the_task_before_the_retry_time_sends_nothing(
        delivery, respx_mock, queued, later, django_capture_on_commit_callbacks):
    route = respx_mock.post(URL).mock(return_value=httpx.Response(500))
    attempt(delivery, django_capture_on_commit_callbacks)
    (retry,) = queued(deferred=True)
    later(10)  # the retry is due at 30 s
    assert attempt(delivery, django_capture_on_commit_callbacks) is None
    delivery.refresh_from_db()
    assert (delivery.attempts, route.call_count) == (1, 1)
    assert queued(deferred=True) == [retry]


def test_an_attempt_in_flight_is_not_made_again_by_a_copy(
        delivery, respx_mock, queued, django_capture_on_commit_callbacks):
    copies = []

    def answer(request):
        copies.append(webhook_delivery_attempt(delivery_id=delivery.pk))  # meanwhile
        return httpx.Response(500)

    route = respx_mock.post(URL).mock(side_effect=answer)
    attempt(delivery, django_capture_on_commit_callbacks)
    assert copies == [None] and route.call_count == 1
    assert len(queued(deferred=True)) == 1


def test_an_attempt_outlived_by_its_lease_starts_no_second_retry_chain(
        delivery, respx_mock, queued, later, django_capture_on_commit_callbacks):
    calls = []

    def answer(request):
        calls.append(request)
        if len(calls) == 1:  # the first worker hangs past its lease; another takes over
            later(ATTEMPT_LEASE.total_seconds() + 1)
            webhook_delivery_attempt(delivery_id=delivery.pk)
        return httpx.Response(503)

    respx_mock.post(URL).mock(side_effect=answer)
    attempt(delivery, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, len(calls)) == ("pending", 2, 2)
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 2
    (retry,) = queued(deferred=True)  # the second attempt's; the first found it taken on
    assert retry.task.run_after == delivery.next_attempt_at
    assert {r.headers["X-Imbizo-Delivery"] for r in calls} == {str(delivery.event_id)}


def test_a_delivery_whose_worker_died_mid_attempt_goes_on_within_a_minute(
        delivery, respx_mock, queued, later, django_capture_on_commit_callbacks):
    posts = []

    def answer(request):
        posts.append(request)
        if len(posts) == 1:
            raise SystemExit("SIGKILL")  # the worker dies mid-request: nothing catches it
        return httpx.Response(200)

    respx_mock.post(URL).mock(side_effect=answer)
    DBTaskResult.objects.all().delete()  # the attempts below stand for its task
    later(0)
    with pytest.raises(SystemExit):
        attempt(delivery, django_capture_on_commit_callbacks)
    later(59)
    assert webhook_dispatch_due() == 0  # its lease, then the grace, have not both passed
    later(60)
    before = len(queued())
    assert webhook_dispatch_due() == 1
    assert webhook_dispatch_due() == 0  # enqueued again once per grace, not every tick
    assert len(queued()) == before + 1
    sent = attempt(delivery, django_capture_on_commit_callbacks)
    assert (sent.status, sent.attempts, len(posts)) == ("succeeded", 2, 2)
    assert attempt(delivery, django_capture_on_commit_callbacks) is None  # the copy
    assert len(posts) == 2


def test_a_queue_that_is_merely_behind_is_not_given_copies_of_its_tasks(
        delivery, queued, later):
    later(0)
    (task,) = queued()  # the delivery's task, waiting behind a long queue
    later(300)
    assert webhook_dispatch_due() == 0  # overdue by 5 minutes, but so is the queue
    DBTaskResult.objects.filter(pk=task.pk).delete()  # lost after all
    assert webhook_dispatch_due() == 1
