"""Who represents me: from a point, a ward (code or number) or a suburb; a place outside
every ward or unknown is a clear refusal; the look-up's queries do not grow with the ward."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imbizo.accounts.models import Role
from imbizo.core.config_cache import config_cache
from imbizo.core.errors import ImbizoError
from imbizo.geo.index import ward_index
from imbizo.representatives.models import Representative
from imbizo.representatives.selectors import (
    councillor_user,
    pr_councillors,
    representatives_for,
    ward_councillor,
)

from .conftest import IN_WARD_1, IN_WARD_2, load, published, row


def test_a_point_gives_the_ward_its_councillor_committee_and_the_pr_count(listed):
    found = representatives_for(**IN_WARD_1)
    assert (found.ward.code, found.municipality.code) == ("90100001", "AAA")
    assert found.councillor.name == "Thandi Mokoena"
    assert [p.name for p in found.committee] == ["Johan Pillay", "Lerato Botha"]
    assert found.pr_count == 2
    assert found.authority is None and found.council is None and found.leader is None


def test_a_point_in_a_traditional_authority_gives_its_council(listed):
    found = representatives_for(**IN_WARD_2)
    assert found.councillor.name == "Sipho Dlamini"
    assert found.authority == {"code": "TA1", "name": "AmaNgubane Traditional Council"}
    assert found.council.office == "Great Place, Ezinkomeni"
    assert found.leader.name == "Mandla Ngubane"
    assert [p.name for p in found.council_members] == ["Nobuhle Zulu"]


@pytest.mark.parametrize("place", [
    {"ward": "90100002"},
    {"ward": 2, "municipality": "AAA"},
    {"suburb": "hilltop", "municipality": "AAA"},
    {"suburb": "  Ezinkomeni ", "municipality": "aaa"},
])
def test_a_ward_or_a_suburb_gives_the_same_as_a_point_in_it(listed, place):
    by_point, found = representatives_for(**IN_WARD_2), representatives_for(**place)
    assert found.ward == by_point.ward and found.councillor == by_point.councillor
    assert found.authority == by_point.authority and found.leader == by_point.leader


@pytest.mark.parametrize("place, code, status", [
    ({}, "place_required", 400),
    ({"lat": -29.95}, "place_required", 400),
    ({"lat": -29.95, "lon": 20.05, "ward": "90100001"}, "place_ambiguous", 400),
    ({"ward": "90100001", "suburb": "Sizwe", "municipality": "AAA"}, "place_ambiguous", 400),
    ({"lat": -10.0, "lon": 20.05}, "outside_every_ward", 404),
    ({"lat": 95.0, "lon": 20.05}, "invalid_coordinates", 400),
    ({"ward": "99999999"}, "unknown_ward", 404),
    ({"ward": 7, "municipality": "AAA"}, "unknown_ward", 404),
    ({"ward": 7}, "place_required", 400),
    ({"suburb": "Atlantis", "municipality": "AAA"}, "unknown_suburb", 404),
    ({"suburb": "Sizwe"}, "place_required", 400),
    ({"suburb": "Sizwe", "municipality": "ZZZ"}, "unknown_municipality", 404),
    ({"ward": "90200001", "municipality": "AAA"}, "place_outside_municipality", 400),
])
def test_a_place_that_cannot_be_found_is_refused_saying_why(listed, place, code, status):
    with pytest.raises(ImbizoError) as err:
        representatives_for(**place)
    assert (err.value.code, err.value.status) == (code, status)


def test_a_ward_with_no_list_yet_has_no_one_but_still_its_authority(area):
    found = representatives_for(ward="90100002")
    assert found.councillor is None and found.committee == [] and found.pr_count == 0
    assert found.authority["code"] == "TA1" and found.council is None


def test_retired_people_and_ended_terms_are_not_shown(listed, photos):
    rows = published()
    rows[2]["term_end"] = str(dt.date.today() - dt.timedelta(days=1))  # Lerato's term ended
    load(photos, [r for r in rows if r.get("ward") != "2"])  # Sipho no longer listed
    assert [p.name for p in representatives_for(**IN_WARD_1).committee] == ["Johan Pillay"]
    assert representatives_for(**IN_WARD_2).councillor is None
    assert Representative.objects.filter(name="Sipho Dlamini", active=False).exists()


def cold_look_up() -> tuple[int, object]:
    """Queries of a look-up with the configuration memo empty (the ward index built), and
    what it found."""
    ward_index.locate(IN_WARD_2["lat"], IN_WARD_2["lon"])
    config_cache.clear()
    with CaptureQueriesContext(connection) as queries:
        found = representatives_for(**IN_WARD_2)
    return len(queries), found


def test_the_look_up_takes_the_same_few_queries_however_large_the_ward(listed, photos):
    few, _ = cold_look_up()
    load(photos, published() + [row("committee_member", ward="2", name=f"Member {i}")
                                for i in range(30)])
    as_many, found = cold_look_up()
    assert as_many == few <= 8 and len(found.committee) == 30


def test_a_warm_look_up_reads_nothing_and_an_import_is_seen_at_once(
        listed, photos, settings, django_assert_num_queries):
    representatives_for(**IN_WARD_2)
    settings.CONFIG_CHECK_SECONDS = 60  # as served: the memo trusted for a while
    with django_assert_num_queries(0):
        assert representatives_for(**IN_WARD_2).councillor.name == "Sipho Dlamini"
    settings.CONFIG_CHECK_SECONDS = 0
    rows = published()
    rows[1]["name"] = "Sipho Dlamini-Nkosi"
    load(photos, rows)
    assert representatives_for(**IN_WARD_2).councillor.name == "Sipho Dlamini-Nkosi"


def test_the_pr_councillors_are_listed_by_party_then_name(listed, area):
    assert [p.name for p in pr_councillors(municipality=area[0])] == [
        "Zanele Nkosi", "Pieter Botha"]  # Ilanga Civic Movement, then Independent


def test_the_councillor_of_a_ward_and_their_login(listed, photos, area, make_staff):
    ward_1 = area[0].wards.get(number=1)
    assert ward_councillor(ward=ward_1).name == "Thandi Mokoena"
    assert councillor_user(ward=ward_1) is None
    member = make_staff({"role": Role.COUNCILLOR, "municipality": area[0], "ward": ward_1})
    assert councillor_user(ward=ward_1) == member.user  # from the membership
    linked = make_staff({"role": Role.COUNCILLOR, "municipality": area[0], "ward": ward_1})
    rows = published()
    rows[0]["login"] = linked.user.username
    load(photos, rows)
    assert councillor_user(ward=ward_1) == linked.user  # the record's link comes first
