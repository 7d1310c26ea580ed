"""The demo's case history: a year of faults in DMO, generated from a seed and bulk-loaded.

``imbizo seed-demo`` gives DMO the standard categories, an after-hours standby team and
two routing rules through the catalogue services, then about 10,000 cases logged over
the twelve months before the moment of seeding, each with its history, followers, SLA
outcome and (once closed) often a rating.

**The one accepted exception to "writes go through services".** Logging 10,000 cases
through ``case_log`` and walking each through the lifecycle services would take minutes,
write some 60,000 audit entries and could not backdate anything (every service stamps
``timezone.now()``). So the cases, their history rows (``CaseUpdate``) and followers
(``Subscription``) are generated here and written with ``bulk_create``. Everything later
writes depend on still comes from the cases app: references from ``reference_format``
with each month's ``ReferenceCounter`` left at the last number issued (``case_log``
carries on the sequence), deadlines from ``sla.deadlines``, departments from
``route_case`` and the rules, and one audit entry (``demo.cases_load``) records the
whole load. No other code may write cases like this.

The cases are logged over the 365 days before the day of seeding (today's come from
using the demo) and are a function of the seed, the demo's wards and residents and that
day: the same seed on the same day gives the same cases, references, places and texts.
Where each case has got to (status, clocks, breaches, rating) is its planned life cut at
the moment of seeding; no random draw depends on that moment.
"""

import time
import uuid
from bisect import bisect
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate
from random import Random

import holidays
import shapely
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from imbizo.accounts.models import Citizen, Department, Role
from imbizo.accounts.permissions import Actor
from imbizo.audit.services import audit_record
from imbizo.cases import sla
from imbizo.cases.calendar import SAST
from imbizo.cases.catalogue import categories_install_standard, routing_rule_create, team_create
from imbizo.cases.escalation import DEFAULT_LADDER, next_checkpoint, sla_enqueue
from imbizo.cases.lifecycle import REJECTION_REASONS
from imbizo.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseUpdate,
    Category,
    Priority,
    ReferenceCounter,
    RoutingRule,
    Status,
    Subscription,
    Team,
)
from imbizo.cases.reference import reference_format
from imbizo.cases.routing import route_case
from imbizo.geo.models import Municipality, TraditionalAuthority, Ward

from .geography import TOWN_WARDS
from .names import person_name
from .people import MOBILE_PREFIXES

CASES = 10_000
HISTORY_DAYS = 365
BATCH = 1_000
STANDBY_TEAM = "After-hours standby"
CHANNELS = {"ussd": 35, "whatsapp": 25, "web": 15, "phone": 15, "sms": 5, "api": 5}
# Share of a channel's cases whose reporter is a registered resident (the rest give a
# name and number, an e-mail address or nothing).
RESIDENT_SHARE = {"ussd": 1.0, "whatsapp": 1.0, "sms": 1.0, "web": 0.6, "phone": 0.5, "api": 0.0}
WEEKDAY = (1.15, 1.05, 1.0, 1.0, 0.95, 0.75, 0.65)  # Monday catches up on the weekend
# Cases per hour of the day (SAST), relative: few at night in every profile.
DAYTIME = (0.15, 0.1, 0.1, 0.1, 0.15, 0.3, 0.7, 1.2, 1.6, 1.7, 1.6, 1.5,
           1.4, 1.4, 1.4, 1.3, 1.3, 1.2, 1.0, 0.9, 0.7, 0.5, 0.35, 0.2)
EVENING = (0.35, 0.25, 0.2, 0.2, 0.25, 0.45, 0.8, 1.0, 1.0, 0.9, 0.9, 0.9,
           0.9, 0.9, 0.9, 1.0, 1.2, 1.6, 1.9, 1.9, 1.6, 1.2, 0.8, 0.55)
MORNING = (0.2, 0.15, 0.15, 0.2, 0.45, 1.1, 1.9, 2.0, 1.7, 1.4, 1.2, 1.1,
           1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.8, 0.6, 0.45, 0.3, 0.25)
LATE = (0.6, 0.5, 0.45, 0.4, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0,
        1.1, 1.2, 1.3, 1.3, 1.3, 1.4, 1.6, 1.7, 1.6, 1.4, 1.1, 0.8)
