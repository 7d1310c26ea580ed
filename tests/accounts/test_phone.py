import pytest

from imbizo.accounts.phone import normalise_phone
from imbizo.core.errors import ImbizoError


@pytest.mark.parametrize("raw", ["082 123 4567", "+27 82 123 4567", "27821234567",
                                 "0821234567", "+27-82-123-4567"])
def test_the_same_number_written_many_ways_is_one_person(raw):
    assert normalise_phone(raw) == "+27821234567"


def test_numbers_from_other_countries_keep_their_country():
    assert normalise_phone("+263 77 123 4567") == "+263771234567"


@pytest.mark.parametrize("raw", ["", "   ", "hello", "082 123", "+27 12", "0000000000"])
def test_invalid_numbers_get_a_clear_error(raw):
    with pytest.raises(ImbizoError) as err:
        normalise_phone(raw)
    assert err.value.code == "invalid_phone"
    assert "phone number" in err.value.message
