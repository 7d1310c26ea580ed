"""Meetings, the directory and sharing on USSD and WhatsApp: the same services as the API
and the site. A meeting that has started or was cancelled is said plainly; every screen
keeps within its channel."""

from datetime import timedelta

import pytest
from freezegun import freeze_time

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register
from imbizo.community.directory import directory_entry_create, directory_form_add
from imbizo.community.meeting_models import Rsvp
from imbizo.community.meetings import meeting_cancel
from imbizo.community.rsvp import rsvp_give
from imbizo.community.share import share_code_set
from imbizo.community.share_models import ShareCode
from imbizo.core.permissions import system_actor
from imbizo.demo.community_pdf import form_pdf
from imbizo.messaging.plugins import plugin_for
from imbizo.messaging.screens import numbered_text
from tests.conversations.conftest import PHONE, Chat, Dialler, choice_key

from .conftest import local, ward

SYSTEM = system_actor("cli")
MORNING = "2026-07-01 08:00:00"  # 10:00 in South Africa


@pytest.fixture
def resident(aaa):
    """The phone's resident, of AAA ward 1."""
    return citizen_register(actor=SYSTEM, phone=PHONE, municipality=aaa, ward=ward(aaa, 1))


@pytest.fixture
def phone():
    return Dialler(plugin_for("ussd/africastalking"))


def fits_ussd(screens) -> bool:
    return all(len(numbered_text(s)) <= 182 for s in screens)


def find_key(screen, label: str, more) -> str:
    """The key of ``label`` in a menu, paging on ("98. More") until it shows: other parts
    of My community share the menu."""
    for _page in range(5):
        if any(c.label.startswith(label) for c in screen.choices):
            break
        screen = more("98")
    return choice_key(screen, label)


def community(phone, item: str):
    menu = phone.send(choice_key(phone.dial(), "My community"))
    return phone.send(find_key(menu, item, phone.send))


def wa_community(wa, item: str):
    menu = wa.screen(choice_key(wa.screen("hi"), "My community"), kind="choice")
    return wa.screen(find_key(menu, item, lambda key: wa.screen(key, kind="choice")),
                     kind="choice")


# --- meetings ----------------------------------------------------------------------------
@freeze_time(MORNING)
def test_on_ussd_a_resident_says_they_will_come_to_a_meeting_in_their_ward(
        announce, resident, phone, django_assert_max_num_queries):
    announce(wards=[2], title="Not my ward")
    meeting = announce(wards=[1], title="Water in Sizwe")
    listed = community(phone, "Meetings")
    assert [c.label for c in listed.choices] == ["08/07 18:00 Water in Sizwe"]
    with django_assert_max_num_queries(12):
        details = phone.send("1")
    assert details.text.startswith("Water in Sizwe, 08/07/2026 18:00-20:00, Sizwe Hall.")
    assert [c.label for c in details.choices] == ["Yes, I will come", "No", "Maybe"]
    done = phone.send(choice_key(details, "Yes"))
    assert done.end and "Your answer: Yes, I will come." in done.text
    phone.repeat()  # the gateway sends the last hop again
    rsvp = Rsvp.objects.get()
    assert (rsvp.meeting, rsvp.citizen, rsvp.answer, rsvp.channel) == (
        meeting, resident, "yes", "ussd")
    assert fits_ussd(phone.screens)


@freeze_time(MORNING)
def test_on_ussd_the_meeting_shows_the_answer_already_given(announce, resident, phone):
    meeting = announce()
    rsvp_give(actor=citizen_actor(resident, channel="whatsapp"), meeting=meeting,
              answer="maybe")
    community(phone, "Meetings")
    details = phone.send("1")
    assert "You said: Maybe." in details.text
    phone.send(choice_key(details, "No"))
    assert Rsvp.objects.get().answer == "no"


def test_on_ussd_a_meeting_that_started_meanwhile_is_said_and_takes_no_answer(
        announce, resident, phone):
    with freeze_time(MORNING) as clock:
        announce(day=0, starts=local(0, 10, 30), ends=local(0, 12))  # at 10:30 today
        community(phone, "Meetings")
        clock.tick(timedelta(minutes=45))
        refused = phone.send("1")
    assert refused.end and "This meeting has started: answers are closed." in refused.text
    assert not Rsvp.objects.exists()


