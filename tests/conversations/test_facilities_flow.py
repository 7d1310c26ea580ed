"""The nearest facility on USSD (a suburb off the list, the answer within one screen) and
WhatsApp (a shared location, or the list), through flows/facilities.yaml."""

import csv

import pytest

from imbizo.conversations.engine import Event, engine_answer
from imbizo.conversations.models import ConversationSession
from imbizo.conversations.turn import Turn
from imbizo.core.permissions import system_actor
from imbizo.facilities.catalogue import SourceSpec
from imbizo.facilities.importer import facilities_import
from imbizo.facilities.index import facility_index
from imbizo.messaging.plugins import plugin_for
from imbizo.messaging.screens import numbered_text

from .conftest import PHONE, Chat, choice_key

SOURCE = SourceSpec("test-stations", "Test stations", "CC BY 4.0", "",
                    "Stations made up by the test suite.", "Tests, CC BY 4.0")
STATIONS = [("Hilltop Police", "20.15", "-29.95"), ("Sizwe Police", "20.05", "-29.95"),
            ("Newlands Police", "20.02", "-29.91"), ("Far Police", "25.0", "-29.0")]


@pytest.fixture(autouse=True)
def facility_index_fresh(settings):
    settings.FACILITY_INDEX_CHECK_SECONDS = 0
    facility_index.invalidate()
    yield
    facility_index.invalidate()


@pytest.fixture
def stations(place, tmp_path):
    def load(rows=STATIONS):
        path = tmp_path / "stations.csv"
        with path.open("w", newline="") as fh:
            csv.writer(fh).writerows([("Name", "Longitude", "Latitude"), *rows])
        return facilities_import(actor=system_actor("cli"), kind="police", path=path,
                                 source=SOURCE)
    load()
    return load


def pick(send, screen, label: str):
    """Choose ``label``, paging with "98" until it is shown."""
    for _page in range(10):
        if any(c.label.startswith(label) for c in screen.choices):
            return send(choice_key(screen, label))
        screen = send("98")
    raise AssertionError(f"{label!r} never offered")


def to_kinds(phone):
    phone.dial()
    phone.send(choice_key(phone.screens[-1], "My community"))
    return phone.send(choice_key(phone.screens[-1], "Nearest clinic"))


def test_on_ussd_the_nearest_three_to_a_suburb_fit_one_screen(citizen, stations, phone):
    kinds = to_kinds(phone)
    suburbs = pick(phone.send, kinds, "Police station")
    assert "Sizwe" in [c.label for c in suburbs.choices]
    answer = pick(phone.send, suburbs, "Hilltop")
    text = numbered_text(answer)
    assert answer.end and len(text) <= 182
    assert text.startswith("Nearest to Ward 2 (Hilltop):\n1. Hilltop Police ")
    assert "\n2. Sizwe Police " in text and "\n3. Newlands Police " in text
    assert "Far Police" not in text and text.endswith("Data: Tests, CC BY 4.0")
    assert all(len(numbered_text(s)) <= 182 for s in phone.screens)


def test_on_ussd_long_names_are_cut_to_fit(citizen, stations, phone):
    stations([(f"{name} Community Policing Forum Satellite Station Number {i}", lon, lat)
              for i, (name, lon, lat) in enumerate(STATIONS)])
    answer = pick(phone.send, pick(phone.send, to_kinds(phone), "Police station"), "Sizwe")
    text = numbered_text(answer)
    assert len(text) <= 182 and text.count("…") == 3 and " km " in text


def test_on_ussd_a_wrong_choice_is_asked_again_politely(citizen, stations, phone):
    to_kinds(phone)
    again = phone.send("77")
    assert again.text.startswith("Please choose one of the numbers.")
    assert not again.end


def test_on_ussd_a_kind_with_none_known_is_said(citizen, stations, phone):
    answer = pick(phone.send, pick(phone.send, to_kinds(phone), "Library"), "Sizwe")
    assert answer.end and answer.text.startswith("Library: none known near there yet.")


def test_the_facilities_hop_reads_at_most_what_a_hop_reads(citizen, stations, phone,
                                                           django_assert_max_num_queries,
                                                           settings):
    settings.FACILITY_INDEX_CHECK_SECONDS = 30
    suburbs = pick(phone.send, to_kinds(phone), "Police station")
    facility_index.nearest("police", -29.95, 20.0, 1)  # built, as a warm server's is
    settings.CONFIG_CHECK_SECONDS = 60  # as a server trusts its memo of the suburbs
    # The session read and written back, and the ward's middle, read once into the memo.
    with django_assert_max_num_queries(3):
        answer = pick(phone.send, suburbs, "Hilltop")
    assert answer.end


def whatsapp_to_how(wa: Chat):
    menu = wa.screen("hi")
    community = wa.screen(choice_key(menu, "My community"), kind="choice")
    kinds = wa.screen(choice_key(community, "Nearest clinic"), kind="choice")
    return wa.screen(choice_key(kinds, "Police station"), kind="choice")


def test_on_whatsapp_a_shared_location_finds_the_nearest_with_directions(citizen, stations):
    wa = Chat("whatsapp", PHONE)
    how = whatsapp_to_how(wa)
    where = wa.screen(choice_key(how, "Send my location"), kind="choice")
    assert where.expects == "location"
    answer = wa.screen(kind="location", latitude=-29.95, longitude=20.149)
    assert answer.end and answer.text.startswith("Nearest to you:\n1. Hilltop Police "
                                                 "(Police station)\n100 m east, in Aaa Local "
                                                 "ward 2")
    assert "Data: Stations made up by the test suite. (CC BY 4.0)" in answer.text


def test_on_whatsapp_the_suburb_list_serves_too(citizen, stations):
    wa = Chat("whatsapp", PHONE)
    suburbs = wa.screen(choice_key(whatsapp_to_how(wa), "Choose my suburb"), kind="choice")
    answer = wa.screen(choice_key(suburbs, "Sizwe"), kind="choice")
    assert answer.text.startswith("Nearest to Ward 1 (Sizwe):\n1. Sizwe Police")


def test_on_whatsapp_a_location_outside_every_area_is_said(citizen, stations):
    wa = Chat("whatsapp", PHONE)
    wa.screen(choice_key(whatsapp_to_how(wa), "Send my location"), kind="choice")
    again = wa.screen(kind="location", latitude=51.5, longitude=-0.12)
    assert again.text.startswith("That place is not in any municipality we serve.")
    assert again.expects == "location" and not again.end


def test_an_unknown_kind_is_said_politely(citizen, stations, place):
    """A kind no longer on the list (a session from before it went) reaches the look-up."""
    session = ConversationSession(  # where a conversation stands; the engine never saves
        channel="whatsapp", sender=PHONE, flow="facilities", node="place",
        answers={"kind": "spaceport", "municipality": place[0].pk})
    turn = Turn(session=session, caps=plugin_for("whatsapp"), idempotency_key="k")
    screen = engine_answer(turn, Event(kind="location", latitude=-29.95, longitude=20.05))
    assert screen.text.startswith("There is no kind of facility called 'spaceport'. The "
                                  "kinds are: clinic, chc, cdc")
    assert not screen.end
