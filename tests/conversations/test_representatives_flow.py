"""Who represents me on USSD and WhatsApp (flows/representatives.yaml): a suburb off the
list, the home ward, or a shared location gives the ward councillor's name, party and
phone and the traditional council, in one USSD screen."""

from types import SimpleNamespace

import pytest
from django.utils.translation import override

from imbizo.accounts.services import citizen_update
from imbizo.conversations.representatives_flow import answer_values as representatives_answer
from imbizo.conversations.sources import LANGUAGES
from imbizo.conversations.texts import TEXTS
from imbizo.core.permissions import system_actor
from imbizo.messaging.plugins import plugin_for
from imbizo.messaging.screens import numbered_text
from imbizo.representatives.selectors import representatives_for
from tests.conftest import feature, import_layer, square
from tests.representatives.conftest import jpeg, load, published, row

from .conftest import PHONE, Chat, choice_key


@pytest.fixture
def listed(place, tmp_path, settings, django_capture_on_commit_callbacks):
    """AAA's published list; TA1 covers AAA's ward 2."""
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "thandi.jpg").write_bytes(jpeg())
    with django_capture_on_commit_callbacks(execute=True):
        import_layer(tmp_path, "traditional-authority", [
            feature(square(20.1, -30.0), Code="TA1", Name="AmaNgubane Traditional Council")])
        load(tmp_path, published())
    return tmp_path


def to_councillor(phone):
    phone.dial()
    phone.send(choice_key(phone.screens[-1], "My community"))
    return phone.send(choice_key(phone.screens[-1], "My councillor"))


def test_a_ussd_resident_picks_their_suburb_and_hears_who_represents_them(
        citizen, phone, listed):
    where = to_councillor(phone)
    assert "Where do you live?" in where.text
    answer = phone.send(choice_key(where, "Hilltop"))
    assert answer.end and len(numbered_text(answer)) <= 182
    assert answer.text == (
        "Ward 2 councillor: Cllr Sipho Dlamini (Ilanga Civic Movement), 047 555 0102. "
        "Traditional council: AmaNgubane Traditional Council (Inkosi Mandla Ngubane), "
        "047 555 0800.")
    assert len(phone.screens) == 4  # menu, community, place, answer


def test_the_home_ward_is_offered_first_when_known(citizen, phone, listed):
    citizen_update(actor=system_actor("cli"), citizen=citizen,
                   ward=citizen.municipality.wards.get(number=1))
    which = to_councillor(phone)
    assert "home ward (ward 1)" in which.text
    answer = phone.send(choice_key(which, "My home ward"))
    assert answer.text == ("Ward 1 councillor: Cllr Thandi Mokoena (Independent), "
                           "082 555 0101. ")
    elsewhere = to_councillor(phone)
    where = phone.send(choice_key(elsewhere, "Another place"))
    assert "Where do you live?" in where.text


def test_long_names_leave_out_the_leader_and_party_before_the_phone(citizen, phone, listed):
    rows = published()
    rows[1] |= {"name": "Sipho Siyabonga Themba Lwazi Dlamini-Mahlangu",
                "party": "Ilanga Civic Movement for Progress and Development"}
    rows[7] |= {"name": "Mandla Sinethemba Lwazi Ngubane"}
    load(listed, rows)
    answer = phone.send(choice_key(to_councillor(phone), "Hilltop"))
    assert len(numbered_text(answer)) <= 182
    assert "047 555 0102" in answer.text and "AmaNgubane Traditional Council" in answer.text
    assert "Inkosi" not in answer.text  # the leader went first


def test_a_ward_with_no_councillor_on_record_says_so(citizen, phone, listed):
    load(listed, [row("ward_councillor", ward="1", name="Thandi Mokoena")])  # ward 2 retired
    answer = phone.send(choice_key(to_councillor(phone), "Hilltop"))
    assert answer.text.startswith("Ward 2 has no councillor on record yet.")
    assert "AmaNgubane" in answer.text


def test_a_place_we_cannot_place_is_asked_again(citizen, phone, listed):
    to_councillor(phone)
    again = phone.send("behind the big tree")
    assert not again.end and "We do not know that place" in again.text
    assert "Where do you live?" in again.text
    assert phone.send(choice_key(again, "Sizwe")).text.startswith("Ward 1 councillor")


def test_the_answering_hop_is_a_few_queries(citizen, phone, listed, settings,
                                            django_assert_max_num_queries):
    phone.send(choice_key(to_councillor(phone), "Hilltop"))  # the index and memo warmed
    settings.CONFIG_CHECK_SECONDS = 60  # as served: the memo trusted for a while
    where = to_councillor(phone)
    with django_assert_max_num_queries(2) as hop:  # the session read, and written back
        answer = phone.send(choice_key(where, "Hilltop"))
    assert answer.end and "representatives_" not in " ".join(
        q["sql"] for q in hop.captured_queries)  # who represents the ward: from the memo


def test_a_whatsapp_resident_shares_their_location(citizen, listed):
    wa = Chat("whatsapp", PHONE)
    community = wa.screen(choice_key(wa.screen("hi"), "My community"), kind="choice")
    where = wa.screen(choice_key(community, "My councillor"), kind="choice")
    assert where.expects == "location" and "Share your location" in where.text
    outside = wa.screen(kind="location", latitude=-10.0, longitude=20.05)
    assert "not in any municipality we serve" in outside.text and not outside.end
    answer = wa.screen(kind="location", latitude=-29.95, longitude=20.15)
    assert answer.end and "Cllr Sipho Dlamini (Ilanga Civic Movement), 047 555 0102" in \
        answer.text and "Inkosi Mandla Ngubane" in answer.text


def test_a_whatsapp_resident_may_type_their_suburb(citizen, listed):
    wa = Chat("whatsapp", PHONE)
    community = wa.screen(choice_key(wa.screen("hi"), "My community"), kind="choice")
    wa.screen(choice_key(community, "My councillor"), kind="choice")
    answer = wa.screen("I stay in KwaMashu")
    assert answer.text.startswith("Ward 1 councillor: Cllr Thandi Mokoena")


@pytest.mark.parametrize("language", [code for code, _name in LANGUAGES])
def test_the_answer_fits_a_ussd_screen_in_every_language(citizen, listed, language):
    rows = published()
    rows[1] |= {"name": "Sipho Siyabonga Themba Lwazi Dlamini-Mahlangu",
                "party": "Ilanga Civic Movement for Progress and Development"}
    load(listed, rows)
    found = representatives_for(ward="90100002")
    with override(language):
        result, values = representatives_answer(SimpleNamespace(caps=plugin_for(
            "ussd/africastalking")), found)
        text = str(TEXTS["representatives_found"]) % values
    assert result == "found" and len(text) <= 182 and "047 555 0102" in text
