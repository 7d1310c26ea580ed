"""Scheduled work for cases (Django Tasks; enqueued with ``run_after``)."""

from django.utils.dateparse import parse_datetime
from django_tasks import task

from imbizo.core.permissions import system_actor

from .escalation import sla_checkpoint_run, sla_escalate_run


@task()
def sla_checkpoint(case_id: int, kind: str, due: str, chain: str | None = None) -> str:
    return sla_checkpoint_run(case_id=case_id, kind=kind, due=parse_datetime(due),
                              chain=parse_datetime(chain) if chain else None)


@task()
def sla_escalate(case_id: int, level: int, due: str) -> str:
    return sla_escalate_run(case_id=case_id, level=level, due=parse_datetime(due))


@task()
def case_autoclose(case_id: int, resolved: str) -> str:
    """Close a resolved case whose resident did not answer; a reopen since makes it stale."""
    from .lifecycle import case_close
    from .models import Case, Status

    case = Case.objects.filter(pk=case_id).first()
    if case is None or case.status != Status.RESOLVED or case.resolved is None \
            or abs((case.resolved - parse_datetime(resolved)).total_seconds()) > 1:
        return "stale"
    case_close(actor=system_actor("system"), case=case)
    return "closed"
