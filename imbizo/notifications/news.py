"""Broadcasts (news/sending.py): the tasks that publish a scheduled item when its time
comes and send a broadcast to its residents, and what the outbox says of them.

``news_scheduled`` enqueues ``news_due`` for the item's time (``run_after``: nothing
polls); it publishes the item, which, for a broadcast, emits ``news_published``, as
publishing at once does. That enqueues ``news_send``, which works through the residents
batch after batch, each batch in one transaction that holds the item's row, mirroring the
debt-recovery campaigns (``notifications/campaigns.py``): the residents (news), their
channels and opt-outs (``reach.address_book``: a few queries for the whole batch), the
messages written in bulk (``messages_queue_many``, each language's text made once), then
the count and the cursor moved on; the next batch is read meanwhile and drafted in a
thread while this one is written. After ``SLICE_SECONDS`` it hands the rest to a new
task, written with its last batch. A copy of the task, or one run again after its worker
died, goes on from the cursor; each message's dedupe key is the item's and the
resident's, so nobody is sent a broadcast twice.

A broadcast that is not urgent waits for the end of the quiet hours (20:00 to 07:00,
South African time), as the billing notices do; every message goes under the
``broadcasts`` purpose, within opt-outs, and at each provider's rate (the outbox's).
"""

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from imbizo.accounts.models import Consent
from imbizo.core.events import subscribe
from imbizo.core.outbox import enqueue_with_change
from imbizo.messaging.models import Channel, OutboundMessage, Status
from imbizo.messaging.queue_many import Draft, first_channel_drafts, messages_queue_many
from imbizo.messaging.reach import AddressBook, address_book
from imbizo.news.models import NewsItem
from imbizo.news.sending import (
    Batch,
    news_batch,
    news_batch_record,
    news_claim,
    news_release,
    target_wards,
)

from .billing import quiet_until

SLICE_SECONDS = 15.0  # a task's share, well within TASK_LEASE_SECONDS (40)
READ_MORE = _("Read more: %(link)s")
SHORT_ONLY = (Channel.SMS,)  # one SMS: the short text alone


def message_key(item: NewsItem, resident_id: int) -> str:
    return f"{key_prefix(item)}{resident_id}"


def key_prefix(item: NewsItem) -> str:
    """What every message of a broadcast's dedupe key starts with."""
    return f"news:{item.uuid}:"


def news_link(item: NewsItem) -> str:
    return settings.SITE_URL + reverse("web:news_item", args=[item.pk])


class Texts:
    """Each language's message made once a task, per channel kind."""

    def __init__(self, item: NewsItem) -> None:
        self.item, self.link, self.key_prefix = item, news_link(item), key_prefix(item)
        self.template = settings.WHATSAPP_TEMPLATES.get("news_update")
        self.done: dict[tuple[str, bool], tuple[str, dict | None]] = {}

    def __call__(self, resident, channel: str) -> tuple[str, dict | None]:
        language = resident.language
        short_only = channel in SHORT_ONLY
        if (language, short_only) not in self.done:
            title, _body, short = self.item.text_in(language)
            with translation.override(language):
                more = str(READ_MORE) % {"link": self.link}
            body = short if short_only else f"{title}\n{short}\n{more}"
            template = {"name": self.template, "language": language,
                        "params": [title, short]} if self.template else None
            self.done[language, short_only] = (body, template)
        return self.done[language, short_only]


@dataclass
class Planned:
    """A batch's residents, read, and their messages, being drafted."""

    batch: Batch
    drafts: Future  # of (drafts, residents no channel reaches)


def _draft(batch: Batch, book: AddressBook, texts: Texts) -> tuple[list[Draft], int]:
    """Each resident's message on their first channel, in their language: Python only,
    no database (it runs in the drafting thread)."""
    return first_channel_drafts(batch.residents, book, texts, texts.key_prefix)


def _read(item: NewsItem, ward_ids: list[int], after: int, texts: Texts,
          drafting: ThreadPoolExecutor) -> Planned:
    """The residents after ``after`` and their channels and opt-outs, read now; their
    messages drafted in the drafting thread."""
    batch = news_batch(item=item, ward_ids=ward_ids, after=after)
    return Planned(batch, drafting.submit(_draft, batch, address_book(batch.span()), texts))


