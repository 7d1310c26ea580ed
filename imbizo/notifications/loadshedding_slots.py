"""The chain of slot alerts of each followed area (notifications/loadshedding.py): one
``slot_alerts`` task at a time per area, scheduled with ``run_after`` for the next
alert's time, never a poll over areas.

A step computes the area's outages of the next ``WINDOW`` at the stage in force (a change
announced ahead is in them), opens the fan-out of every outage whose alert is due and
that has not begun, and schedules the next step for the first alert after now (or in
``RECHECK`` when none is ahead: no load-shedding, or a day without slots). The plan's
version and the step's time are checked under its row lock first: a chain restarted
meanwhile (a stage change, a first follower) leaves this one to exit, so a chain never
runs twice; nobody following stops it until the next first follower.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from imbizo.core.errors import ImbizoError
from imbizo.core.events import subscribe
from imbizo.core.outbox import enqueue_with_change
from imbizo.loadshedding.alert_plans import (
    alert_plan_claim,
    alert_plan_live,
    alert_plan_next,
    alert_plan_restart,
)
from imbizo.loadshedding.cycle import SOUTH_AFRICA
from imbizo.loadshedding.models import Subscription
from imbizo.loadshedding.selectors import schedule_between
from imbizo.loadshedding.subscriptions import SUBSCRIBED_EVENT

from .billing import QUIET_FROM, QUIET_UNTIL
from .loadshedding_fanout import runs_open

WINDOW = timedelta(days=2)  # outages looked at a step: a 19:00 alert may be for 06:00
RECHECK = timedelta(hours=12)  # the next step when no alert is ahead in the window
EVENING = time(19, 0)  # the quiet hours' alerts go out the evening before, at this time
LOST = timedelta(hours=1)  # a chain this overdue lost its task: a first follower restarts it


def alert_time(start: datetime) -> datetime:
    """When an outage starting at ``start`` is told: the lead time before it, or, when
    that falls in the quiet hours (20:00 to 07:00), 19:00 the evening before them."""
    at = (start - timedelta(minutes=settings.LOADSHEDDING_ALERT_LEAD_MINUTES)) \
        .astimezone(SOUTH_AFRICA)
    if QUIET_UNTIL <= at.time() < QUIET_FROM:
        return at
    evening = at.date() if at.time() >= QUIET_FROM else at.date() - timedelta(days=1)
    return datetime.combine(evening, EVENING, tzinfo=SOUTH_AFRICA)


def area_shed_before(key: str, now: datetime, until: datetime) -> bool:
    """Whether the area has an outage starting from now until ``until``."""
    try:
        found = schedule_between(key=key, start=now, end=until)
    except ImbizoError:
        return False
    return any(o.start > now for o in found.outages)


def chains_restart(areas: dict[int, str]) -> None:
    """A new chain for each area (id -> key), in the caller's transaction."""
    for area_id in areas:
        enqueue_with_change(slot_alerts, area_id, alert_plan_restart(area_id=area_id), "")


def _due_runs(area_id: int, key: str, now: datetime) -> list[datetime]:
    """Open the fan-out of each outage whose alert is due; the later alerts' times."""
    try:
        outages = schedule_between(key=key, start=now, end=now + WINDOW).outages
    except ImbizoError:  # the area lost its schedule: the chain waits for a change
        return []
    later = []
    for outage in outages:
        if outage.start <= now:  # under way already (cut at now)
            continue
        at = alert_time(outage.start)
        if at > now:
            later.append(at)
            continue
        runs_open(f"ls-slot:{area_id}:{int(outage.start.timestamp())}", {
            "areas": [area_id], "slot_start": outage.start, "slot_end": outage.end,
            "stage": outage.stage})
    return later


@task()
def slot_alerts(area_id: int, version: int, due: str) -> str:
    """One step of an area's chain (``due``: when it was scheduled for; "" for a chain's
    first step). Returns what it did: stale, stopped or the next step's time."""
    now = timezone.now()
    with transaction.atomic():
        plan = alert_plan_claim(area_id=area_id, version=version,
                                due=datetime.fromisoformat(due) if due else None)
        if plan is None:
            return "stale"
        if not Subscription.objects.filter(area_id=area_id).exists():
            alert_plan_next(plan, None)
            return "stopped"
        later = _due_runs(area_id, plan.area.key, now)
        next_at = min(later, default=now + RECHECK).replace(microsecond=0)
        alert_plan_next(plan, next_at)
        enqueue_with_change(slot_alerts, area_id, version, next_at.isoformat(),
                            run_after=next_at)
    return next_at.isoformat()


@subscribe(SUBSCRIBED_EVENT)
def on_subscribed(*, area_id: int, **_payload) -> None:
    """A new follower: the area's chain starts, unless one is live."""
    with transaction.atomic():
        if not alert_plan_live(area_id=area_id, now=timezone.now(), grace=LOST):
            enqueue_with_change(slot_alerts, area_id, alert_plan_restart(area_id=area_id), "")
