"""Duplicate candidates are offered only from what the caller may see: staff and keys the
cases they may view, residents the public register. It once answered open cases of any
municipality, non-public ones included, to any key."""

import pytest

from imbizo.accounts.models import Role
from imbizo.api.keys import api_key_create
from imbizo.cases.duplicates import duplicate_candidates
from imbizo.cases.models import Category
from imbizo.core.permissions import Actor, system_actor

HERE = {"latitude": -29.95, "longitude": 20.05}


@pytest.fixture
def nearby(log_case):
    """Open cases around HERE in AAA: a public pothole, one its reporter asked to keep
    private, an illegal connection (a non-public category) and a streetlight whose
    category was made non-public after it was logged."""
    cases = {
        "public": log_case("pothole"),
        "private": log_case("pothole", lat=-29.95005, public=False),
        "hidden": log_case("illegal-connection"),
        "flipped": log_case("streetlight"),
    }
    Category.objects.filter(code="streetlight").update(public=False)  # as the admin does
    return cases


def offered(actor: Actor, category: str = "pothole") -> set[str]:
    found = Category.objects.get(municipality__code="AAA", code=category)
    return {case.reference for case, _metres in
            duplicate_candidates(actor=actor, category=found, **HERE)}


def refs(nearby, *names: str) -> set[str]:
    return {nearby[name].reference for name in names}


def test_staff_of_the_municipality_are_offered_public_and_non_public_cases(
        nearby, make_staff, municipalities):
    aaa, _ = municipalities
    agent = make_staff({"role": Role.AGENT, "municipality": aaa})
    assert offered(agent) == refs(nearby, "public", "private")
    assert offered(agent, "illegal-connection") == refs(nearby, "hidden")
    assert offered(agent, "streetlight") == refs(nearby, "flipped")


def test_staff_of_another_municipality_or_department_are_offered_nothing(
        nearby, make_staff, municipalities, department):
    aaa, bbb = municipalities
    assert offered(make_staff({"role": Role.MANAGER, "municipality": bbb})) == set()
    water = make_staff({"role": Role.OFFICER, "municipality": aaa,
                        "department": department("water")})
    assert offered(water) == set()  # potholes go to roads


@pytest.mark.parametrize("role", [Role.ANALYST, Role.CONTRACTOR, Role.AID_WORKER])
def test_staff_who_may_not_view_cases_are_offered_nothing(nearby, make_staff, municipalities,
                                                          role):
    aaa, _ = municipalities
    assert offered(make_staff({"role": role, "municipality": aaa})) == set()


def test_a_resident_is_offered_only_public_cases_of_public_categories(nearby, resident):
    assert offered(resident) == refs(nearby, "public")
    assert offered(resident, "illegal-connection") == set()
    assert offered(resident, "streetlight") == set()
    assert offered(Actor(kind="anonymous", channel="web")) == refs(nearby, "public")


def test_the_candidates_are_one_query(nearby, make_staff, municipalities,
                                      django_assert_num_queries):
    aaa, _ = municipalities
    agent = make_staff({"role": Role.AGENT, "municipality": aaa})
    pothole = Category.objects.get(municipality__code="AAA", code="pothole")
    with django_assert_num_queries(1):
        assert len(duplicate_candidates(actor=agent, category=pothole, **HERE)) == 2


def test_over_the_api_a_key_of_another_municipality_gets_an_empty_list(
        nearby, client, municipalities):
    aaa, bbb = municipalities
    query = {"category": "pothole", "municipality": "AAA", "lat": -29.95, "lon": 20.05}
    keys = {m.code: api_key_create(actor=system_actor("cli"), municipality=m, name="CRM",
                                   role=Role.SUPERVISOR)[1] for m in (aaa, bbb)}
    theirs = client.get("/api/v1/cases/duplicates", query, HTTP_X_API_KEY=keys["BBB"])
    assert theirs.status_code == 200 and theirs.json() == []
    own = client.get("/api/v1/cases/duplicates", query, HTTP_X_API_KEY=keys["AAA"])
    assert {c["reference"] for c in own.json()} == refs(nearby, "public", "private")
    assert set(own.json()[0]) == {"reference", "status", "distance_m", "affected_count"}
