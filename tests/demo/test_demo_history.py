"""The demo's year of case history as generated: its spread over the year, the day, the
wards, channels, statuses and ratings, routed by the rules and the same for the same seed."""

from collections import Counter
from datetime import datetime, timedelta

import pytest

from imbizo.cases.calendar import SAST
from imbizo.cases.models import (
    OPEN_STATUSES,
    CaseUpdate,
    RoutingRule,
    Status,
)
from imbizo.cases.sla import WORKING_HOURS
from imbizo.cases.transitions import TRANSITIONS
from imbizo.demo.case_history import case_history_generate
from imbizo.demo.case_model import PROFILES
from imbizo.demo.cases import STANDBY_TEAM
from imbizo.demo.geography import TOWN_WARDS
from imbizo.demo.seed import demo_seed
from imbizo.geo.models import Municipality, Ward

# A fixed moment, so that spread tests do not depend on the day they run.
NOW = datetime(2025, 3, 14, 10, 30, tzinfo=SAST)
GENERATED = 2_000
WINTER, SUMMER, RAINY, DRY = (6, 7, 8), (12, 1, 2), (11, 12, 1, 2, 3), (5, 6, 7, 8, 9)


def dmo() -> Municipality:
    return Municipality.objects.get(code="DMO")


def local(moment: datetime) -> datetime:
    return moment.astimezone(SAST)


@pytest.fixture(scope="module")
def history_for_module(module_db):
    """2,000 generated (unsaved) cases ending at NOW, over a demo with its categories,
    made once a module."""
    demo_seed(residents=30, cases=0)
    return case_history_generate(municipality=dmo(), seed=2021, count=GENERATED, now=NOW)


@pytest.fixture
def history(history_for_module, db):
    return history_for_module


def test_history_is_routed_by_the_rules(history):
    outages = [c for c in history.cases if c.category.code == "outage"]
    after_hours = [c for c in outages if not WORKING_HOURS.is_open(c.created)]
    assert after_hours and all(c.team and c.team.name == STANDBY_TEAM for c in after_hours)
    assert all(c.team is None for c in outages if WORKING_HOURS.is_open(c.created))
    ward = RoutingRule.objects.get(ward__isnull=False).ward
    refuse = [c for c in history.cases if c.category.code == "missed-collection"]
    assert all((c.department.code == "community") == (c.ward_id == ward.pk) for c in refuse)
    others = [c for c in history.cases if c.category.code != "missed-collection"]
    assert all(c.department_id == c.category.department_id for c in others)


def test_every_category_is_present_with_potholes_and_outages_common_and_fires_rare(history):
    counts = Counter(c.category.code for c in history.cases)
    assert set(counts) == set(PROFILES)
    top = [code for code, _ in counts.most_common(3)]
    assert "pothole" in top and "outage" in top
    assert counts["fire"] == min(counts.values()) and counts["fire"] < GENERATED * 0.02


def test_winter_brings_burst_pipes_and_outages_and_summer_brings_floods(history):
    def in_months(code: str, months: tuple) -> int:
        return sum(1 for c in history.cases
                   if c.category.code == code and local(c.created).month in months)

    assert in_months("burst-pipe", WINTER) > 1.5 * in_months("burst-pipe", SUMMER)
    assert in_months("outage", WINTER) > 1.3 * in_months("outage", SUMMER)
    assert in_months("flooding", RAINY) > 3 * in_months("flooding", DRY)


def test_refuse_misses_rise_over_the_festive_season(history):
    refuse = [local(c.created).date() for c in history.cases
              if c.category.code == "missed-collection"]
    festive = sum(1 for d in refuse if (d.month, d.day) >= (12, 16) or (d.month, d.day) <= (1, 6))
    # 22 days of 365 would hold 6% of the year's misses at an even rate.
    assert festive > 0.1 * len(refuse)


def test_fewer_cases_are_logged_at_night_and_town_wards_are_busier(history):
    hours = Counter(local(c.created).hour for c in history.cases)
    night = sum(hours[h] for h in range(0, 6))
    assert night < 0.1 * GENERATED  # a quarter of the day, under a tenth of the cases
    assert hours[2] * 4 < hours[10]
    town = sum(1 for c in history.cases if c.ward.number <= TOWN_WARDS)
    wards = Ward.objects.filter(municipality__code="DMO").count()
    assert town / TOWN_WARDS > 2 * (GENERATED - town) / (wards - TOWN_WARDS)


def test_channels_follow_the_expected_mix_and_some_reporters_are_anonymous(history):
    channels = Counter(c.channel for c in history.cases)
    assert channels["ussd"] > channels["whatsapp"] > channels["web"] > channels["sms"]
    assert 0.30 < channels["ussd"] / GENERATED < 0.40
    assert 0.02 < channels["api"] / GENERATED < 0.08
    anonymous = [c for c in history.cases if c.reporter is None]
    assert 0.1 < len(anonymous) / GENERATED < 0.3
    assert all(c.reporter for c in history.cases if c.channel in ("ussd", "whatsapp", "sms"))
    assert all(c.contact_phone or c.contact_email or c.channel == "web" for c in anonymous)


