from datetime import date

import pytest

from imbizo.accounts.idnumber import parse_id_number
from imbizo.core.errors import ImbizoError

TODAY = date(2026, 11, 23)


def test_a_valid_number_is_decoded():
    parsed = parse_id_number("800101 5009 087", today=TODAY)
    assert parsed.number == "8001015009087"
    assert parsed.date_of_birth == date(1980, 1, 1)
    assert (parsed.sex, parsed.citizenship) == ("male", "citizen")


def test_a_child_born_this_century_gets_the_right_century():
    # 1 March 2015, female (sequence 0001), citizen: check digit by the Luhn rule.
    base = "150301000108"
    number = next(base + d for d in "0123456789" if _luhn(base + d))
    assert parse_id_number(number, today=TODAY).date_of_birth == date(2015, 3, 1)
    assert parse_id_number(number, today=TODAY).sex == "female"


def _luhn(number: str) -> bool:
    """An independent Luhn check, written out plainly for the test."""
    digits = [int(c) for c in number]
    odd = sum(digits[-1::-2])
    even = sum(sum(divmod(d * 2, 10)) for d in digits[-2::-2])
    return (odd + even) % 10 == 0


@pytest.mark.parametrize("raw, reason", [
    ("800101500908", "exactly 13 digits"),
    ("80010150090877", "exactly 13 digits"),
    ("80010150090A7", "exactly 13 digits"),
    ("8013015009087", "not a real date of birth"),
    ("8002305009087", "not a real date of birth"),
    ("8001015009387", "11th digit"),
    ("8001015009086", "last digit does not match"),
])
def test_invalid_numbers_say_why(raw, reason):
    with pytest.raises(ImbizoError) as err:
        parse_id_number(raw, today=TODAY)
    assert err.value.code == "invalid_id_number"
    assert reason in err.value.message
