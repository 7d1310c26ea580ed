"""The map of open cases: JSON for Leaflet, a table without scripts, scoped to the
actor, capped, in a constant number of queries."""

from imbizo.cases.lifecycle import case_cancel
from imbizo.cases.services import Location
from imbizo.console import casemap


def test_the_map_shows_open_cases_with_a_point_that_the_actor_may_see(
        staff, console_client, log_case, municipalities):
    shown = log_case()
    cancelled = log_case(description="Gone")
    case_cancel(actor=staff["agent"], case=cancelled, note="dup")
    no_point = log_case(location=Location(address="Somewhere", ward=municipalities[0]
                                          .wards.get(number=1)))
    other = log_case(lon=20.25)  # BBB
    c = console_client(staff["agent"])
    data = c.get("/console/map.json").json()["cases"]
    assert [p["reference"] for p in data] == [shown.reference]
    point = data[0]
    assert (point["lat"], point["lon"], point["status"]) == (-29.95, 20.05, shown.status)
    assert point["category"] == shown.category.name
    page = c.get("/console/map").content.decode()
    assert f'href="/console/cases/{shown.reference}"' in page  # the table, without JS
    assert "web/leaflet/leaflet.js" in page and "console/casemap.js" in page
    for case in (cancelled, no_point, other):
        assert case.reference not in page


def test_the_map_is_capped_and_its_queries_do_not_grow(staff, console_client, log_case,
                                                       monkeypatch,
                                                       django_assert_max_num_queries):
    for n in range(4):
        log_case(description=f"Hole {n}")
    c = console_client(staff["agent"])
    with django_assert_max_num_queries(7):
        assert len(c.get("/console/map.json").json()["cases"]) == 4
    monkeypatch.setattr(casemap, "MAX_POINTS", 2)
    assert len(c.get("/console/map.json").json()["cases"]) == 2


def test_contractors_get_no_map(staff, console_client):
    c = console_client(staff["contractor"])
    assert c.get("/console/map").status_code == 403
    assert c.get("/console/map.json").status_code == 403
