"""The demo's year of case history, generated in memory from the seed; nothing is written.

Kept apart from the load (``cases.py``) so that what is drawn can be checked without
writing it: ``case_history_generate`` returns unsaved cases, their history rows and
followers, and the reference counters they leave behind.

The cases are logged over the 365 days before the day of seeding (today's come from
using the demo) and are a function of the seed, the demo's wards and residents and that
day: the same seed on the same day gives the same cases, references, places and texts.
Where each case has got to (status, clocks, breaches, rating) is its planned life cut at
the moment of seeding; no random draw depends on that moment. Every draw comes from one
``Random``, so the order of the draws is part of the demo: moving one changes every case
after it.
"""

import uuid
from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate
from random import Random

import holidays
import shapely
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from imbizo.accounts.models import Citizen, Role
from imbizo.cases import sla
from imbizo.cases.calendar import SAST
from imbizo.cases.escalation import DEFAULT_LADDER
from imbizo.cases.lifecycle import REJECTION_REASONS
from imbizo.cases.models import (
    Case,
    CaseUpdate,
    Category,
    Priority,
    ReferenceCounter,
    RoutingRule,
    Status,
    Subscription,
)
from imbizo.cases.reference import reference_format
from imbizo.cases.routing import route_case
from imbizo.geo.models import Municipality, Ward

from .case_model import (
    ACK_MET,
    CANCELLED,
    CASES,
    CHANNELS,
    FEEDBACK_BAD,
    FEEDBACK_GOOD,
    HISTORY_DAYS,
    HOLD,
    HOLD_REASONS,
    MET,
    RATES,
    RATINGS_LATE,
    RATINGS_MET,
    REJECTED,
    REOPEN,
    RESIDENT_CLOSES,
    RESIDENT_SHARE,
    STREETS,
    WINTER_WATER_PENALTY,
    category_day_weight,
    profile_for,
)
from .geography import TOWN_WARDS
from .names import person_name
from .people import MOBILE_PREFIXES


@dataclass
class History:
    """Generated, unsaved rows: cases (oldest first) with their history and followers."""

    cases: list[Case] = field(default_factory=list)
    updates: list[CaseUpdate] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)  # period -> last number


@dataclass(frozen=True)
class _Ward:
    ward: Ward
    polygon: object
    suburbs: tuple[str, ...]


@dataclass(frozen=True)
class _World:
    """What the generator reads from the database, in a seed-stable order."""

    municipality: Municipality
    categories: dict[str, Category]
    wards: list[_Ward]
    residents: list[Citizen]
    staff: dict[str, str]  # department code -> actor label of who works its cases
    agent: str


def _world(municipality: Municipality) -> _World:
    categories = {c.code: c for c in Category.objects.filter(
        municipality=municipality, active=True, department__isnull=False)
        .select_related("department").order_by("code")}
    wards = []
    for ward in Ward.objects.filter(municipality=municipality).exclude(boundary=None) \
            .order_by("number"):
        polygon = shapely.from_wkb(bytes(ward.boundary))
        shapely.prepare(polygon)
        wards.append(_Ward(ward, polygon, tuple(ward.suburbs.splitlines()) or (ward.name,)))
    residents = list(Citizen.objects.filter(municipality=municipality).order_by("phone"))
    users = {u.username: f"user:{u.pk}" for u in get_user_model().objects.filter(
        username__in=("demo-officer", "demo-agent"))}
    return _World(municipality, categories, wards, residents,
                  staff={"water": users.get("demo-officer", "system")},
                  agent=users.get("demo-agent", "system"))


def _when(rng: Random, cells: list, cumulative: list, count: int) -> list:
    """``count`` (moment, category code) pairs over the history, by day, season and hour."""
    picked = []
    hours = {code: list(accumulate(profile_for(code).hours))
             for code in {code for _day, code in cells}}
    for index in rng.choices(range(len(cells)), cum_weights=cumulative, k=count):
        day, code = cells[index]
        hour = bisect(hours[code], rng.random() * hours[code][-1])
        picked.append((datetime(day.year, day.month, day.day, hour, rng.randrange(60),
                                rng.randrange(60), tzinfo=SAST), code))
    return picked


def _point(rng: Random, ward: _Ward) -> tuple[float, float]:
    minx, miny, maxx, maxy = ward.polygon.bounds
    while True:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(ward.polygon, x, y):
            return round(y, 6), round(x, 6)


