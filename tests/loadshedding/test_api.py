"""The public API: "my schedule" between two days (problem+json for an unknown area, an
area without a schedule, from after to, too long a range), finding areas by suburb,
point or municipality, the stage in force, hours lost per month; and the schedule look-up
runs no query once warm but the memo's freshness check."""

import pytest
from freezegun import freeze_time

from imbizo.api import v1  # noqa: F401  (its schemas built before any time is frozen)
from imbizo.core.permissions import system_actor
from imbizo.loadshedding.importer import loadshedding_import
from imbizo.loadshedding.services import stage_set, stages_import

from .conftest import at, meta, write_dataset

SCHEDULE = "/api/v1/loadshedding/schedule"
MONDAY = "2026-03-09 12:00"  # the day before test-area-1's day 10 (a Tuesday)


@pytest.fixture
def frozen():
    with freeze_time(at(MONDAY)):
        yield


@pytest.fixture
def stage_three(frozen, areas, national):
    national(3)


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/" + code) and body["status"] == status
    return body


def test_my_schedule_lists_the_slots_at_the_stage_in_force_as_local_times(client, stage_three):
    body = client.get(SCHEDULE, {"area": "test-area-1", "from": "2026-03-10",
                                 "to": "2026-03-11"}).json()
    assert body["area"]["key"] == "test-area-1" and body["timezone"] == "Africa/Johannesburg"
    assert body["stage"]["stage"] == 3 and body["stage"]["scope"] == "national"
    assert [(s["start"], s["end"]) for s in body["slots"]] == [
        ("2026-03-10T06:00:00+02:00", "2026-03-10T08:30:00+02:00"),
        ("2026-03-10T14:00:00+02:00", "2026-03-10T16:30:00+02:00"),
        ("2026-03-10T22:00:00+02:00", "2026-03-11T00:30:00+02:00"),  # past midnight
    ]  # day 11's 08:00 slot is stage 4's


def test_a_known_change_ahead_applies_from_its_time(client, stage_three):
    stage_set(actor=system_actor("cli"), stage=4, at=at("2026-03-11 09:00"))
    body = client.get(SCHEDULE, {"area": "test-area-1", "from": "2026-03-11",
                                 "to": "2026-03-11"}).json()
    assert body["stage"]["stage"] == 3  # in force now
    assert body["changes"] == [{"at": "2026-03-11T09:00:00+02:00", "stage": 4}]
    assert [(s["start"], s["end"], s["stage"]) for s in body["slots"]] == [
        ("2026-03-11T00:00:00+02:00", "2026-03-11T00:30:00+02:00", 3),
        ("2026-03-11T09:00:00+02:00", "2026-03-11T10:30:00+02:00", 4)]


def test_by_default_it_is_today_and_the_next_two_days(client, stage_three):
    body = client.get(SCHEDULE, {"area": "test-area-1"}).json()
    assert body["start"] == "2026-03-09T00:00:00+02:00"
    assert body["end"] == "2026-03-12T00:00:00+02:00"
    assert len(body["slots"]) == 3


def test_stage_zero_gives_no_slots(client, frozen, areas, national):
    national(0)
    body = client.get(SCHEDULE, {"area": "test-area-1", "from": "2026-03-10"}).json()
    assert body["slots"] == [] and body["stage"]["stage"] == 0


def test_bad_requests_are_problems(client, areas, tmp_path, two_municipalities):
    folder = write_dataset(tmp_path / "more", {}, [meta("listed-only", suburbs=["Elsewhere"])])
    loadshedding_import(actor=system_actor("cli"), directory=folder)
    problem(client.get(SCHEDULE, {"area": "nowhere"}), 404, "unknown_area")
    body = problem(client.get(SCHEDULE, {"area": "listed-only"}), 404, "area_without_schedule")
    assert "Listed Only has no load-shedding schedule" in body["detail"]
    problem(client.get(SCHEDULE, {"area": "test-area-1", "from": "2026-03-11",
                                  "to": "2026-03-10"}), 400, "invalid_range")
    problem(client.get(SCHEDULE, {"area": "test-area-1", "from": "2026-01-01",
                                  "to": "2026-02-01"}), 400, "range_too_long")
    problem(client.get(SCHEDULE, {"area": "test-area-1", "from": "2026-02-30"}), 400,
            "invalid_request")
    problem(client.get(SCHEDULE), 400, "invalid_request")  # no area
    problem(client.get("/api/v1/loadshedding/areas/nowhere/hours-lost"), 404, "unknown_area")
    problem(client.get("/api/v1/loadshedding/areas/test-area-1/hours-lost", {"year": 1800}),
            400, "invalid_request")


