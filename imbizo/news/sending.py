"""The sending task's steps (``notifications/news.py``), mirroring the debt-recovery
campaigns' (``billing/campaigns.py``): the news app chooses who is sent a broadcast and
keeps count; it never imports messaging.

A broadcast being sent holds its place: ``cursor``, the last resident id done. Each
batch runs in one transaction that locks the item (``news_claim``), reads the next
residents after the cursor (``news_batch``, one query: the target, consent and erasure
are in it), and, once their messages are queued, moves the cursor and counts
(``news_batch_record``). A copy of the task, or one run again after its worker died,
finds the cursor moved and goes on from there; the messages' dedupe keys are the last
guard, so no resident is sent a broadcast twice.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from imbizo.accounts.models import Citizen
from imbizo.accounts.recipients import RECIPIENT_COLUMNS, Recipient
from imbizo.core.permissions import system_actor

from .models import NewsItem
from .services import audit, go_out
from .targets import recipients

Status = NewsItem.Status
BATCH_SIZE = 1000  # residents a batch: one transaction, a few statements


@dataclass
class Batch:
    residents: list[Recipient] = field(default_factory=list)
    after: int = 0  # the cursor it started from
    cursor: int = 0  # the last resident's id
    last: bool = True  # nobody after these

    def span(self) -> QuerySet[Citizen]:
        """Every resident with an id in the batch's range (its own, and others): how to
        name them in a query without a list of a thousand ids."""
        return Citizen.objects.filter(pk__gt=self.after, pk__lte=self.cursor)


def news_release(*, news_id: int, send_at: datetime) -> NewsItem | None:
    """A scheduled item's time has come: publish it (and start sending a broadcast).
    None, doing nothing, if it was cancelled, published already or moved to another
    time (whose own task will come)."""
    with transaction.atomic():
        item = NewsItem.objects.select_for_update(of=("self",)).select_related("municipality") \
            .defer("municipality__boundary").filter(pk=news_id).first()
        if item is None or item.status != Status.SCHEDULED or item.send_at != send_at:
            return None
        go_out(item)
        audit(system_actor("task"), "news.release", item, kind=item.kind)
    return item


def news_claim(*, news_id: int) -> NewsItem | None:
    """Lock a broadcast being sent for one batch, in the caller's transaction; None once
    it is no longer sending."""
    item = NewsItem.objects.select_for_update(of=("self",)).select_related("municipality") \
        .defer("municipality__boundary").filter(pk=news_id).first()
    return item if item is not None and item.status == Status.SENDING else None


def target_wards(item: NewsItem) -> list[int]:
    return list(item.wards.values_list("pk", flat=True))


def news_batch(*, item: NewsItem, ward_ids: list[int], after: int | None = None,
               size: int | None = None) -> Batch:
    """The next ``size`` residents after the cursor (or ``after``: the batch after the one
    being written) who are to be sent ``item``: one query whatever the size."""
    size, after = size or BATCH_SIZE, item.cursor if after is None else after
    rows = list(recipients(item, ward_ids, after=after).order_by("pk")
                .values_list(*RECIPIENT_COLUMNS)[:size])
    return Batch([Recipient(*row) for row in rows], after, rows[-1][0] if rows else after,
                 len(rows) < size)


def news_batch_record(*, item: NewsItem, batch: Batch, queued: int, skipped: int) -> None:
    """Count the batch and move the cursor past it, in the caller's transaction (the
    claim's); after the last batch the broadcast is sent, and audited."""
    item.cursor = batch.cursor
    item.queued += queued
    item.skipped += skipped
    fields = ["cursor", "queued", "skipped", "updated"]
    if batch.last:
        item.status, item.finished = Status.SENT, timezone.now()
        fields += ["status", "finished"]
    item.save(update_fields=fields)
    if batch.last:
        audit(system_actor("task"), "news.sent", item, queued=item.queued,
              skipped=item.skipped)
