"""Domain events are written with the change that raises them and relayed after its commit;
a process that dies in between leaves them to ``events_relay_due``, never lost, never
doubled where it matters (webhook deliveries, follower messages)."""

import json
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from imbizo.core import events as core_events
from imbizo.core.clock import JOBS
from imbizo.core.events import RELAY_GRACE, emit, events_prune, events_relay_due, subscribe
from imbizo.core.models import DomainEvent
from imbizo.core.permissions import system_actor
from imbizo.messaging.models import OutboundMessage
from imbizo.webhooks.models import WebhookDelivery
from imbizo.webhooks.services import webhook_subscription_create

EVENT = "test_happened"
NOW = timedelta(0)


class Recorder:
    """A subscriber that records its calls, and fails while told to."""

    def __init__(self, failures: int = 0) -> None:
        self.calls: list[dict] = []
        self.failures = failures

    def __call__(self, **kwargs) -> None:
        self.calls.append(kwargs)
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the queue is down")


@pytest.fixture
def subscribers(monkeypatch):
    """Make the given recorders the only durable subscribers of the test event."""
    def install(*recorders: Recorder) -> tuple[Recorder, ...]:
        handlers = []
        for n, recorder in enumerate(recorders):
            def handler(recorder=recorder, **kwargs):
                recorder(**kwargs)
            handler.__qualname__ = f"recorder_{n}"
            handlers.append(handler)
        monkeypatch.setitem(core_events._subscribers, EVENT, handlers)
        return recorders
    return install


@pytest.fixture
def time_passes():
    """Stand in for the clock moving on: every event was written, and every retry
    falls due, that much earlier."""
    def advance(seconds: float) -> None:
        ago = timedelta(seconds=seconds)
        for event in DomainEvent.objects.all():
            DomainEvent.objects.filter(pk=event.pk).update(
                created=event.created - ago,
                next_attempt_at=event.next_attempt_at and event.next_attempt_at - ago)
    return advance


def emit_committed(capture, execute=True, **payload) -> None:
    """Emit in a transaction that commits; ``execute=False``: the process dies just
    after the commit, before anything it queued on commit runs."""
    with capture(execute=execute), transaction.atomic():
        emit(EVENT, municipality_id=7, **payload)


# --- the fast path ----------------------------------------------------------------------


def test_the_event_is_written_with_the_change_and_relayed_once_it_commits(
        db, subscribers, django_capture_on_commit_callbacks):
    (recorder,) = subscribers(Recorder())
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        emit(EVENT, municipality_id=7, case_id=12, data={"when": timezone.now()})
        event = DomainEvent.objects.get()
        assert event.relayed_at is None and not recorder.calls  # not before the commit
    event.refresh_from_db()
    assert event.name == EVENT and event.municipality_id == 7 and event.attempts == 1
    assert event.relayed_at is not None and event.last_error == ""
    (call,) = recorder.calls
    assert call["event_id"] == event.pk and call["event_created"] == event.created
    # The payload as stored, on this path as on the relay's: JSON, dates as text.
    assert call["case_id"] == 12 and call == {**event.payload, "event_id": event.pk,
                                              "event_created": event.created}
    assert isinstance(call["data"]["when"], str)


def test_a_rolled_back_change_leaves_no_event_and_tells_no_one(
        db, subscribers, django_capture_on_commit_callbacks):
    (recorder,) = subscribers(Recorder())
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), \
            transaction.atomic():
        emit(EVENT, municipality_id=7)
        raise RuntimeError("the case was not saved")
    assert not DomainEvent.objects.exists() and not recorder.calls


