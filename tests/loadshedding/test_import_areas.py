"""``imbizo import-loadshedding DIR``: the real eskom-calendar files (skipped when absent),
small files with bad rows (each reported with file, line and reason; nothing loaded), a
second run that writes nothing, and municipalities matched by name."""

import io

import pytest
from django.core.management import CommandError, call_command

from imbizo.audit.models import AuditEntry
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import Actor, system_actor
from imbizo.loadshedding.importer import loadshedding_import
from imbizo.loadshedding.models import Area, AreaMunicipality, AreaSuburb, Slot

from .conftest import REAL, cumulative, meta, write_dataset

CALENDARS = REAL / "eskom-calendar"


@pytest.mark.skipif(not CALENDARS.is_dir(), reason=f"{CALENDARS} is absent (see "
                                                   "../shared/data/README.md)")
def test_the_real_schedules_load_once_and_a_second_run_writes_nothing(db):
    out = io.StringIO()
    call_command("import_loadshedding", str(CALENDARS), stdout=out)
    assert "647 created" in out.getvalue()
    assert "listed more than once" in out.getvalue()  # eskom-direct-5/6 appear twice
    assert Area.objects.count() == 647
    assert Slot.objects.count() > 90_000  # ~356,000 rows: each slot once, at its lowest stage
    # The three layouts: monthly, weekly (eThekwini, Emfuleni) and a 19-day cycle (NMB).
    cycles = dict(Area.objects.filter(key__in=[
        "city-of-cape-town-area-1", "kwazulu-natal-ethekwini-block-1",
        "nelson-mandela-bay-group-1"]).values_list("key", "cycle"))
    assert cycles == {"city-of-cape-town-area-1": "monthly",
                      "kwazulu-natal-ethekwini-block-1": "weekly",
                      "nelson-mandela-bay-group-1": "periodic"}
    nmb = Area.objects.get(key="nelson-mandela-bay-group-1")
    assert nmb.cycle_days == 19 and str(nmb.cycle_start) == "2023-09-15"
    assert AreaSuburb.objects.filter(area__key="city-of-cape-town-area-7",
                                     normalised="sea point").exists()
    entries = AuditEntry.objects.count()
    again = io.StringIO()
    call_command("import_loadshedding", str(CALENDARS), stdout=again)
    assert "0 created, 0 updated, 647 unchanged; 0 slots written" in again.getvalue()
    assert AuditEntry.objects.count() == entries  # nothing changed, nothing audited


def test_every_bad_row_is_reported_and_nothing_is_loaded(tmp_path, db):
    folder = write_dataset(tmp_path, {
        "good": cumulative([(1, "06:00", "08:30", 1)]),
        "bad-rows": [(1, "06:00", "08:30", 9), (32, "06:00", "08:30", 1),
                     (2, "25:00", "08:30", 1), (3, "10:00", "10:00", 1),
                     ("x", "06:00", "08:30", 1)],
        "bad-header": (("day", "from", "to", "stage"), [(1, "00:00", "02:00", 1)]),
    }, [meta("good"), meta("bad-rows"), meta("bad-header")])
    with pytest.raises(ImbizoError) as refused:
        loadshedding_import(actor=system_actor("cli"), directory=folder)
    problems = refused.value.extra["problems"]
    assert problems == [
        "generated/bad-header.csv line 1: unknown header 'day,from,to,stage' (expected "
        "date_of_month,start_time,finsh_time,stage or day_of_week,start_time,finsh_time,stage "
        "or day_of_cycle,period_of_cycle,start_of_cycle,start_time,finsh_time,stage)",
        "generated/bad-rows.csv line 2: stage '9' is out of range (a slot's stage is 1 to 8)",
        "generated/bad-rows.csv line 3: day 32 is outside the cycle (1 to 31)",
        "generated/bad-rows.csv line 4: start time '25:00' is not a time of day (HH:MM)",
        "generated/bad-rows.csv line 5: start and end are both 10:00",
        "generated/bad-rows.csv line 6: the day 'x' is not a whole number",
    ]
    assert Area.objects.count() == 0 and Slot.objects.count() == 0


