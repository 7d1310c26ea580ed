"""Reads of load-shedding: an area's schedule between two days at the stage in force at
each moment, the stage in force for a municipality, hours lost per month. Schedules and
stages are public: no actor scoping. The look-ups read the per-process memo (memo.py)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.core.errors import ImbizoError, NotFound
from imbizo.geo.models import Municipality

from .cycle import SOUTH_AFRICA, AreaCycle, Outage, Timeline, local_midnight, monthly_hours, outages
from .memo import schedule_memo

MAX_RANGE_DAYS = 31
UPCOMING = 5  # known future changes shown


@dataclass(frozen=True)
class StageNow:
    stage: int
    since: datetime | None
    scope: str  # "national", or the code of the municipality whose own stage it is
    upcoming: list[tuple[datetime, int]]  # known changes after now


@dataclass(frozen=True)
class Schedule:
    area: AreaCycle
    start: datetime
    end: datetime
    stage: StageNow  # in force now
    changes: list[tuple[datetime, int]]  # known changes inside the range
    outages: list[Outage]
    # An interface's rendering of this answer (the API's JSON), kept with it in the memo.
    renderings: dict = field(default_factory=dict, compare=False, repr=False)


def _now(now: datetime | None) -> datetime:
    return (now or timezone.now()).astimezone(SOUTH_AFRICA)


def _stage_now(timeline: Timeline, now: datetime, municipality_code: str) -> StageNow:
    index = timeline.deciding(now)
    own = index >= 0 and timeline.own[index]
    return StageNow(stage=timeline.stages[index] if index >= 0 else 0,
                    since=timeline.ats[index] if index >= 0 else None,
                    scope=municipality_code if own else "national",
                    upcoming=timeline.after(now, UPCOMING))


def area_get(key: str) -> tuple[AreaCycle, Timeline]:
    """The area and the timeline of its stage, or a 404 naming the key."""
    area, timeline = schedule_memo.lookup(str(key))
    if area is None:
        raise NotFound("unknown_area", _("There is no load-shedding area %(key)s.")
                       % {"key": repr(str(key)[:120])})
    return area, timeline


def _with_schedule(key: str) -> tuple[AreaCycle, Timeline]:
    area, timeline = area_get(key)
    if not area.has_schedule or not area.days:
        raise NotFound("area_without_schedule",
                       _("%(area)s has no load-shedding schedule on record.")
                       % {"area": area.name})
    return area, timeline


def _schedule(area: AreaCycle, timeline: Timeline, start: datetime, end: datetime,
              now: datetime) -> Schedule:
    return Schedule(area=area, start=start, end=end,
                    stage=_stage_now(timeline, now, area.municipality_code),
                    changes=timeline.between(start, end),
                    outages=outages(area, timeline, start, end))


def schedule_between(*, key: str, start: datetime, end: datetime,
                     now: datetime | None = None) -> Schedule:
    """The area's outages from ``start`` to ``end`` (aware), each moment at the stage then
    in force: known future changes apply from their time, the stage in force now after."""
    area, timeline = _with_schedule(key)
    return _schedule(area, timeline, start, end, _now(now))


def area_schedule(*, key: str, first: date, last: date,
                  now: datetime | None = None) -> Schedule:
    """"My schedule": the area's outages from the start of ``first`` to the end of
    ``last`` (local days, both included), at most ``MAX_RANGE_DAYS`` days. The answer is
    kept in the memo until schedules or stages change, or the stage in force does."""
    if first > last:
        raise ImbizoError("invalid_range", _("The first day (%(first)s) is after the last "
                                             "(%(last)s).") % {"first": first, "last": last},
                          field="from")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise ImbizoError("range_too_long", _("Ask for at most %(days)d days at a time.")
                          % {"days": MAX_RANGE_DAYS}, field="to")
    area, timeline = _with_schedule(key)
    now = _now(now)
    return schedule_memo.derived(
        ("schedule", area.key, first, last, timeline.deciding(now)),
        lambda: _schedule(area, timeline, local_midnight(first),
                          local_midnight(last + timedelta(days=1)), now))


def stage_in_force(*, municipality: Municipality | None = None,
                   now: datetime | None = None) -> StageNow:
    """The stage that applies now to the areas whose schedule ``municipality`` runs (its
    own stage when it set one after the national one), or the national stage."""
    timeline = schedule_memo.timeline(municipality.pk if municipality else None)
    return _stage_now(timeline, _now(now), municipality.code if municipality else "")


def area_hours_lost(*, key: str, year: int,
                    now: datetime | None = None) -> list[tuple[int, float]]:
    """(month, hours without power) for each month of ``year`` begun by now: the slots
    shed at the stage in force at each moment, from the stage history. A past year is
    worked out once per process (until schedules or stages change)."""
    area, timeline = _with_schedule(key)
    now = _now(now)
    start = local_midnight(date(year, 1, 1))
    end = min(local_midnight(date(year + 1, 1, 1)), now)
    if end <= start:
        return []

    def load() -> list[tuple[int, float]]:
        hours = monthly_hours(outages(area, timeline, start, end))
        return [(month, round(hours.get((year, month), 0.0), 2))
                for month in range(1, end.month + 1 if end.year == year else 13)]

    if end.year > year:  # the year is over: its figures are settled
        return schedule_memo.derived(("hours_lost", area.key, year), load)
    return load()
