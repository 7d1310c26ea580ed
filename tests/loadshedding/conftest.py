"""Small load-shedding datasets written as eskom-calendar files and loaded through the
importers, over the two-municipality geography (AAA, BBB) of tests/conftest.py."""

import csv
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from imbizo.core.permissions import system_actor
from imbizo.loadshedding.cycle import SOUTH_AFRICA
from imbizo.loadshedding.importer import loadshedding_import
from imbizo.loadshedding.memo import schedule_memo
from imbizo.loadshedding.services import stage_set

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "loadshedding"
MONTHLY = ("date_of_month", "start_time", "finsh_time", "stage")

# test-area-1 (AAA, suburbs Sizwe and Hilltop): day 10 at stage 1 06:00-08:30; at stage 2
# also 14:00-16:30; 22:00-00:30 past midnight from stage 3; day 11 at stage 4 08:00-10:30.
# Every slot is listed again at each higher stage, as the real files do.
AREA_1 = [(10, "06:00", "08:30", 1), (10, "14:00", "16:30", 2), (10, "22:00", "00:30", 3),
          (11, "08:00", "10:30", 4)]
# test-area-2 (BBB, suburb Riverside): weekly, every Monday 12:00-14:30 from stage 1.
AREA_2 = [(1, "12:00", "14:30", 1)]


def at(text: str) -> datetime:
    """A moment in South African time, "2026-03-10 06:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=SOUTH_AFRICA)


def cumulative(rows):
    """Each slot listed at its stage and every stage above, up to 8."""
    return [(day, start, end, stage) for day, start, end, first in rows
            for stage in range(first, 9)]


def write_schedule(path: Path, rows, header=MONTHLY) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def meta(key: str, municipality: str = "", suburbs=(), provider: str = "eskom",
         province: str = "example-province") -> dict:
    entry = {"calendar_name": f"{key}.ics", "provider": provider, "source": "test",
             "areas": [{"name": name} for name in suburbs]}
    if municipality:
        entry |= {"province": province, "municipality": municipality}
    return entry


def write_dataset(folder: Path, schedules: dict, entries: list[dict]) -> Path:
    (folder / "generated").mkdir(parents=True, exist_ok=True)
    for key, rows in schedules.items():
        if isinstance(rows, tuple):  # (header, rows)
            write_schedule(folder / "generated" / f"{key}.csv", rows[1], rows[0])
        else:
            write_schedule(folder / "generated" / f"{key}.csv", rows)
    (folder / "area_metadata.yaml").write_text(yaml.safe_dump({"area_details": entries}))
    return folder


@pytest.fixture(autouse=True)
def memo_dropped():
    """Each test reads its own database's schedules, not a previous test's memo."""
    schedule_memo.invalidate()
    yield
    schedule_memo.invalidate()


@pytest.fixture
def dataset(tmp_path):
    """The two test areas as files: AAA's own monthly one, and an Eskom weekly one in BBB."""
    return write_dataset(tmp_path / "calendar", {
        "test-area-1": cumulative(AREA_1),
        "test-area-2": (("day_of_week", "start_time", "finsh_time", "stage"),
                        cumulative(AREA_2)),
    }, [meta("test-area-1", "aaa-local", ["Sizwe", "Hilltop"], provider="aaa"),
        meta("test-area-2", "bbb-local", ["Riverside"])])


@pytest.fixture
def areas(two_municipalities, dataset, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return loadshedding_import(actor=system_actor("cli"), directory=dataset)


@pytest.fixture
def national(django_capture_on_commit_callbacks):
    """Set the national stage from a moment (the system actor: no backdating limit
    applies to moments ahead, so tests use moments in the future or freeze time)."""
    def set_stage(stage: int, when: datetime | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return stage_set(actor=system_actor("cli"), stage=stage, at=when)
    return set_stage