def test_bad_metadata_is_reported_with_its_line(tmp_path, db):
    folder = write_dataset(tmp_path, {"good": cumulative([(1, "06:00", "08:30", 1)])},
                           [meta("good")])
    (folder / "area_metadata.yaml").write_text(
        "area_details:\n- calendar_name: good.ics\n  areas: [{name: a}]\n"
        "- calendar_name: not-a-calendar\n  areas: []\n")
    with pytest.raises(ImbizoError) as refused:
        loadshedding_import(actor=system_actor("cli"), directory=folder)
    assert refused.value.extra["problems"] == [
        "area_metadata.yaml line 4: calendar_name 'not-a-calendar' is not <key>.ics"]
    assert not Area.objects.exists()


def test_the_command_lists_each_problem_and_fails(tmp_path, db):
    folder = write_dataset(tmp_path, {"bad": [(1, "06:00", "08:30", 0)]}, [meta("bad")])
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problems; nothing was loaded"):
        call_command("import_loadshedding", str(folder), stderr=err)
    assert "generated/bad.csv line 2: stage '0' is out of range" in err.getvalue()


def test_areas_are_matched_to_municipalities_and_to_whoever_runs_them(areas, two_municipalities):
    aaa, bbb = two_municipalities
    own = Area.objects.get(key="test-area-1")
    eskom = Area.objects.get(key="test-area-2")
    assert own.municipality == aaa and eskom.municipality is None  # Eskom: national stage
    assert list(AreaMunicipality.objects.filter(area=eskom).values_list(
        "slug", "municipality__code")) == [("bbb-local", "BBB")]
    assert eskom.cycle == "weekly" and own.cycle == "monthly"
    assert Slot.objects.filter(area=own).count() == 4  # listed 5 to 8 times each, kept once
    assert list(Slot.objects.filter(area=own, day=10, start=22 * 60)
                .values_list("end", "stage")) == [(24 * 60 + 30, 3)]  # 22:00-00:30 from 3


def test_a_second_import_of_changed_files_rewrites_only_what_changed(
        areas, dataset, django_capture_on_commit_callbacks):
    (dataset / "generated" / "test-area-2.csv").write_text(
        "day_of_week,start_time,finsh_time,stage\n2,12:00,14:30,1\n")
    with django_capture_on_commit_callbacks(execute=True):
        report = loadshedding_import(actor=system_actor("cli"), directory=dataset)
    assert (report.areas_created, report.areas_updated, report.areas_unchanged) == (0, 1, 1)
    assert list(Slot.objects.filter(area__key="test-area-2").values_list("day", flat=True)) \
        == [2]


def test_metadata_without_a_file_and_a_file_without_metadata_are_reported(tmp_path, db):
    folder = write_dataset(tmp_path, {"lonely": cumulative([(1, "06:00", "08:30", 1)])},
                           [meta("ghost", suburbs=["Nowhere"])])
    report = loadshedding_import(actor=system_actor("cli"), directory=folder)
    assert any("have no schedule file" in note and "ghost" in note for note in report.notes)
    assert any("no entry in area_metadata.yaml" in note and "lonely" in note
               for note in report.notes)
    assert not Area.objects.get(key="ghost").has_schedule
    assert Area.objects.get(key="lonely").has_schedule


def test_only_platform_administrators_import(tmp_path, db):
    folder = write_dataset(tmp_path, {"a": cumulative([(1, "06:00", "08:30", 1)])}, [meta("a")])
    with pytest.raises(ImbizoError) as refused:
        loadshedding_import(actor=Actor(kind="anonymous"), directory=folder)
    assert refused.value.status == 403 and not Area.objects.exists()
