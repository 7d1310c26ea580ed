"""Dates and numbers the API takes, held to a sensible range before a query sees them.

Year 1 or 9999 overflows when a time is moved to UTC, a NaN or infinite coordinate
breaks the distance arithmetic, and an amount past its column's digits fails in the
database: each was a 500. Typed with these, such a value is a 400 problem+json that
names the range.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)


def _out_of_range() -> PydanticCustomError:
    return PydanticCustomError("out_of_range", "must be between {earliest} and {latest}",
                               {"earliest": EARLIEST.isoformat(),
                                "latest": LATEST.isoformat()})


def _day(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise _out_of_range()
    return value


def _moment(value: datetime) -> datetime:
    """In range, and aware: a time without an offset is South African time."""
    _day(value.date())
    return value if timezone.is_aware(value) else timezone.make_aware(value)


Day = Annotated[date, AfterValidator(_day)]
Moment = Annotated[datetime, AfterValidator(_moment)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