# By month, January first. DMO is inland Eastern Cape: frost in June-August, summer
# rain from November to March, dry veld (and paraffin heaters) in winter.
FLAT = (1.0,) * 12
FROST = (0.8, 0.8, 0.9, 1.0, 1.3, 2.2, 2.6, 2.1, 1.2, 0.9, 0.8, 0.8)
WINTER_LOAD = (0.9, 0.9, 0.9, 1.0, 1.2, 1.7, 1.9, 1.7, 1.2, 1.0, 0.9, 0.9)
RAINS = (3.0, 3.0, 2.4, 1.0, 0.3, 0.15, 0.15, 0.2, 0.4, 1.0, 2.2, 2.8)
RAIN_DRAINS = (1.6, 1.6, 1.4, 1.0, 0.8, 0.7, 0.7, 0.7, 0.8, 1.0, 1.4, 1.6)
AFTER_RAIN = (1.3, 1.4, 1.4, 1.2, 1.0, 0.9, 0.85, 0.85, 0.9, 0.95, 1.05, 1.2)
DRY_SEASON = (0.6, 0.6, 0.7, 0.8, 1.1, 1.5, 1.8, 1.9, 1.5, 1.0, 0.7, 0.6)
BEFORE_RAIN = (0.9, 0.9, 0.9, 0.9, 1.0, 1.0, 1.0, 1.1, 1.2, 1.3, 1.2, 1.0)
# Service levels met (resolved in time), by department; water struggles in winter.
MET = {"water": 0.76, "electricity": 0.8, "roads": 0.68, "waste": 0.84, "fire": 0.88,
       "community": 0.78}
WINTER_WATER_PENALTY = 0.1
ACK_MET = 0.9
REJECTED, CANCELLED, HOLD, REOPEN, RESIDENT_CLOSES, RATES = 0.03, 0.02, 0.09, 0.02, 0.45, 0.6
RATINGS_MET = (4, 6, 18, 37, 35)  # percent giving 1..5 when the service level was met
RATINGS_LATE = (25, 25, 25, 15, 10)
STREETS = ("Main Road", "Church Street", "Station Road", "Hospital Street", "Market Street",
           "Mandela Drive", "Tambo Avenue", "Sisulu Street", "School Road", "Mission Road",
           "Dam Road", "Kerk Street", "Queen Street", "Taxi Rank Road", "Clinic Street")
HOLD_REASONS = ("Waiting for parts from the supplier.", "Waiting for the contractor.",
                "Waiting for Eskom to isolate the line.", "Waiting for budget approval.",
                "Waiting for access to the property.")
FEEDBACK_GOOD = ("Thank you, fixed quickly.", "Good service.", "The team was friendly.",
                 "Sorted out the same day.")
FEEDBACK_BAD = ("Took far too long.", "Nobody told us what was happening.",
                "Fixed, but it broke again.", "We reported it many times.")


@dataclass(frozen=True)
class Profile:
    """How one category's cases fall over a year, a day and the wards."""

    weight: float  # share of a year's cases, before the season
    descriptions: tuple[str, ...]
    resolution: str
    season: tuple[float, ...] = FLAT
    hours: tuple[float, ...] = DAYTIME
    town: float = 2.5  # a town ward's weight against a rural ward's 1
    followers: tuple[float, int] = (0.03, 1)  # share with "me too" followers, most of them


