"""Enqueueing a task as part of the change that calls for it, and again when it was lost.

With the database task backend the task row is written in the same transaction as
the change (a transactional outbox): both commit or neither does, and no task is
lost between a commit and an enqueue. Any other backend (Redis) cannot join the
transaction, so there the task is enqueued once the transaction has committed.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend


def enqueue_with_change(task, *args, run_after=None) -> None:
    bound = task.using(run_after=run_after) if run_after is not None else task
    if isinstance(task_backends[bound.backend], DatabaseBackend):
        bound.enqueue(*args)
    else:
        transaction.on_commit(lambda: bound.enqueue(*args))


logger = logging.getLogger(__name__)


def enqueue_overdue(waiting: QuerySet, enqueue: Callable[[int], None], *, grace: timedelta,
                    limit: int, what: str) -> int:
    """Enqueue again each waiting row (messages, webhook deliveries: anything with a
    ``next_attempt_at``) overdue by ``grace``, oldest first: its task was lost between
    commit and enqueue, or its worker died mid-attempt. Callers make a duplicate task
    harmless. Returns how many."""
    due = list(waiting.filter(next_attempt_at__lte=timezone.now() - grace)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for pk in due:
        enqueue(pk)
    if due:
        logger.warning("%d overdue %s enqueued again", len(due), what)
    return len(due)
