"""A voice to the councillor on the channels (flows/matters.yaml): a resident raises an
issue or a suggestion on USSD and WhatsApp and gets its reference at once, and reads what
became of their matters; every screen fits its channel."""

import pytest
from django.utils import timezone
from django.utils.translation import override

from imbizo.accounts.services import citizen_update
from imbizo.conversations.engine import engine_show
from imbizo.conversations.flowdefs import shipped_flows
from imbizo.conversations.models import ConversationSession
from imbizo.conversations.registry import ACTIONS
from imbizo.conversations.sources import LANGUAGES
from imbizo.conversations.turn import Turn
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Ward
from imbizo.matters.lifecycle import matter_answer
from imbizo.matters.models import Matter
from imbizo.messaging.screens import numbered_text

from .conftest import PHONE, Chat, choice_key
from .test_rendering import PLUGINS, fits


@pytest.fixture
def resident(citizen, place):
    """The resident (PHONE) lives in AAA's ward 1 (Sizwe, KwaMashu, Newlands)."""
    return citizen_update(actor=system_actor("cli"), citizen=citizen,
                          ward=Ward.objects.get(municipality=place[0], number=1))


def ussd_fits(screen) -> bool:
    return len(numbered_text(screen)) <= 182


def matters_menu(phone):
    community = phone.send(choice_key(phone.dial(), "My community"))
    return phone.send(choice_key(community, "Raise with councillor"))


def test_on_ussd_a_resident_raises_a_public_suggestion_for_their_ward(resident, phone):
    kind = phone.send(choice_key(matters_menu(phone), "Raise something"))
    where = phone.send(choice_key(kind, "A suggestion"))
    assert [c.label for c in where.choices][:3] == ["My ward", "Sizwe", "KwaMashu"]
    ask = phone.send(choice_key(where, "My ward"))
    public = phone.send("Please build a library next to the Sizwe hall")
    assert "support it" in public.text
    confirm = phone.send(choice_key(public, "Yes, public"))
    assert confirm.text.startswith("Suggestion, Ward 1 (Sizwe): Please build a library")
    done = phone.send(choice_key(confirm, "Yes"))
    matter = Matter.objects.get()
    assert done.end and matter.reference in done.text
    assert (matter.kind, matter.public, matter.channel, matter.ward.number) == (
        "suggestion", True, "ussd", 1)
    assert matter.citizen == resident and "library" in matter.text
    assert "Write what you want" in ask.text
    assert all(ussd_fits(s) for s in phone.screens)
    phone.repeat()  # the gateway sends the last hop again
    assert Matter.objects.count() == 1


def test_on_ussd_an_issue_about_a_suburb_is_private_and_skips_the_public_question(
        resident, phone):
    kind = phone.send(choice_key(matters_menu(phone), "Raise something"))
    where = phone.send(choice_key(kind, "An issue"))
    phone.send(choice_key(where, "Town CBD"))
    confirm = phone.send("The taxi rank has no lights at night")
    assert confirm.text.startswith("Issue, Ward 2 (Town CBD):")
    phone.send(choice_key(confirm, "Yes"))
    matter = Matter.objects.get()
    assert (matter.ward.number, matter.public, matter.kind) == (2, False, "issue")
    assert len(phone.screens) == 8  # main, community, menu, kind, place, words, confirm, end


def test_on_ussd_a_resident_reads_what_became_of_their_matter(resident, phone, make_staff):
    kind = phone.send(choice_key(matters_menu(phone), "Raise something"))
    phone.send(choice_key(phone.send(choice_key(kind, "An issue")), "My ward"))
    phone.send(choice_key(phone.send("The street lights are off"), "Yes"))
    matter = Matter.objects.get()
    councillor = make_staff({"role": "councillor", "municipality": matter.municipality,
                             "ward": matter.ward})
    matter_answer(actor=councillor, matter=matter, text="The lights are fixed on Friday.")
    mine = phone.send(choice_key(matters_menu(phone), "My matters"))
    status = phone.send(choice_key(mine, matter.reference))
    assert status.end and status.text == (
        f"{matter.reference}: Answered. Answer: The lights are fixed on Friday.")


def test_a_resident_with_no_matters_is_told_so(resident, phone):
    done = phone.send(choice_key(matters_menu(phone), "My matters"))
    assert done.end and "not raised anything" in done.text


def test_on_whatsapp_a_resident_raises_an_issue_and_gets_the_reference(resident):
    wa = Chat("whatsapp", PHONE)
    community = wa.screen(choice_key(wa.screen("hi"), "My community"), kind="choice")
    menu = wa.screen(choice_key(community, "Raise with councillor"), kind="choice")
    kind = wa.screen(choice_key(menu, "Raise something"), kind="choice")
    where = wa.screen(choice_key(kind, "An issue"), kind="choice")
    wa.screen(choice_key(where, "My ward"), kind="choice")
    confirm = wa.screen("Water has been off in Sizwe since Monday")
    done = wa.screen(choice_key(confirm, "Yes"), kind="choice")
    matter = Matter.objects.get()
    assert matter.reference in done.text and matter.channel == "whatsapp"
    assert not matter.public and matter.ward.number == 1


def test_the_matters_screens_fit_every_channel_in_every_language(resident, place):
    """With the longest words a resident may type and the longest answer."""
    answers = {"municipality": place[0].pk, "matter_kind": "suggestion",
               "matter_ward": Ward.objects.get(municipality=place[0], number=1).code,
               "matter_ward_label": "Newlands", "matter_text": "w" * 1000}
    for plugin in PLUGINS:
        session = ConversationSession.objects.create(
            channel=plugin.channel, sender=f"+2782999{PLUGINS.index(plugin):04d}",
            citizen=resident, flow="matters", node="menu", updated=timezone.now(),
            answers=dict(answers))
        turn = Turn(session=session, caps=plugin, idempotency_key="fit")
        for code, _name in LANGUAGES:
            with override(code):
                session.answers = dict(answers)
                session.answers.update(ACTIONS["matter_prepare"](turn)[1])
                for node in shipped_flows()["matters"].nodes.values():
                    if node.type == "action":
                        continue
                    session.node, session.page = node.name, 0
                    screen = engine_show(turn)
                    assert fits(screen, plugin), (code, node.name, screen)
                    if node.name == "confirm":
                        assert screen.text.endswith("?"), (code, plugin.name, screen.text)
