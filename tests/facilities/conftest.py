"""Facilities built through the import service and the own-entry service, on the small
geography of tests/conftest.py (AAA: lon 20.0-20.2, BBB: lon 20.2-20.4, lat -30.0 to
-29.9; two wards each, 0.1 degree wide)."""

import csv
from pathlib import Path

import pytest

from imbizo.core.permissions import system_actor
from imbizo.facilities.catalogue import SourceSpec
from imbizo.facilities.importer import facilities_import
from imbizo.facilities.index import facility_index

SHARED_FACILITIES = Path(__file__).resolve().parents[3] / "shared" / "data" / "facilities"
real_files = pytest.mark.skipif(not SHARED_FACILITIES.is_dir(),
                                reason="shared/data/facilities not present")
TEST_SOURCE = SourceSpec("test-clinics", "Test clinics", "CC BY 4.0",
                         "https://creativecommons.org/licenses/by/4.0/",
                         "Clinics made up by the test suite.", "Tests, CC BY 4.0")
HEADER = ("Name", "Longitude", "Latitude")


@pytest.fixture(autouse=True)
def facility_index_fresh(settings):
    """Each test sees its own database's facilities: the index checks the version on
    every look-up (tests/facilities/test_api.py sets it back where it counts queries)."""
    settings.FACILITY_INDEX_CHECK_SECONDS = 0
    facility_index.invalidate()
    yield
    facility_index.invalidate()


def write_csv(path: Path, rows: list, header=HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def load(db, tmp_path):
    """Import rows as facilities of a kind, through the import service."""
    counter = iter(range(1, 1000))

    def load(kind: str, rows: list, header=HEADER, source=TEST_SOURCE, **options):
        path = write_csv(tmp_path / f"file{next(counter)}.csv", rows, header)
        return facilities_import(actor=system_actor("cli"), kind=kind, path=path,
                                 source=source, **options)

    return load
