"""The stage in force: the history imported (``imbizo import-stages``), set by staff through
the audited service, announced with ``loadshedding_stage_changed``; out of range,
backdated or by the wrong person it is refused and nothing changes."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from freezegun import freeze_time

from imbizo.accounts.models import Role
from imbizo.audit.models import AuditEntry
from imbizo.core.errors import ImbizoError
from imbizo.core.events import _subscribers, subscribe
from imbizo.core.permissions import system_actor
from imbizo.loadshedding.models import StageChange
from imbizo.loadshedding.selectors import stage_in_force
from imbizo.loadshedding.services import STAGE_EVENT, stage_set, stages_import

from .conftest import REAL

HISTORY = REAL / "national-stage-history.csv"


@pytest.fixture
def announced(django_capture_on_commit_callbacks):
    """The events a subscriber of ``loadshedding_stage_changed`` receives."""
    received = []

    def hear(**payload):
        received.append(payload)

    subscribe(STAGE_EVENT)(hear)
    yield received
    _subscribers[STAGE_EVENT].remove(hear)


def write_history(tmp_path, text: str):
    path = tmp_path / "history.csv"
    path.write_text(text)
    return path


@pytest.mark.skipif(not HISTORY.is_file(), reason=f"{HISTORY} is absent")
def test_the_real_history_loads_once_and_its_newest_change_is_announced(
        db, announced, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        out = io.StringIO()
        call_command("import_stages", str(HISTORY), stdout=out)
    assert "1562 created" in out.getvalue()  # the file repeats one row: read once
    assert StageChange.objects.count() == 1562
    assert [(e["stage"], e["scope"], e["source"]) for e in announced] == [(0, "national",
                                                                          "import")]
    with django_capture_on_commit_callbacks(execute=True):
        again = stages_import(actor=system_actor("cli"), path=HISTORY)
    assert (again.created, again.updated, again.unchanged, again.announced) == (0, 0, 1562,
                                                                               False)
    assert len(announced) == 1


def test_bad_rows_are_each_reported_and_nothing_is_loaded(tmp_path, db):
    path = write_history(tmp_path, '"created_at","stage"\n"2024-01-01 10:00:00","9"\n'
                                   '"yesterday","2"\n"2024-01-02 10:00:00","-1"\n'
                                   '"2024-01-03 10:00:00","2"\n"2024-01-03 10:00:00","3"\n')
    with pytest.raises(ImbizoError) as refused:
        stages_import(actor=system_actor("cli"), path=path)
    assert refused.value.extra["problems"] == [
        "history.csv line 2: stage 9 is out of range (0, suspended, to 8)",
        "history.csv line 3: created_at 'yesterday' is not a date and time (YYYY-MM-DD "
        "HH:MM:SS)",
        "history.csv line 4: stage -1 is out of range (0, suspended, to 8)",
        "history.csv line 6: stage 3 at 2024-01-03 10:00, but line 5 says stage 2 at that "
        "moment",
    ]
    assert not StageChange.objects.exists()
    err = io.StringIO()
    with pytest.raises(CommandError, match="4 problems; nothing was loaded"):
        call_command("import_stages", str(path), stderr=err)
    assert "history.csv line 6: stage 3 at 2024-01-03 10:00" in err.getvalue()


def test_an_imported_history_gives_the_stage_of_each_moment(tmp_path, db):
    path = write_history(tmp_path, "created_at,stage\n2024-01-02 16:00:00,4\n"
                                   "2024-01-01 9:00:00,2\n")
    stages_import(actor=system_actor("cli"), path=path)
    timeline = stage_in_force(now=timezone.now())
    assert timeline.stage == 4 and f"{timeline.since:%Y-%m-%d %H:%M}" == "2024-01-02 16:00"
    then = stage_in_force(now=timezone.make_aware(timezone.datetime(2024, 1, 2, 12)))
    assert then.stage == 2


def test_an_administrator_sets_the_stage_audited_and_announced(
        make_staff, announced, django_capture_on_commit_callbacks):
    admin = make_staff({"role": Role.PLATFORM_ADMIN})
    with django_capture_on_commit_callbacks(execute=True):
        change = stage_set(actor=admin, stage=4, note="Eskom statement 16:00")
    assert stage_in_force().stage == 4 and change.source == "staff"
    entry = AuditEntry.objects.get(action="loadshedding.stage_set")
    assert entry.actor == admin.label and entry.changes["stage"] == {"from": 0, "to": 4}
    assert announced == [{**announced[0], "scope": "national", "stage": 4,
                          "previous_stage": 0, "source": "staff", "municipality_id": None}]
    with django_capture_on_commit_callbacks(execute=True):
        stage_set(actor=admin, stage=2)
    assert announced[-1]["previous_stage"] == 4 and stage_in_force().stage == 2


@pytest.mark.parametrize("stage", [9, -1, "two", 2.5, None, True])
def test_a_stage_out_of_range_is_refused(make_staff, stage):
    with pytest.raises(ImbizoError) as refused:
        stage_set(actor=make_staff({"role": Role.PLATFORM_ADMIN}), stage=stage)
    assert refused.value.code == "stage_out_of_range" and refused.value.status == 400
    assert refused.value.extra["field"] == "stage"
    assert not StageChange.objects.exists()


def test_staff_who_are_not_administrators_are_refused(make_staff, two_municipalities):
    aaa, _bbb = two_municipalities
    for role in (Role.MANAGER, Role.AGENT, Role.OFFICER):
        actor = make_staff({"role": role, "municipality": aaa})
        for scope in (None, aaa):
            with pytest.raises(ImbizoError) as refused:
                stage_set(actor=actor, stage=3, municipality=scope)
            assert refused.value.status == 403
    assert not StageChange.objects.exists() and not AuditEntry.objects.filter(
        action="loadshedding.stage_set").exists()


def test_a_municipal_administrator_sets_only_their_municipalitys_own_stage(
        make_staff, two_municipalities, announced, django_capture_on_commit_callbacks):
    aaa, bbb = two_municipalities
    admin = make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": aaa})
    with pytest.raises(ImbizoError, match="national stage"):
        stage_set(actor=admin, stage=3)
    with pytest.raises(ImbizoError):
        stage_set(actor=admin, stage=3, municipality=bbb)
    with django_capture_on_commit_callbacks(execute=True):
        stage_set(actor=admin, stage=1, municipality=aaa)
    assert stage_in_force(municipality=aaa).stage == 1
    assert stage_in_force(municipality=aaa).scope == "AAA"
    assert stage_in_force().stage == 0 and stage_in_force(municipality=bbb).stage == 0
    assert announced[-1]["scope"] == "AAA" and announced[-1]["municipality_id"] == aaa.pk


def test_a_later_national_change_overrides_a_municipal_one(make_staff, two_municipalities,
                                                           django_capture_on_commit_callbacks):
    aaa, _bbb = two_municipalities
    system = system_actor("cli")
    soon = timezone.now() + timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        stage_set(actor=system, stage=2, municipality=aaa)
        stage_set(actor=system, stage=6, at=soon)
    assert stage_in_force(municipality=aaa).stage == 2
    assert stage_in_force(municipality=aaa).upcoming[0][1] == 6
    with freeze_time(soon + timedelta(minutes=1)):
        assert stage_in_force(municipality=aaa).stage == 6
        assert stage_in_force(municipality=aaa).scope == "national"


def test_a_stage_cannot_be_backdated_by_staff(make_staff):
    with pytest.raises(ImbizoError) as refused:
        stage_set(actor=make_staff({"role": Role.PLATFORM_ADMIN}), stage=2,
                  at=timezone.now() - timedelta(hours=2))
    assert refused.value.code == "stage_backdated" and not StageChange.objects.exists()
