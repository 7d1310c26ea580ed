"""Sending a broadcast: one message per resident who agreed, in their language, on their
channel, within opt-outs and the quiet hours; scheduled ones through a task for their
time; and never twice, however the task is retried or the sending resumed."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import channel_opt_out
from imbizo.messaging.models import OutboundMessage
from imbizo.news import sending
from imbizo.news.groups import interest_group_create, interest_group_join
from imbizo.news.models import NewsItem
from imbizo.news.services import news_cancel, news_publish, news_schedule
from imbizo.notifications import news as notify
from imbizo.notifications.news import READ_MORE, news_due, news_send

from .conftest import MORNING, NIGHT, broadcast, compose, send

ZULU = {"zu": {"title": "Amanzi azovalwa", "body": "Amanzi azovalwa ngoLwesibili.",
               "short": "Amanzi azovalwa ngoLwesibili 09:00-15:00."}}


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://imbizo.example.gov.za"


def tasks(name: str) -> list:
    """The tasks enqueued, oldest first: each has ``args`` and ``task.run_after``."""
    return [r.task_result for r in DBTaskResult.objects.filter(task_path__endswith=name)
            .order_by("enqueued_at")]


def messages() -> list[tuple]:
    return list(OutboundMessage.objects.order_by("to").values_list(
        "to", "channel", "language", "purpose", "body"))


@freeze_time(MORNING)
def test_each_resident_gets_it_once_in_their_language_on_their_channel(publisher, aaa,
                                                                       make_resident):
    make_resident("0821000001", language="zu")
    make_resident("0821000002", language="xh", channel="whatsapp")
    make_resident("0821000003", 2)
    item = broadcast(publisher, aaa, translations=ZULU)
    link = f"https://imbizo.example.gov.za/news/{item.pk}"
    with translation.override("xh"):
        more = str(READ_MORE) % {"link": link}
    assert messages() == [
        ("+27821000001", "sms", "zu", "broadcasts", "Amanzi azovalwa ngoLwesibili 09:00-15:00."),
        ("+27821000002", "whatsapp", "xh", "broadcasts",
         f"Water off on Tuesday\nWater off Tue 09:00-15:00 for repairs.\n{more}"),
        ("+27821000003", "sms", "en", "broadcasts", "Water off Tue 09:00-15:00 for repairs.")]
    assert (item.status, item.queued, item.skipped) == ("sent", 3, 0)
    assert item.finished is not None
    keys = set(OutboundMessage.objects.values_list("dedupe_key", flat=True))
    assert all(k.startswith(f"news:{item.uuid}:") for k in keys)


@freeze_time(MORNING)
def test_residents_who_opted_out_are_skipped_and_counted(publisher, aaa, make_resident):
    make_resident("0821000001")
    make_resident("0821000002", channel="whatsapp")
    make_resident("0821000003", consent=False)
    channel_opt_out("sms", "+27821000001")
    channel_opt_out("whatsapp", "+27821000001")
    channel_opt_out("whatsapp", "+27821000002")  # still reached by SMS
    item = broadcast(publisher, aaa)
    assert [(m[0], m[1]) for m in messages()] == [("+27821000002", "sms")]
    assert (item.queued, item.skipped) == (1, 1)


def test_in_the_quiet_hours_a_broadcast_waits_until_seven(publisher, aaa, make_resident,
                                                         django_capture_on_commit_callbacks):
    make_resident("0821000001")
    with freeze_time(NIGHT):
        with django_capture_on_commit_callbacks(execute=True):
            item, _reach = news_publish(actor=publisher, item=compose(publisher, aaa))
        (first,) = tasks("news_send")
        assert f"{first.task.run_after:%Y-%m-%d %H:%M}" == "2026-07-02 05:00"  # 07:00 SAST
        assert news_send.call(item.pk) == 0  # run early anyway: it waits again
    assert not OutboundMessage.objects.exists()
    assert f"{tasks('news_send')[-1].task.run_after:%Y-%m-%d %H:%M}" == "2026-07-02 05:00"
    with freeze_time("2026-07-02 05:00:00"):
        assert news_send.call(item.pk) == 1
    assert len(messages()) == 1


def test_an_urgent_broadcast_goes_at_once_at_night(publisher, aaa, make_resident):
    make_resident("0821000001")
    with freeze_time(NIGHT):
        item = broadcast(publisher, aaa, urgent=True)
    assert item.status == "sent" and len(messages()) == 1


@freeze_time(MORNING)
def test_a_copy_of_the_task_or_sending_resumed_sends_nobody_twice(
        publisher, aaa, make_resident, monkeypatch, django_capture_on_commit_callbacks):
    for n in range(5):
        make_resident(f"082100000{n}")
    monkeypatch.setattr(sending, "BATCH_SIZE", 2)
    monkeypatch.setattr(notify, "SLICE_SECONDS", -1.0)  # one batch a task
    with django_capture_on_commit_callbacks(execute=True):
        item, _reach = news_publish(actor=publisher, item=compose(publisher, aaa))
    assert news_send.call(item.pk) == 1  # two residents, and the next task written
    assert len(tasks("news_send")) == 2  # the event's, and the one for the next batch
    item.refresh_from_db()
    assert (item.status, item.queued) == ("sending", 2)
    # Sending is started again (its task looked lost): it goes on from its place.
    with django_capture_on_commit_callbacks(execute=True):
        news_publish(actor=publisher, item=item)
    send(item)
    assert news_send.call(item.pk) == 0  # a copy after the end: nothing to do
    item.refresh_from_db()
    assert (item.status, item.queued) == ("sent", 5)
    assert OutboundMessage.objects.count() == 5
    # Even a place lost (the cursor back at the start) sends nobody a second message.
    NewsItem.objects.filter(pk=item.pk).update(status="sending", cursor=0)
    send(item)
    item.refresh_from_db()
    assert OutboundMessage.objects.count() == item.queued == 5 and item.skipped == 0


def test_a_scheduled_broadcast_goes_out_through_a_task_for_its_time(
        publisher, aaa, make_resident, django_capture_on_commit_callbacks):
    make_resident("0821000001")
    with freeze_time(MORNING), django_capture_on_commit_callbacks(execute=True):
        item, _reach = news_schedule(actor=publisher, item=compose(publisher, aaa),
                                     send_at=timezone.now() + timedelta(hours=3))
    (due,) = tasks("news_due")
    assert f"{due.task.run_after:%Y-%m-%d %H:%M}" == "2026-07-01 11:00"
    assert not tasks("news_send") and NewsItem.objects.get(pk=item.pk).published is None
    with freeze_time("2026-07-01 11:00:00"):
        with django_capture_on_commit_callbacks(execute=True):
            assert news_due.call(*due.args) is True
        assert news_due.call(*due.args) is False  # a copy: already out
        (sender,) = tasks("news_send")
        news_send.call(*sender.args)
    item.refresh_from_db()
    assert item.status == "sent" and item.published is not None
    assert len(messages()) == 1


def test_a_moved_or_cancelled_schedule_leaves_the_old_task_idle(
        publisher, aaa, make_resident, django_capture_on_commit_callbacks):
    make_resident("0821000001")
    with freeze_time(MORNING), django_capture_on_commit_callbacks(execute=True):
        item, _reach = news_schedule(actor=publisher, item=compose(publisher, aaa),
                                     send_at=timezone.now() + timedelta(hours=1))
        news_schedule(actor=publisher, item=item, send_at=timezone.now() + timedelta(hours=2))
        later = compose(publisher, aaa, title="Another")
        later, _reach = news_schedule(actor=publisher, item=later,
                                      send_at=timezone.now() + timedelta(hours=1))
        news_cancel(actor=publisher, item=later)
    first, moved, cancelled = tasks("news_due")
    with freeze_time("2026-07-01 09:00:00"):
        assert news_due.call(*first.args) is False
        assert news_due.call(*cancelled.args) is False
    with freeze_time("2026-07-01 10:00:00"):
        assert news_due.call(*moved.args) is True
    assert NewsItem.objects.get(pk=later.pk).status == "cancelled"


@freeze_time(MORNING)
def test_a_batch_costs_the_same_few_queries_however_many_residents(
        publisher, aaa, make_resident, django_assert_max_num_queries):
    for n in range(30):
        make_resident(f"08210000{n:02d}", language=("en", "zu", "af")[n % 3],
                      channel=("sms", "whatsapp")[n % 2])
    item, _reach = news_publish(actor=publisher, item=compose(publisher, aaa))
    # The claim and wards, the residents, their addresses and opt-outs, the messages and
    # their task (in a savepoint), the count, the audit entry at the end (three).
    with django_assert_max_num_queries(15):
        news_send.call(item.pk)
    assert OutboundMessage.objects.count() == 30


def test_an_urgent_broadcast_goes_through_the_real_task_queue_to_delivered(
        publisher, aaa, make_resident, run_worker):
    for n in range(3):
        make_resident(f"082100000{n}", language=("en", "zu", "xh")[n])
    item, _reach = news_publish(actor=publisher, item=compose(publisher, aaa, urgent=True))
    run_worker()  # the event's task sends, and the outbox's tasks deliver (dev provider)
    item.refresh_from_db()
    assert (item.status, item.queued) == ("sent", 3)
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"delivered"}
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()


@freeze_time(MORNING)
def test_a_group_broadcast_goes_batch_after_batch_to_its_members(publisher, aaa,
                                                                make_resident, monkeypatch):
    group = interest_group_create(actor=publisher, municipality=aaa, name="Youth jobs")
    members = [make_resident(f"082100000{n}", consent=False) for n in range(3)]
    make_resident("0821000009")  # agreed, but not a member
    for citizen in members:
        interest_group_join(actor=citizen_actor(citizen, channel="web"), group=group)
    monkeypatch.setattr(sending, "BATCH_SIZE", 1)
    item = broadcast(publisher, aaa, target="group", group=group.pk)
    assert sorted(OutboundMessage.objects.values_list("citizen_id", flat=True)) == \
        sorted(c.pk for c in members)
    assert item.queued == 3


@freeze_time(MORNING)
def test_a_batch_read_ahead_is_dropped_when_another_task_moved_on(publisher, aaa,
                                                                   make_resident, monkeypatch):
    residents = [make_resident(f"082100000{n}") for n in range(5)]
    monkeypatch.setattr(sending, "BATCH_SIZE", 2)
    item, _reach = news_publish(actor=publisher, item=compose(publisher, aaa))
    claims = []

    def claim(*, news_id):
        claims.append(news_id)
        if len(claims) == 2:  # meanwhile another task sent the next two residents
            NewsItem.objects.filter(pk=news_id).update(cursor=residents[3].pk)
        return real_claim(news_id=news_id)

    real_claim = notify.news_claim
    monkeypatch.setattr(notify, "news_claim", claim)
    news_send.call(item.pk)
    assert sorted(OutboundMessage.objects.values_list("citizen_id", flat=True)) == [
        residents[0].pk, residents[1].pk, residents[4].pk]  # not what it had read ahead
