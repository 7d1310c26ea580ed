"""The clock runs each repeating job once per interval, and one failing job never stops
the others."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from imbizo.core.clock import JOBS, Job, clock_run, clock_tick

calls: list[str] = []


def counting_job() -> int:
    calls.append("counted")
    return 1


def failing_job() -> int:
    raise RuntimeError("the queue is down")


@pytest.fixture(autouse=True)
def no_calls():
    calls.clear()


def test_a_job_runs_once_per_interval(db):
    jobs = (Job("tests.core.test_clock.counting_job", 60),)
    last: dict[str, float] = {}
    assert clock_tick(1000.0, last, jobs) == {"tests.core.test_clock.counting_job": 1}
    assert clock_tick(1030.0, last, jobs) == {}
    assert clock_tick(1060.0, last, jobs) == {"tests.core.test_clock.counting_job": 1}
    assert calls == ["counted", "counted"]


def test_a_failing_job_is_logged_and_the_others_still_run(db, caplog):
    jobs = (Job("tests.core.test_clock.failing_job", 60),
            Job("tests.core.test_clock.counting_job", 60))
    done = clock_tick(0.0, {}, jobs)
    assert done == {"tests.core.test_clock.counting_job": 1}
    assert "clock job tests.core.test_clock.failing_job failed" in caplog.text


def test_every_job_names_a_real_function(db):
    assert {job.path.rsplit(".", 1)[1] for job in JOBS} == {
        "tasks_reclaim", "message_dispatch_due", "webhook_dispatch_due", "events_relay_due",
        "events_prune", "tasks_prune", "inbound_pump", "otp_prune", "arrangements_check_due"}
    assert clock_tick(0.0, {}) == {j.path: 0 for j in JOBS}  # nothing overdue yet


def test_clock_once_runs_each_job_and_reports(db):
    from imbizo.messaging.models import OutboundMessage, Status

    OutboundMessage.objects.create(to="+27821234567", channel="sms", body="Hello",
                                   purpose="service", status=Status.QUEUED,
                                   next_attempt_at=timezone.now() - timedelta(hours=1))
    out = io.StringIO()
    call_command("clock", once=True, stdout=out)
    assert "imbizo.messaging.services.message_dispatch_due: 1" in out.getvalue()
    assert "imbizo.webhooks.services.webhook_dispatch_due: 0" in out.getvalue()


def test_the_clock_ticks_as_often_as_its_most_frequent_job(db):
    """The inbound pump runs every quarter second, the safety nets at their own pace."""
    stop = threading.Event()
    jobs = (Job("tests.core.test_clock.counting_job", 0.05),
            Job("tests.core.test_clock.failing_job", 3600))
    threading.Timer(0.5, stop.set).start()
    clock_run(stop, jobs)
    assert len(calls) >= 3  # a clock that slept 5 s between ticks would have run it once
