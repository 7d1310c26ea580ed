import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_locate_returns_the_place(client, two_municipalities):
    response = client.get("/api/v1/geo/locate", {"lat": "-29.95", "lon": "20.05"})
    assert response.status_code == 200
    assert response.json()["ward"] == {"code": "90100001", "number": 1, "name": "Ward 1"}
    assert response.json()["traditional_authority"] is None


def test_locate_runs_no_query_once_the_index_is_built(client, two_municipalities):
    client.get("/api/v1/geo/locate", {"lat": "-29.95", "lon": "20.05"})
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/geo/locate", {"lat": "-29.95", "lon": "20.25"})
    assert len(queries) == 0


def test_a_point_outside_every_ward_is_a_404_problem(client, two_municipalities):
    response = client.get("/api/v1/geo/locate", {"lat": "-34.5", "lon": "17.0"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["type"].endswith("/outside_every_ward")
    assert "not inside any ward" in body["detail"]
    assert body["instance"] == "/api/v1/geo/locate"


@pytest.mark.parametrize("params, fragment", [
    ({"lat": "-95", "lon": "20"}, "Latitude must be between"),
    ({"lat": "abc", "lon": "20"}, "lat"),
    ({"lon": "20"}, "lat"),
])
def test_bad_coordinates_are_a_400_problem(client, db, params, fragment):
    response = client.get("/api/v1/geo/locate", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert fragment in response.json()["detail"]


def test_openapi_document_lists_locate(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/geo/locate" in schema["paths"]


def test_the_api_documentation_is_at_api_docs(client):
    response = client.get("/api/docs")
    assert response.status_code == 302 and response["Location"] == "/api/v1/docs"
    assert client.get("/api/v1/docs").status_code == 200
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.") and "/api/v1/cases" in schema["paths"]
