"""Sending a delivery: success, retries with backoff, refusals and giving up."""

import time
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from imbizo.core.permissions import system_actor
from imbizo.webhooks.models import WebhookAttempt, WebhookDelivery
from imbizo.webhooks.services import (
    MAX_ATTEMPTS,
    webhook_delivery_attempt,
    webhook_subscription_deactivate,
)

URL = "https://crm.aaa.example/imbizo"


@pytest.fixture
def delivery(subscribe, emit_event, two_municipalities):
    subscribe()
    emit_event("case_logged", two_municipalities[0])
    return WebhookDelivery.objects.get()


def due_now(delivery) -> None:
    """Time passes until the delivery's next attempt is due."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def attempt(delivery, django_capture_on_commit_callbacks):
    """One attempt called directly, with what it queues after commit."""
    with django_capture_on_commit_callbacks(execute=True):
        return webhook_delivery_attempt(delivery_id=delivery.pk)


def test_a_2xx_marks_the_delivery_succeeded(delivery, run_worker, queued, respx_mock):
    route = respx_mock.post(URL).mock(return_value=httpx.Response(202, text="queued"))
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 1
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    logged = WebhookAttempt.objects.get(delivery=delivery)
    assert (logged.response_status, logged.response_body, logged.error) == (202, "queued", "")
    request = route.calls.last.request
    assert request.content == delivery.payload.encode()
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "Imbizo-Webhooks/1"
    assert request.headers["X-Imbizo-Event"] == "case_logged"
    assert request.headers["X-Imbizo-Delivery"] == str(delivery.event_id)
    assert abs(int(request.headers["X-Imbizo-Timestamp"]) - time.time()) < 60
    assert not queued()


def test_a_500_is_retried_after_the_backoff_and_then_succeeds(
        delivery, run_worker, queued, clock_reaches_queued_tasks, respx_mock):
    route = respx_mock.post(URL).mock(side_effect=[httpx.Response(500, text="oops"),
                                                   httpx.Response(200)])
    run_worker()
    delivery.refresh_from_db()
    first = WebhookAttempt.objects.get(delivery=delivery)
    assert delivery.status == "pending" and delivery.attempts == 1
    wait = delivery.next_attempt_at - first.at
    assert timedelta(seconds=30) <= wait < timedelta(seconds=35)
    (retry,) = queued()
    assert retry.task.run_after == delivery.next_attempt_at
    assert retry.task_result.args == [delivery.pk]

    run_worker()  # not due yet: nothing is sent
    assert route.call_count == 1

    clock_reaches_queued_tasks()
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 2
    assert [a.response_status for a in delivery.attempt_log.all()] == [500, 200]
    assert first.response_body == "oops"
    sent = [call.request for call in route.calls]
    assert sent[0].content == sent[1].content == delivery.payload.encode()
    assert {r.headers["X-Imbizo-Delivery"] for r in sent} == {str(delivery.event_id)}
    assert not queued()


@pytest.mark.parametrize("status", [301, 400, 401, 403, 404, 410, 422])
def test_a_refusal_is_not_retried(delivery, run_worker, queued, respx_mock, status):
    respx_mock.post(URL).mock(return_value=httpx.Response(status))
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 1
    assert delivery.next_attempt_at is None and delivery.delivered_at is None
    assert WebhookAttempt.objects.get().response_status == status
    assert not queued()


@pytest.mark.parametrize("status", [408, 409, 425, 429, 500, 502, 503, 504])
def test_a_server_error_or_a_please_wait_is_retried(delivery, queued, respx_mock, status,
                                                    django_capture_on_commit_callbacks):
    respx_mock.post(URL).mock(return_value=httpx.Response(status))
    attempt(delivery, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    (retry,) = queued(deferred=True)
    assert retry.task.run_after == delivery.next_attempt_at


@pytest.mark.parametrize("failure", [httpx.ConnectTimeout("timed out"),
                                     httpx.ReadTimeout("timed out"),
                                     httpx.ConnectError("connection refused"),
                                     httpx.RemoteProtocolError("server disconnected")])
def test_a_timeout_or_connection_error_is_retried(delivery, run_worker, queued, respx_mock,
                                                  failure):
    respx_mock.post(URL).mock(side_effect=failure)
    run_worker()
    delivery.refresh_from_db()
    logged = WebhookAttempt.objects.get()
    assert logged.response_status is None
    assert logged.error == f"{type(failure).__name__}: {failure}"
    assert delivery.status == "pending" and delivery.attempts == 1
    (retry,) = queued()
    assert retry.task.run_after == delivery.next_attempt_at


def test_it_gives_up_after_the_last_attempt_with_doubling_waits(
        delivery, queued, respx_mock, django_capture_on_commit_callbacks):
    respx_mock.post(URL).mock(return_value=httpx.Response(503))
    waits = []
    for number in range(1, MAX_ATTEMPTS + 1):
        due_now(delivery)
        attempt(delivery, django_capture_on_commit_callbacks)
        delivery.refresh_from_db()
        assert delivery.attempts == number
        if delivery.next_attempt_at:
            sent_at = delivery.attempt_log.last().at
            waits.append(round((delivery.next_attempt_at - sent_at).total_seconds()))
    assert waits == [30, 60, 120, 240, 480, 960, 1920]
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == MAX_ATTEMPTS == 8
    assert len(queued(deferred=True)) == MAX_ATTEMPTS - 1
    assert attempt(delivery, django_capture_on_commit_callbacks) is None
    assert WebhookAttempt.objects.count() == MAX_ATTEMPTS


def test_a_task_run_twice_sends_once(delivery, respx_mock, django_capture_on_commit_callbacks):
    route = respx_mock.post(URL).mock(return_value=httpx.Response(200))
    assert attempt(delivery, django_capture_on_commit_callbacks).status == "succeeded"
    assert attempt(delivery, django_capture_on_commit_callbacks) is None
    assert route.call_count == 1


def test_only_the_start_of_a_long_answer_is_kept(delivery, respx_mock,
                                                 django_capture_on_commit_callbacks):
    respx_mock.post(URL).mock(return_value=httpx.Response(500, text="ü" * 50_000))
    attempt(delivery, django_capture_on_commit_callbacks)
    assert WebhookAttempt.objects.get().response_body == "ü" * 1000


def test_a_pending_delivery_of_a_deactivated_subscription_is_not_sent(
        delivery, run_worker, queued, respx_mock):
    route = respx_mock.post(URL).mock(return_value=httpx.Response(200))
    respx_mock.assert_all_called = False
    webhook_subscription_deactivate(actor=system_actor(), subscription=delivery.subscription)
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "failed" and not route.called
    assert not WebhookAttempt.objects.exists() and not queued()
