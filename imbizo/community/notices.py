"""Who is told what about a meeting, batch by batch: the side of the messages that belongs
to meetings (``notifications/community.py`` queues them and never decides who).

- The announcement reaches the residents whose home is the meeting's municipality (and,
  unless it is for the whole municipality, whose ward is one of its wards) who consented
  to news and alerts for their area (``broadcasts``).
- A cancellation, and the reminder the day before, reach those who answered yes or maybe:
  they asked for the meeting, so the message is part of the service they asked for.

A batch is taken under a lock on its notice, and only at the cursor the task was given
(``notice_claim``): a copy of the task, or one run again after its worker died, finds the
cursor moved and does nothing.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from imbizo.accounts.models import Citizen, Consent

from .meeting_models import Meeting, MeetingNotice, MeetingWard, Rsvp

BATCH_SIZE = 500
REMIND_AT = time(10, 0)  # South African time, the day before the meeting
Kind = MeetingNotice.Kind
COMING = (Rsvp.Answer.YES, Rsvp.Answer.MAYBE)
CITIZEN_FIELDS = ("id", "uuid", "phone", "email", "language", "preferred_channel", "erased")


def reminder_due(starts: datetime, now: datetime | None = None) -> datetime | None:
    """When the reminder goes: 10:00 the day before the meeting, or at once when that has
    passed and the meeting is still a day or more away; None for a meeting today."""
    now = now or timezone.now()
    local = timezone.localtime(starts)
    due = datetime.combine(local.date() - timedelta(days=1), REMIND_AT, tzinfo=local.tzinfo)
    if due > now:
        return due
    return now if timezone.localdate(now) < local.date() else None


def notice_open(*, meeting_id: int, kind: str) -> MeetingNotice:
    """The meeting's notice of ``kind``, made once however often it is asked for."""
    found = MeetingNotice.objects.filter(meeting_id=meeting_id, kind=kind).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return MeetingNotice.objects.create(meeting_id=meeting_id, kind=kind)
    except IntegrityError:
        return MeetingNotice.objects.get(meeting_id=meeting_id, kind=kind)


def notice_claim(*, notice_id: int, cursor: int) -> MeetingNotice | None:
    """The unfinished notice, locked for this transaction, if its cursor is still
    ``cursor``; else None (another run has done this batch)."""
    return MeetingNotice.objects.select_for_update(of=("self",)).select_related(
        "meeting", "meeting__municipality").defer("meeting__municipality__boundary").filter(
        pk=notice_id, cursor=cursor, finished__isnull=True).first()


def notice_stale(notice: MeetingNotice, now: datetime | None = None) -> bool:
    """An announcement of a meeting cancelled or over since, a reminder of one cancelled
    or started: nothing more is sent."""
    meeting, now = notice.meeting, now or timezone.now()
    if notice.kind == Kind.ANNOUNCE:
        return meeting.status == Meeting.Status.CANCELLED or meeting.ends <= now
    if notice.kind == Kind.REMIND:
        return meeting.status == Meeting.Status.CANCELLED or meeting.starts <= now
    return False


@dataclass
class Batch:
    citizens: list[Citizen]
    cursor: int  # the last resident (announce) or answer (cancel, remind) in it
    last: bool


def notice_batch(notice: MeetingNotice, size: int | None = None) -> Batch:
    """The next residents to tell, after the notice's cursor: one query."""
    size = size or BATCH_SIZE
    if notice.kind == Kind.ANNOUNCE:
        return _residents(notice, size)
    answers = list(Rsvp.objects.filter(
        meeting_id=notice.meeting_id, answer__in=COMING, citizen__isnull=False,
        citizen__erased__isnull=True, pk__gt=notice.cursor).order_by("pk")
        .select_related("citizen").only("pk", *(f"citizen__{f}" for f in CITIZEN_FIELDS))
        [:size])
    return Batch([a.citizen for a in answers], answers[-1].pk if answers else notice.cursor,
                 len(answers) < size)


def _residents(notice: MeetingNotice, size: int) -> Batch:
    """The next residents of the meeting's wards (or municipality) who agreed to news.
    The cursor is said to the consents' subquery too: PostgreSQL may join the consents in
    resident order, and without it reads every consent before the batch's first resident,
    batch after batch (news/targets.py found the same)."""
    meeting, after = notice.meeting, notice.cursor
    consenting = Consent.objects.filter(citizen=OuterRef("pk"), withdrawn__isnull=True,
                                        purpose=Consent.Purpose.BROADCASTS,
                                        citizen_id__gt=after)
    found = Citizen.objects.filter(municipality_id=meeting.municipality_id,
                                   erased__isnull=True, pk__gt=after)
    if not meeting.whole_municipality:
        found = found.filter(ward_id__in=list(MeetingWard.objects.filter(meeting=meeting)
                                              .values_list("ward_id", flat=True)))
    citizens = list(found.filter(Exists(consenting)).order_by("pk").only(*CITIZEN_FIELDS)[:size])
    return Batch(citizens, citizens[-1].pk if citizens else after, len(citizens) < size)


def notice_record(*, notice: MeetingNotice, batch: Batch, queued: int) -> None:
    """The batch done, in the claiming transaction: the cursor moves on; the last batch
    finishes the notice."""
    notice.cursor, notice.queued = batch.cursor, notice.queued + queued
    if batch.last:
        notice.finished = timezone.now()
    notice.save(update_fields=["cursor", "queued", "finished"])