PROFILES: dict[str, Profile] = {
    "pothole": Profile(18, ("Deep pothole on {street} near {suburb}.",
                            "Potholes all along {street}, cars are swerving.",
                            "Big hole in the road outside number {number}, {street}."),
                       "Pothole filled and compacted.", AFTER_RAIN, town=3,
                       followers=(0.08, 2)),
    "outage": Profile(13, ("No electricity in {suburb} since this afternoon.",
                           "Power is off on {street}; the neighbours too.",
                           "Transformer bang near {street}, whole area dark."),
                      "Supply restored.", WINTER_LOAD, EVENING, followers=(0.35, 6)),
    "streetlight": Profile(9, ("Streetlight out on {street}, {suburb}.",
                               "Three lights off along {street}; it is dangerous at night."),
                           "Lamp replaced.", hours=EVENING, town=4, followers=(0.06, 2)),
    "no-water": Profile(9, ("No water in {suburb} since morning.",
                            "Taps dry on {street} for two days."),
                        "Supply restored.", BEFORE_RAIN, MORNING, town=1.5,
                        followers=(0.3, 6)),
    "burst-pipe": Profile(7, ("Burst pipe on {street}, water running down the road.",
                              "Water pipe burst outside number {number}, {street}."),
                          "Pipe repaired.", FROST, MORNING, followers=(0.25, 4)),
    "water-leak": Profile(8, ("Leak at the meter box, {street}.",
                              "Water leaking from the pavement on {street}, {suburb}."),
                          "Leak repaired.", followers=(0.05, 2)),
    "missed-collection": Profile(8, ("Bins not collected on {street} this week.",
                                     "Refuse truck skipped {suburb} again."),
                                 "Collected.", town=4, followers=(0.15, 3)),
    "illegal-dumping": Profile(6, ("Rubble and rubbish dumped at the corner of {street}.",
                                   "Someone dumps garden refuse on the open plot in {suburb}."),
                               "Site cleared.", town=3, followers=(0.1, 3)),
    "blocked-drain": Profile(6, ("Stormwater drain blocked on {street}; the road floods.",),
                             "Drain cleared.", RAIN_DRAINS, followers=(0.05, 2)),
    "sewage-spill": Profile(4.5, ("Sewage overflowing from the manhole on {street}.",
                                  "Sewer spill running into the yards in {suburb}."),
                            "Blockage cleared and area disinfected.", followers=(0.2, 3)),
    "water-meter": Profile(3, ("My water meter is not turning.",
                               "Meter reading is far too high; I think the meter is broken."),
                           "Meter replaced.", town=3),
    "illegal-connection": Profile(2.5, ("Illegal connections from the pole on {street}.",),
                                  "Connections removed.", town=2),
    "flooding": Profile(1.5, ("Houses flooded in {suburb} after the storm.",
                              "{street} under water, cars cannot pass."),
                        "Water pumped out; drains cleared.", RAINS, LATE, town=2,
                        followers=(0.3, 5)),
    "fire": Profile(0.7, ("Shack fire in {suburb}.", "Veld fire spreading towards {suburb}."),
                    "Fire extinguished.", DRY_SEASON, LATE, town=2, followers=(0.1, 2)),
}

# A category added to the standard tree later still gets cases, plainly, until it has its own.
PLAIN = Profile(1.0, ("Problem reported on {street}, {suburb}.",), "Done.")


def profile_for(code: str) -> Profile:
    return PROFILES.get(code, PLAIN)


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


# --- set-up through the services ------------------------------------------------------
def demo_catalogue_install(*, actor: Actor, municipality: Municipality) -> int:
    """The standard categories, the electricity standby team and two routing rules:
    outages after hours go to the standby team, and refuse in the first traditional-
    authority ward goes to Community Services (it runs the village drop-off points)."""
    added = categories_install_standard(actor=actor, municipality=municipality)
    if RoutingRule.objects.filter(municipality=municipality).exists():
        return added
    departments = {d.code: d for d in Department.objects.filter(municipality=municipality)}
    electricity = departments["electricity"]
    standby = Team.objects.filter(department=electricity, name=STANDBY_TEAM).first() \
        or team_create(actor=actor, department=electricity, name=STANDBY_TEAM)
    codes = {c.code: c for c in Category.objects.filter(municipality=municipality)}
    routing_rule_create(actor=actor, municipality=municipality, department=electricity,
                        category=codes["outage"], team=standby, after_hours_only=True)
    ward = _authority_ward(municipality)
    if ward is not None and "community" in departments:
        routing_rule_create(actor=actor, municipality=municipality,
                            department=departments["community"],
                            category=codes["missed-collection"], ward=ward)
    return added