def test_areas_are_found_by_suburb_point_or_municipality(client, areas):
    def keys(**query):
        response = client.get("/api/v1/loadshedding/areas", query)
        assert response.status_code == 200, response.content
        return [(a["key"], a["suburb"]) for a in response.json()["areas"]]

    assert keys(q="sizwe") == [("test-area-1", "Sizwe")]
    assert keys(q="  HILL") == [("test-area-1", "Hilltop")]  # a prefix, any case
    assert keys(q="river") == [("test-area-2", "Riverside")]
    assert keys(q="Nowhere at all") == []
    assert keys(municipality="aaa") == [("test-area-1", "")]
    assert keys(lat="-29.95", lon="20.05") == [("test-area-1", "")]  # AAA ward 1
    assert keys(lat="-29.95", lon="20.25") == [("test-area-2", "")]  # BBB
    problem(client.get("/api/v1/loadshedding/areas", {"lat": "0", "lon": "0"}), 404,
            "outside_every_ward")
    problem(client.get("/api/v1/loadshedding/areas", {"q": "s"}), 400, "query_too_short")
    problem(client.get("/api/v1/loadshedding/areas"), 400, "one_way_to_find")
    problem(client.get("/api/v1/loadshedding/areas", {"lat": "-29.95"}), 400,
            "one_way_to_find")
    problem(client.get("/api/v1/loadshedding/areas", {"municipality": "ZZZ"}), 404,
            "unknown_municipality")


def test_a_point_in_a_municipality_without_areas_is_a_clear_answer(client, two_municipalities):
    body = problem(client.get("/api/v1/loadshedding/areas", {"lat": "-29.95", "lon": "20.05"}),
                   404, "no_area_here")
    assert "Aaa Local" in body["detail"]


def test_the_stage_in_force_nationally_and_for_a_municipality(client, frozen, areas,
                                                              two_municipalities, national):
    aaa, _bbb = two_municipalities
    national(2)
    stage_set(actor=system_actor("cli"), stage=1, municipality=aaa)
    body = client.get("/api/v1/loadshedding/stage", {"municipality": "AAA"}).json()
    assert body["stage"]["stage"] == 1 and body["stage"]["scope"] == "AAA"
    assert body["national"]["stage"] == 2
    assert client.get("/api/v1/loadshedding/stage").json()["stage"]["stage"] == 2
    # test-area-1 is AAA's own schedule: its stage is AAA's.
    schedule = client.get(SCHEDULE, {"area": "test-area-1", "from": "2026-03-10"}).json()
    assert schedule["stage"]["stage"] == 1 and len(schedule["slots"]) == 1


def test_hours_lost_per_month_from_the_stage_history(client, areas, tmp_path):
    """Worked by hand. test-area-1 sheds on day 10 06:00-08:30 (from stage 1), 14:00-16:30
    (2), 22:00-00:30 (3) and day 11 08:00-10:30 (4). 2025 history: stage 2 from 1 January,
    3 from 10 January 15:00, 0 from 11 January; 4 from 10 February, 0 from 12 February.
    January: 06:00-08:30 and 14:00-15:00 at stage 2 (3.5 h), 15:00-16:30 and 22:00-00:00 at
    stage 3 (3.5 h; at midnight the stage is 0): 7 h. February: the three slots of the
    10th (7.5 h, 22:00-00:30 whole) and the 11th's (2.5 h): 10 h. Other months: 0."""
    path = tmp_path / "history.csv"
    path.write_text("created_at,stage\n2025-01-01 00:00:00,2\n2025-01-10 15:00:00,3\n"
                    "2025-01-11 00:00:00,0\n2025-02-10 00:00:00,4\n2025-02-12 00:00:00,0\n")
    stages_import(actor=system_actor("cli"), path=path)
    with freeze_time(at("2026-06-01 12:00")):
        body = client.get("/api/v1/loadshedding/areas/test-area-1/hours-lost",
                          {"year": 2025}).json()
    assert [m["hours"] for m in body["months"]] == [7.0, 10.0] + [0.0] * 10
    assert body["months"][0]["month"] == "2025-01" and body["total"] == 17.0


def test_a_warm_schedule_look_up_runs_only_the_freshness_check(
        client, stage_three, settings, django_assert_max_num_queries,
        django_assert_num_queries):
    query = {"area": "test-area-1", "from": "2026-03-10", "to": "2026-03-16"}
    with django_assert_max_num_queries(4):  # cold: version, area, slots, stage changes
        assert client.get(SCHEDULE, query).status_code == 200
    with django_assert_num_queries(1):  # the version row (checked every time in tests)
        assert client.get(SCHEDULE, query).status_code == 200
    settings.CONFIG_CHECK_SECONDS = 60  # as a server trusts its memo for a while
    client.get(SCHEDULE, query)
    with django_assert_num_queries(0):
        assert client.get(SCHEDULE, query).status_code == 200
