"""Service-level checkpoints and the escalation ladder, run by scheduled tasks.

A case has up to three checkpoints: acknowledgement due, the 75% warning and the
resolution deadline. When a case is logged (or its clock resumes, or it reopens) one
task is scheduled for the first of them; each checkpoint task, when it runs, schedules
the next. The chain is named by the resolution deadline it was scheduled for: once the
clock moves, a new chain starts and the old one finds itself stale and stops, so no
case is ever polled and no checkpoint fires twice. A breach climbs the department's
ladder one rung at a time.
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imbizo.accounts.models import Role
from imbizo.audit.services import audit_record
from imbizo.core.events import emit
from imbizo.core.outbox import enqueue_with_change

from . import sla
from .models import Case, CaseUpdate, EscalationStep
from .representation import case_event_data

DEFAULT_LADDER = (  # level, role, department_only, hours after the previous rung
    (1, Role.SUPERVISOR, True, 0),
    (2, Role.MANAGER, True, 24),
    (3, Role.MUNICIPAL_ADMIN, False, 48),
)


CHECKPOINT_ORDER = {"ack": 0, "warning": 1, "breach": 2}


def checkpoints(case: Case) -> list[tuple[str, datetime]]:
    points = [("warning", sla.warning_time(case)), ("breach", case.resolve_due)]
    if case.acknowledged is None and case.ack_due:
        points.insert(0, ("ack", case.ack_due))
    return points


def next_checkpoint(case: Case, after: tuple[datetime, str] | None = None
                    ) -> tuple[str, datetime] | None:
    """The case's first checkpoint, or the first one after ``after`` (time, kind)."""
    later = sorted((at, CHECKPOINT_ORDER[kind], kind) for kind, at in checkpoints(case)
                   if at is not None and (after is None or (at, CHECKPOINT_ORDER[kind]) >
                                          (after[0], CHECKPOINT_ORDER[after[1]])))
    return (later[0][2], later[0][0]) if later else None


def sla_enqueue(case: Case, checkpoint: tuple[str, datetime] | None) -> None:
    """Enqueue a checkpoint of the case's current chain, with the change that set it."""
    from .tasks import sla_checkpoint

    if checkpoint is not None and case.resolve_due is not None:
        kind, at = checkpoint
        enqueue_with_change(sla_checkpoint, case.pk, kind, at.isoformat(),
                            case.resolve_due.isoformat(), run_after=at)


def sla_schedule(case: Case) -> None:
    """Start the case's chain of checkpoints (after a log, a resume or a reopen)."""
    sla_enqueue(case, next_checkpoint(case))


def ladder(case: Case) -> list[tuple[int, str, bool, float]]:
    steps = [(s.level, s.role, s.department_only, float(s.after_hours))
             for s in EscalationStep.objects.filter(department_id=case.department_id)]
    return steps or [(lvl, str(role), only, hours) for lvl, role, only, hours in DEFAULT_LADDER]


def recipients(case: Case, role: str, department_only: bool):
    users = get_user_model().objects.filter(
        memberships__role=role, memberships__active=True,
        memberships__municipality_id=case.municipality_id, is_active=True)
    if department_only:
        users = users.filter(memberships__department_id=case.department_id)
    return users.distinct()


def _record(case: Case, text: str, action: str, **changes) -> None:
    CaseUpdate.objects.create(case=case, kind=CaseUpdate.Kind.ESCALATION, actor="system",
                              author=_("Imbizo"), text=text)
    audit_record(actor="system", channel="system", action=action, obj=case,
                 municipality_code=case.municipality.code, changes=changes)


# xgettext:no-python-format
WARNING = gettext_lazy("75% of the time to resolve has passed.")


def _acted(case: Case, kind: str, due: datetime) -> bool:
    """A checkpoint's task that runs again (its worker died after the commit and the task
    was reclaimed) finds its own mark: it neither acts twice nor starts a second chain.
    A reopen clears the breach mark; a warning's mark is its record since it fell due."""
    if kind == "ack":
        return case.ack_breached
    if kind == "breach":
        return case.resolve_breached
    return case.updates.filter(kind=CaseUpdate.Kind.ESCALATION, actor="system",
                               text=str(WARNING), created__gte=due).exists()


def _same_time(a: datetime | None, b: datetime) -> bool:
    return a is not None and abs((a - b).total_seconds()) <= 1


@transaction.atomic
def sla_checkpoint_run(*, case_id: int, kind: str, due: datetime,
                       chain: datetime | None = None) -> str:
    """Act on one checkpoint and, for a task of the current chain, schedule the next;
    returns what happened (for the task result and tests)."""
    case = Case.objects.select_for_update(of=("self",)).select_related(
        "category", "municipality", "department", "ward", "reporter").filter(pk=case_id).first()
    if case is None or not case.is_open or case.paused is not None:
        return "not open"
    if chain is not None and not _same_time(case.resolve_due, chain):
        return "stale"  # the clock moved since: a newer chain runs
    if _acted(case, kind, due):
        return "done already"
    outcome = _checkpoint_act(case, kind) \
        if _same_time(dict(checkpoints(case)).get(kind), due) else "stale"
    if chain is not None:
        sla_enqueue(case, next_checkpoint(case, after=(due, kind)))
    return outcome


def _checkpoint_act(case: Case, kind: str) -> str:
    if kind == "ack":
        case.ack_breached = True
        case.save(update_fields=["ack_breached", "updated"])
        _record(case, _("Not acknowledged in time."), "case.sla.ack_breached")
        _announce(case, "ack_breached", level=0)
        return "ack breached"
    if kind == "warning":
        _record(case, str(WARNING), "case.sla.warning")
        _announce(case, "warning", level=0)
        return "warned"
    case.resolve_breached = True
    case.save(update_fields=["resolve_breached", "updated"])
    return escalate(case, level=1)


def escalate(case: Case, *, level: int) -> str:
    steps = {step[0]: step for step in ladder(case)}
    if level not in steps:
        return "top of ladder"
    role, department_only = steps[level][1], steps[level][2]
    people = list(recipients(case, role, department_only))
    case.escalation_level = level
    case.save(update_fields=["escalation_level", "updated"])
    _record(case, _("Escalated to %(role)s (level %(level)s).")
            % {"role": Role(role).label, "level": level}, "case.sla.escalated",
            level=level, role=role, users=[u.pk for u in people])
    _announce(case, "escalated", level=level, user_ids=[u.pk for u in people])
    if level + 1 in steps:
        from .tasks import sla_escalate

        at = timezone.now() + timedelta(hours=steps[level + 1][3])
        enqueue_with_change(sla_escalate, case.pk, level + 1, case.resolve_due.isoformat(),
                            run_after=at)
    return f"escalated to level {level}"


@transaction.atomic
def sla_escalate_run(*, case_id: int, level: int, due: datetime) -> str:
    case = Case.objects.select_for_update(of=("self",)).select_related(
        "category", "municipality", "department", "ward", "reporter").filter(pk=case_id).first()
    if case is None or not case.is_open or case.paused is not None:
        return "not open"
    if abs((case.resolve_due - due).total_seconds()) > 1 or case.escalation_level >= level:
        return "stale"
    return escalate(case, level=level)


def _announce(case: Case, what: str, *, level: int, user_ids: list[int] | None = None) -> None:
    emit("case_sla", municipality_id=case.municipality_id, case_id=case.pk, what=what,
         level=level, user_ids=user_ids or [],
         data=case_event_data(case) | {"sla": {"what": what, "level": level}})
