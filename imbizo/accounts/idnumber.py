"""South African identity numbers: YYMMDD SSSS C A Z.

YYMMDD is the date of birth, SSSS the sequence (0000-4999 female, 5000-9999 male),
C citizenship (0 citizen, 1 permanent resident, 2 refugee), A a former race digit,
now usually 8, and Z a Luhn check digit.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.core.errors import ImbizoError


@dataclass(frozen=True)
class IdNumber:
    number: str
    date_of_birth: date
    sex: str
    citizenship: str


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _invalid(reason: str) -> ImbizoError:
    return ImbizoError("invalid_id_number", reason)


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Validate and decode an ID number, naming the first thing that is wrong."""
    number = (raw or "").replace(" ", "").strip()
    if len(number) != 13 or not number.isdigit():
        raise _invalid(_("An ID number has exactly 13 digits."))
    today = today or timezone.localdate()
    yy, mm, dd = int(number[0:2]), int(number[2:4]), int(number[4:6])
    century = 2000 if 2000 + yy <= today.year else 1900
    try:
        born = date(century + yy, mm, dd)
    except ValueError:
        raise _invalid(_("The first six digits are not a real date of birth.")) from None
    if born > today:
        born = date(1900 + yy, mm, dd)
    if number[10] not in "012":
        raise _invalid(_("The 11th digit must be 0 (citizen), 1 (permanent resident) or 2."))
    if not luhn_ok(number):
        raise _invalid(_("The last digit does not match: please check the number for a typo."))
    citizenship = {"0": "citizen", "1": "permanent_resident", "2": "refugee"}[number[10]]
    sex = "female" if int(number[6:10]) < 5000 else "male"
    return IdNumber(number, born, sex, citizenship)