def _write(item: NewsItem, planned: Planned) -> None:
    """Queue a batch's messages and count them, in the caller's transaction."""
    drafts, skipped = planned.drafts.result()
    queued = messages_queue_many(drafts=drafts, purpose=Consent.Purpose.BROADCASTS,
                                 municipality=item.municipality) if drafts else 0
    # A resident already sent it (a batch done again) counts in neither figure.
    news_batch_record(item=item, batch=planned.batch, queued=queued, skipped=skipped)


@task()
def news_send(news_id: int) -> int:
    """Send a broadcast from where it stands, batch after batch, for ``SLICE_SECONDS``;
    the rest goes to a new task. Returns how many batches it sent: none for a copy that
    found it sent, or in the quiet hours (it runs again at 07:00).

    The next batch's residents are read as soon as this one's are, and their messages
    drafted in a thread while this batch is written: Python and PostgreSQL work at once,
    on two cores. A batch read ahead is used only if the broadcast is still where it was
    (another task may have moved it on meanwhile)."""
    started, batches, ward_ids, texts, ahead = time.monotonic(), 0, None, None, None
    with ThreadPoolExecutor(1, thread_name_prefix="news-drafting") as drafting:
        while True:
            with transaction.atomic():
                item = news_claim(news_id=news_id)
                if item is None:
                    return batches
                if not item.urgent and (later := quiet_until(timezone.now())) is not None:
                    enqueue_with_change(news_send, news_id, run_after=later)
                    return batches
                if ward_ids is None:
                    ward_ids, texts = target_wards(item), Texts(item)
                if ahead is None or ahead.batch.after != item.cursor:
                    ahead = _read(item, ward_ids, item.cursor, texts, drafting)
                planned, ahead = ahead, None
                if not planned.batch.last:
                    ahead = _read(item, ward_ids, planned.batch.cursor, texts, drafting)
                _write(item, planned)
                batches += 1
                if planned.batch.last:
                    return batches
                if time.monotonic() - started > SLICE_SECONDS:
                    enqueue_with_change(news_send, news_id)
                    return batches


@task()
def news_due(news_id: int, send_at: str) -> bool:
    """A scheduled item's time: publish it, unless it was moved or cancelled."""
    return news_release(news_id=news_id, send_at=datetime.fromisoformat(send_at)) is not None


@subscribe("news_scheduled")
def on_news_scheduled(*, news_id: int, send_at: str, **_payload) -> None:
    news_due.using(run_after=datetime.fromisoformat(send_at)).enqueue(news_id, send_at)


@subscribe("news_published")
def on_news_published(*, news_id: int, urgent: bool = False, **_payload) -> None:
    later = None if urgent else quiet_until(timezone.now())
    (news_send.using(run_after=later) if later else news_send).enqueue(news_id)


# --- what became of a broadcast's messages --------------------------------------------
UUID_AT = len("news:") + 1  # where the item's uuid starts in a message's dedupe key


def news_delivery(items: list[NewsItem]) -> dict[int, dict[str, int]]:
    """Per broadcast: messages sent (accepted by a provider), delivered and failed, the
    outbox's own figures, found by the items' dedupe-key prefix (one query; the key's
    index serves it on PostgreSQL). A message that failed on one channel and was sent
    again on the resident's next counts by how the next went."""
    wanted = {str(item.uuid): item.pk for item in items if item.kind == "broadcast"}
    if not wanted:
        return {}
    prefix = Q()
    for item in items:
        if str(item.uuid) in wanted:
            prefix |= Q(dedupe_key__startswith=key_prefix(item))
    again = Exists(OutboundMessage.objects.filter(fallback_of=OuterRef("pk")))
    rows = OutboundMessage.objects.filter(prefix).annotate(
        item=Substr("dedupe_key", UUID_AT, 36), again=again).order_by() \
        .values("item", "status", "again").annotate(n=Count("pk"))
    found = {pk: {"sent": 0, "delivered": 0, "failed": 0} for pk in wanted.values()}
    for row in rows:
        counts, status, n = found[wanted[row["item"]]], row["status"], row["n"]
        if status in (Status.SENT, Status.DELIVERED):
            counts["sent"] += n
        if status == Status.DELIVERED:
            counts["delivered"] += n
        elif status in (Status.FAILED, Status.UNDELIVERABLE) and not row["again"]:
            counts["failed"] += n
    return found
