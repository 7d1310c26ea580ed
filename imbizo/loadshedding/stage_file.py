"""Reading a stage history (``national-stage-history.csv``), every row checked, nothing
written.

Two columns, named in a header: ``created_at`` (when the stage took effect, South African
time, ``YYYY-MM-DD H:MM:SS``; ``H:MM``, a ``T`` and an ISO offset are read too) and
``stage`` (0, suspended, to 8). Rows may come in any order (the file is newest first). The
same moment twice with the same stage is read once; with two stages it is an error.
"""

import csv
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .models import MAX_STAGE

SOUTH_AFRICA = ZoneInfo("Africa/Johannesburg")
COLUMNS = ("created_at", "stage")
FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


def stages_read(path: Path, label: str) -> tuple[dict[datetime, int], list[str]]:
    """{moment: stage} and the problems found, each "``label`` line N: reason"."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return {}, [f"{label}: cannot be read ({exc})"]
    if not rows:
        return {}, [f"{label}: the file is empty (no header)"]
    header = [cell.strip().lower() for cell in rows[0]]
    if any(column not in header for column in COLUMNS):
        return {}, [f"{label} line 1: the header must name {' and '.join(COLUMNS)} "
                    f"(found {','.join(header)!r})"]
    at_col, stage_col = (header.index(column) for column in COLUMNS)
    found: dict[datetime, tuple[int, int]] = {}  # moment -> (stage, line)
    problems: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            at, stage = _moment(_cell(row, at_col)), _stage(_cell(row, stage_col))
        except ValueError as exc:
            problems.append(f"{label} line {number}: {exc}")
            continue
        earlier = found.get(at)
        if earlier is not None and earlier[0] != stage:
            problems.append(f"{label} line {number}: stage {stage} at {at:%Y-%m-%d %H:%M}, "
                            f"but line {earlier[1]} says stage {earlier[0]} at that moment")
        elif earlier is None:
            found[at] = (stage, number)
    return {at: stage for at, (stage, _line) in found.items()}, problems


def _cell(row: list[str], column: int) -> str:
    if column >= len(row):
        raise ValueError(f"{len(row)} columns, expected at least {column + 1}")
    return row[column].strip()


def _moment(text: str) -> datetime:
    value = None
    for pattern in FORMATS:
        try:
            value = datetime.strptime(text, pattern)
            break
        except ValueError:
            continue
    if value is None:
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"created_at {text!r} is not a date and time "
                             "(YYYY-MM-DD HH:MM:SS)") from None
    if not 1900 <= value.year <= 2100:
        raise ValueError(f"created_at {text!r} is not between 1900 and 2100")
    return value.replace(tzinfo=SOUTH_AFRICA) if value.tzinfo is None else value


def _stage(text: str) -> int:
    if not text.lstrip("-").isdigit():
        raise ValueError(f"stage {text!r} is not a whole number")
    stage = int(text)
    if not 0 <= stage <= MAX_STAGE:
        raise ValueError(f"stage {stage} is out of range (0, suspended, to {MAX_STAGE})")
    return stage
