"""GET /api/v1/representatives (public): who represents a point, a ward or a suburb, with
nothing a municipality does not publish; every bad request a problem+json."""

import pytest

from imbizo.representatives.models import Representative

from .conftest import IN_WARD_2

URL = "/api/v1/representatives"


def test_a_point_answers_the_ward_councillor_committee_pr_count_and_council(client, listed):
    response = client.get(URL, IN_WARD_2)
    assert response.status_code == 200
    body = response.json()
    assert body["ward"] == {"code": "90100002", "name": "Ward 2", "number": 2,
                            "suburbs": ["Hilltop", "Ezinkomeni"]}
    assert body["municipality"] == {"code": "AAA", "name": "Aaa Local"}
    sipho = body["councillor"]
    assert {k: sipho[k] for k in ("kind", "title", "name", "party", "phone", "ward")} == {
        "kind": "ward_councillor", "title": "Cllr", "name": "Sipho Dlamini",
        "party": "Ilanga Civic Movement", "phone": "+27475550102", "ward": 2}
    assert body["pr_councillors"] == {
        "count": 2,
        "url": "http://testserver/api/v1/representatives/pr-councillors?municipality=AAA"}
    authority = body["traditional_authority"]
    assert (authority["code"], authority["council"]["office"]) == ("TA1",
                                                                   "Great Place, Ezinkomeni")
    assert authority["council"]["leader"]["name"] == "Mandla Ngubane"
    assert [m["position"] for m in authority["council"]["members"]] == ["Secretary"]


def test_a_ward_by_code_or_number_and_a_suburb_answer_alike(client, listed):
    by_code = client.get(URL, {"ward": "90100001"}).json()
    assert by_code["councillor"]["name"] == "Thandi Mokoena"
    assert client.get(URL, {"ward": "1", "municipality": "AAA"}).json() == by_code
    assert client.get(URL, {"suburb": "Sizwe", "municipality": "AAA"}).json() == by_code
    assert [m["name"] for m in by_code["committee"]] == ["Johan Pillay", "Lerato Botha"]
    assert by_code["traditional_authority"] is None


def test_photos_are_absolute_addresses_that_answer(client, listed):
    thandi = client.get(URL, {"ward": "90100001"}).json()["councillor"]
    person = Representative.objects.get(name="Thandi Mokoena")
    assert thandi["photo"].startswith(f"http://testserver/representatives/photos/{person.uuid}?v=")
    photo = client.get(thandi["photo"].removeprefix("http://testserver"))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    prs = client.get(URL + "/pr-councillors", {"municipality": "AAA"}).json()
    assert [(p["name"], p["photo"]) for p in prs] == [
        ("Zanele Nkosi", "https://aaa.example.org/zanele.jpg"), ("Pieter Botha", None)]


def test_a_person_carries_only_what_the_municipality_publishes(client, listed):
    body = client.get(URL, {"ward": "90100001"}).json()
    assert set(body["councillor"]) == {
        "id", "kind", "title", "name", "position", "party", "phone", "email", "office",
        "hours", "photo", "ward", "term_start", "term_end"}
    text = client.get(URL + "/pr-councillors", {"municipality": "AAA"}).content.decode()
    assert "PR-7" not in text  # the import's key stays inside


@pytest.mark.parametrize("query, status, code", [
    ({}, 400, "place_required"),
    ({"lat": "-29.95", "lon": "20.05", "ward": "90100001"}, 400, "place_ambiguous"),
    ({"lat": "-10", "lon": "20.05"}, 404, "outside_every_ward"),
    ({"lat": "north", "lon": "20.05"}, 400, "invalid_request"),
    ({"ward": "12345678"}, 404, "unknown_ward"),
    ({"suburb": "Atlantis", "municipality": "AAA"}, 404, "unknown_suburb"),
    ({"suburb": "Sizwe", "municipality": "ZZZ"}, 404, "unknown_municipality"),
])
def test_bad_requests_are_problem_details(client, listed, query, status, code):
    response = client.get(URL, query)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith(f"/{code}") and problem["detail"]


def test_the_pr_list_of_an_unknown_municipality_is_a_404(client, listed):
    response = client.get(URL + "/pr-councillors", {"municipality": "ZZZ"})
    assert response.status_code == 404 and response.json()["type"].endswith(
        "/unknown_municipality")


def test_the_api_look_up_reads_nothing_once_warm(client, listed, settings,
                                                django_assert_num_queries):
    client.get(URL, IN_WARD_2)
    settings.CONFIG_CHECK_SECONDS = 60  # as served: the memo trusted for a while
    with django_assert_num_queries(0):
        assert client.get(URL, IN_WARD_2).status_code == 200
