"""The bookkeeping of alerts, written by their tasks (notifications/loadshedding.py):
each area's chain of slot alerts (``AlertPlan``) and each fan-out's progress
(``AlertRun``). Load-shedding keeps them; it never imports messaging.

A chain task carries its plan's ``version`` and the time it was due; it goes on only if
the plan still says both (``alert_plan_claim``, the row locked), so a chain restarted by
a stage change or a first follower leaves the old one to exit at its next step. A fan-out
moves its run's cursor with each batch, in the batch's transaction.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .models import AlertPlan, AlertRun, Area
from .subscription_selectors import Batch


def alert_plan_restart(*, area_id: int) -> int:
    """A new chain for the area, in the caller's transaction: the version its first task
    carries. Any chain before it is stale from now on."""
    plan = AlertPlan.objects.select_for_update().filter(area_id=area_id).first()
    if plan is None:
        Area.objects.select_for_update().filter(pk=area_id).values_list("pk").first()
        plan = AlertPlan.objects.filter(area_id=area_id).first() or \
            AlertPlan.objects.create(area_id=area_id)
    plan.version += 1
    plan.next_at = None
    plan.save(update_fields=["version", "next_at", "updated"])
    return plan.version


def alert_plan_live(*, area_id: int, now: datetime, grace) -> bool:
    """Whether the area has a chain whose next step is not overdue by ``grace``."""
    return AlertPlan.objects.filter(area_id=area_id, next_at__gte=now - grace).exists()


def alert_plan_claim(*, area_id: int, version: int, due: datetime | None) -> AlertPlan | None:
    """The plan, locked in the caller's transaction, if a task of ``version`` due at
    ``due`` (None: a chain's first task) is its live step; else None (stale)."""
    plan = AlertPlan.objects.select_for_update().select_related("area").filter(
        area_id=area_id).first()
    if plan is None or plan.version != version or plan.next_at != due:
        return None
    return plan


def alert_plan_next(plan: AlertPlan, next_at: datetime | None) -> None:
    """The chain's next step (None: it stops until restarted)."""
    plan.next_at = next_at
    plan.save(update_fields=["next_at", "updated"])


def alert_run_open(*, key: str, **fields) -> tuple[AlertRun, bool]:
    """The run named ``key``, made now if new (and whether it was)."""
    with transaction.atomic():
        return AlertRun.objects.get_or_create(key=key, defaults=fields)


def alert_run_claim(*, run_id: int) -> AlertRun | None:
    """Lock a run for one batch, in the caller's transaction; None once finished."""
    run = AlertRun.objects.select_for_update().filter(pk=run_id).first()
    return run if run is not None and run.finished is None else None


def alert_run_record(run: AlertRun, batch: Batch, *, queued: int, skipped: int) -> None:
    """Count a batch and move the cursor past it (the claim's transaction)."""
    run.cursor = batch.cursor
    run.queued += queued
    run.skipped += skipped
    fields = ["cursor", "queued", "skipped"]
    if batch.last:
        run.finished = timezone.now()
        fields.append("finished")
    run.save(update_fields=fields)


def alert_run_finish(run: AlertRun) -> None:
    """End a run that has nothing (more) to send: stale, or its moment passed."""
    run.finished = timezone.now()
    run.save(update_fields=["finished"])
