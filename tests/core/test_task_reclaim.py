"""A task whose worker died is put back on the queue and runs again, once; a live
worker's task is left alone; a task that keeps killing its workers is failed."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from imbizo.core.clock import JOBS
from imbizo.core.task_reclaim import MAX_CLAIMS, WORKER_LOST, tasks_reclaim
from imbizo.messaging.models import OutboundMessage
from imbizo.notifications.cases import notify_followers


@pytest.fixture
def notify_task(log_case, run_worker):
    """The case's "we received your report" task, alone on the queue (the case's own
    tasks, run or to come, cleared away)."""
    case = log_case()
    DBTaskResult.objects.all().delete()
    OutboundMessage.objects.all().delete()
    result = notify_followers.enqueue(case.pk, None, "logged")
    return DBTaskResult.objects.get(pk=result.id)


def worker_dies_running(task: DBTaskResult, *, seconds_ago: float, worker: str = "w1",
                        after=None) -> None:
    """A worker claims ``task`` as ``db_worker`` does, does ``after`` (the part of the
    task it finished) and is killed ``seconds_ago``: the row stays RUNNING."""
    task.claim(worker)
    if after:
        after()
    DBTaskResult.objects.filter(pk=task.pk).update(
        started_at=timezone.now() - timedelta(seconds=seconds_ago))


def written() -> list[str]:
    return list(OutboundMessage.objects.values_list("dedupe_key", flat=True))


def test_a_notification_task_left_running_by_a_killed_worker_is_written_exactly_once(
        notify_task, run_worker, settings):
    # Killed after its messages were committed, before the worker recorded success.
    worker_dies_running(notify_task, seconds_ago=settings.TASK_LEASE_SECONDS + 1,
                        after=lambda: notify_followers.call(*notify_task.args_kwargs["args"]))
    assert len(written()) == 1
    run_worker()  # a RUNNING task is no worker's to take
    assert DBTaskResult.objects.get(pk=notify_task.pk).status == "RUNNING"

    assert tasks_reclaim() == 1
    run_worker()
    notify_task.refresh_from_db()
    assert notify_task.status == "SUCCESSFUL" and len(notify_task.worker_ids) == 2
    assert len(written()) == 1  # the second run found the message already queued
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()


def test_a_notification_task_killed_before_writing_is_written_when_reclaimed(
        notify_task, run_worker, settings):
    worker_dies_running(notify_task, seconds_ago=settings.TASK_LEASE_SECONDS + 1)
    assert tasks_reclaim() == 1
    run_worker()
    assert len(written()) == 1
    assert OutboundMessage.objects.get().body.startswith("Imbizo: we received your report")


def test_a_task_within_its_lease_is_left_to_its_worker(notify_task, settings):
    worker_dies_running(notify_task, seconds_ago=settings.TASK_LEASE_SECONDS - 5)
    assert tasks_reclaim() == 0
    assert DBTaskResult.objects.get(pk=notify_task.pk).status == "RUNNING"


def test_the_lease_is_a_setting(notify_task, settings):
    settings.TASK_LEASE_SECONDS = 5
    worker_dies_running(notify_task, seconds_ago=6)
    assert tasks_reclaim() == 1


def test_a_task_its_workers_died_under_three_times_is_failed_not_run_again(
        notify_task, run_worker, settings):
    for worker in range(MAX_CLAIMS):
        worker_dies_running(notify_task, seconds_ago=settings.TASK_LEASE_SECONDS + 1,
                            worker=f"w{worker}")
        notify_task.refresh_from_db()
        assert tasks_reclaim() == 1
    notify_task.refresh_from_db()
    assert notify_task.status == "FAILED"
    assert notify_task.exception_class_path == WORKER_LOST
    run_worker()
    assert not written()


def test_the_clock_resumes_stranded_work_within_a_minute_not_fifteen():
    every = {job.path.rsplit(".", 1)[1]: job.every for job in JOBS}
    assert every["tasks_reclaim"] == every["message_dispatch_due"] == \
        every["webhook_dispatch_due"] == every["events_relay_due"] == 20
    # A task left RUNNING is noticed within its lease and one tick: a minute.
    assert settings.TASK_LEASE_SECONDS + settings.CLOCK_SECONDS <= 60


def test_finished_task_results_are_pruned_after_their_keeping_time(notify_task, run_worker):
    from imbizo.core.task_reclaim import KEEP_FAILED, KEEP_SUCCEEDED, tasks_prune

    run_worker()
    notify_task.refresh_from_db()
    assert notify_task.status == "SUCCESSFUL"
    waiting = notify_followers.enqueue(notify_task.args_kwargs["args"][0], None, "logged")
    failed = notify_followers.enqueue(notify_task.args_kwargs["args"][0], None, "logged")
    week_ago = timezone.now() - KEEP_SUCCEEDED - timedelta(minutes=1)
    DBTaskResult.objects.filter(pk=notify_task.pk).update(finished_at=week_ago)
    DBTaskResult.objects.filter(pk=failed.id).update(status="FAILED", finished_at=week_ago)
    assert tasks_prune() == 1  # the old success; the failure is kept longer, READY stays
    left = DBTaskResult.objects.all()
    assert not left.filter(pk=notify_task.pk).exists()
    assert left.filter(pk__in=[waiting.id, failed.id]).count() == 2
    DBTaskResult.objects.filter(pk=failed.id).update(
        finished_at=timezone.now() - KEEP_FAILED - timedelta(minutes=1))
    assert tasks_prune() == 1
    assert left.filter(pk=waiting.id, status="READY").exists()
