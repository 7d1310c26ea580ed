"""The generated shapes, checked without a database."""

import json
import re

import pytest
import shapely
from shapely.geometry import MultiPolygon, box

from imbizo.demo.geography import (
    AUTHORITY_WARDS,
    PROVINCE_CODE,
    WARD_PREFIX,
    _one_piece_each,
    generate_geography,
)
from tests.conftest import ZA_2020

real_data = pytest.mark.skipif(not ZA_2020.exists(), reason="shared/data boundaries not present")


@pytest.fixture(scope="module")
def geo():
    return generate_geography()


def test_there_are_at_least_thirty_wards_numbered_from_one(geo):
    assert len(geo.wards) >= 30
    assert [w.number for w in geo.wards] == list(range(1, len(geo.wards) + 1))


def test_ward_codes_have_the_demarcation_board_form(geo):
    for ward in geo.wards:
        assert re.fullmatch(r"\d{8}", ward.code)
        assert ward.code == f"{WARD_PREFIX}{ward.number:03d}"
        assert ward.code[0] == "2"  # the Eastern Cape's province digit


def test_every_ward_is_one_valid_polygon(geo):
    for ward in geo.wards:
        assert ward.polygon.geom_type == "Polygon", ward.number
        assert ward.polygon.is_valid, ward.number
        assert ward.polygon.area > 0


def test_the_wards_cover_the_municipality_without_gaps(geo):
    union = shapely.union_all([w.polygon for w in geo.wards])
    assert union.symmetric_difference(geo.outline).area < 1e-12 * geo.outline.area
    assert sum(w.polygon.area for w in geo.wards) == pytest.approx(geo.outline.area, rel=1e-12)


def test_no_two_wards_overlap(geo):
    polygons = [w.polygon for w in geo.wards]
    tree = shapely.STRtree(polygons)
    left, right = tree.query(polygons, predicate="intersects")
    pairs = [(a, b) for a, b in zip(left, right, strict=True) if a < b]
    assert pairs, "neighbouring wards share borders"
    overlap = sum(polygons[a].intersection(polygons[b]).area for a, b in pairs)
    assert overlap < 1e-12 * geo.outline.area
    assert shapely.coverage_is_valid(shapely.GeometryCollection(polygons))


def test_the_outline_is_irregular_and_valid(geo):
    assert geo.outline.is_valid
    assert geo.outline.area < 0.95 * geo.outline.minimum_rotated_rectangle.area
    assert len(geo.outline.exterior.coords) > 50


def test_the_same_seed_gives_identical_geography():
    first, second = generate_geography(7), generate_geography(7)
    assert first.town == second.town
    assert first.outline.equals_exact(second.outline, 0)
    assert [(w.code, w.suburbs) for w in first.wards] == [(w.code, w.suburbs) for w in second.wards]
    assert all(a.polygon.equals_exact(b.polygon, 0)
               for a, b in zip(first.wards, second.wards, strict=True))
    assert first.authority == second.authority


def test_another_seed_gives_another_geography():
    first, second = generate_geography(7), generate_geography(8)
    assert not first.outline.equals_exact(second.outline, 0)
    assert [w.suburbs for w in first.wards] != [w.suburbs for w in second.wards]


def test_every_ward_has_suburbs_and_no_name_repeats(geo):
    names = [name for w in geo.wards for name in w.suburbs]
    assert all(len(w.suburbs) >= 2 for w in geo.wards)
    assert len(names) == len(set(names))
    assert geo.wards[0].suburbs[0] == f"{geo.town} CBD"


def test_the_traditional_authority_is_whole_touching_rural_wards(geo):
    authority = geo.authority
    wards = [w for w in geo.wards if w.number in authority.ward_numbers]
    assert len(wards) == AUTHORITY_WARDS
    assert not any(w.urban for w in wards)
    assert authority.polygon.geom_type == "Polygon"  # one block, not scattered wards
    assert authority.polygon.symmetric_difference(
        shapely.union_all([w.polygon for w in wards])).area < 1e-12


@real_data
def test_demo_ward_codes_cannot_clash_with_real_ward_ids(geo):
    real = json.loads((ZA_2020 / "Wards_2020.geojson").read_text())
    real_codes = {f["properties"]["Code"] for f in real["features"]}
    assert not any(code.startswith(WARD_PREFIX) for code in real_codes)
    assert not real_codes & {w.code for w in geo.wards}


@real_data
def test_the_municipality_lies_inside_its_real_province(geo):
    provinces = json.loads((ZA_2020 / "Provinces_2020.geojson").read_text())
    province = next(shapely.geometry.shape(f["geometry"]) for f in provinces["features"]
                    if f["properties"]["Code"] == PROVINCE_CODE)
    assert province.contains(geo.outline)


def test_a_ward_cut_in_two_by_the_outline_gives_its_stray_piece_to_a_neighbour():
    cut = MultiPolygon([box(0, 0, 1, 1), box(2, 0, 3, 2)])
    middle = box(1, 0, 2, 1)
    first, second = _one_piece_each([cut, middle])
    assert first.geom_type == second.geom_type == "Polygon"
    assert first.equals(box(2, 0, 3, 2))  # the larger piece stays
    assert second.equals(shapely.union(middle, box(0, 0, 1, 1)))
    assert shapely.union_all([first, second]).equals(shapely.union(cut, middle))
