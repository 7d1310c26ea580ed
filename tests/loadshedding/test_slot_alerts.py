"""Before each outage: one chain of tasks per followed area, each step scheduled for the
next alert's time (nothing polls); the lead time before day outages, 19:00 the evening
before for those whose alert would fall in the quiet hours; a stale step exits; nobody is
told the same outage twice."""

from datetime import timedelta

import pytest
from django.db import transaction
from freezegun import freeze_time

from imbizo.core.permissions import system_actor
from imbizo.loadshedding.alert_plans import alert_plan_restart
from imbizo.loadshedding.cycle import SOUTH_AFRICA
from imbizo.loadshedding.models import AlertPlan
from imbizo.loadshedding.services import stage_set
from imbizo.notifications.loadshedding_slots import alert_time, slot_alerts

from .alerts import alerts, follow, pending, resident, run_due
from .conftest import at

HINT = "Stop alerts: reply STOP LS."


@pytest.fixture
def stage_3(areas, django_capture_on_commit_callbacks):
    """National stage 3 from noon on 9 March (before anyone follows)."""
    with freeze_time("2026-03-09 10:00:00"), django_capture_on_commit_callbacks(execute=True):
        stage_set(actor=system_actor("cli"), stage=3)


@pytest.fixture
def nomsa(stage_3, django_capture_on_commit_callbacks):
    """Nomsa follows test-area-1 at 12:30 on 9 March: its chain starts."""
    with freeze_time("2026-03-09 10:30:00"):
        citizen = resident("0821000001")
        follow(citizen, "test-area-1", capture=django_capture_on_commit_callbacks)
        run_due()
    return citizen


def steps() -> list[str]:
    return [f"{when.astimezone(SOUTH_AFRICA):%d %H:%M}" for _args, when in pending("slot_alerts")]


def test_day_outages_are_told_at_the_lead_time_and_night_ones_the_evening_before(nomsa):
    assert steps() == ["09 19:00"]  # the 06:00 outage of the 10th: its 05:00 is quiet
    with freeze_time("2026-03-09 17:00:00"):
        run_due()
    assert alerts("slot") == [("+27821000001", "Imbizo: load-shedding in Test Area 1 tomorrow "
                                               f"06:00-08:30 (stage 3). {HINT}")]
    assert steps() == ["10 13:00"]  # 14:00, an hour ahead
    with freeze_time("2026-03-10 11:00:00"):
        run_due()
    assert alerts("slot")[-1][1].startswith("Imbizo: load-shedding in Test Area 1 today "
                                            "14:00-16:30 (stage 3).")
    assert steps() == ["10 19:00"]  # 22:00: its 21:00 is quiet
    with freeze_time("2026-03-10 17:00:00"):
        run_due()
    assert "today 22:00-00:30 (stage 3)" in alerts("slot")[-1][1]
    assert len(alerts("slot")) == 3 and all(len(b) <= 160 for _t, b in alerts("slot"))


def test_the_alert_time_moves_out_of_the_quiet_hours(settings):
    settings.LOADSHEDDING_ALERT_LEAD_MINUTES = 60
    assert alert_time(at("2026-03-10 14:00")) == at("2026-03-10 13:00")
    assert alert_time(at("2026-03-10 20:30")) == at("2026-03-10 19:30")
    assert alert_time(at("2026-03-10 22:00")) == at("2026-03-10 19:00")
    assert alert_time(at("2026-03-11 04:00")) == at("2026-03-10 19:00")
    assert alert_time(at("2026-03-11 07:30")) == at("2026-03-10 19:00")
    settings.LOADSHEDDING_ALERT_LEAD_MINUTES = 30
    assert alert_time(at("2026-03-11 07:30")) == at("2026-03-11 07:00")


def test_a_step_run_twice_or_a_stale_chain_exits_and_tells_nobody_twice(nomsa):
    (args, _when), = pending("slot_alerts")
    with freeze_time("2026-03-09 17:00:00"):
        assert slot_alerts.call(*args) == "2026-03-10T13:00:00+02:00"
        assert slot_alerts.call(*args) == "stale"  # a copy of the same step
        with transaction.atomic():
            alert_plan_restart(area_id=args[0])  # another chain took over
        assert slot_alerts.call(args[0], args[1], "2026-03-10T13:00:00+02:00") == "stale"
        run_due()  # the new chain's first step: the 06:00 alert is due, and queued already
    assert len(alerts("slot")) == 1
    assert AlertPlan.objects.get().version == args[1] + 1


def test_a_stage_change_restarts_the_chain_and_the_old_step_exits(
        nomsa, django_capture_on_commit_callbacks):
    (old, _when), = pending("slot_alerts")
    with freeze_time("2026-03-09 11:00:00"):
        with django_capture_on_commit_callbacks(execute=True):
            stage_set(actor=system_actor("cli"), stage=1)
        run_due()
    assert steps()[-1] == "09 19:00"
    assert AlertPlan.objects.get().version == old[1] + 1
    with freeze_time("2026-03-09 17:00:00"):
        assert slot_alerts.call(*old) == "stale"


def test_a_chain_stops_when_nobody_follows_and_a_new_follower_starts_it(
        nomsa, django_capture_on_commit_callbacks):
    from imbizo.accounts.permissions import citizen_actor
    from imbizo.loadshedding.subscriptions import loadshedding_unsubscribe

    loadshedding_unsubscribe(actor=citizen_actor(nomsa, channel="web"), citizen=nomsa,
                             key="test-area-1")
    with freeze_time("2026-03-09 17:00:00"):
        run_due()
        assert AlertPlan.objects.get().next_at is None and alerts("slot") == []
        follow(resident("0821000002"), "test-area-1",
               capture=django_capture_on_commit_callbacks)
        run_due()
    assert [to for to, _b in alerts("slot")] == ["+27821000002"]
    assert AlertPlan.objects.get().next_at == at("2026-03-10 13:00") - timedelta(0)
