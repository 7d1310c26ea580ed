"""Case reference numbers a resident can read over the phone: ``DMO-2611-0482-7``.

Municipality code, year and month, a sequence within the month (four digits, more
when a month needs them) and a Damm check digit over the digits, which catches every
single mistyped digit and every swap of two neighbouring digits.
"""

import re

from django.utils.translation import gettext as _

from imbizo.core.errors import ImbizoError

_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
_PATTERN = re.compile(r"^([A-Z]{2,5}\d{0,3})-?(\d{4})-?(\d{4,7})-?(\d)$")


def damm(digits: str) -> int:
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][int(ch)]
    return interim


def reference_format(municipality_code: str, period: str, sequence: int) -> str:
    """``period`` is YYMM."""
    seq = f"{sequence:04d}"
    return f"{municipality_code}-{period}-{seq}-{damm(period + seq)}"


def reference_parse(raw: str) -> str:
    """Normalise what a resident typed (any case, spaces or no dashes) and check it."""
    text = re.sub(r"[\s.]", "", (raw or "").upper())
    match = _PATTERN.match(text)
    if not match:
        raise ImbizoError("invalid_reference",
                          _("That is not a reference number; it looks like DMO-2611-0482-7."))
    code, period, seq, check = match.groups()
    if damm(period + seq + check) != 0:
        raise ImbizoError("invalid_reference",
                          _("That reference number has a typing error; please check it."))
    return f"{code}-{period}-{seq}-{check}"