def test_relaying_costs_the_outbox_row_and_its_mark_only(
        db, subscribers, django_capture_on_commit_callbacks):
    subscribers(Recorder(), Recorder())
    with CaptureQueriesContext(connection) as queries:
        emit_committed(django_capture_on_commit_callbacks, case_id=1)
    statements = [q["sql"] for q in queries.captured_queries
                  if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(statements) == 2
    assert statements[0].startswith('INSERT INTO "core_domainevent"')
    assert statements[1].startswith('UPDATE "core_domainevent"')


def test_an_event_without_durable_subscribers_is_not_written(
        db, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setitem(core_events._subscribers, EVENT, [])
    emit_committed(django_capture_on_commit_callbacks)
    assert not DomainEvent.objects.exists()


def test_a_local_hook_runs_after_commit_in_this_process_and_is_never_written(
        db, monkeypatch, django_capture_on_commit_callbacks):
    calls = []
    monkeypatch.setitem(core_events._local, EVENT, [])
    monkeypatch.setitem(core_events._subscribers, EVENT, [])
    subscribe(EVENT, durable=False)(lambda **payload: calls.append(payload))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), \
            transaction.atomic():
        emit(EVENT, level="ward")
        raise RuntimeError("rolled back")
    assert calls == []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        emit(EVENT, level="ward")
        assert calls == []
    assert calls == [{"level": "ward"}] and not DomainEvent.objects.exists()


def test_the_ward_index_hook_is_local_and_the_case_events_are_durable():
    assert [h.__name__ for h in core_events._local["boundaries_changed"]] == [
        "rebuild_ward_index"]
    assert not core_events._subscribers["boundaries_changed"]
    assert {h.__module__ for h in core_events._subscribers["case_logged"]} == {
        "imbizo.notifications.cases", "imbizo.webhooks.events"}


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_event_is_written_and_relayed_at_once(subscribers):
    (recorder,) = subscribers(Recorder())
    emit(EVENT, municipality_id=7)
    event = DomainEvent.objects.get()
    assert event.relayed_at is not None and recorder.calls[0]["event_id"] == event.pk


# --- failing subscribers ------------------------------------------------------------------


def test_a_failing_subscriber_leaves_the_event_to_retry_and_the_others_are_not_called_again(
        db, subscribers, time_passes, django_capture_on_commit_callbacks, caplog):
    ok, failing = subscribers(Recorder(), Recorder(failures=2))
    emit_committed(django_capture_on_commit_callbacks)
    event = DomainEvent.objects.get()
    assert event.relayed_at is None and event.attempts == 1
    assert event.relayed_to == ["tests.core.test_events.recorder_0"]
    assert "recorder_1: RuntimeError: the queue is down" in event.last_error
    assert "subscriber tests.core.test_events.recorder_1 failed" in caplog.text
    wait = event.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < wait <= timedelta(minutes=1)

    assert events_relay_due(grace=NOW) == 0  # the retry is not due yet
    assert len(failing.calls) == 1
    time_passes(60)
    assert events_relay_due(grace=NOW) == 0  # failed again: waits twice as long
    event.refresh_from_db()
    assert event.attempts == 2 and len(failing.calls) == 2
    assert timedelta(seconds=110) < event.next_attempt_at - timezone.now() <= \
        timedelta(minutes=2)
    time_passes(120)
    assert events_relay_due(grace=NOW) == 1
    event.refresh_from_db()
    assert event.relayed_at is not None and event.attempts == 3
    assert len(ok.calls) == 1 and len(failing.calls) == 3
    assert events_relay_due(grace=NOW) == 0


def test_a_failing_subscriber_undoes_only_its_own_writes_on_the_relay(
        db, monkeypatch, time_passes, django_capture_on_commit_callbacks):
    def writes(**_kwargs):
        DomainEvent.objects.create(name="written_by_a_subscriber", payload={})

    def writes_then_fails(*, event_id, **_kwargs):
        DomainEvent.objects.create(name="undone", payload={})
        DomainEvent.objects.create(pk=event_id, name="a database error", payload={})

    monkeypatch.setitem(core_events._subscribers, EVENT, [writes, writes_then_fails])
    emit_committed(django_capture_on_commit_callbacks, execute=False)
    assert events_relay_due(grace=NOW) == 0
    assert set(DomainEvent.objects.values_list("name", flat=True)) == {
        EVENT, "written_by_a_subscriber"}
    assert DomainEvent.objects.get(name=EVENT).attempts == 1


# --- stranded events ----------------------------------------------------------------------


def test_the_relay_leaves_fresh_events_to_the_process_that_wrote_them(
        db, subscribers, time_passes, django_capture_on_commit_callbacks):
    (recorder,) = subscribers(Recorder())
    emit_committed(django_capture_on_commit_callbacks, execute=False)  # died after commit
    assert events_relay_due() == 0 and not recorder.calls
    time_passes(31)
    assert events_relay_due() == 1 and len(recorder.calls) == 1
    assert events_relay_due() == 0 and len(recorder.calls) == 1


def test_stranded_events_are_relayed_oldest_first_up_to_the_limit(
        db, subscribers, time_passes, django_capture_on_commit_callbacks):
    (recorder,) = subscribers(Recorder())
    for n in range(3):
        emit_committed(django_capture_on_commit_callbacks, execute=False, n=n)
        time_passes(1)
    assert events_relay_due(grace=NOW, limit=2) == 2
    assert [c["n"] for c in recorder.calls] == [0, 1]
    assert events_relay_due(grace=NOW) == 1 and recorder.calls[-1]["n"] == 2


def test_the_clock_relays_within_a_minute_and_prunes_hourly():
    every = {job.path.rsplit(".", 1)[1]: job.every for job in JOBS}
    assert RELAY_GRACE.total_seconds() + every["events_relay_due"] <= 60
    assert every["events_prune"] == 3600


def test_relayed_events_are_pruned_after_a_week_unrelayed_ones_never(
        db, subscribers, time_passes, django_capture_on_commit_callbacks):
    subscribers(Recorder(failures=1))
    emit_committed(django_capture_on_commit_callbacks, n="stuck")
    subscribers(Recorder())
    emit_committed(django_capture_on_commit_callbacks, n="old")
    time_passes(7 * 24 * 3600 + 1)
    emit_committed(django_capture_on_commit_callbacks, n="recent")
    assert events_prune() == 1
    assert sorted(e.payload["n"] for e in DomainEvent.objects.all()) == ["recent", "stuck"]


# --- a case through the whole chain -------------------------------------------------------


def queued(name: str) -> list[DBTaskResult]:
    return [t for t in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at", "id")
            if t.task.name == name]


@pytest.fixture
def crm(municipalities):
    return webhook_subscription_create(
        actor=system_actor("cli"), municipality=municipalities[0],
        url="https://crm.aaa.example/imbizo", events=["case_logged"])


def test_a_case_committed_by_a_process_that_died_is_still_told_exactly_once(
        log_case, crm, django_capture_on_commit_callbacks):
    # The process commits the case and dies before anything queued on commit runs.
    with django_capture_on_commit_callbacks(execute=False):
        case = log_case(idempotency_key="k-1")
    event = DomainEvent.objects.get()
    assert (event.name, event.relayed_at) == ("case_logged", None)
    assert event.payload["case_id"] == case.pk
    assert not WebhookDelivery.objects.exists() and not queued("notify_followers")

    # The caller retries: it gets the stored case, and no second event.
    with django_capture_on_commit_callbacks(execute=True):
        again = log_case(idempotency_key="k-1")
    assert again.pk == case.pk and again.replayed and DomainEvent.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert events_relay_due(grace=NOW) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.subscription == crm and delivery.event_id == event.pk
    body = json.loads(delivery.payload)
    assert body["id"] == str(event.pk) and body["data"]["reference"] == case.reference
    assert body["created"] == event.created.isoformat()
    assert [t.task_result.args for t in queued("deliver_webhook")] == [[delivery.pk]]
    assert [t.task_result.args for t in queued("notify_followers")] == [
        [case.pk, None, "logged"]]
    event.refresh_from_db()
    assert event.relayed_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        assert events_relay_due(grace=NOW) == 0
    assert WebhookDelivery.objects.count() == 1 and len(queued("deliver_webhook")) == 1
    assert len(queued("notify_followers")) == 1


def test_an_event_relayed_twice_makes_one_delivery_and_one_message(
        log_case, crm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = log_case()
    # Relayed, then the process died before its mark was written: relayed again.
    DomainEvent.objects.update(relayed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert events_relay_due(grace=NOW) == 1
    assert WebhookDelivery.objects.count() == 1 and len(queued("deliver_webhook")) == 1
    tasks = queued("notify_followers")
    assert len(tasks) == 2  # the one case the relay cannot tell: the task dedupes
    for task in tasks:
        task.task.call(*task.task_result.args)
    message = OutboundMessage.objects.get()
    assert case.reference in message.body and message.to == "+27821234567"


def test_a_relay_cut_short_adds_only_the_deliveries_still_missing(
        log_case, crm, municipalities, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        log_case()
    erp = webhook_subscription_create(
        actor=system_actor("cli"), municipality=municipalities[0],
        url="https://erp.aaa.example/in", events=["case_logged"])
    DomainEvent.objects.update(relayed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert events_relay_due(grace=NOW) == 1
    first, second = WebhookDelivery.objects.order_by("pk")
    assert (first.subscription, second.subscription) == (crm, erp)
    assert first.event_id == second.event_id and first.payload == second.payload
    assert [t.task_result.args for t in queued("deliver_webhook")] == [[first.pk],
                                                                       [second.pk]]
