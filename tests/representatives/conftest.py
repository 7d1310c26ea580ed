"""A small world for representatives: AAA and BBB (tests/conftest.py), AAA's wards with
suburbs, a traditional authority over AAA's ward 2, and a published list loaded through
the import service."""

import csv
import io
from pathlib import Path

import pytest
from PIL import Image

from imbizo.core.permissions import system_actor
from imbizo.geo.services import ward_suburbs_set
from imbizo.representatives.importer import representatives_import
from imbizo.representatives.sources import COLUMNS
from tests.conftest import feature, import_layer, square

SUBURBS = {1: ["Sizwe", "KwaMashu"], 2: ["Hilltop", "Ezinkomeni"]}
IN_WARD_1 = {"lat": -29.95, "lon": 20.05}  # AAA ward 1, no traditional authority
IN_WARD_2 = {"lat": -29.95, "lon": 20.15}  # AAA ward 2, in TA1


def jpeg(colour=(200, 30, 30), size=(64, 80), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", **save)
    return out.getvalue()


def row(kind: str, **values) -> dict:
    return {"municipality": "AAA", "kind": kind, **values}


def published() -> list[dict]:
    """AAA's list: both wards' councillors, a committee, two PR councillors and TA1's
    council."""
    return [
        row("ward_councillor", ward="1", title="Cllr", name="Thandi Mokoena",
            party="Independent", phone="082 555 0101", email="thandi@aaa.example.org",
            office="Ward office\nMain Road", hours="Mon-Fri 08:00-16:00",
            photo="thandi.jpg", term_start="2021-11-22"),
        row("ward_councillor", ward="2", title="Cllr", name="Sipho Dlamini",
            party="Ilanga Civic Movement", phone="+27 47 555 0102"),
        row("committee_member", ward="1", name="Lerato Botha", position="Health"),
        row("committee_member", ward="1", name="Johan Pillay", position="Youth"),
        row("pr_councillor", id="PR-7", title="Cllr", name="Zanele Nkosi", position="Speaker",
            party="Ilanga Civic Movement", photo="https://aaa.example.org/zanele.jpg"),
        row("pr_councillor", id="PR-8", name="Pieter Botha", party="Independent"),
        row("traditional_council", authority="TA1", phone="047 555 0800",
            office="Great Place, Ezinkomeni", hours="Mon-Thu 09:00-15:00"),
        row("traditional_leader", authority="TA1", title="Inkosi", name="Mandla Ngubane"),
        row("traditional_member", authority="TA1", name="Nobuhle Zulu", position="Secretary"),
    ]


def write_csv(folder: Path, rows: list[dict], name: str = "people.csv",
              columns=COLUMNS) -> Path:
    path = Path(folder) / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def load(folder: Path, rows: list[dict], actor=None, **kwargs):
    return representatives_import(actor=actor or system_actor("cli"),
                                  path=write_csv(folder, rows), **kwargs)


@pytest.fixture
def area(two_municipalities, tmp_path, django_capture_on_commit_callbacks):
    """AAA and BBB; AAA's wards list suburbs; TA1 covers AAA's ward 2."""
    aaa, bbb = two_municipalities
    ward_suburbs_set(actor=system_actor("cli"), municipality=aaa, suburbs=SUBURBS)
    with django_capture_on_commit_callbacks(execute=True):
        import_layer(tmp_path, "traditional-authority", [
            feature(square(20.1, -30.0), Code="TA1", Name="AmaNgubane Traditional Council")])
    return aaa, bbb


@pytest.fixture
def photos(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "thandi.jpg").write_bytes(jpeg())
    return tmp_path


@pytest.fixture
def listed(area, photos, django_capture_on_commit_callbacks):
    """AAA's published list, loaded."""
    with django_capture_on_commit_callbacks(execute=True):
        return load(photos, published())
