"""What residents hear about meetings (notifications/community.py): the announcement to the
residents of its wards who agreed to news, on their channel and in their language, never
in the quiet hours and never twice; the cancellation and the reminder the day before to
those who said yes or maybe; the reminder a task scheduled with ``run_after``, which does
nothing when run again or after the meeting was cancelled."""

from datetime import datetime

import pytest
from django.utils import translation
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from imbizo.accounts.models import Consent
from imbizo.accounts.services import channel_opt_out, consent_withdraw
from imbizo.community.meeting_models import MeetingNotice
from imbizo.community.meetings import meeting_cancel
from imbizo.community.notices import reminder_due
from imbizo.community.rsvp import rsvp_give
from imbizo.core.permissions import system_actor
from imbizo.messaging.models import OutboundMessage
from imbizo.notifications import community as sending

from .conftest import local

MORNING = "2026-07-01 08:00:00"  # 10:00 in South Africa
NIGHT = "2026-07-01 19:30:00"  # 21:30


def send_all(notice: MeetingNotice) -> int:
    """Run the notice's batches one after another, as the worker would."""
    queued = 0
    notice.refresh_from_db()
    while notice.finished is None:
        queued += sending.meeting_notice_send.call(notice.pk, notice.cursor)
        notice.refresh_from_db()
    return queued


def notice(meeting, kind: str = "announce") -> MeetingNotice:
    return MeetingNotice.objects.get(meeting=meeting, kind=kind)


@freeze_time(MORNING)
def test_the_residents_of_the_wards_who_agreed_to_news_are_told_in_their_language(
        announce, register):
    thandi, sipho = register(1), register(1, language="zu")
    register(2)  # another ward
    register(1, broadcasts=False)  # never agreed to news
    withdrawn = register(1)
    consent_withdraw(actor=withdrawn, citizen=withdrawn.citizen,
                     purpose=Consent.Purpose.BROADCASTS)
    meeting = announce(wards=[1])
    assert send_all(notice(meeting)) == 2
    messages = {m.citizen_id: m for m in OutboundMessage.objects.all()}
    assert set(messages) == {thandi.citizen.pk, sipho.citizen.pk}
    english = messages[thandi.citizen.pk]
    assert english.purpose == "broadcasts" and english.channel == "sms"
    assert english.body.startswith("Imbizo: Aaa Local invites you to a community meeting: "
                                   "Ward meeting, 08/07/2026 18:00-20:00 at Sizwe Hall.")
    assert f"/meetings/{meeting.uuid}" in english.body
    with translation.override("zu"):
        assert messages[sipho.citizen.pk].body.startswith(
            str(sending.TEXTS["announce"]).split("%")[0])
    assert messages[sipho.citizen.pk].language == "zu"


@freeze_time(MORNING)
def test_a_meeting_of_the_whole_municipality_reaches_every_ward_but_not_another_municipality(
        announce, register, bbb):
    register(1), register(2), register(1, municipality=bbb)
    meeting = announce(wards=[])
    assert send_all(notice(meeting)) == 2


@freeze_time(MORNING)
def test_a_resident_who_opted_out_of_every_channel_is_not_messaged(announce, register):
    quiet = register(1)
    for channel in ("sms", "whatsapp"):
        channel_opt_out(channel, quiet.citizen.phone)
    reached = register(1)
    assert send_all(notice(announce())) == 1
    assert OutboundMessage.objects.get().citizen_id == reached.citizen.pk


@freeze_time(MORNING)
def test_the_announcement_is_sent_in_batches_and_a_copy_of_a_task_sends_nothing(
        announce, register, monkeypatch):
    monkeypatch.setattr("imbizo.community.notices.BATCH_SIZE", 2)
    monkeypatch.setattr(sending, "SLICE_SECONDS", 0.0)  # a task a batch
    for _n in range(5):
        register(1)
    meeting = announce()
    first = notice(meeting)
    assert sending.meeting_notice_send.call(first.pk, 0) == 2
    assert sending.meeting_notice_send.call(first.pk, 0) == 0  # a copy: the cursor moved
    assert send_all(first) == 3
    assert OutboundMessage.objects.count() == 5
    assert len(set(OutboundMessage.objects.values_list("dedupe_key", flat=True))) == 5
    first.refresh_from_db()
    assert first.queued == 5 and first.finished is not None


@freeze_time(MORNING)
def test_one_task_works_batch_after_batch_within_its_time(announce, register, monkeypatch):
    monkeypatch.setattr("imbizo.community.notices.BATCH_SIZE", 2)
    for _n in range(5):
        register(1)
    first = notice(announce())
    assert sending.meeting_notice_send.call(first.pk, 0) == 5
    first.refresh_from_db()
    assert first.finished is not None and not DBTaskResult.objects.filter(
        task_path="imbizo.notifications.community.meeting_notice_send").exists()


