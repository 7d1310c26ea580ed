"""Scheduled work for matters (Django Tasks; enqueued with ``run_after``)."""

from django.utils.dateparse import parse_datetime
from django_tasks import task

from .deadline import matter_ack_overdue_mark


@task()
def matter_ack_check(matter_id: int, due: str) -> str:
    """At a matter's target time: overdue if nobody acknowledged it (deadline.py)."""
    return matter_ack_overdue_mark(matter_id=matter_id, due=parse_datetime(due))
