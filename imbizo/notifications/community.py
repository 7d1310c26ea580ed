"""Residents hear about community meetings (community/meetings.py): the announcement, to
the residents of the meeting's wards who consented to news for their area; a
cancellation, to those who answered yes or maybe; and a reminder the day before, to them
too.

``meeting_announced`` enqueues the announcement's first batch and the reminder (a task
with ``run_after``: 10:00 the day before, never a poll); ``meeting_cancelled`` the
cancellation's. Each batch of ``meeting_notice_send`` is one transaction that
holds the notice's row, as debt-recovery campaigns do (campaigns.py): the residents
(``community.notices``), their channels and opt-outs (``reach.address_book``), the messages
written in bulk, each text rendered once per language, then the cursor moved. A task works
batch after batch for ``SLICE_SECONDS`` (a task per batch cost more than the batch: 201
tasks and 23.5 s for 100,000 residents), then writes the next task with its last batch.
A copy of a task finds the cursor moved and sends nothing;
each message's ``dedupe_key`` is the last guard. Nothing goes in the quiet hours (20:00 to
07:00): a batch that falls in them waits for 07:00.
"""

import time
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from imbizo.accounts.models import Consent
from imbizo.community.meeting_models import Meeting, MeetingNotice
from imbizo.community.meeting_selectors import meeting_when
from imbizo.community.notices import (
    Batch,
    notice_batch,
    notice_claim,
    notice_open,
    notice_record,
    notice_stale,
    reminder_due,
)
from imbizo.core.events import subscribe
from imbizo.core.outbox import enqueue_with_change
from imbizo.messaging.queue_many import first_channel_drafts, messages_queue_many
from imbizo.messaging.reach import address_book

from .billing import quiet_until

Kind = MeetingNotice.Kind
TEXTS = {
    Kind.ANNOUNCE: _("Imbizo: %(municipality)s invites you to a community meeting: "
                     "%(title)s, %(when)s at %(venue)s. Will you come? Answer at %(link)s or "
                     "in My community, Meetings."),
    Kind.REMIND: _("Imbizo: a reminder of the community meeting %(title)s, %(when)s at "
                   "%(venue)s."),
    Kind.CANCEL: _("Imbizo: the community meeting %(title)s, %(when)s at %(venue)s, is "
                   "cancelled."),
}
CANCEL_WHY = _("Imbizo: the community meeting %(title)s, %(when)s at %(venue)s, is "
               "cancelled: %(reason)s")
# Telling residents of a meeting is news for their area; answering them about the meeting
# they said they would come to is part of the service they asked for.
PURPOSES = {Kind.ANNOUNCE: Consent.Purpose.BROADCASTS, Kind.REMIND: Consent.Purpose.SERVICE,
            Kind.CANCEL: Consent.Purpose.SERVICE}

SLICE_SECONDS = 15.0  # a task's share, well within TASK_LEASE_SECONDS (40)

def meeting_link(meeting: Meeting) -> str:
    return settings.SITE_URL + reverse("web:meeting", args=[meeting.uuid])


class Texts:
    """A notice's message in each language, rendered once per language."""

    def __init__(self, notice: MeetingNotice) -> None:
        meeting = notice.meeting
        self.kind = notice.kind
        self.template = TEXTS[notice.kind] if notice.kind != Kind.CANCEL or \
            not meeting.cancel_reason else CANCEL_WHY
        self.values = {"municipality": meeting.municipality.name, "title": meeting.title,
                       "when": meeting_when(meeting), "venue": meeting.venue,
                       "link": meeting_link(meeting), "reason": meeting.cancel_reason}
        self.done: dict[str, str] = {}

    def __call__(self, language: str) -> str:
        if language not in self.done:
            with translation.override(language):
                self.done[language] = str(self.template) % self.values
        return self.done[language]


def key_prefix(notice: MeetingNotice) -> str:
    """What every message of a notice's dedupe key starts with (then the resident's id)."""
    return f"community:meeting:{notice.meeting.uuid}:{notice.kind}:"



def _send_batch(notice: MeetingNotice) -> tuple[int, bool]:
    """One batch, in the caller's transaction: (messages queued, the last batch?)."""
    if notice_stale(notice):
        notice_record(notice=notice, batch=Batch([], notice.cursor, True), queued=0)
        return 0, True
    batch = notice_batch(notice)
    render = Texts(notice)
    name = settings.WHATSAPP_TEMPLATES.get("community_update")

    def text(citizen, _channel: str) -> tuple[str, dict | None]:
        body = render(citizen.language)
        return body, {"name": name, "language": citizen.language, "params": [body]} \
            if name else None

    drafts, _unreached = first_channel_drafts(batch.citizens, address_book(batch.citizens),
                                              text, key_prefix(notice))
    queued = messages_queue_many(drafts=drafts, purpose=PURPOSES[notice.kind],
                                 municipality=notice.meeting.municipality) if drafts else 0
    notice_record(notice=notice, batch=batch, queued=queued)
    return queued, batch.last


@task()
def meeting_notice_send(notice_id: int, cursor: int) -> int:
    """Tell a notice's residents from ``cursor``, batch after batch, each in its own
    transaction, for ``SLICE_SECONDS``; the rest goes to a new task, written with the last
    batch. Returns how many messages it queued: none for a stale copy, or in the quiet
    hours (it runs again at 07:00)."""
    if (later := quiet_until(timezone.now())) is not None:
        meeting_notice_send.using(run_after=later).enqueue(notice_id, cursor)
        return 0
    started, queued = time.monotonic(), 0
    while True:
        with transaction.atomic():
            notice = notice_claim(notice_id=notice_id, cursor=cursor)
            if notice is None:
                return queued
            sent, last = _send_batch(notice)
            queued, cursor = queued + sent, notice.cursor
            if last:
                return queued
            if time.monotonic() - started >= SLICE_SECONDS:
                enqueue_with_change(meeting_notice_send, notice.pk, cursor)
                return queued


@task()
def meeting_remind(meeting_id: int, starts: str) -> int:
    """The day before: remind those who said yes or maybe, unless the meeting was
    cancelled or moved (``starts`` is the start it was scheduled for). Run twice, it finds
    its notice begun and sends nothing more."""
    meeting = Meeting.objects.filter(pk=meeting_id).only("status", "starts").first()
    if meeting is None or meeting.status != Meeting.Status.ANNOUNCED or \
            meeting.starts != datetime.fromisoformat(starts):
        return 0
    notice = notice_open(meeting_id=meeting_id, kind=Kind.REMIND)
    return meeting_notice_send.call(notice.pk, notice.cursor) if not notice.finished else 0


def _enqueue(notice_id: int) -> None:
    later = quiet_until(timezone.now())
    (meeting_notice_send.using(run_after=later) if later else meeting_notice_send).enqueue(
        notice_id, 0)


@subscribe("meeting_announced")
def on_meeting_announced(*, meeting_id: int, notice_id: int, **_payload) -> None:
    _enqueue(notice_id)
    start = Meeting.objects.only("starts").get(pk=meeting_id).starts
    due = reminder_due(start)
    if due is not None:
        meeting_remind.using(run_after=due).enqueue(meeting_id, start.isoformat())


@subscribe("meeting_cancelled")
def on_meeting_cancelled(*, notice_id: int, **_payload) -> None:
    _enqueue(notice_id)