def test_statuses_are_mixed_mostly_closed(history):
    statuses = Counter(c.status for c in history.cases)
    assert statuses[Status.CLOSED] > 0.75 * GENERATED
    for status in (Status.RESOLVED, Status.IN_PROGRESS, Status.ON_HOLD, Status.REJECTED,
                   Status.CANCELLED):
        assert statuses[status] > 0, status
    assert 0.01 < sum(statuses[s] for s in OPEN_STATUSES) / GENERATED < 0.15


def test_most_service_levels_are_met_varying_by_department(history):
    done = [c for c in history.cases if c.status in (Status.RESOLVED, Status.CLOSED)]
    met = sum(not c.resolve_breached for c in done) / len(done)
    assert 0.6 < met < 0.9
    by_department = {}
    for code in ("water", "roads", "waste"):
        mine = [c for c in done if c.department.code == code]
        by_department[code] = sum(not c.resolve_breached for c in mine) / len(mine)
    assert by_department["waste"] > by_department["roads"] + 0.05
    assert all(c.resolved <= c.resolve_due for c in done if not c.resolve_breached)
    assert all(c.escalation_level >= 1 for c in done if c.resolve_breached)


def test_ratings_average_about_three_and_a_half_and_are_lower_when_late(history):
    rated = [c for c in history.cases if c.rating]
    assert all(c.status == Status.CLOSED and c.reporter for c in rated)
    closed = [c for c in history.cases if c.status == Status.CLOSED and c.reporter]
    assert 0.4 < len(rated) / len(closed) < 0.8
    mean = sum(c.rating for c in rated) / len(rated)
    assert 3.3 < mean < 3.9

    def average(cases: list) -> float:
        return sum(c.rating for c in cases) / len(cases)

    assert average([c for c in rated if not c.resolve_breached]) > \
        average([c for c in rated if c.resolve_breached]) + 0.8


def test_each_case_has_a_history_of_valid_steps_ending_in_its_status(history):
    steps: dict[int, list] = {}
    for update in history.updates:
        steps.setdefault(id(update.case), []).append(update)
    for case in history.cases:
        mine = steps[id(case)]
        status = [u for u in mine if u.kind == CaseUpdate.Kind.STATUS]
        assert (status[0].from_status, status[0].to_status) == ("", Status.ASSIGNED)
        for before, after in zip(status, status[1:], strict=False):
            assert after.from_status == before.to_status
            assert after.to_status in TRANSITIONS[before.to_status], case.reference
        assert status[-1].to_status == case.status
        assert case.version == len(status)
        assert all(case.created <= u.created <= NOW for u in mine)
        assert mine == sorted(mine, key=lambda u: u.created)
        assert (case.status == Status.ON_HOLD) == (case.paused is not None)
        if case.status in (Status.RESOLVED, Status.CLOSED):
            assert case.created <= case.acknowledged <= case.resolved
        if case.status == Status.CLOSED:
            assert case.resolved <= case.closed
        if case.status in OPEN_STATUSES:
            assert case.resolved is None and case.closed is None


def test_reporters_follow_their_cases_and_me_too_followers_are_counted(history):
    followers: dict[int, list] = {}
    for subscription in history.subscriptions:
        followers.setdefault(id(subscription.case), []).append(subscription)
    for case in history.cases:
        mine = followers.get(id(case), [])
        citizens = [s.citizen for s in mine]
        assert len(set(c.pk for c in citizens)) == len(citizens)
        assert (case.reporter in citizens) == (case.reporter is not None)
        others = [s for s in mine if s.citizen != case.reporter]
        assert case.affected_count == 1 + len(others)
        assert all(case.created <= s.created <= NOW for s in mine)
    joined = [c for c in history.cases if c.affected_count > 1]
    assert 0.05 < len(joined) / GENERATED < 0.3
    outages = [c for c in history.cases if c.category.code == "outage"]
    assert sum(c.affected_count > 1 for c in outages) / len(outages) > 0.2


def test_the_same_seed_on_the_same_day_gives_the_same_history(history):
    def key(h) -> list:
        return [(c.reference, c.uuid, c.category.code, c.ward.number, c.created, c.latitude,
                 c.longitude, c.description, c.channel, getattr(c.reporter, "phone", None),
                 c.contact_phone) for c in h.cases]

    later = case_history_generate(municipality=dmo(), seed=2021, count=GENERATED,
                                  now=NOW + timedelta(hours=3))
    again = case_history_generate(municipality=dmo(), seed=2021, count=GENERATED, now=NOW)
    assert key(later) == key(history) == key(again)
    assert [(c.status, c.rating, c.resolve_due) for c in again.cases] == \
        [(c.status, c.rating, c.resolve_due) for c in history.cases]
    other = case_history_generate(municipality=dmo(), seed=7, count=GENERATED, now=NOW)
    assert key(other) != key(history)
