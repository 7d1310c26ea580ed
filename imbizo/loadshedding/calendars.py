"""Reading one area's schedule file (eskom-calendar's ``generated/*.csv``), checking every
row, nothing written.

Three layouts exist, told apart by the header (cells may carry spaces):
- ``date_of_month,start_time,finsh_time,stage``: a monthly cycle, day 1-31;
- ``day_of_week,start_time,finsh_time,stage``: a weekly cycle, day 1 (Monday) to 7;
- ``day_of_cycle,period_of_cycle,start_of_cycle,start_time,finsh_time,stage``: a cycle of
  ``period_of_cycle`` days whose day 1 is ``start_of_cycle`` (YYYY-MM-DD), the same on
  every row.
``finsh`` is spelt so in the files. Times are HH:MM; an end at or before the start runs
past midnight into the next day (22:00-00:30); an end of 23:59 (or 24:00) is midnight.
Each row is one slot at one stage, 1 to 8. The files list a slot again at every stage it
is shed at; it is kept once, at the lowest (stages are cumulative).
"""

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .models import MAX_STAGE, MINUTES_A_DAY, Area

HEADERS = {
    ("date_of_month", "start_time", "finsh_time", "stage"): Area.Cycle.MONTHLY,
    ("day_of_week", "start_time", "finsh_time", "stage"): Area.Cycle.WEEKLY,
    ("day_of_cycle", "period_of_cycle", "start_of_cycle", "start_time", "finsh_time",
     "stage"): Area.Cycle.PERIODIC,
}
DAYS = {Area.Cycle.MONTHLY: 31, Area.Cycle.WEEKLY: 7}
MAX_CYCLE_DAYS = 366
END_OF_DAY = {"23:59", "24:00"}  # how the files write midnight as an end


@dataclass
class Calendar:
    key: str
    cycle: str = Area.Cycle.MONTHLY
    cycle_days: int = 31
    cycle_start: date | None = None
    # (day, start, end) -> the lowest stage it is shed at
    slots: dict[tuple[int, int, int], int] = field(default_factory=dict)


class _RowError(ValueError):
    pass


def calendar_read(path: Path, label: str) -> tuple[Calendar, list[str]]:
    """The file's calendar and its problems, each "``label`` line N: reason"."""
    calendar = Calendar(key=path.stem)
    problems: list[str] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return calendar, [f"{label}: cannot be read ({exc})"]
    if not rows:
        return calendar, [f"{label}: the file is empty (no header)"]
    header = tuple(cell.strip() for cell in rows[0])
    if header not in HEADERS:
        known = " or ".join(",".join(h) for h in HEADERS)
        return calendar, [f"{label} line 1: unknown header {','.join(header)!r} "
                          f"(expected {known})"]
    calendar.cycle = HEADERS[header]
    calendar.cycle_days = DAYS.get(calendar.cycle, 0)
    for number, row in enumerate(rows[1:], start=2):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        try:
            _row(calendar, cells, len(header))
        except _RowError as exc:
            problems.append(f"{label} line {number}: {exc}")
    return calendar, problems


def _row(calendar: Calendar, cells: list[str], width: int) -> None:
    if len(cells) != width:
        raise _RowError(f"{len(cells)} columns, expected {width}")
    if calendar.cycle == Area.Cycle.PERIODIC:
        day_text, period_text, start_text, *cells = cells
        _cycle(calendar, _number(period_text, "period_of_cycle"), _date(start_text))
    else:
        day_text, *cells = cells
    day = _number(day_text, "the day")
    if not 1 <= day <= calendar.cycle_days:
        raise _RowError(f"day {day} is outside the cycle (1 to {calendar.cycle_days})")
    start, end, stage = _time(cells[0], "start"), _time(cells[1], "end"), cells[2]
    stage_number = _number(stage, "stage")
    if not 1 <= stage_number <= MAX_STAGE:
        raise _RowError(f"stage {stage!r} is out of range (a slot's stage is 1 to {MAX_STAGE})")
    if start == MINUTES_A_DAY:
        raise _RowError("a slot cannot start at 24:00")
    if cells[1] in END_OF_DAY:
        end = MINUTES_A_DAY
    elif end == start:
        raise _RowError(f"start and end are both {cells[0]}")
    elif end < start:
        end += MINUTES_A_DAY  # past midnight: ends the next day
    slot = (day, start, end)
    calendar.slots[slot] = min(stage_number, calendar.slots.get(slot, MAX_STAGE))


def _cycle(calendar: Calendar, days: int, start: date) -> None:
    """A periodic file names its period and start on every row: the same every time."""
    if not 1 <= days <= MAX_CYCLE_DAYS:
        raise _RowError(f"period_of_cycle {days} is not 1 to {MAX_CYCLE_DAYS}")
    if calendar.cycle_start is None:
        calendar.cycle_days, calendar.cycle_start = days, start
    elif (days, start) != (calendar.cycle_days, calendar.cycle_start):
        raise _RowError(f"period_of_cycle {days} from {start} differs from the first row's "
                        f"{calendar.cycle_days} from {calendar.cycle_start}")


def _number(text: str, what: str) -> int:
    if not text.isdigit():
        raise _RowError(f"{what} {text!r} is not a whole number")
    return int(text)


# Every time of day a file may write, "00:00" to "24:00" and "0:00" to "9:59", read once.
_TIMES = {f"{h:0{width}d}:{m:02d}": h * 60 + m
          for width in (1, 2) for h in range(24) for m in range(60)} | {"24:00": MINUTES_A_DAY}


def _time(text: str, what: str) -> int:
    value = _TIMES.get(text)
    if value is None:
        raise _RowError(f"{what} time {text!r} is not a time of day (HH:MM)")
    return value


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _RowError(f"start_of_cycle {text!r} is not a date (YYYY-MM-DD)") from None
