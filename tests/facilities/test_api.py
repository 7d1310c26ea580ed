"""GET /api/v1/facilities/nearest and /kinds: public, the answer as documented with its
sources' licences, problem+json for every bad question, no query once the index is built."""

import pytest

from imbizo.api.facilities import KindOut, NearestOut

NEAREST = "/api/v1/facilities/nearest"
HERE = {"lat": "-29.95", "lon": "20.0"}


@pytest.fixture
def stations(load, municipalities):
    return load("police", [["Sizwe Police", "20.05", "-29.95"],
                           ["Hilltop Police", "20.15", "-29.95"]])


def test_the_nearest_are_answered_with_their_attribution(client, stations):
    response = client.get(NEAREST, {**HERE, "kind": "police", "limit": "1"})
    assert response.status_code == 200
    body = NearestOut.model_validate(response.json()).model_dump()  # as documented
    assert body["kind"] == {"code": "police", "label": "Police station", "includes": []}
    [first] = body["facilities"]
    assert first["name"] == "Sizwe Police" and first["kind_label"] == "Police station"
    assert first["distance_km"] == pytest.approx(4.817, abs=0.001)
    assert first["directions"] == "4.8 km east, in Aaa Local ward 1"
    assert first["municipality"] == {"code": "AAA", "name": "Aaa Local"}
    assert first["ward"] == {"code": "90100001", "number": 1}
    assert first["source"] == "test-clinics"
    assert body["sources"][0]["licence"] == "CC BY 4.0"
    assert body["sources"][0]["attribution"] == "Clinics made up by the test suite."


def test_the_look_up_runs_no_query_once_the_index_is_built(client, stations, settings,
                                                           django_assert_max_num_queries):
    settings.FACILITY_INDEX_CHECK_SECONDS = 30
    client.get(NEAREST, {**HERE, "kind": "police"})
    with django_assert_max_num_queries(0):
        response = client.get(NEAREST, {"lat": "-29.9", "lon": "20.3", "kind": "police"})
    assert response.status_code == 200


@pytest.mark.parametrize(("params", "status", "code", "fragment"), [
    ({"lat": "-29.95", "lon": "20.0", "kind": "spaceport"}, 400, "unknown_kind",
     "The kinds are: clinic, chc"),
    ({"lat": "-95", "lon": "20.0", "kind": "police"}, 400, "invalid_coordinates", "Latitude"),
    ({"lat": "abc", "lon": "20.0", "kind": "police"}, 400, "invalid_request", "lat"),
    ({"lat": "-29.95", "lon": "20.0"}, 400, "invalid_request", "kind: required"),
    ({"lat": "-29.95", "kind": "police"}, 400, "invalid_request", "lon: required"),
    ({"lat": "nan", "lon": "20.0", "kind": "police"}, 400, "invalid_coordinates", "Latitude"),
    ({"lat": "-29.95", "lon": "20.0", "kind": "police", "limit": "two"}, 400,
     "invalid_request", "limit: 'two' is not a number"),
    ({"lat": "-29.95", "lon": "20.0", "kind": "police", "limit": "11"}, 400, "invalid_limit",
     "between 1 and 10"),
    ({"lat": "-29.95", "lon": "20.0", "kind": "police", "limit": "0"}, 400, "invalid_limit",
     "between 1 and 10"),
    ({"lat": "51.5", "lon": "-0.12", "kind": "police"}, 404, "outside_south_africa",
     "outside South Africa"),
])
def test_bad_questions_are_problems(client, db, params, status, code, fragment):
    response = client.get(NEAREST, params)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/" + code) and fragment in body["detail"]
    if code == "unknown_kind":
        assert "water_point" in body["kinds"] and body["field"] == "kind"


def test_a_kind_with_nothing_loaded_is_an_empty_list(client, stations):
    body = client.get(NEAREST, {**HERE, "kind": "library"}).json()
    assert body["facilities"] == [] and body["sources"] == []


def test_the_kinds_are_listed(client, db):
    body = client.get("/api/v1/facilities/kinds").json()
    kinds = {k["code"]: KindOut.model_validate(k) for k in body}
    assert kinds["clinic"].includes == ["chc", "cdc"]
    assert kinds["police"].label == "Police station" and len(kinds) == 13


def test_the_openapi_document_lists_both(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {NEAREST, "/api/v1/facilities/kinds"} <= set(paths)
    assert paths[NEAREST]["get"]["responses"]["200"]["content"]["application/json"]["schema"][
        "$ref"].endswith("/NearestOut")
