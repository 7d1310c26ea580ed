"""Received messages are the queue: the pump hands those due to the task workers.

A webhook is acknowledged once its message is stored, one ``INSERT`` and nothing else:
no task is enqueued in the request (a task row or an RQ job cost as much again as the
insert, measured in docs/performance.md). The clock runs the pump every
``INBOUND_PUMP_SECONDS``: it takes the received messages that are due, leases them (moves
their ``next_attempt_at`` past the time a worker needs, so the next round skips them) and
enqueues them in tasks of a few residents each, every resident's messages in the order
they came. A message whose worker died is due again when its lease runs out; one that
failed is due again at its retry time. Handling is idempotent, so a message handed out
twice is answered once.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from imbizo.core.outbox import enqueue_with_change, queue_lag
from imbizo.messaging.models import InboundMessage

TASK_SIZE = 20  # messages in one task: enough to spread the cost of a task, small enough to share


def inbound_lease() -> timedelta:
    """How long a handed-out message is left to its worker before it is handed out again:
    the longest a handling takes, plus however far the queue is behind."""
    return timedelta(seconds=settings.INBOUND_LEASE_SECONDS) + queue_lag()


def inbound_pump(*, limit: int = 1000) -> int:
    """Hand every received message that is due to the workers; returns how many.
    Rows another pump holds are skipped (PostgreSQL), so a second clock does no harm."""
    from .tasks import handle_inbound

    now = timezone.now()
    with transaction.atomic():
        due = list(InboundMessage.objects.filter(state=InboundMessage.State.RECEIVED,
                                                 next_attempt_at__lte=now)
                   .order_by("next_attempt_at", "pk").select_for_update(skip_locked=True)
                   .values_list("pk", "sender")[:limit])
        if not due:
            return 0
        InboundMessage.objects.filter(pk__in=[pk for pk, _ in due]).update(
            next_attempt_at=now + inbound_lease())
        for ids in _tasks(due):
            enqueue_with_change(handle_inbound, ids)
    return len(due)


def _tasks(due: list[tuple[int, str]]) -> list[list[int]]:
    """Message ids in tasks of about ``TASK_SIZE``, each sender's all in one task, in order."""
    by_sender: dict[str, list[int]] = {}
    for pk, sender in sorted(due):
        by_sender.setdefault(sender, []).append(pk)
    tasks: list[list[int]] = [[]]
    for ids in by_sender.values():
        if tasks[-1] and len(tasks[-1]) + len(ids) > TASK_SIZE:
            tasks.append([])
        tasks[-1].extend(ids)
    return tasks
