"""Generated residents and staff logins pass the checks every channel runs."""

from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password

from imbizo.accounts.idnumber import parse_id_number
from imbizo.accounts.models import Role
from imbizo.accounts.phone import normalise_phone
from imbizo.demo.people import RESIDENTS, generate_residents
from imbizo.demo.staff import DEMO_PASSWORD, STAFF

WARDS = list(range(1, 33))


@pytest.fixture(scope="module")
def residents():
    return generate_residents(2021, WARDS)


def test_phone_numbers_are_valid_distinct_south_african_mobiles(residents):
    assert len(residents) == RESIDENTS
    assert all(normalise_phone(r.phone) == r.phone for r in residents)
    assert all(r.phone.startswith(("+276", "+277", "+278")) for r in residents)
    assert len({r.phone for r in residents}) == len(residents)


def test_id_numbers_given_are_valid(residents):
    with_id = [r for r in residents if r.id_number]
    assert RESIDENTS * 0.4 <= len(with_id) <= RESIDENTS * 0.8
    for r in with_id:
        assert parse_id_number(r.id_number).number == r.id_number


def test_all_eleven_official_languages_are_spoken(residents):
    spoken = Counter(r.language for r in residents)
    assert set(spoken) == {code for code, _ in settings.LANGUAGES}
    assert spoken.most_common(1)[0][0] == "xh"


def test_everyone_lives_in_a_ward_and_consents_to_service(residents):
    assert {r.ward_number for r in residents} <= set(WARDS)
    assert len({r.ward_number for r in residents}) > 20
    assert all("service" in r.consents for r in residents)


def test_the_same_seed_gives_the_same_residents(residents):
    assert generate_residents(2021, WARDS) == residents
    assert generate_residents(2022, WARDS) != residents


def test_every_role_has_a_demo_login_and_revenue_its_own_manager():
    assert {s.role for s in STAFF} == set(Role.values)
    assert sorted(s.role for s in STAFF) == sorted([*Role.values, Role.MANAGER])
    assert len({s.username for s in STAFF}) == len(STAFF)


def test_the_demo_password_passes_the_password_validators_for_every_login():
    User = get_user_model()
    for login in STAFF:
        user = User(username=login.username, email=login.email, first_name=login.first_name,
                    last_name=login.last_name)
        validate_password(DEMO_PASSWORD, user)  # raises ValidationError if not


def test_docs_list_every_login_and_the_password():
    text = (Path(__file__).resolve().parents[2] / "docs" / "demo.md").read_text()
    assert f"`{DEMO_PASSWORD}`" in text
    for login in STAFF:
        assert f"| `{login.username}` |" in text
