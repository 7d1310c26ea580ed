"""Domain events become deliveries for the matching subscriptions, after commit."""

import json
import uuid
from datetime import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from imbizo.core.errors import ImbizoError
from imbizo.core.events import emit
from imbizo.core.permissions import system_actor
from imbizo.webhooks.events import WEBHOOK_EVENTS
from imbizo.webhooks.models import WebhookDelivery
from imbizo.webhooks.services import (
    webhook_deliveries_create,
    webhook_subscription_deactivate,
    webhook_subscriptions_active,
)

from .conftest import CASE


def test_only_subscriptions_of_that_municipality_and_event_receive_it(
        subscribe, emit_event, two_municipalities, queued):
    aaa, bbb = two_municipalities
    logged = subscribe(events=["case_logged", "case_assigned"])
    subscribe(url="https://erp.aaa.example/in", events=["case_assigned"])
    subscribe(url="https://crm.bbb.example/in", events=["case_logged"], municipality=bbb)
    emit_event("case_logged", aaa)
    delivery = WebhookDelivery.objects.get()
    assert delivery.subscription == logged and delivery.event == "case_logged"
    assert delivery.status == "pending" and delivery.attempts == 0
    assert [t.task.name for t in queued()] == ["deliver_webhook"]
    assert queued()[0].task_result.args == [delivery.pk]


def test_an_inactive_subscription_receives_nothing(subscribe, emit_event, two_municipalities,
                                                    queued):
    webhook_subscription_deactivate(actor=system_actor(), subscription=subscribe())
    emit_event("case_logged", two_municipalities[0])
    assert not WebhookDelivery.objects.exists() and not queued()


def test_the_body_is_the_documented_envelope_serialised_once(subscribe, emit_event,
                                                             two_municipalities):
    subscribe()
    subscribe(url="https://erp.aaa.example/in")
    emit_event("case_logged", two_municipalities[0], data={"reference": "AAA-1", "note": "é"})
    first, second = WebhookDelivery.objects.order_by("pk")
    assert first.event_id == second.event_id and first.payload == second.payload
    body = json.loads(first.payload)
    assert body == {"id": str(first.event_id), "event": "case_logged",
                    "created": body["created"], "municipality": "AAA",
                    "data": {"reference": "AAA-1", "note": "é"}}
    assert datetime.fromisoformat(body["created"]).utcoffset() is not None
    assert first.payload == json.dumps(body, sort_keys=True, separators=(",", ":"))
    assert first.payload.isascii()


@pytest.mark.parametrize("event", WEBHOOK_EVENTS)
def test_every_webhook_event_is_subscribed_to(subscribe, emit_event, two_municipalities,
                                              event):
    subscribe(events=[event])
    emit_event(event, two_municipalities[0])
    assert WebhookDelivery.objects.get().event == event


def test_nothing_is_delivered_for_an_event_that_was_rolled_back(
        subscribe, two_municipalities, django_capture_on_commit_callbacks):
    subscribe()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), \
            transaction.atomic():
        emit("case_logged", municipality_id=two_municipalities[0].pk, data=CASE)
        raise RuntimeError("the case was not saved")
    assert not WebhookDelivery.objects.exists()


def test_unknown_event_names_are_refused(two_municipalities):
    with pytest.raises(ImbizoError) as err:
        webhook_deliveries_create(event="case_deleted", municipality_id=two_municipalities[0].pk,
                                  data={})
    assert err.value.code == "unknown_webhook_event"


def test_creating_deliveries_costs_the_same_queries_however_many_subscribers(
        subscribe, two_municipalities, django_capture_on_commit_callbacks, settings):
    aaa, _ = two_municipalities
    for n in range(5):
        subscribe(url=f"https://receiver{n}.example.org/in")
    subscribe(url="https://other.example.org/in", events=["case_merged"])
    webhook_subscriptions_active(aaa.pk)
    settings.CONFIG_CHECK_SECONDS = 60  # as a server runs: the subscriptions are memoised
    with CaptureQueriesContext(connection) as queries, \
            django_capture_on_commit_callbacks(execute=True):
        deliveries = webhook_deliveries_create(event="case_logged", municipality_id=aaa.pk,
                                               data=CASE)
    assert len(deliveries) == 5
    statements = [q["sql"] for q in queries.captured_queries
                  if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    webhook = [s for s in statements if "webhooks_" in s]
    tasks = [s for s in statements if "django_tasks_database_dbtaskresult" in s]
    # One bulk INSERT of the deliveries...
    assert len(webhook) == 1 and webhook[0].startswith("INSERT")
    # ...and one queued task per delivery, so that one slow receiver delays no other.
    assert len(tasks) == 5 and all(s.startswith("INSERT") for s in tasks)
    assert len(statements) == 6


def test_an_event_nobody_subscribed_to_costs_no_query_once_memoised(
        two_municipalities, django_assert_num_queries, settings):
    aaa = two_municipalities[0]
    with django_assert_num_queries(2):  # the memo's token and the subscriptions
        assert webhook_deliveries_create(event="case_logged", municipality_id=aaa.pk,
                                         data=CASE) == []
    settings.CONFIG_CHECK_SECONDS = 60
    with django_assert_num_queries(0):  # and no transaction with nothing to write
        assert webhook_deliveries_create(event="case_logged", municipality_id=aaa.pk,
                                         data=CASE) == []


def test_the_same_event_created_again_makes_no_second_delivery(
        subscribe, two_municipalities, django_capture_on_commit_callbacks, queued):
    """A domain event can be relayed twice; its id is the deliveries' event id."""
    aaa = two_municipalities[0]
    subscribe()
    event_id = uuid.uuid4()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            webhook_deliveries_create(event="case_logged", municipality_id=aaa.pk, data=CASE,
                                      event_id=event_id)
    assert WebhookDelivery.objects.get().event_id == event_id
    assert [t.task.name for t in queued()] == ["deliver_webhook"]
