"""A stage change tells the residents who follow the areas it decides: national changes
every area, a municipality's own its own areas; within consent, opt-outs and quiet hours;
once, however often its task runs; and never for a history imported."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from imbizo.accounts.models import Consent
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import channel_opt_out, consent_withdraw
from imbizo.core.permissions import system_actor
from imbizo.loadshedding.models import AlertRun
from imbizo.loadshedding.services import stage_set, stages_import
from imbizo.notifications import loadshedding_fanout
from imbizo.notifications.loadshedding_fanout import alerts_send

from .alerts import alerts, follow, pending, resident, run_due

MORNING = "2026-03-10 07:00:00"  # 09:00 in South Africa, day 10 of test-area-1's cycle
NIGHT = "2026-03-10 19:00:00"  # 21:00


@pytest.fixture
def followers(areas):
    """Nomsa follows AAA's own test-area-1, Thabo Eskom's test-area-2, Lindiwe both."""
    nomsa, thabo, lindiwe = (resident(f"082100000{n}") for n in (1, 2, 3))
    follow(nomsa, "test-area-1")
    follow(thabo, "test-area-2")
    follow(lindiwe, "test-area-1", "test-area-2")
    return nomsa, thabo, lindiwe


def set_stage(capture, stage, municipality=None, at=None):
    with capture(execute=True):
        return stage_set(actor=system_actor("cli"), stage=stage, municipality=municipality,
                         at=at)


@freeze_time(MORNING)
def test_a_national_change_tells_every_follower_once_with_their_areas_times(
        followers, django_capture_on_commit_callbacks):
    set_stage(django_capture_on_commit_callbacks, 2)
    run_due()
    hint = "Stop alerts: reply STOP LS."
    area_1 = "Test Area 1: today 14:00-16:30; tomorrow none."
    area_2 = "Test Area 2: today none; tomorrow none."
    assert alerts() == [
        ("+27821000001", f"Imbizo: load-shedding stage 2 from 09:00. {area_1} {hint}"),
        ("+27821000002", f"Imbizo: load-shedding stage 2 from 09:00. {area_2} {hint}"),
        # Both areas fit one SMS (160 characters) here; a longer text keeps the first.
        ("+27821000003", f"Imbizo: load-shedding stage 2 from 09:00. {area_1} {area_2} {hint}"),
    ]
    assert all(len(body) <= 160 for _to, body in alerts())
    for run in AlertRun.objects.filter(change__isnull=False):  # a copy of the task
        assert alerts_send.call(run.pk) == 0
    assert len(alerts()) == 3


@freeze_time(MORNING)
def test_a_municipalitys_own_change_tells_only_the_followers_of_its_areas(
        followers, two_municipalities, django_capture_on_commit_callbacks):
    aaa, _bbb = two_municipalities
    set_stage(django_capture_on_commit_callbacks, 3, municipality=aaa)
    run_due()
    assert [to for to, _body in alerts()] == ["+27821000001", "+27821000003"]
    lindiwe = alerts()[1][1]
    assert "Test Area 1: today 14:00-16:30, 22:00-00:30" in lindiwe
    assert "Test Area 2" not in lindiwe  # Eskom's area follows the national stage


@freeze_time(MORNING)
def test_residents_opted_out_or_without_consent_are_skipped(
        followers, django_capture_on_commit_callbacks):
    nomsa, thabo, _lindiwe = followers
    channel_opt_out("sms", nomsa.phone)
    channel_opt_out("whatsapp", nomsa.phone)
    consent_withdraw(actor=citizen_actor(thabo, channel="web"), citizen=thabo,
                     purpose=Consent.Purpose.BROADCASTS)
    set_stage(django_capture_on_commit_callbacks, 2)
    run_due()
    assert [to for to, _body in alerts()] == ["+27821000003"]
    (run,) = AlertRun.objects.filter(change__isnull=False)
    assert (run.queued, run.skipped, run.finished is not None) == (1, 1, True)


@freeze_time(MORNING)
def test_a_task_run_twice_or_resumed_sends_nobody_twice(
        followers, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("imbizo.loadshedding.subscription_selectors.BATCH_SIZE", 1)
    monkeypatch.setattr(loadshedding_fanout, "SLICE_SECONDS", -1.0)  # a batch a task
    set_stage(django_capture_on_commit_callbacks, 2)
    (run,) = AlertRun.objects.filter(change__isnull=False)
    assert alerts_send.call(run.pk) == 1
    AlertRun.objects.filter(pk=run.pk).update(cursor=0)  # as if its worker died mid-way
    run_due()
    assert len(alerts()) == 3
    assert len({key for key in AlertRun.objects.values_list("key", flat=True)}) == 1


@freeze_time(MORNING)
def test_an_imported_history_alerts_nobody(followers, tmp_path,
                                           django_capture_on_commit_callbacks):
    history = tmp_path / "history.csv"
    history.write_text("created_at,stage\n2026-03-01 08:00:00,4\n2026-02-01 08:00:00,2\n")
    with django_capture_on_commit_callbacks(execute=True):
        report = stages_import(actor=system_actor("cli"), path=history)
    assert report.announced
    run_due()
    assert alerts() == [] and not AlertRun.objects.exists()


@freeze_time(MORNING)
def test_the_same_stage_again_says_nothing(followers, django_capture_on_commit_callbacks):
    set_stage(django_capture_on_commit_callbacks, 2)
    run_due()
    set_stage(django_capture_on_commit_callbacks, 2, at=timezone.now() + timedelta(hours=1))
    run_due()
    assert len(alerts()) == 3


def test_at_night_only_areas_shed_before_seven_are_told_at_once(
        followers, django_capture_on_commit_callbacks):
    with freeze_time(NIGHT):
        set_stage(django_capture_on_commit_callbacks, 3)
        run_due()
        # test-area-1 is shed at 22:00 at stage 3: its followers now; test-area-2 at 07:00.
        assert [to for to, _body in alerts("stage")] == ["+27821000001", "+27821000003"]
        assert [f"{at:%H:%M}" for _args, at in pending("alerts_send")] == ["05:00"]
        # and the chain of test-area-1 told its 22:00 outage, due since 19:00
        assert [to for to, _body in alerts("slot")] == ["+27821000001", "+27821000003"]
    with freeze_time("2026-03-11 05:00:00"):
        run_due()
    assert [to for to, _body in alerts("stage")] == ["+27821000001", "+27821000002",
                                                     "+27821000003"]


@freeze_time(MORNING)
def test_a_batch_runs_the_same_few_queries_whatever_its_size(
        areas, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    for n in range(30):
        follow(resident(f"08220000{n:02d}"), "test-area-2")
    set_stage(django_capture_on_commit_callbacks, 2)
    (run,) = AlertRun.objects.filter(change__isnull=False)
    alerts_send.call(run.pk)  # warms the schedule memo and the providers
    AlertRun.objects.filter(pk=run.pk).update(cursor=0, finished=None)
    from imbizo.messaging.models import OutboundMessage
    OutboundMessage.objects.all().delete()
    with django_assert_max_num_queries(17):
        assert alerts_send.call(run.pk) == 1
    assert len(alerts()) == 30
