"""imbizo import-boundaries --level traditional-authority: a GeoJSON of traditional council
areas, with its own property names, the province optional; then "who represents me" at a
point inside finds the authority and its council."""

import json

import pytest
from django.core.management import CommandError, call_command

from imbizo.geo.index import ward_index
from imbizo.geo.models import TraditionalAuthority
from imbizo.representatives.selectors import representatives_for
from tests.conftest import feature, square, write_geojson

from .conftest import IN_WARD_1, load, row


def test_council_areas_load_with_their_own_property_names_and_no_province(
        two_municipalities, tmp_path, capsys, django_capture_on_commit_callbacks):
    path = write_geojson(tmp_path / "councils.geojson", [
        feature(square(20.0, -30.0, 0.05), TC_CODE="TC-01",
                TC_NAME="AmaOne Traditional Council"),
        feature(square(20.3, -30.0), TC_CODE="TC-02", TC_NAME="BaTwo Traditional Council",
                PROV="XP"),
    ])
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_boundaries", "--level", "traditional-authority", str(path),
                     "--code-property", "TC_CODE", "--name-property", "TC_NAME",
                     "--parent-property", "PROV")
    assert "traditional-authority: 2 created, 0 updated" in capsys.readouterr().out
    one, two = TraditionalAuthority.objects.order_by("code")
    assert (one.code, one.name, one.province) == ("TC-01", "AmaOne Traditional Council", None)
    assert two.province.code == "XP"
    assert two.geometry.bounds == pytest.approx((20.3, -30.0, 20.4, -29.9))
    assert ward_index.authority_at(-29.99, 20.01) == {"code": "TC-01",
                                                       "name": "AmaOne Traditional Council"}
    assert ward_index.authority_at(-29.95, 20.15) is None


def test_importing_again_updates_an_area_by_its_code(two_municipalities, tmp_path,
                                                     django_capture_on_commit_callbacks):
    def load_area(x: float, name: str) -> None:
        path = write_geojson(tmp_path / "councils.geojson",
                             [feature(square(x, -30.0), Code="TC-01", Name=name)])
        with django_capture_on_commit_callbacks(execute=True):
            call_command("import_boundaries", "--level", "traditional-authority", str(path))

    load_area(20.0, "AmaOne")
    load_area(20.1, "AmaOne Traditional Council")
    authority = TraditionalAuthority.objects.get()
    assert authority.name == "AmaOne Traditional Council"
    assert representatives_for(**IN_WARD_1).authority is None  # it moved to ward 2
    assert representatives_for(lat=-29.95, lon=20.15).authority["code"] == "TC-01"


def test_a_bad_area_file_loads_nothing_and_names_the_feature(two_municipalities, tmp_path):
    path = write_geojson(tmp_path / "councils.geojson", [
        feature(square(20.0, -30.0), Code="TC-01", Name="AmaOne"),
        feature({"type": "Point", "coordinates": [20.1, -29.9]}, Code="TC-02", Name="Dot"),
        feature(square(20.2, -30.0), Code="TC-03", Name="Three", Parent_cod="ZZ"),
    ])
    with pytest.raises(CommandError) as err:
        call_command("import_boundaries", "--level", "traditional-authority", str(path))
    assert "feature 2 (code TC-02) is a Point" in str(err.value)
    assert "feature 3 (code TC-03): its province 'ZZ' is not loaded" in str(err.value)
    assert not TraditionalAuthority.objects.exists()


def test_a_council_loads_for_an_imported_area_and_shows_where_it_lies(
        two_municipalities, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "councils.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature(square(20.0, -30.0), Code="TC-01", Name="AmaOne Traditional Council")]}))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_boundaries", "--level", "traditional-authority", str(path))
    load(tmp_path, [row("traditional_leader", authority="TC-01", title="Kgosi",
                        name="Kagiso Molefe")])
    found = representatives_for(**IN_WARD_1)
    assert (found.authority["code"], found.leader.title, found.leader.name) == (
        "TC-01", "Kgosi", "Kagiso Molefe")
