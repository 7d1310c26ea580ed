"""Load-shedding on the channels (flows/loadshedding.yaml): on USSD a resident picks their
municipality's area or types a suburb, sees today's and tomorrow's times within one
screen, and is offered the same area next time; on WhatsApp a shared location finds it.
A suburb found nowhere is said, and asked again."""

import pytest
from django.utils.translation import override
from freezegun import freeze_time

from imbizo.accounts.services import citizen_register
from imbizo.conversations.engine import Event, engine_answer
from imbizo.conversations.models import ConversationSession
from imbizo.conversations.sources import LANGUAGES
from imbizo.conversations.turn import Turn
from imbizo.core.config_cache import config_cache
from imbizo.core.permissions import system_actor
from imbizo.loadshedding.importer import loadshedding_import
from imbizo.messaging.plugins import plugin_for
from imbizo.messaging.screens import numbered_text
from tests.conversations.conftest import PHONE, Chat, Dialler, choice_key
from tests.conversations.test_rendering import PLUGINS, fits

from .conftest import at, meta, write_dataset

TUESDAY = "2026-03-10 05:00"  # test-area-1's day 10: 06:00-08:30, 14:00-16:30, 22:00-00:30


@pytest.fixture(autouse=True)
def memo_forgotten():
    """freezegun also freezes ``time.monotonic``: a memo checked at a frozen moment must
    not look fresh to later tests."""
    yield
    config_cache.clear()


@pytest.fixture
def resident(two_municipalities):
    return citizen_register(actor=system_actor("ussd"), phone=PHONE,
                            municipality=two_municipalities[0])


@pytest.fixture
def stage_three(areas, national):
    with freeze_time(at(TUESDAY)):
        national(3)
        yield


def load_shedding(phone: Dialler):
    community = phone.send(choice_key(phone.dial(), "My community"))
    return phone.send(choice_key(community, "Load-shedding"))


def fits_ussd(screen) -> bool:
    return len(numbered_text(screen)) <= 182


def test_on_ussd_a_resident_picks_their_area_and_sees_today_and_tomorrow(resident,
                                                                         stage_three):
    phone = Dialler(plugin_for("ussd/africastalking"))
    how = load_shedding(phone)
    assert [c.label for c in how.choices] == ["Pick from a list", "Type my suburb"]
    pick = phone.send(choice_key(how, "Pick from a list"))
    times = phone.send(choice_key(pick, "Test Area 1"))
    assert times.text == (
        "Test Area 1, stage 3. Today: 06:00-08:30, 14:00-16:30, 22:00-00:30. "
        "Tomorrow: none.")
    assert all(fits_ussd(s) for s in phone.screens)
    # The times offer alerts: the conversation is open there, so dialling again at once
    # offers to go on; starting again, the same area is offered first.
    assert [c.label for c in times.choices] == ["Alert me"]
    again = Dialler(plugin_for("ussd/africastalking"))
    resume = again.dial()
    assert [c.label for c in resume.choices] == ["Continue", "Start again"]
    again.screens.clear()
    community = again.send(choice_key(resume, "Start again"))
    community = again.send(choice_key(community, "My community"))
    remembered = again.send(choice_key(community, "Load-shedding"))
    assert remembered.text == "Load-shedding: Test Area 1."
    assert again.send(choice_key(remembered, "Show the times")).text == times.text
    assert len(again.screens) == 4  # menu, My community, this area?, the times


def test_on_ussd_a_typed_suburb_finds_the_area_and_a_wrong_one_is_said(resident, stage_three):
    phone = Dialler(plugin_for("ussd/africastalking"))
    ask = phone.send(choice_key(load_shedding(phone), "Type my suburb"))
    assert ask.text == "Type the name of your suburb or village."
    wrong = phone.send("Atlantis")
    assert wrong.text.startswith('No area found for "Atlantis".') and not wrong.end
    times = phone.send("hillt")
    assert times.text.startswith("Test Area 1, stage 3.")


def test_a_number_new_to_us_picks_the_municipality_first(stage_three):
    phone = Dialler(plugin_for("ussd/africastalking"), phone="+27829990000")
    which = phone.send(choice_key(load_shedding(phone), "Pick from a list"))
    assert which.text == "Which municipality?"
    pick = phone.send(choice_key(which, "Bbb Local"))
    assert [c.label for c in pick.choices] == ["Test Area 2"]
    assert phone.send("1").text == "No load-shedding for Test Area 2 today or tomorrow."


