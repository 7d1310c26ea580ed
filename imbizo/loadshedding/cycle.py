"""The schedule arithmetic, in memory and without the database: which slots of an area's
cycle fall between two moments, at the stage in force at each moment.

Every local date in the range (and the day before, whose slots may run past midnight
into it) maps to a day of the cycle; each slot of that day becomes a span of real time,
and the parts of it during which the stage in force is at least the slot's stage are
shed. Overlapping and touching spans are merged, so stage 4's 06:00-08:30 and the next
slot 08:00-10:30 read as one outage, 06:00-10:30.
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SOUTH_AFRICA = ZoneInfo("Africa/Johannesburg")


@dataclass(frozen=True, slots=True)
class AreaCycle:
    """An area as the memo keeps it: what its schedule needs, and what a page names."""

    pk: int
    key: str
    name: str
    provider: str
    municipality_id: int | None  # whose own stage applies; None: the national stage
    municipality_code: str
    cycle: str
    cycle_days: int
    cycle_start: date | None
    has_schedule: bool
    days: dict[int, tuple[tuple[int, int, int], ...]]  # day -> ((start, end, stage), ...)

    def day_of(self, day: date) -> int:
        if self.cycle == "weekly":
            return day.isoweekday()
        if self.cycle == "periodic":
            return (day - self.cycle_start).days % self.cycle_days + 1
        return day.day


@dataclass(frozen=True, slots=True)
class Timeline:
    """The stage changes that decide one scope's stage, oldest first; ``seconds`` are the
    same moments as POSIX seconds, for the arithmetic."""

    ats: tuple[datetime, ...]
    stages: tuple[int, ...]
    own: tuple[bool, ...]  # a change of the municipality's own (else national)
    seconds: tuple[int, ...] = ()

    @classmethod
    def of(cls, changes: list[tuple[datetime, int, bool]]) -> "Timeline":
        return cls(tuple(at for at, _s, _o in changes), tuple(s for _a, s, _o in changes),
                   tuple(o for _a, _s, o in changes),
                   tuple(int(at.timestamp()) for at, _s, _o in changes))

    def deciding(self, moment: datetime) -> int:
        """The index of the change in force at ``moment``; -1 before the first."""
        return bisect_right(self.ats, moment) - 1

    def after(self, moment: datetime, limit: int) -> list[tuple[datetime, int]]:
        first = bisect_right(self.ats, moment)
        return list(zip(self.ats[first:first + limit], self.stages[first:first + limit],
                        strict=True))

    def between(self, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
        """The changes after ``start`` and before ``end``."""
        first, last = bisect_right(self.ats, start), bisect_right(self.ats, end - _TICK)
        return list(zip(self.ats[first:last], self.stages[first:last], strict=True))

    def highest(self, start: int, end: int) -> int:
        """The highest stage in force at any moment of start..end (seconds)."""
        first = bisect_right(self.seconds, start)
        last = bisect_right(self.seconds, end - 1)
        return max(self.stages[max(first - 1, 0):last], default=0) if last else 0

    def pieces(self, start: int, end: int):
        """(from, to, stage) covering start..end (seconds), cut where the stage changes."""
        seconds, stages = self.seconds, self.stages
        first = bisect_right(seconds, start)
        stage = stages[first - 1] if first else 0
        here = start
        for index in range(first, len(seconds)):
            at = seconds[index]
            if at >= end:
                break
            if at > here:
                yield here, at, stage
                here = at
            stage = stages[index]
        yield here, end, stage


_TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Outage:
    start: datetime
    end: datetime
    stage: int  # the stage in force when it starts

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def outages(area: AreaCycle, timeline: Timeline, start: datetime,
            end: datetime) -> list[Outage]:
    """The outages of ``area`` between ``start`` and ``end`` (aware), as local times.
    Worked in POSIX seconds; only slots of stages in force at some moment are looked at."""
    begin, finish = int(start.timestamp()), int(end.timestamp())
    top = timeline.highest(begin, finish)
    if finish <= begin or not area.days or not top:
        return []
    spans: list[tuple[int, int, int]] = []
    day = start.astimezone(SOUTH_AFRICA).date() - timedelta(days=1)  # its slots may run on
    last_day = end.astimezone(SOUTH_AFRICA).date()
    while day <= last_day:
        slots = area.days.get(area.day_of(day))
        if slots:
            midnight = int(local_midnight(day).timestamp())
            for first, last, stage in slots:
                if stage > top:
                    continue
                a, b = max(midnight + first * 60, begin), min(midnight + last * 60, finish)
                if a < b:
                    spans.extend(piece for piece in timeline.pieces(a, b) if piece[2] >= stage)
        day += timedelta(days=1)
    return _merged(spans)


def _merged(spans: list[tuple[int, int, int]]) -> list[Outage]:
    spans.sort()
    merged: list[list[int]] = []
    for begin, finish, stage in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], finish)
        else:
            merged.append([begin, finish, stage])
    local = SOUTH_AFRICA
    return [Outage(datetime.fromtimestamp(begin, local), datetime.fromtimestamp(finish, local),
                   stage) for begin, finish, stage in merged]


def monthly_hours(found: list[Outage]) -> dict[tuple[int, int], float]:
    """Hours of outage in each (year, month), an outage over a month's end split at it."""
    hours: dict[tuple[int, int], float] = {}
    for outage in found:
        begin = outage.start
        while begin < outage.end:
            month_end = _next_month(begin)
            finish = min(outage.end, month_end)
            key = (begin.year, begin.month)
            hours[key] = hours.get(key, 0.0) + (finish - begin).total_seconds() / 3600
            begin = finish
    return hours


def _next_month(moment: datetime) -> datetime:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return datetime(year, month, 1, tzinfo=moment.tzinfo)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=SOUTH_AFRICA)
