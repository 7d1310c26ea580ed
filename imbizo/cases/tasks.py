"""Scheduled work for cases (Django Tasks; enqueued with ``run_after``)."""

from django.utils.dateparse import parse_datetime
from django_tasks import task

from .escalation import sla_checkpoint_run, sla_escalate_run


@task()
def sla_checkpoint(case_id: int, kind: str, due: str) -> str:
    return sla_checkpoint_run(case_id=case_id, kind=kind, due=parse_datetime(due))


@task()
def sla_escalate(case_id: int, level: int, due: str) -> str:
    return sla_escalate_run(case_id=case_id, level=level, due=parse_datetime(due))
