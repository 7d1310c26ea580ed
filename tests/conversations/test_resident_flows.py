"""Track, rate, language, help and talk to a person on USSD; and the bad input each
question meets."""

import pytest

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.selectors import access_citizen
from imbizo.accounts.services import citizen_erase, citizen_export
from imbizo.cases.lifecycle import case_close, case_resolve
from imbizo.conversations.models import ConversationSession, Handover
from imbizo.core.permissions import Role

from .conftest import choice_key


@pytest.fixture
def logged(citizen, log_case):
    return log_case("pothole", actor=citizen_actor(citizen, channel="ussd"))


def mistyped(reference: str) -> str:
    """The reference with its check character wrong."""
    check = int(reference[-1])
    return reference[:-1] + str((check + 1) % 10)


def test_track_by_reference_says_the_status(logged, phone):
    phone.send(choice_key(phone.dial(), "Track"))
    ask = phone.send(choice_key(phone.screens[-1], "Type a reference"))
    assert "reference" in ask.text
    status = phone.send(logged.reference.lower().replace("-", ""))
    assert status.end and logged.reference in status.text and "Assigned" in status.text


def test_a_wrong_check_character_is_said_and_asked_again(logged, phone):
    phone.send(choice_key(phone.dial(), "Track"))
    phone.send(choice_key(phone.screens[-1], "Type a reference"))
    again = phone.send(mistyped(logged.reference))
    assert "typing error" in again.text and not again.end
    assert logged.reference in phone.send(logged.reference).text


def test_my_open_cases_are_listed_to_pick_from(logged, phone):
    phone.send(choice_key(phone.dial(), "Track"))
    cases = phone.send(choice_key(phone.screens[-1], "My open cases"))
    status = phone.send(choice_key(cases, logged.reference))
    assert logged.reference in status.text


def test_a_closed_case_is_rated(logged, citizen, phone, make_staff, department):
    officer = make_staff({"role": Role.OFFICER, "municipality": logged.municipality,
                          "department": department("roads")})
    case = case_resolve(actor=officer, case=logged, note="Filled")
    case_close(actor=citizen_actor(citizen, channel="ussd"), case=case)
    phone.send(choice_key(phone.dial(), "Rate"))
    ask = phone.send(logged.reference)
    assert "1 (bad) to 5" in ask.text
    assert "1 to 5" in phone.send("9").text  # not a rating: asked again
    done = phone.send("4")
    assert done.end and logged.reference in done.text
    logged.refresh_from_db()
    assert logged.rating == 4


def test_an_open_case_cannot_be_rated_yet(logged, phone):
    phone.send(choice_key(phone.dial(), "Rate"))
    again = phone.send(logged.reference)
    assert "once it is closed" in again.text and not again.end


def test_help_gives_the_emergency_numbers(citizen, phone):
    screen = phone.send(choice_key(phone.dial(), "Help"))
    assert screen.end and "10111" in screen.text and "10177" in screen.text and "112" in screen.text


def test_talk_to_a_person_queues_the_resident_once(citizen, phone):
    for _ in range(2):
        screen = phone.send(choice_key(phone.dial(), "Talk"))
    assert "queue" in screen.text and screen.end
    handover = Handover.objects.get()
    assert handover.citizen == citizen and handover.municipality == citizen.municipality
    assert handover.state == "queued"


def test_over_long_text_is_said_and_asked_again(citizen, phone):
    phone.send(choice_key(phone.dial(), "Report"))
    phone.send(choice_key(phone.screens[-1], "Water"))
    phone.send(choice_key(phone.screens[-1], "Burst"))
    phone.send(choice_key(phone.screens[-1], "Sizwe"))
    again = phone.send("x" * 1001)
    assert "too long" in again.text and "1000" in again.text
    confirm = phone.send("A burst pipe")
    assert "Burst pipe" in confirm.text or "burst" in confirm.text.lower()


def test_a_plus_code_gives_the_place(citizen, phone):
    from openlocationcode import openlocationcode as olc
    code = olc.encode(-29.95, 20.05)
    phone.send(choice_key(phone.dial(), "Report"))
    phone.send(choice_key(phone.screens[-1], "Water"))
    phone.send(choice_key(phone.screens[-1], "Burst"))
    phone.send(code)
    confirm = phone.send("A burst pipe")
    assert "Ward 1" in confirm.text and code in confirm.text


def test_a_resident_whose_municipality_is_unknown_picks_it_once(place, phone):
    phone.send(choice_key(phone.dial(), "Report"))
    groups = phone.send(choice_key(phone.screens[-1], "Aaa Local"))
    assert choice_key(groups, "Water")
    session = ConversationSession.objects.get()
    assert session.citizen.municipality == place[0]


def test_a_new_resident_of_the_only_municipality_served_is_made_its_resident(
        place, phone, make_staff):
    """Its staff then see them and the replies they were sent."""
    place[1].category, place[1].district = "C", None  # BBB a district: AAA alone is served
    place[1].save(update_fields=["category", "district"])
    groups = phone.send(choice_key(phone.dial(), "Report"))
    assert choice_key(groups, "Water")
    session = ConversationSession.objects.get()
    assert session.citizen.municipality == place[0]
    agent = make_staff({"role": "agent", "municipality": place[0]})
    assert access_citizen(actor=agent, uuid=session.citizen.uuid) == session.citizen


def test_erasing_a_resident_forgets_their_conversations(citizen, phone):
    phone.send(choice_key(phone.dial(), "Talk"))
    themselves = citizen_actor(citizen, channel="web")
    assert citizen_export(actor=themselves, citizen=citizen)["conversations"]
    citizen_erase(actor=themselves, citizen=citizen)
    assert not ConversationSession.objects.exists() and not Handover.objects.exists()