def _phone(rng: Random) -> str:
    return f"+27{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10_000_000):07d}"


def case_history_generate(*, municipality: Municipality, seed: int, count: int = CASES,
                          now: datetime | None = None) -> History:
    """The generated history (nothing written). Needs the categories, wards and residents."""
    now = (now or timezone.now()).astimezone(SAST)
    world = _world(municipality)
    rng = Random(f"{seed}:cases")
    codes = sorted(world.categories)
    first = now.date() - timedelta(days=HISTORY_DAYS)
    za = holidays.country_holidays("ZA", years=range(first.year - 1, now.year + 1))
    cells = [(first + timedelta(days=offset), code)
             for offset in range(HISTORY_DAYS) for code in codes]
    weights = [category_day_weight(code, day, za) for day, code in cells]
    busy = [rng.uniform(0.7, 1.3) for _ in world.wards]
    ward_weights = {code: list(accumulate(
        b * (profile_for(code).town if w.ward.number <= TOWN_WARDS else 1.0)
        for w, b in zip(world.wards, busy, strict=True))) for code in codes}
    channels, channel_weights = list(CHANNELS), list(accumulate(CHANNELS.values()))
    by_ward: dict[int, list[Citizen]] = {}
    for citizen in world.residents:
        by_ward.setdefault(citizen.ward_id, []).append(citizen)
    routes: dict = {}
    ruled = set(RoutingRule.objects.filter(municipality=municipality, ward__isnull=False)
                .values_list("ward_id", flat=True))
    history = History()
    planned = []
    for created, code in _when(rng, cells, list(accumulate(weights)), count):
        category = world.categories[code]
        ward = world.wards[bisect(ward_weights[code], rng.random() * ward_weights[code][-1])]
        channel = channels[bisect(channel_weights, rng.random() * channel_weights[-1])]
        case = _case(rng, world, category, ward, channel, created, by_ward)
        # The route depends on the ward only where a rule names it: one look-up per
        # (category, ruled ward or not, working hours or not).
        key = (category.pk, ward.ward.pk if ward.ward.pk in ruled else None,
               sla.WORKING_HOURS.is_open(created))
        if key not in routes:
            routes[key] = route_case(category=category, ward_id=ward.ward.pk, at=created,
                                     hours=sla.WORKING_HOURS)
        route = routes[key]
        case.department, case.team, case.assignee_id = route.department, route.team, \
            route.assignee_id
        updates = _life(rng, world, case, now)
        subscriptions = _followers(rng, world, case, by_ward, updates, now)
        planned.append((created, len(planned), case, updates, subscriptions))
    planned.sort(key=lambda row: row[:2])
    existing = dict(ReferenceCounter.objects.filter(municipality=municipality)
                    .values_list("period", "last"))
    for _created, _i, case, updates, subscriptions in planned:
        period = case.created.strftime("%y%m")
        number = history.counters.get(period, existing.get(period, 0)) + 1
        history.counters[period] = number
        case.reference = reference_format(municipality.code, period, number)
        history.cases.append(case)
        history.updates += updates
        history.subscriptions += subscriptions
    return history


def _case(rng: Random, world: _World, category: Category, ward: _Ward, channel: str,
          created: datetime, by_ward: dict) -> Case:
    profile = profile_for(category.code)
    suburb, street = rng.choice(ward.suburbs), rng.choice(STREETS)
    number = rng.randint(1, 240)
    text = rng.choice(profile.descriptions).format(suburb=suburb, street=street, number=number)
    latitude = longitude = None
    if category.location_required or rng.random() < 0.5:
        latitude, longitude = _point(rng, ward)
    extra = {}
    if category.code == "water-meter":
        extra["meter_number"] = f"WM{rng.randrange(1_000_000):06d}"
    elif category.code == "streetlight" and rng.random() < 0.4:
        extra["pole_number"] = f"P{rng.randrange(10_000):04d}"
    reporter, contact = None, {}
    if world.residents and rng.random() < RESIDENT_SHARE[channel]:
        nearby = by_ward.get(ward.ward.pk)
        reporter = rng.choice(nearby if nearby and rng.random() < 0.7 else world.residents)
    elif channel in ("phone", "api") or rng.random() < 0.3:
        first, last = person_name(rng)
        contact = {"contact_name": f"{first} {last}", "contact_phone": _phone(rng)}
    elif channel == "web":
        contact = {"contact_email": f"resident{rng.randrange(10_000)}@example.org"}
    return Case(
        uuid=uuid.UUID(int=rng.getrandbits(128), version=4), municipality=world.municipality,
        category=category, description=text, extra=extra, latitude=latitude,
        longitude=longitude, address=f"{number} {street}, {suburb}", ward=ward.ward,
        reporter=reporter, channel=channel, priority=category.priority, status=Status.LOGGED,
        public=category.public, created=created, **contact)


