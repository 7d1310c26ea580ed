"""Matter references a resident can read over the phone: ``DMO-M2611-042-7``.

Municipality code, ``M`` and the year and month, a sequence within the month (three
digits, more when a month needs them) and the same Damm check digit as case references
(cases/reference.py). The ``M`` keeps them apart: a case reference never has a letter
before its period, so neither is ever taken for the other.
"""

import re

from django.utils.translation import gettext as _

from imbizo.cases.reference import damm
from imbizo.core.errors import ImbizoError
from imbizo.geo.counters import month_number_next
from imbizo.geo.models import Municipality

from .models import MatterCounter

_PATTERN = re.compile(r"^([A-Z]{2,5}\d{0,3})-?M(\d{4})-?(\d{3,7})-?(\d)$")


def matter_reference_format(municipality_code: str, period: str, sequence: int) -> str:
    """``period`` is YYMM."""
    seq = f"{sequence:03d}"
    return f"{municipality_code}-M{period}-{seq}-{damm(period + seq)}"


def matter_reference_parse(raw: str) -> str:
    """Normalise what a resident typed (any case, spaces or no dashes) and check it."""
    text = re.sub(r"[\s.]", "", (raw or "").upper())
    match = _PATTERN.match(text)
    if not match:
        raise ImbizoError("invalid_reference",
                          _("That is not a matter reference; it looks like DMO-M2611-042-7."))
    code, period, seq, check = match.groups()
    if damm(period + seq + check) != 0:
        raise ImbizoError("invalid_reference",
                          _("That reference has a typing error; please check it."))
    return f"{code}-M{period}-{seq}-{check}"


def matter_reference_issue(municipality: Municipality, at) -> str:
    """The month's next reference, from a counter row locked for the increment (one
    ``UPDATE ... RETURNING``, as case references are issued)."""
    period, number = month_number_next(MatterCounter, municipality, at)
    return matter_reference_format(municipality.code, period, number)
