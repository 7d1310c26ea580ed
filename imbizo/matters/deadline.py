"""The target time to acknowledge a matter, and what happens when it passes.

The target is ``MATTERS_ACK_WORKING_DAYS`` working days (the cases' business calendar:
07:30 to 16:30, Monday to Friday, South African public holidays excluded). When a matter
is raised one task is enqueued for that moment, in the same transaction (never a poll
over all matters). It marks a matter nobody has acknowledged overdue, once: run again
(its worker died after the commit), it finds its own mark and does nothing.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_noop, ngettext

from imbizo.audit.services import audit_record
from imbizo.cases.calendar import WorkingHours
from imbizo.core.events import emit
from imbizo.core.outbox import enqueue_with_change

from .models import Matter, MatterUpdate, Status

WORKING_HOURS = WorkingHours()


def _working_day_seconds() -> float:
    hours = WORKING_HOURS
    return (datetime.combine(datetime.min, hours.end)
            - datetime.combine(datetime.min, hours.start)).total_seconds()


def ack_due_from(start: datetime) -> datetime:
    return WORKING_HOURS.add(start, settings.MATTERS_ACK_WORKING_DAYS * _working_day_seconds())


def ack_check_schedule(matter: Matter) -> None:
    """Enqueue the check for the matter's target time, with the change that set it."""
    from .tasks import matter_ack_check

    enqueue_with_change(matter_ack_check, matter.pk, matter.ack_due.isoformat(),
                        run_after=matter.ack_due)


def _same_time(a: datetime | None, b: datetime) -> bool:
    return a is not None and abs((a - b).total_seconds()) <= 1


@transaction.atomic
def matter_ack_overdue_mark(*, matter_id: int, due: datetime) -> str:
    """Mark the matter overdue if it is still unacknowledged at ``due``; says what it
    found (for the task's result and the tests)."""
    matter = Matter.objects.select_for_update(of=("self",)).select_related(
        "municipality", "ward").filter(pk=matter_id).first()
    if matter is None:
        return "gone"
    if matter.status != Status.RECEIVED or matter.acknowledged is not None:
        return "acknowledged"
    if matter.ack_overdue:
        return "already marked"
    if not _same_time(matter.ack_due, due):
        return "stale"
    matter.ack_overdue = True
    matter.save(update_fields=["ack_overdue", "updated"])
    days = settings.MATTERS_ACK_WORKING_DAYS
    update = MatterUpdate.objects.create(
        matter=matter, kind=MatterUpdate.Kind.OVERDUE, actor="system",
        author=gettext_noop("Imbizo"),
        text=ngettext("Not acknowledged within %(days)s working day.",
                      "Not acknowledged within %(days)s working days.", days) % {"days": days})
    emit("matter_ack_overdue", municipality_id=matter.municipality_id, matter_id=matter.pk,
         update_id=update.pk, ward_id=matter.ward_id)
    audit_record(actor="system", channel="system", action="matter.ack_overdue", obj=matter,
                 municipality_code=matter.municipality.code,
                 changes={"ack_due": matter.ack_due.isoformat()})
    return "overdue"
