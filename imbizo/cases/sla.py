"""Service-level deadlines: computed at logging, moved by pauses, checked by tasks."""

from datetime import UTC, datetime, timedelta

from .calendar import WorkingHours
from .models import Case, Category, Priority

WORKING_HOURS = WorkingHours()
WARNING_SHARE = 0.75  # the officer hears at 75% of the time to resolve


def hours_for(category: Category) -> WorkingHours | None:
    """None means calendar time (emergencies and round-the-clock categories)."""
    if category.priority == Priority.EMERGENCY or category.calendar == Category.Calendar.CALENDAR:
        return None
    return WORKING_HOURS


def add_time(start: datetime, seconds: float, hours: WorkingHours | None) -> datetime:
    """In UTC, as the database gives deadlines back, so a case just written and the same
    case read again show the same times."""
    due = start + timedelta(seconds=seconds) if hours is None else hours.add(start, seconds)
    return due.astimezone(UTC)


def time_between(start: datetime, end: datetime, hours: WorkingHours | None) -> float:
    if hours is None:
        return max(0.0, (end - start).total_seconds())
    return hours.between(start, end)


def deadlines(category: Category, start: datetime) -> tuple[datetime, datetime]:
    hours = hours_for(category)
    return (add_time(start, float(category.ack_hours) * 3600, hours),
            add_time(start, float(category.resolve_hours) * 3600, hours))


def warning_time(case: Case) -> datetime:
    hours = hours_for(case.category)
    left_at_warning = float(case.category.resolve_hours) * 3600 * (1 - WARNING_SHARE)
    return _back_from(case.resolve_due, left_at_warning, hours)


def _back_from(due: datetime, seconds: float, hours: WorkingHours | None) -> datetime:
    """The moment ``seconds`` of (working) time before ``due``."""
    if hours is None:
        return due - timedelta(seconds=seconds)
    return hours.subtract(due, seconds)


def resume(case: Case, now: datetime) -> None:
    """Move the deadlines on by the time spent on hold."""
    hours = hours_for(case.category)
    for field in ("ack_due", "resolve_due"):
        due = getattr(case, field)
        if due is None or (field == "ack_due" and case.acknowledged):
            continue
        remaining = time_between(case.paused, due, hours) if due > case.paused else 0.0
        setattr(case, field, add_time(now, remaining, hours))
    case.paused = None