@freeze_time(MORNING)
def test_on_ussd_no_meetings_coming_up_is_said(aaa, resident, phone):
    done = community(phone, "Meetings")
    assert done.end and done.text == "No community meetings are coming up in your area."


@freeze_time(MORNING)
def test_on_whatsapp_a_cancelled_meeting_is_said_and_takes_no_answer(announce, resident,
                                                                    staff):
    meeting = announce()
    wa = Chat("whatsapp", PHONE)
    listed = wa_community(wa, "Meetings")
    details = wa.screen(listed.choices[0].key, kind="choice")
    assert all(len(c.label) <= 20 for c in details.choices)
    meeting_cancel(actor=staff["manager"], meeting=meeting)
    refused = wa.screen(choice_key(details, "Maybe"), kind="choice")
    assert refused.end and "This meeting was cancelled." in refused.text
    assert not Rsvp.objects.exists()


@freeze_time(MORNING)
def test_on_whatsapp_a_number_new_to_imbizo_answers_and_is_registered(announce, aaa):
    meeting = announce(wards=[])
    wa = Chat("whatsapp", "+27829990001")
    listed = wa_community(wa, "Meetings")
    if listed.choices and listed.choices[0].label == "Aaa Local":  # two municipalities: pick
        listed = wa.screen(listed.choices[0].key, kind="choice")
    details = wa.screen(listed.choices[0].key, kind="choice")
    done = wa.screen(choice_key(details, "Maybe"), kind="choice")
    assert done.end
    rsvp = Rsvp.objects.get()
    assert rsvp.meeting == meeting and rsvp.channel == "whatsapp"
    assert rsvp.citizen.phone == "+27829990001" and rsvp.citizen.municipality == aaa


# --- the directory -------------------------------------------------------------------------
@pytest.fixture
def directory(aaa, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for n, name in enumerate(["Water & Sanitation faults", "Water meter readings",
                              "Water tanker bookings", "Water quality laboratory"]):
        entry = directory_entry_create(actor=SYSTEM, municipality=aaa, name=name,
                                       phone=f"047 555 010{n}", hours="Mon-Fri 08:00-16:00")
        if n == 0:
            directory_form_add(actor=SYSTEM, entry=entry, title="Water connection",
                               content=form_pdf("Water connection", []))
    return aaa


def test_on_ussd_a_word_gives_three_entries_with_their_numbers(directory, resident, phone):
    ask = community(phone, "Contacts & forms")
    assert "type a word" in ask.text
    found = phone.send("water")
    assert found.end and found.text.count("047 555 010") == 3
    assert "Water & Sanitation faults: 047 555 0100" in found.text
    assert "http" not in found.text and fits_ussd(phone.screens)


def test_on_ussd_nothing_found_asks_for_another_word(directory, resident, phone):
    community(phone, "Contacts & forms")
    again = phone.send("zebra")
    assert 'Nothing found for "zebra"' in again.text and not again.end
    assert phone.send("tanker").text.startswith("Water tanker bookings: 047 555 0102")


def test_on_whatsapp_a_form_is_sent_as_a_document(directory, resident, client, settings):
    wa = Chat("whatsapp", PHONE)
    wa_community(wa, "Contacts & forms")
    found = wa.screen("water")
    assert "047 555 0100" in found.text
    assert [c.label for c in found.choices] == ["Water connection", "No form, thanks"]
    sent = wa.screen(choice_key(found, "Water connection"), kind="choice")
    url, filename = sent.document
    assert sent.end and filename == "water-connection.pdf"
    pdf = client.get(url.removeprefix(settings.SITE_URL))
    assert pdf["Content-Type"] == "application/pdf"


# --- sharing --------------------------------------------------------------------------------
def test_on_ussd_and_whatsapp_the_share_text_is_given_and_counted(aaa, resident, phone,
                                                                 settings):
    share_code_set(actor=SYSTEM, municipality=aaa, ussd_code="*120*4629#")
    shown = community(phone, "Share this service")
    expected = f"Report faults to Aaa Local: {settings.SITE_URL}/s/aaa or dial *120*4629#"
    assert shown.end and shown.text == f"Send this to a neighbour: {expected}"
    assert fits_ussd(phone.screens)
    wa = Chat("whatsapp", PHONE)
    forwarded = wa_community(wa, "Share this service")
    assert expected in forwarded.text and "https://wa.me/?text=Report%20faults" in \
        forwarded.text
    assert ShareCode.objects.get().given == 2
