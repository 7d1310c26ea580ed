"""Tasks whose worker died are put back on the queue (a clock job).

The database queue marks a task RUNNING when a worker claims it, and SUCCESSFUL or FAILED
when it ends. A worker killed in between (SIGKILL, the OOM killer, a lost machine) leaves
it RUNNING for ever, and no worker takes a RUNNING task again. Every task is bounded, the
longest being one HTTP request with a timeout (10 s for a webhook, 20 s for an e-mail), so
a task still RUNNING ``TASK_LEASE_SECONDS`` (40 s) after it started has lost its worker:
it is made READY and runs again. That is safe because tasks are idempotent: a
notification is deduplicated on its key, a message or webhook attempt is claimed on its
row before it is made, a checkpoint acts only at its own time.

A task its workers died under ``MAX_CLAIMS`` times is what kills them (a poison task):
it is marked FAILED rather than given to a fourth worker.

With Redis (RQ) tasks are not in the database: this finds nothing.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

MAX_CLAIMS = 3
WORKER_LOST = "imbizo.core.task_reclaim.WorkerLost"


def tasks_reclaim(*, lease: timedelta | None = None, limit: int = 1000) -> int:
    """Requeue (or, past ``MAX_CLAIMS``, fail) each task RUNNING for longer than
    ``lease``; returns how many. Each row is changed only if it is still RUNNING since
    the same start, so a worker that finishes meanwhile keeps its result."""
    lease = lease or timedelta(seconds=settings.TASK_LEASE_SECONDS)
    now = timezone.now()
    stale = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=now - lease)
    found = list(stale.order_by("started_at").values_list("pk", "worker_ids")[:limit])
    again = [pk for pk, workers in found if len(workers) < MAX_CLAIMS]
    poison = [pk for pk, workers in found if len(workers) >= MAX_CLAIMS]
    requeued = stale.filter(pk__in=again).update(status=TaskResultStatus.READY, started_at=None)
    failed = stale.filter(pk__in=poison).update(
        status=TaskResultStatus.FAILED, finished_at=now, exception_class_path=WORKER_LOST,
        traceback=f"Its worker stopped while running it {MAX_CLAIMS} times; not run again.")
    if requeued:
        logger.warning("%d task(s) whose worker died put back on the queue", requeued)
    if failed:
        logger.error("%d task(s) failed: their workers died under them %d times", failed,
                     MAX_CLAIMS)
    return requeued + failed


KEEP_SUCCEEDED = timedelta(days=7)
KEEP_FAILED = timedelta(days=30)  # longer: someone may still be looking into why


def tasks_prune(*, batch: int = 5000) -> int:
    """Delete finished task results past their keeping time, a batch at a time (an hourly
    clock job): the queue table otherwise grows by every task ever run, and the reclaim's
    look for RUNNING rows reads all of it. Returns how many."""
    now = timezone.now()
    old = DBTaskResult.objects.finished().filter(
        Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - KEEP_SUCCEEDED)
        | Q(status=TaskResultStatus.FAILED, finished_at__lt=now - KEEP_FAILED))
    pks = list(old.values_list("pk", flat=True)[:batch])
    deleted, _ = DBTaskResult.objects.filter(pk__in=pks).delete()
    return deleted
