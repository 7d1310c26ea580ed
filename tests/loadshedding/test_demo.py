"""The demo's load-shedding: the municipality's own four areas over its suburbs, a stage in
force so that times show, the real schedules and history when the shared data is there;
a second run adds nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from imbizo.audit.models import AuditEntry
from imbizo.core.permissions import system_actor
from imbizo.demo import loadshedding as demo
from imbizo.geo.models import Ward
from imbizo.loadshedding.finding import areas_search
from imbizo.loadshedding.models import Area, Slot, StageChange
from imbizo.loadshedding.selectors import area_schedule, stage_in_force

from .conftest import REAL

SUBURBS = {1: "Sizwe\nKwaMashu", 2: "Hilltop"}


@pytest.fixture
def town(two_municipalities):
    aaa = two_municipalities[0]
    for number, suburbs in SUBURBS.items():
        Ward.objects.filter(municipality=aaa, number=number).update(suburbs=suburbs)
    return aaa


def seeded(town, data):
    demo.seed(actor=system_actor("cli"), municipality=town, seed=1, data=data)


def test_the_demo_has_its_own_areas_over_its_suburbs_and_a_stage_in_force(
        town, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seeded(town, tmp_path / "absent")
    assert list(Area.objects.values_list("key", "municipality__code")) == [
        (f"demo-area-{n}", "AAA") for n in range(1, 5)]
    assert [hit.key for hit in areas_search(q="kwamashu")] == ["demo-area-1"]  # ward 1
    assert [hit.key for hit in areas_search(q="hilltop")] == ["demo-area-2"]  # ward 2
    assert stage_in_force().stage == demo.DEMO_STAGE
    today = timezone.localdate()
    week = area_schedule(key="demo-area-1", first=today, last=today + timedelta(days=6))
    assert week.stage.stage == demo.DEMO_STAGE and len(week.outages) >= 5
    assert Slot.objects.filter(area__key="demo-area-1", start=22 * 60, end=24 * 60 + 30).exists()
    counts = (Area.objects.count(), Slot.objects.count(), StageChange.objects.count(),
              AuditEntry.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        seeded(town, tmp_path / "absent")
    assert (Area.objects.count(), Slot.objects.count(), StageChange.objects.count(),
            AuditEntry.objects.count()) == counts


def test_the_demo_cycle_is_cumulative_and_sheds_every_group():
    for group in range(demo.GROUPS):
        stages = [demo.cycle_stage(group, day, block) for day in range(1, 32)
                  for block in range(demo.BLOCKS)]
        assert {s for s in stages if s is not None} == set(range(1, 9))
    # In one slot, stage N sheds exactly N groups.
    assert sorted(demo.cycle_stage(g, 10, 4) or 99 for g in range(demo.GROUPS))[:8] == \
        list(range(1, 9))


@pytest.mark.skipif(not REAL.is_dir(), reason=f"{REAL} is absent")
def test_with_the_shared_data_the_real_schedules_and_history_load_once(
        town, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seeded(town, REAL)
    assert Area.objects.count() == 647 + 4
    assert StageChange.objects.filter(source="import").count() == 1562
    assert stage_in_force().stage == demo.DEMO_STAGE  # the history ends at stage 0
    audited = AuditEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        seeded(town, REAL)
    assert AuditEntry.objects.count() == audited and Area.objects.count() == 651