def _logger(world: _World, case: Case) -> str:
    if case.channel == "phone":
        return world.agent
    return f"citizen:{case.reporter.uuid}" if case.reporter else "system"


def _life(rng: Random, world: _World, case: Case, now: datetime) -> list[CaseUpdate]:
    """Plan the case's whole life, keep what happened before ``now``, and set the case's
    status, clocks, breaches, escalation and rating from it."""
    category = case.category
    hours = sla.hours_for(category)
    ack_s, resolve_s = float(category.ack_hours) * 3600, float(category.resolve_hours) * 3600
    start = case.created
    staff = world.staff.get(getattr(case.department, "code", ""), "system")
    author = case.department.name if case.department else ""
    resident = f"citizen:{case.reporter.uuid}" if case.reporter else None
    met_rate = MET.get(getattr(case.department, "code", ""), 0.75)
    if case.department and case.department.code == "water" and start.month in (6, 7, 8):
        met_rate -= WINTER_WATER_PENALTY

    def work(begin: datetime) -> list[tuple]:
        """Acknowledge, perhaps hold, resolve: events from ``begin``."""
        share = rng.uniform(0.05, 0.95) if rng.random() < ACK_MET else \
            1.05 + rng.expovariate(1.0)
        acked = sla.add_time(begin, share * ack_s, hours)
        share = rng.uniform(0.15, 0.97) if rng.random() < met_rate else \
            1.03 + rng.expovariate(1 / 0.9)
        done = max(sla.add_time(begin, share * resolve_s, hours),
                   acked + timedelta(minutes=rng.uniform(5, 90)))
        events = [(acked, Status.IN_PROGRESS, "", staff, author)]
        if rng.random() < HOLD and category.priority != Priority.EMERGENCY:
            paused = sla.add_time(acked, rng.uniform(0.1, 0.9)
                                  * sla.time_between(acked, done, hours), hours)
            days = rng.uniform(0.5, 10) if rng.random() < 0.8 else rng.uniform(20, 120)
            resumed = sla.add_time(paused + timedelta(days=days), 0, hours)
            done = sla.add_time(resumed, sla.time_between(paused, done, hours), hours)
            events += [(paused, Status.ON_HOLD, rng.choice(HOLD_REASONS), staff, author),
                       (resumed, Status.IN_PROGRESS, "", staff, author)]
        return events + [(done, Status.RESOLVED, profile_for(category.code).resolution, staff,
                          author)]

    fate = rng.random()
    if fate < REJECTED:
        reason = rng.choice(sorted(REJECTION_REASONS))
        events = [(sla.add_time(start, rng.uniform(0.1, 1.2) * ack_s, hours), Status.REJECTED,
                   str(REJECTION_REASONS[reason]), staff, author)]
        case.rejection_reason = reason
    else:
        events = work(start)
        if fate < REJECTED + CANCELLED:
            at = start + (events[-1][0] - start) * rng.uniform(0.05, 0.7)
            events = [e for e in events if e[0] < at] + [
                (at, Status.CANCELLED, "", resident or world.agent,
                 "Resident" if resident else "")]
        else:
            if resident and rng.random() < REOPEN:
                at = events[-1][0] + timedelta(days=rng.uniform(0.3, 6))
                events += [(at, Status.REOPENED, "It is not fixed.", resident, "Resident"),
                           *work(at)]
            resolved = events[-1][0]
            if resident and rng.random() < RESIDENT_CLOSES:
                events.append((resolved + timedelta(days=rng.uniform(0.1, 6)), Status.CLOSED,
                               "", resident, "Resident"))
            else:
                events.append((resolved + timedelta(days=settings.CASE_AUTOCLOSE_DAYS),
                               Status.CLOSED, "", "system", "Imbizo"))
    return _replay(rng, case, events, now, hours, logged_by=_logger(world, case))


