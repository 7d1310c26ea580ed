import pytest

from imbizo.accounts.models import Role
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register
from imbizo.cases.duplicates import case_join, case_merge, distance_m, duplicate_candidates
from imbizo.cases.lifecycle import case_start
from imbizo.cases.models import Category, Status, Subscription
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor


@pytest.fixture
def neighbour():
    citizen = citizen_register(actor=system_actor("whatsapp"), phone="0724445555")
    return citizen_actor(citizen, channel="whatsapp")


def test_distance_is_right_to_a_metre():
    # One thousandth of a degree of latitude is about 111 m.
    assert distance_m(-29.95, 20.05, -29.951, 20.05) == pytest.approx(111.2, abs=1)


def test_open_cases_of_the_category_nearby_are_offered_nearest_first(log_case):
    near = log_case("pothole", lat=-29.95, lon=20.05)
    nearer = log_case("pothole", lat=-29.9501, lon=20.05)
    log_case("pothole", lat=-29.96, lon=20.05)  # 1.1 km away: outside 30 m
    log_case("streetlight", lat=-29.9501, lon=20.05)  # other category
    pothole = Category.objects.get(code="pothole", municipality__code="AAA")
    offered = duplicate_candidates(actor=system_actor(), category=pothole, latitude=-29.95011,
                                   longitude=20.05)
    assert [case.pk for case, _ in offered] == [nearer.pk, near.pk]
    assert offered[0][1] < offered[1][1] <= pothole.duplicate_radius_m


def test_me_too_subscribes_and_counts_once(log_case, neighbour):
    case = log_case()
    case = case_join(actor=neighbour, case=case)
    case = case_join(actor=neighbour, case=case)
    assert case.affected_count == 2
    assert Subscription.objects.filter(case=case).count() == 2


def test_a_closed_case_cannot_be_joined(log_case, neighbour):
    from imbizo.cases.lifecycle import case_cancel
    case = log_case()
    case_cancel(actor=system_actor("web"), case=case)
    with pytest.raises(ImbizoError) as err:
        case_join(actor=neighbour, case=case)
    assert err.value.status == 409


def test_merging_carries_followers_and_counts_over(log_case, neighbour, resident, make_staff,
                                                   municipalities):
    aaa, _ = municipalities
    supervisor = make_staff({"role": Role.SUPERVISOR, "municipality": aaa})
    keep, dup = log_case(), log_case(actor=neighbour)
    keep = case_merge(actor=supervisor, duplicate=dup, into=keep)
    dup.refresh_from_db()
    assert keep.affected_count == 2
    assert (dup.status, dup.merged_into, dup.rejection_reason) == \
        (Status.REJECTED, keep, "duplicate")
    followers = Subscription.objects.filter(case=keep).values_list("citizen_id", flat=True)
    assert sorted(followers) == sorted([resident.citizen.pk, neighbour.citizen.pk])


def test_a_case_already_in_progress_is_merged_as_cancelled(log_case, neighbour):
    system = system_actor("web")
    keep, dup = log_case(), case_start(actor=system, case=log_case(actor=neighbour))
    case_merge(actor=system, duplicate=dup, into=keep)
    dup.refresh_from_db()
    assert dup.status == Status.CANCELLED and dup.merged_into == keep


def test_cases_of_different_municipalities_are_not_merged(log_case):
    system = system_actor("web")
    with pytest.raises(ImbizoError, match="same municipality"):
        case_merge(actor=system, duplicate=log_case(lon=20.35), into=log_case())