@freeze_time(NIGHT)
def test_in_the_quiet_hours_the_announcement_waits_for_seven(announce, register):
    register(1)
    meeting = announce()
    assert sending.meeting_notice_send.call(notice(meeting).pk, 0) == 0
    assert not OutboundMessage.objects.exists()
    waiting = DBTaskResult.objects.filter(
        task_path="imbizo.notifications.community.meeting_notice_send").order_by("-pk").first()
    assert waiting.run_after.isoformat().startswith("2026-07-02T05:00")  # 07:00 SAST


@freeze_time(MORNING)
def test_the_event_enqueues_the_announcement_and_the_reminder_the_day_before(
        announce, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = announce(day=7)
    tasks = {t.task_path.rsplit(".", 1)[1]: t for t in DBTaskResult.objects.all()}
    assert set(tasks) == {"meeting_notice_send", "meeting_remind"}
    assert tasks["meeting_remind"].run_after == local(6, 10)  # 10:00 the day before
    meeting_id, starts = tasks["meeting_remind"].args_kwargs["args"]
    assert meeting_id == meeting.pk and datetime.fromisoformat(starts) == meeting.starts


def test_the_reminder_is_due_the_day_before_or_at_once_or_never():
    with freeze_time("2026-07-01 10:00:00"):  # 12:00 in South Africa
        assert reminder_due(local(3, 18)) == local(2, 10)
        assert reminder_due(local(1, 18)) == local(0, 12)  # 10:00 today has passed: now
        assert reminder_due(local(0, 18)) is None  # today: the announcement is enough


@freeze_time(MORNING)
def test_the_reminder_reaches_yes_and_maybe_once_and_not_after_a_cancellation(
        announce, register, staff):
    meeting = announce(day=2)
    yes, maybe, no = register(2), register(2), register(2)
    for resident, answer in ((yes, "yes"), (maybe, "maybe"), (no, "no")):
        rsvp_give(actor=resident, meeting=meeting, answer=answer)
    starts = meeting.starts.isoformat()
    with freeze_time(local(1, 10)):
        assert sending.meeting_remind.call(meeting.pk, starts) == 2
        assert sending.meeting_remind.call(meeting.pk, starts) == 0  # run again: nothing
    reminded = OutboundMessage.objects.filter(dedupe_key__contains=":remind:")
    assert set(reminded.values_list("citizen_id", flat=True)) == {yes.citizen.pk,
                                                                  maybe.citizen.pk}
    assert all(m.purpose == "service" and "reminder" in m.body for m in reminded)
    later = announce(day=3)
    rsvp_give(actor=yes, meeting=later, answer="yes")
    meeting_cancel(actor=staff["manager"], meeting=later)
    assert sending.meeting_remind.call(later.pk, later.starts.isoformat()) == 0


@freeze_time(MORNING)
def test_a_cancellation_tells_those_who_said_yes_or_maybe_with_the_reason(announce, register,
                                                                         staff):
    meeting = announce()
    yes, no = register(1), register(1)
    rsvp_give(actor=yes, meeting=meeting, answer="yes")
    rsvp_give(actor=no, meeting=meeting, answer="no")
    meeting_cancel(actor=staff["manager"], meeting=meeting, reason="The hall is flooded.")
    assert send_all(notice(meeting, "cancel")) == 1
    (told,) = OutboundMessage.objects.filter(dedupe_key__contains=":cancel:")
    assert told.citizen_id == yes.citizen.pk
    assert told.body == ("Imbizo: the community meeting Ward meeting, 08/07/2026 "
                         "18:00-20:00 at Sizwe Hall, is cancelled: The hall is flooded.")
    # The announcement, cancelled before it was sent, sends nothing more.
    assert send_all(notice(meeting)) == 0


@pytest.mark.parametrize("language", ["zu", "xh", "af", "st", "tn"])
def test_every_message_fits_an_sms_in_every_language(language):
    longest = {"municipality": "M" * 200, "title": "T" * 120, "when": "08/07/2026 18:00 - "
               "09/07/2026 02:00", "venue": "V" * 200, "reason": "R" * 300,
               "link": "https://imbizo.example.gov.za/meetings/" + "u" * 36}
    with translation.override(language):
        for text in [*sending.TEXTS.values(), sending.CANCEL_WHY]:
            assert len(str(text) % longest) <= 918
    assert system_actor()  # the texts render without a database
