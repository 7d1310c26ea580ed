"""Enqueueing a task as part of the change that calls for it, and again when it was lost.

With the database task backend the task row is written in the same transaction as
the change (a transactional outbox): both commit or neither does, and no task is
lost between a commit and an enqueue. Any other backend (Redis) cannot join the
transaction, so there the task is enqueued once the transaction has committed.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max


def enqueue_with_change(task, *args, run_after=None) -> None:
    bound = task.using(run_after=run_after) if run_after is not None else task
    if isinstance(task_backends[bound.backend], DatabaseBackend):
        bound.enqueue(*args)
    else:
        transaction.on_commit(lambda: bound.enqueue(*args))


logger = logging.getLogger(__name__)


def redrive_grace() -> timedelta:
    """How late a due attempt must be before the clock takes its task for lost."""
    return timedelta(seconds=settings.REDRIVE_GRACE_SECONDS)


def queue_lag() -> timedelta:
    """How long the next tasks in line have waited on the database queue. While the
    workers are that far behind, an attempt overdue by less is waiting its turn, not
    lost. Two reads of the queue's own index that stop at the first row: the oldest task
    due at a time, the oldest due at once (the worker takes the former first). Zero on
    other backends, which cannot be asked."""
    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        return timedelta(0)
    now = timezone.now()
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    timed = ready.filter(run_after__lte=now).values_list("run_after", flat=True).first()
    at_once = ready.filter(run_after=get_date_max()).values_list("enqueued_at",
                                                                  flat=True).first()
    waiting = [t for t in (timed, at_once) if t is not None]
    return max(now - min(waiting), timedelta(0)) if waiting else timedelta(0)


def enqueue_overdue(waiting: QuerySet, enqueue: Callable[[int], None], *, grace: timedelta,
                    limit: int, what: str) -> int:
    """Enqueue again each waiting row (messages, webhook deliveries: anything with a
    ``next_attempt_at``) overdue by ``grace`` beyond the queue's lag, oldest first: its
    task was lost between commit and enqueue, or its worker died mid-attempt. Callers
    make a duplicate task harmless. Returns how many.

    A backlog is no loss: counting the lag keeps the clock from adding a copy of every
    waiting task to a queue that is merely behind, which would only put it further
    behind. Each row enqueued again is marked due now, so it is enqueued once more only if
    it still waits a grace later. Rows locked by another clock are skipped (on
    PostgreSQL)."""
    now = timezone.now()
    with transaction.atomic():
        due = list(waiting.filter(next_attempt_at__lte=now - grace - queue_lag())
                   .order_by("next_attempt_at").select_for_update(skip_locked=True)
                   .values_list("pk", flat=True)[:limit])
        waiting.filter(pk__in=due).update(next_attempt_at=now)
        for pk in due:
            enqueue(pk)
    if due:
        logger.warning("%d overdue %s enqueued again", len(due), what)
    return len(due)
