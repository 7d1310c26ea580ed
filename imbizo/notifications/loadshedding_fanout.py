"""The fan-out of load-shedding alerts (notifications/loadshedding.py): an ``AlertRun``
(a stage change's, or an outage's) sent batch after batch in resident order, each batch
one transaction: the residents (``alert_batch``: follow an area of the run, agreed,
not erased), their channels and opt-outs (``reach.address_book``), one message each in
their language (``messages_queue_many``: one statement), then the run's cursor. After
``SLICE_SECONDS`` the rest goes to a new task, written with the last batch. A copy of
the task, or one run again after its worker died, goes on from the cursor; the dedupe
key (the run's change and stage, or area and outage, and the resident) is the last guard.
A fan-out over many residents is cut into ``SHARDS`` runs that workers take at once.
"""

import time
from datetime import datetime

from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from django_tasks import task

from imbizo.accounts.models import Consent
from imbizo.core.outbox import enqueue_with_change
from imbizo.loadshedding.alert_plans import (
    alert_run_claim,
    alert_run_finish,
    alert_run_open,
    alert_run_record,
)
from imbizo.loadshedding.models import AlertRun, StageChange, Subscription
from imbizo.loadshedding.subscription_selectors import alert_batch
from imbizo.messaging.queue_many import first_channel_drafts, messages_queue_many
from imbizo.messaging.reach import address_book

from .loadshedding_texts import SlotTexts, StageTexts

SLICE_SECONDS = 15.0  # a task's share, well within TASK_LEASE_SECONDS (40)
SHARDS = 4  # a big fan-out in this many runs, which several workers take at once
SHARD_MIN = 20_000  # residents' ids a fan-out spans before it is split


def _stale(run: AlertRun, now: datetime) -> bool:
    """A slot that began, or a stage change replaced (its stage set again) or followed
    by a newer announcement for its areas: nothing (more) to say."""
    if run.change_id is None:
        return now >= run.slot_start
    change = StageChange.objects.filter(pk=run.change_id).values_list("stage", flat=True)
    if change.first() != run.stage:
        return True
    scope = Q(municipality__isnull=True)
    if run.scope_municipality_id is not None:
        scope |= Q(municipality_id=run.scope_municipality_id)
    return StageChange.objects.filter(scope, at__gt=run.change.at,
                                      created__gt=run.created).exists()


def _prefix(run: AlertRun) -> str:
    """The dedupe key's head: the run's key without its part (night, morning, shard)."""
    return ":".join(run.key.split(":")[:3]) + ":"


@task()
def alerts_send(run_id: int) -> int:
    """Send a run's alerts from its cursor, batch after batch, for ``SLICE_SECONDS``; the
    rest goes to a new task. Returns how many batches it sent."""
    started, batches, texts = time.monotonic(), 0, None
    while True:
        with transaction.atomic():
            run = alert_run_claim(run_id=run_id)
            if run is None:
                return batches
            now = timezone.now()
            if texts is None:
                if _stale(run, now):
                    alert_run_finish(run)
                    return batches
                texts = StageTexts(run, now) if run.change_id else SlotTexts(run, now)
            batch = alert_batch(run=run)
            drafts, skipped = first_channel_drafts(batch.residents, address_book(batch.span()),
                                                   texts, _prefix(run))
            queued = messages_queue_many(drafts=drafts, purpose=Consent.Purpose.BROADCASTS,
                                         municipality=run.scope_municipality) if drafts else 0
            alert_run_record(run, batch, queued=queued, skipped=skipped)
            batches += 1
            if batch.last:
                return batches
            if time.monotonic() - started > SLICE_SECONDS:
                enqueue_with_change(alerts_send, run_id)
                return batches


def _shards(areas: list[int] | None) -> list[tuple[int, int | None]]:
    """(cursor, until) of each shard: the followers' ids cut in ``SHARDS`` ranges when
    they span more than ``SHARD_MIN`` (one aggregate over the subscriptions' index)."""
    found = Subscription.objects.filter(area_id__in=areas) if areas else Subscription.objects
    span = found.aggregate(low=Min("citizen_id"), high=Max("citizen_id"))
    low, high = span["low"] or 0, span["high"] or 0
    if high - low < SHARD_MIN:
        return [(0, None)]
    step = (high - low) // SHARDS + 1
    cuts = [low - 1 + step * n for n in range(SHARDS)]
    return [(cut, cuts[n + 1] if n + 1 < SHARDS else None) for n, cut in enumerate(cuts)]


def runs_open(key: str, fields: dict, run_after: datetime | None = None) -> int:
    """Open the runs of one fan-out (sharded) and enqueue each new one's task, in the
    caller's transaction. A run opened before (an event relayed twice) is left alone."""
    opened = 0
    for n, (cursor, until) in enumerate(_shards(fields.get("areas"))):
        run, created = alert_run_open(key=f"{key}:{n}", cursor=cursor, until=until, **fields)
        if created:
            enqueue_with_change(alerts_send, run.pk, run_after=run_after)
            opened += 1
    return opened