def test_a_municipality_without_areas_is_said_and_a_suburb_asked(two_municipalities, tmp_path,
                                                                 national):
    loadshedding_import(actor=system_actor("cli"), directory=write_dataset(
        tmp_path / "only-aaa", {"test-area-1": [(10, "06:00", "08:30", 1)]},
        [meta("test-area-1", "aaa-local", ["Sizwe"], provider="aaa")]))
    citizen_register(actor=system_actor("ussd"), phone=PHONE, municipality=two_municipalities[1])
    with freeze_time(at(TUESDAY)):
        national(1)
        phone = Dialler(plugin_for("ussd/africastalking"))
        said = phone.send(choice_key(load_shedding(phone), "Pick from a list"))
        assert said.text.startswith("We have no load-shedding areas on record for Bbb Local.")
        assert phone.send("Sizwe").text.startswith("Test Area 1, stage 1. Today: 06:00-08:30.")


def test_stage_zero_says_there_is_none_and_an_announced_change_is_shown(resident, areas,
                                                                        national):
    with freeze_time(at(TUESDAY)):
        national(0)
        national(4, at("2026-03-11 09:00"))
        phone = Dialler(plugin_for("ussd/africastalking"))
        pick = phone.send(choice_key(load_shedding(phone), "Pick from a list"))
        times = phone.send(choice_key(pick, "Test Area 1"))
    assert times.text == ("Test Area 1, stage 0. Today: none. Tomorrow: 09:00-10:30. "
                          "Stage 4 from 11/03 09:00.")


def test_on_whatsapp_a_shared_location_finds_the_area(resident, stage_three):
    wa = Chat("whatsapp", PHONE)
    community = wa.screen(choice_key(wa.screen("hi"), "My community"), kind="choice")
    how = wa.screen(choice_key(community, "Load-shedding"), kind="choice")
    assert "Send my location" in [c.label for c in how.choices]
    where = wa.screen(choice_key(how, "Send my location"), kind="choice")
    assert where.expects == "location"
    times = wa.screen(kind="location", latitude=-29.95, longitude=20.05)
    assert times.text.startswith("Test Area 1, stage 3. Today: 06:00-08:30")


def test_on_whatsapp_a_place_with_no_load_shedding_today_or_tomorrow(resident, stage_three):
    wa = Chat("whatsapp", PHONE)
    community = wa.screen(choice_key(wa.screen("hi"), "My community"), kind="choice")
    how = wa.screen(choice_key(community, "Load-shedding"), kind="choice")
    wa.screen(choice_key(how, "Send my location"), kind="choice")
    shown = wa.screen(kind="location", latitude=-29.95, longitude=20.25)  # in BBB
    assert shown.text == "No load-shedding for Test Area 2 today or tomorrow."  # Mondays


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_the_times_screen_fits_every_channel_in_every_language(plugin, resident, areas,
                                                               national, tmp_path):
    """The most an area shows: a long name, eight outages a day at stage 8."""
    rows = [(day, f"{h:02d}:00", f"{h + 2:02d}:00", stage) for day in (10, 11)
            for h in range(0, 22, 3) for stage in range(1, 9)]
    key = "a-very-long-area-name-of-a-municipality-block-number-12b"
    loadshedding_import(actor=system_actor("cli"), directory=write_dataset(
        tmp_path / "long", {key: rows}, [meta(key, "aaa-local", ["Sizwe"], provider="aaa")]))
    with freeze_time(at(TUESDAY)):
        national(8)
        session = ConversationSession.objects.create(
            channel=plugin.channel, sender=PHONE, citizen=resident, flow="loadshedding",
            node="remembered", updated=at(TUESDAY), answers={"loadshedding_area": key})
        turn = Turn(session=session, caps=plugin, idempotency_key="fit")
        for code, _name in LANGUAGES:
            with override(code):
                session.node, session.state = "remembered", "active"
                screen = engine_answer(turn, Event(text="1"))
                assert "00:00-02:00" in screen.text, (code, screen.text)
                assert fits(screen, plugin), (code, screen.text)
