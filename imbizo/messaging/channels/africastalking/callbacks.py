"""Reading Africa's Talking's callbacks: form fields, phone numbers, times.

Every callback is ``application/x-www-form-urlencoded``. A field the provider always
sends that is missing, or a number that is no phone, is ``Malformed`` (400); the
reason names the field, never its value, since it is logged.
"""

from datetime import UTC, datetime

from django.http import QueryDict
from django.utils.dateparse import parse_datetime

from imbizo.accounts.phone import normalise_phone
from imbizo.core.errors import ImbizoError
from imbizo.messaging.inbound import Malformed


def required(form: QueryDict, *names: str, may_be_empty: tuple[str, ...] = ()) -> dict[str, str]:
    """The named fields, stripped; missing (or empty, unless allowed) ones are Malformed."""
    values = {}
    for name in names:
        value = form.get(name)
        if value is None or (not value.strip() and name not in may_be_empty):
            raise Malformed(f"missing field {name}")
        values[name] = value.strip()
    return values


def phone(raw: str, field: str) -> str:
    """The E.164 form of a number the provider sends (``+27821234567``)."""
    try:
        return normalise_phone(raw)
    except ImbizoError:
        raise Malformed(f"{field} is not a phone number") from None


def sent_at(raw: str | None) -> datetime | None:
    """The callback's ``date`` (``2024-05-02 10:15:30`` or ISO 8601), read as UTC when it
    names no zone; None when absent or unreadable, since it is only informative."""
    try:
        when = parse_datetime(raw or "")
    except ValueError:
        return None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when
