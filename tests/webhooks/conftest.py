"""Webhook test helpers: subscriptions made through the service, events emitted for real,
the task queue run by its own worker, and receivers faked at HTTP level by respx."""

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from imbizo.core import events as core_events
from imbizo.core.events import emit
from imbizo.core.permissions import system_actor
from imbizo.webhooks.events import WEBHOOK_EVENTS
from imbizo.webhooks.models import WebhookDelivery
from imbizo.webhooks.services import webhook_subscription_create

CASE = {"reference": "AAA-000123", "status": "logged", "category": "water_leak",
        "ward": "90100001", "summary": "Burst pipe on Main Road", "amount": 12.5}


@pytest.fixture(autouse=True)
def only_webhook_subscribers(monkeypatch):
    """Events emitted by these tests reach only this app's subscribers: the tests make no
    cases, and other apps' subscribers (case notifications) expect real ones."""
    for name in WEBHOOK_EVENTS:
        ours = [handler for handler in core_events._subscribers[name]
                if handler.__module__ == "imbizo.webhooks.events"]
        monkeypatch.setitem(core_events._subscribers, name, ours)


@pytest.fixture
def subscribe(two_municipalities):
    """Create a subscription through the service (AAA by default)."""
    def make(url="https://crm.aaa.example/imbizo", events=("case_logged",), municipality=None,
             **kwargs):
        return webhook_subscription_create(
            actor=system_actor("cli"), municipality=municipality or two_municipalities[0],
            url=url, events=list(events), **kwargs)
    return make


@pytest.fixture
def emit_event(django_capture_on_commit_callbacks):
    """Emit a domain event in a transaction and run what follows its commit."""
    def run(name, municipality, data=None):
        with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
            emit(name, municipality_id=municipality.pk, data=CASE if data is None else data)
        return callbacks
    return run


@pytest.fixture
def queued():
    """The tasks waiting on the database queue, oldest first; ``deferred=True``: only
    those to run later (retries)."""
    def tasks(deferred=False):
        waiting = DBTaskResult.objects.filter(status="READY").order_by("enqueued_at", "id")
        return [t for t in waiting if t.task.run_after or not deferred]
    return tasks


@pytest.fixture
def clock_reaches_queued_tasks():
    """Stand in for the passing of time: every waiting task, and every pending
    delivery's next attempt, is due now."""
    def advance():
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).update(
            next_attempt_at=timezone.now())
    return advance