def _replay(rng: Random, case: Case, events: list[tuple], now: datetime, hours, *,
            logged_by: str) -> list[CaseUpdate]:
    """Apply the events up to ``now`` the way the lifecycle services would have."""
    category = case.category
    case.status = Status.ASSIGNED if case.department else Status.LOGGED
    case.ack_due, case.resolve_due = sla.deadlines(category, case.created)
    updates = [CaseUpdate(case=case, created=case.created, kind=CaseUpdate.Kind.STATUS,
                          actor=logged_by, from_status="", to_status=case.status,
                          text=case.department.name if case.department else "Call centre")]
    ended = None
    for at, to, text, actor, author in events:
        if at > now:
            break
        if to == Status.IN_PROGRESS and case.status == Status.ON_HOLD:
            remaining = sla.time_between(case.paused, case.resolve_due, hours)
            case.resolve_due, case.paused = sla.add_time(at, remaining, hours), None
        if to in (Status.IN_PROGRESS, Status.RESOLVED) and case.acknowledged is None:
            case.acknowledged = at
            case.ack_breached = at > case.ack_due
        if to == Status.ON_HOLD:
            case.paused = at
        elif to == Status.RESOLVED:
            case.resolved = at
        elif to == Status.REOPENED:
            case.ack_due, case.resolve_due = sla.deadlines(category, at)
            case.resolved = None
        elif to == Status.CLOSED:
            case.closed = at
        elif to in (Status.REJECTED, Status.CANCELLED):
            ended, case.paused = at, None
        updates.append(CaseUpdate(case=case, created=at, kind=CaseUpdate.Kind.STATUS,
                                  actor=actor, author=author, from_status=case.status,
                                  to_status=to, text=text))
        case.status = to
        case.version += 1
    stop = case.resolved or ended or case.paused or now
    if case.acknowledged is None and stop > case.ack_due:
        case.ack_breached = True
    if case.ack_breached:
        updates.append(_escalation(case, case.ack_due, "Not acknowledged in time."))
    case.resolve_breached = stop > case.resolve_due
    if case.resolve_breached:
        at = case.resolve_due
        for level, role, _only, after in DEFAULT_LADDER:
            at += timedelta(hours=after)
            if at > stop:
                break
            case.escalation_level = level
            updates.append(_escalation(case, at, f"Escalated to {Role(role).label} "
                                                 f"(level {level})."))
    case.updated = max(u.created for u in updates)
    # Drawn whatever happened, so that the moment of seeding never shifts the draws of the
    # cases after this one.
    rates, comments, delay = rng.random() < RATES, rng.random() < 0.3, rng.uniform(0.1, 48)
    weights = RATINGS_LATE if case.resolve_breached else RATINGS_MET
    rating = rng.choices(range(1, 6), weights)[0]
    if case.status == Status.CLOSED and case.reporter and rates:
        case.rating = rating
        if comments:
            case.feedback = rng.choice(FEEDBACK_GOOD if rating >= 4 else FEEDBACK_BAD)
        case.updated = min(now, case.closed + timedelta(hours=delay))
    return sorted(updates, key=lambda u: u.created)


def _escalation(case: Case, at: datetime, text: str) -> CaseUpdate:
    return CaseUpdate(case=case, created=at, kind=CaseUpdate.Kind.ESCALATION, actor="system",
                      author="Imbizo", text=text)


def _followers(rng: Random, world: _World, case: Case, by_ward: dict,
               updates: list[CaseUpdate], now: datetime) -> list[Subscription]:
    """The reporter, and residents who said "me too" while the case was open."""
    subscriptions = [Subscription(case=case, citizen=case.reporter, created=case.created)] \
        if case.reporter else []
    share, most = profile_for(case.category.code).followers
    if rng.random() >= share or case.rejection_reason:
        return subscriptions
    ended = next((u.created for u in updates if u.to_status in (
        Status.RESOLVED, Status.CANCELLED, Status.CLOSED)), now)
    pool = [c for c in by_ward.get(case.ward_id, []) or world.residents if c != case.reporter]
    for citizen in rng.sample(pool, min(len(pool), rng.randint(1, most))):
        at = case.created + (ended - case.created) * rng.uniform(0.01, 0.6)
        subscriptions.append(Subscription(case=case, citizen=citizen, created=at))
        case.affected_count += 1
    return subscriptions
