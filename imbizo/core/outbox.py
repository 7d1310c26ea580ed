"""Enqueueing a task as part of the change that calls for it.

With the database task backend the task row is written in the same transaction as
the change (a transactional outbox): both commit or neither does, and no task is
lost between a commit and an enqueue. Any other backend (Redis) cannot join the
transaction, so there the task is enqueued once the transaction has committed.
"""

from django.db import transaction
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend


def enqueue_with_change(task, *args, run_after=None) -> None:
    bound = task.using(run_after=run_after) if run_after is not None else task
    if isinstance(task_backends[bound.backend], DatabaseBackend):
        bound.enqueue(*args)
    else:
        transaction.on_commit(lambda: bound.enqueue(*args))
