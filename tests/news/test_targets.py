"""Who a news item is for: wards, suburbs (by the wards listing them), a drawn zone (the
wards it overlaps), an interest group (its members), the whole municipality; and how many
residents each reaches (those who agreed to news messages)."""

import json

import pytest

from imbizo.accounts.models import Consent
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_erase, consent_withdraw
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.news.groups import interest_group_create, interest_group_join, interest_group_leave
from imbizo.news.services import news_reach, news_reach_preview
from imbizo.news.targets import Target, recipients, zone_parse
from tests.conftest import square

from .conftest import compose

# AAA's ward 1 is lon 20.0-20.1, ward 2 lon 20.1-20.2, both lat -30.0 to -29.9.
IN_WARD_1 = square(20.02, -29.98, 0.05)
ACROSS_BOTH = square(20.05, -29.98, 0.1)
TOUCHING_WARD_2 = {"type": "Polygon", "coordinates": [[
    [20.0, -30.0], [20.1, -30.0], [20.1, -29.9], [20.0, -29.9], [20.0, -30.0]]]}  # = ward 1
FAR_AWAY = square(30.0, -25.0, 0.1)


@pytest.fixture
def people(make_resident, places):
    """Ward 1: Thandi, Sipho (not agreed); ward 2: Lerato; no ward: Nomsa; BBB: Pieter."""
    return {"thandi": make_resident("0821000001", 1),
            "sipho": make_resident("0821000002", 1, consent=False),
            "lerato": make_resident("0821000003", 2),
            "nomsa": make_resident("0821000004", None),
            "pieter": make_resident("0821000005", 1, municipality=places[1])}


def reached(item) -> set[str]:
    ward_ids = list(item.wards.values_list("pk", flat=True))
    return set(recipients(item, ward_ids).values_list("phone", flat=True))


def phones(people, *names) -> set[str]:
    return {people[n].phone for n in names}


def test_the_whole_municipality_reaches_its_residents_who_agreed(publisher, aaa, people):
    item = compose(publisher, aaa)
    assert reached(item) == phones(people, "thandi", "lerato", "nomsa")
    reach = news_reach(actor=publisher, item=item)
    assert (reach.residents, reach.consenting, reach.wards) == (4, 3, [])


def test_wards_reach_their_residents(publisher, aaa, people):
    item = compose(publisher, aaa, target=Target.WARDS, wards=["2"])
    assert reached(item) == phones(people, "lerato")
    both = compose(publisher, aaa, target=Target.WARDS, wards=[1, 2])
    assert reached(both) == phones(people, "thandi", "lerato")


def test_a_suburb_reaches_the_residents_of_the_ward_listing_it(publisher, aaa, people):
    item = compose(publisher, aaa, target=Target.SUBURBS, suburbs=[" sizwe "])
    assert item.suburbs == ["sizwe"] and [w.number for w in item.wards.all()] == [1]
    assert reached(item) == phones(people, "thandi")  # not BBB's Sizwe


@pytest.mark.parametrize("zone, wards", [(IN_WARD_1, [1]), (ACROSS_BOTH, [1, 2]),
                                         (TOUCHING_WARD_2, [1])])
def test_a_zone_reaches_the_wards_it_overlaps(publisher, aaa, people, zone, wards):
    item = compose(publisher, aaa, target=Target.ZONE, zone=json.dumps(zone))
    assert [w.number for w in item.wards.all()] == wards
    assert item.zone["type"] == "Polygon"


@pytest.mark.parametrize("zone, code", [
    (FAR_AWAY, "zone_outside"),
    ({"type": "Point", "coordinates": [20.05, -29.95]}, "invalid_zone"),
    ({"type": "Polygon", "coordinates": [[[200, 0], [201, 0], [201, 1], [200, 0]]]},
     "invalid_zone"),
    ({"type": "Polygon", "coordinates": [[[20, -30], [20.1, -30], [20, -30]]]}, "invalid_zone"),
    ("", "no_zone"),
])
def test_a_zone_that_is_no_polygon_or_lies_outside_is_refused(publisher, aaa, zone, code):
    with pytest.raises(ImbizoError) as refused:
        compose(publisher, aaa, target=Target.ZONE, zone=zone)
    assert (refused.value.code, refused.value.extra["field"]) == (code, "zone")


def test_a_zone_given_as_a_feature_with_crossing_rings_is_repaired():
    bowtie = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[
        [20.0, -30.0], [20.1, -29.9], [20.1, -30.0], [20.0, -29.9], [20.0, -30.0]]]}}
    assert zone_parse({"type": "FeatureCollection", "features": [bowtie]}).is_valid


def test_a_group_reaches_its_members_who_agreed_wherever_they_live(publisher, aaa, people):
    group = interest_group_create(actor=publisher, municipality=aaa, name="Water outages")
    for name in ("lerato", "pieter", "sipho"):
        interest_group_join(actor=citizen_actor(people[name], channel="web"), group=group)
    interest_group_leave(actor=citizen_actor(people["lerato"], channel="web"), group=group)
    item = compose(publisher, aaa, target=Target.GROUP, group=group.pk)
    # Joining gave Sipho the consent he had not given; Lerato left.
    assert reached(item) == phones(people, "pieter", "sipho")


def test_no_consent_withdrawn_or_erased_resident_is_reached(publisher, aaa, people):
    thandi, lerato = people["thandi"], people["lerato"]
    consent_withdraw(actor=citizen_actor(thandi, channel="web"), citizen=thandi,
                     purpose=Consent.Purpose.BROADCASTS)
    citizen_erase(actor=system_actor("cli"), citizen=lerato)
    assert reached(compose(publisher, aaa)) == phones(people, "nomsa")


def test_the_preview_counts_before_anything_is_saved(publisher, aaa, people,
                                                     django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        reach = news_reach_preview(actor=publisher, municipality=aaa, target=Target.SUBURBS,
                                   suburbs=["Newlands", "Hilltop"])
    assert (reach.residents, reach.consenting, reach.wards) == (3, 2, [1, 2])