def _authority_ward(municipality: Municipality) -> Ward | None:
    """The lowest-numbered ward lying inside a traditional authority."""
    areas = [shapely.from_wkb(bytes(ta.boundary)) for ta in
             TraditionalAuthority.objects.exclude(boundary=None)]
    for ward in Ward.objects.filter(municipality=municipality).exclude(boundary=None) \
            .order_by("number"):
        point = shapely.from_wkb(bytes(ward.boundary)).representative_point()
        if any(area.covers(point) for area in areas):
            return ward
    return None


# --- the generator --------------------------------------------------------------------
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


def category_day_weight(category: str, day: date, za: holidays.HolidayBase) -> float:
    """How many of ``category``'s cases fall on ``day``, relative (season, weekday, holidays)."""
    profile = profile_for(category)
    weight = profile.weight * profile.season[day.month - 1] * WEEKDAY[day.weekday()]
    if category == "missed-collection":  # collection skipped on a holiday is missed after it
        if any(day - timedelta(days=k) in za for k in (1, 2, 3)):
            weight *= 2.5
        if (day.month, day.day) >= (12, 16) or (day.month, day.day) <= (1, 6):
            weight *= 1.8
    return weight


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


# --- the load ---------------------------------------------------------------------------
@contextmanager
def _timestamps_as_given():
    """Let ``bulk_create`` keep the generated ``created``/``updated`` times: switch off
    their ``auto_now(_add)`` for the moment of the load (the seed runs alone in its process)."""
    fields = [Case._meta.get_field("created"), Case._meta.get_field("updated"),
              CaseUpdate._meta.get_field("created"), Subscription._meta.get_field("created")]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def case_history_load(*, actor: Actor, municipality: Municipality, history: History,
                      seed: int) -> None:
    """Write a generated history in batches, move the reference counters on, schedule the
    checkpoints still ahead of open cases and record the load in one audit entry."""
    started = time.monotonic()
    with _timestamps_as_given():
        Case.objects.bulk_create(history.cases, batch_size=BATCH)
        CaseUpdate.objects.bulk_create(history.updates, batch_size=BATCH)
        Subscription.objects.bulk_create(history.subscriptions, batch_size=BATCH)
    for period, last in sorted(history.counters.items()):
        ReferenceCounter.objects.update_or_create(municipality=municipality, period=period,
                                                  defaults={"last": last})
    scheduled = _schedule_ahead(history.cases)
    statuses = Counter(c.status for c in history.cases)
    audit_record(actor=actor.label, channel=actor.channel, action="demo.cases_load",
                 obj=municipality, municipality_code=municipality.code, changes={
                     "seed": seed, "cases": len(history.cases),
                     "updates": len(history.updates),
                     "subscriptions": len(history.subscriptions),
                     "first": history.cases[0].reference if history.cases else None,
                     "last": history.cases[-1].reference if history.cases else None,
                     "counters": history.counters, "statuses": dict(sorted(statuses.items())),
                     "checkpoints_scheduled": scheduled,
                     "seconds": round(time.monotonic() - started, 2)})


def _schedule_ahead(cases: list[Case]) -> int:
    """Open cases whose checkpoints still lie ahead start their chain at the first one
    ahead, as if logged live; what already passed is recorded as having happened and is
    not replayed."""
    now = timezone.now()
    scheduled = 0
    for case in cases:
        if case.status in OPEN_STATUSES and case.paused is None and case.resolve_due > now:
            first = next_checkpoint(case, after=(now, "breach"))
            sla_enqueue(case, first)
            scheduled += first is not None
    return scheduled


def demo_cases_loaded(municipality: Municipality) -> bool:
    """The case part of the demo is in place once DMO has categories."""
    return Category.objects.filter(municipality=municipality).exists()


@transaction.atomic
def demo_cases_seed(*, actor: Actor, municipality: Municipality, seed: int,
                    count: int = CASES, now: datetime | None = None) -> int:
    """Categories, routing rules and ``count`` cases of history, once. Returns the number
    of cases added (0 when the case part was already there)."""
    if demo_cases_loaded(municipality):
        return 0
    demo_catalogue_install(actor=actor, municipality=municipality)
    if count <= 0:
        return 0
    history = case_history_generate(municipality=municipality, seed=seed, count=count,
                                    now=now)
    case_history_load(actor=actor, municipality=municipality, history=history, seed=seed)
    return len(history.cases)
