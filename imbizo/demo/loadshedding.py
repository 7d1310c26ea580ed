"""The demo's load-shedding: DMO runs a schedule of its own, four fictional areas ("Demo
Area 1" to "4") each covering the suburbs of a quarter of its wards, on a made-up monthly
cycle shaped like the real ones (sixteen groups, 2.5-hour slots every two hours, the
22:00 slot running past midnight, each stage adding a group to every slot). They are
loaded the way real schedules are: files in eskom-calendar's format through
``loadshedding_import``. When ``../shared/data/loadshedding`` is there, the real area
schedules and the national stage history are imported too (once: skipped when loaded).
If no stage is in force, national stage 2 is set, so that the demo shows times.
"""

import csv
import os
import tempfile
from pathlib import Path

import yaml
from django.conf import settings

from imbizo.core.permissions import Actor
from imbizo.geo.models import Municipality, Ward
from imbizo.loadshedding.importer import loadshedding_import
from imbizo.loadshedding.models import Area, StageChange
from imbizo.loadshedding.selectors import stage_in_force
from imbizo.loadshedding.services import stage_set, stages_import

DATA = Path(os.environ.get("LOADSHEDDING_DATA",
                           settings.BASE_DIR.parent.parent / "shared" / "data" / "loadshedding"))
AREAS = 4
GROUPS = 16
BLOCKS = 12  # a slot starts every two hours
SLOT_MINUTES = 150
# The groups shed in one slot, stage by stage: each stage adds the next, spread round.
SPREAD = (0, 8, 4, 12, 2, 10, 6, 14)
DEMO_GROUPS = (0, 5, 10, 15)  # the groups DMO's four areas are
DEMO_STAGE = 2


def seed(*, actor: Actor, municipality: Municipality, seed: int, data: Path = DATA) -> None:
    _demo_areas(actor, municipality)
    if data.is_dir():
        _real(actor, data)
    now = stage_in_force()
    if now.stage == 0 and not now.upcoming:
        stage_set(actor=actor, stage=DEMO_STAGE, note="Demo")


def area_key(number: int) -> str:
    return f"demo-area-{number}"


def cycle_stage(group: int, day: int, block: int) -> int | None:
    """The lowest stage at which ``group`` is shed in that slot, or None (never)."""
    first = (day * 5 + block * 3) % GROUPS
    for stage, offset in enumerate(SPREAD, start=1):
        if (first + offset) % GROUPS == group:
            return stage
    return None


def _demo_areas(actor: Actor, municipality: Municipality) -> None:
    """DMO's four areas through the importer (unchanged on a second run: nothing written)."""
    wards = list(Ward.objects.filter(municipality=municipality).order_by("number")
                 .values_list("number", "suburbs"))
    entries = []
    with tempfile.TemporaryDirectory(prefix="imbizo-demo-loadshedding-") as folder:
        generated = Path(folder) / "generated"
        generated.mkdir()
        for index, group in enumerate(DEMO_GROUPS):
            key = area_key(index + 1)
            _schedule_write(generated / f"{key}.csv", group)
            suburbs = [name.strip() for number, text in wards if (number - 1) % AREAS == index
                       for name in text.splitlines() if name.strip()]
            entries.append({"calendar_name": f"{key}.ics", "province": "eastern-cape",
                            "municipality": municipality.code.lower(), "provider": "dmo",
                            "source": "Generated for the demo (fictional)",
                            "areas": [{"name": name} for name in suburbs]})
        (Path(folder) / "area_metadata.yaml").write_text(
            yaml.safe_dump({"area_details": entries}, allow_unicode=True), encoding="utf-8")
        loadshedding_import(actor=actor, directory=Path(folder))


def _schedule_write(path: Path, group: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date_of_month", "start_time", "finsh_time", "stage"])
        for day in range(1, 32):
            for block in range(BLOCKS):
                first = cycle_stage(group, day, block)
                if first is None:
                    continue
                start = block * 120
                end = (start + SLOT_MINUTES) % (24 * 60)
                for stage in range(first, len(SPREAD) + 1):  # listed at every stage, as real
                    writer.writerow([day, f"{start // 60:02d}:{start % 60:02d}",
                                     f"{end // 60:02d}:{end % 60:02d}", stage])


def _real(actor: Actor, data: Path) -> None:
    """The real schedules and stage history, unless already loaded."""
    calendars = data / "eskom-calendar"
    files = len(list((calendars / "generated").glob("*.csv"))) if calendars.is_dir() else 0
    if files and Area.objects.exclude(key__startswith="demo-area-").count() < files:
        loadshedding_import(actor=actor, directory=calendars)
    history = data / "national-stage-history.csv"
    if history.is_file() and not StageChange.objects.filter(
            source=StageChange.Source.IMPORT).exists():
        stages_import(actor=actor, path=history)
