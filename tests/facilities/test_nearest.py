"""The nearest facilities: the grid gives exactly what ranking every point by great-circle
distance gives; the selector says how far and which way, and refuses clearly."""

import math
import random
import time

import numpy as np
import pytest

from imbizo.core.errors import ImbizoError
from imbizo.facilities import index
from imbizo.facilities.models import Facility, FacilityVersion
from imbizo.facilities.nearest import NearestGrid
from imbizo.facilities.selectors import facilities_nearest
from imbizo.facilities.sphere import bearing, haversine_km


def brute_force(lats, lons, lat, lon, k) -> list[tuple[int, float]]:
    ranked = sorted(range(len(lats)), key=lambda i: haversine_km(lat, lon, lats[i], lons[i]))
    return [(i, haversine_km(lat, lon, lats[i], lons[i])) for i in ranked[:k]]


@pytest.mark.parametrize("count", [1, 7, 400])
def test_the_grid_agrees_with_ranking_every_point(count):
    rng = random.Random(count)
    lats = [rng.uniform(-34.8, -22.2) for _ in range(count)]
    lons = [rng.uniform(16.5, 32.9) for _ in range(count)]
    grid = NearestGrid(np.array(lats), np.array(lons), most=10)
    for _ in range(300):
        lat, lon = rng.uniform(-35.1, -21.9), rng.uniform(16.2, 33.2)
        got = grid.nearest(lat, lon, 10)
        expected = brute_force(lats, lons, lat, lon, 10)
        assert [km for _i, km in got] == pytest.approx([km for _i, km in expected], abs=1e-6)
        assert [i for i, _km in got] == [i for i, _km in expected]


def test_a_city_of_close_points_is_ranked_exactly():
    rng = random.Random(5)
    lats = [-33.92 + rng.gauss(0, 0.02) for _ in range(300)]
    lons = [18.42 + rng.gauss(0, 0.02) for _ in range(300)]
    grid = NearestGrid(np.array(lats), np.array(lons), most=10)
    for _ in range(200):
        lat, lon = -33.92 + rng.gauss(0, 0.05), 18.42 + rng.gauss(0, 0.05)
        assert [i for i, _ in grid.nearest(lat, lon, 5)] == \
            [i for i, _ in brute_force(lats, lons, lat, lon, 5)]


def test_an_empty_set_finds_nothing():
    assert NearestGrid(np.array([]), np.array([]), most=10).nearest(-30, 25, 3) == []


def test_the_nearest_come_first_with_distance_and_directions(load, municipalities):
    load("police", [["Sizwe Police", "20.05", "-29.95"], ["Hilltop Police", "20.15", "-29.95"],
                    ["Far Police", "25.0", "-29.0"]])
    found = facilities_nearest(lat=-29.95, lon=20.0, kind="police", limit=2)
    names = [n.facility.name for n in found.facilities]
    assert names == ["Sizwe Police", "Hilltop Police"]
    first = found.facilities[0]
    assert first.km == pytest.approx(haversine_km(-29.95, 20.0, -29.95, 20.05), abs=1e-6)
    assert first.bearing == pytest.approx(bearing(-29.95, 20.0, -29.95, 20.05))
    assert first.directions == "4.8 km east, in Aaa Local ward 1"
    assert found.sources[0]["licence"] == "CC BY 4.0"
    assert found.sources[0]["attribution"] == "Clinics made up by the test suite."


def test_a_facility_outside_every_ward_is_found_without_a_place(load):
    load("police", [["Far Police", "25.0", "-29.0"]])
    found = facilities_nearest(lat=-29.0, lon=25.1, kind="police")
    assert found.facilities[0].directions == "9.7 km west"


def test_a_clinic_search_finds_health_centres_too(load):
    load("chc", [["Big CHC", "20.05", "-29.95"]])
    load("cdc", [["Day CDC", "20.06", "-29.95"]])
    load("hospital", [["Hospital", "20.05", "-29.951"]])
    found = facilities_nearest(lat=-29.95, lon=20.05, kind="clinic", limit=5)
    assert [(n.facility.kind, n.facility.name) for n in found.facilities] == [
        ("chc", "Big CHC"), ("cdc", "Day CDC")]
    assert [n.facility.name for n in facilities_nearest(
        lat=-29.95, lon=20.05, kind="chc", limit=5).facilities] == ["Big CHC"]


def test_a_kind_with_nothing_loaded_is_an_empty_answer(load):
    load("police", [["Sizwe Police", "20.05", "-29.95"]])
    found = facilities_nearest(lat=-29.95, lon=20.05, kind="library")
    assert found.facilities == [] and found.sources == []


def test_withdrawn_facilities_are_not_found(load):
    load("police", [["Sizwe Police", "20.05", "-29.95"], ["Hilltop Police", "20.15", "-29.95"]])
    assert len(facilities_nearest(lat=-29.95, lon=20.05, kind="police").facilities) == 2
    load("police", [["Hilltop Police", "20.15", "-29.95"]])
    assert [n.facility.name for n in facilities_nearest(
        lat=-29.95, lon=20.05, kind="police").facilities] == ["Hilltop Police"]


def test_another_processs_change_is_seen_when_the_version_moves(load, settings,
                                                               monkeypatch):
    load("police", [["Sizwe Police", "20.05", "-29.95"]])
    settings.FACILITY_INDEX_CHECK_SECONDS = 3600
    facilities_nearest(lat=-29.95, lon=20.05, kind="police")  # built, trusted for an hour
    Facility.objects.update(name="Renamed Police")  # as another process might, unseen
    FacilityVersion.objects.update(version=999)
    assert facilities_nearest(lat=-29.95, lon=20.05,
                              kind="police").facilities[0].facility.name == "Sizwe Police"
    later = time.monotonic() + 3601
    monkeypatch.setattr(index.time, "monotonic", lambda: later)
    assert facilities_nearest(lat=-29.95, lon=20.05,
                              kind="police").facilities[0].facility.name == "Renamed Police"


@pytest.mark.parametrize(("point", "code", "status"), [
    ({"lat": -95.0, "lon": 20.0}, "invalid_coordinates", 400),
    ({"lat": 51.5, "lon": -0.12}, "outside_south_africa", 404),
    ({"lat": -29.95, "lon": 20.05, "limit": 0}, "invalid_limit", 400),
    ({"lat": -29.95, "lon": 20.05, "limit": 11}, "invalid_limit", 400),
    ({"lat": -29.95, "lon": 20.05, "kind": "spaceport"}, "unknown_kind", 400),
])
def test_bad_questions_are_refused_clearly(db, point, code, status):
    with pytest.raises(ImbizoError) as refused:
        facilities_nearest(**{"kind": "police", **point})
    assert (refused.value.code, refused.value.status) == (code, status)


def test_directions_name_the_compass_point():
    from imbizo.facilities.directions import directions_short, directions_text
    assert directions_text(0.34, 44.0, None, None) == "340 m north-east"
    assert directions_text(12.4, 181.0, {"name": "Aaa Local"}, None) == "12 km south, in Aaa Local"
    assert directions_short(2.34, 300.0) == "2.3 km NW"
    assert math.isclose(bearing(-30, 20, -29, 20), 0.0, abs_tol=1e-9)
