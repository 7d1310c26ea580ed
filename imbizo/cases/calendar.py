"""Business time for service levels: working hours on working days, South African
public holidays excluded. Emergencies run on calendar time instead.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

SAST = ZoneInfo("Africa/Johannesburg")


@lru_cache(maxsize=64)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("ZA", years=year)


@dataclass(frozen=True)
class WorkingHours:
    start: time = time(7, 30)
    end: time = time(16, 30)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday=0

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in _holidays(day.year)

    def _window(self, day: date) -> tuple[datetime, datetime]:
        return (datetime.combine(day, self.start, SAST), datetime.combine(day, self.end, SAST))

    def add(self, moment: datetime, seconds: float) -> datetime:
        """The moment ``seconds`` of working time after ``moment``."""
        local = moment.astimezone(SAST)
        remaining = timedelta(seconds=seconds)
        day = local.date()
        for _ in range(3660):  # ten years of days: a bound, never reached in practice
            if self.is_working_day(day):
                opens, closes = self._window(day)
                begin = max(local, opens)
                if begin < closes:
                    if begin + remaining <= closes:
                        return begin + remaining
                    remaining -= closes - begin
            day += timedelta(days=1)
            local = datetime.combine(day, time(0), SAST)
        raise ValueError("no working time in the next ten years")

    def subtract(self, moment: datetime, seconds: float) -> datetime:
        """The moment ``seconds`` of working time before ``moment``."""
        latest: datetime | None = moment.astimezone(SAST)
        remaining = timedelta(seconds=seconds)
        day = latest.date()
        for _ in range(3660):
            if self.is_working_day(day):
                opens, closes = self._window(day)
                finish = closes if latest is None else min(latest, closes)
                if finish > opens:
                    if finish - remaining >= opens:
                        return finish - remaining
                    remaining -= finish - opens
            day -= timedelta(days=1)
            latest = None
        raise ValueError("no working time in the last ten years")

    def between(self, start: datetime, end: datetime) -> float:
        """Working seconds from ``start`` to ``end`` (0 if end is earlier)."""
        if end <= start:
            return 0.0
        start, end = start.astimezone(SAST), end.astimezone(SAST)
        total, day = 0.0, start.date()
        while day <= end.date():
            if self.is_working_day(day):
                opens, closes = self._window(day)
                lo, hi = max(start, opens), min(end, closes)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(SAST)
        opens, closes = self._window(local.date())
        return self.is_working_day(local.date()) and opens <= local < closes
