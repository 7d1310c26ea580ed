"""Every screen of the meetings, directory and share flows fits every channel in the six
languages, with the largest values a meeting and an entry can hold; option labels stay
within 20 characters (a WhatsApp button or row)."""

import pytest
from django.utils import timezone
from django.utils.translation import override

from imbizo.accounts.services import citizen_register
from imbizo.community.directory import directory_entry_create, directory_form_add
from imbizo.community.share import share_code_set
from imbizo.conversations.community_flow import COMMUNITY_TEXTS
from imbizo.conversations.engine import _go, engine_show
from imbizo.conversations.flowdefs import shipped_flows
from imbizo.conversations.models import ConversationSession
from imbizo.conversations.sources import LANGUAGES
from imbizo.conversations.turn import Turn
from imbizo.core.permissions import system_actor
from imbizo.demo.community_pdf import form_pdf
from tests.conversations.test_rendering import PLUGINS, fits

from .conftest import ward

SYSTEM = system_actor("cli")
LABELS = ("rsvp_yes", "rsvp_no", "rsvp_maybe", "directory_no_form")


@pytest.fixture
def largest(aaa, announce, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    announce(title="T" * 120, venue="V" * 200, agenda="A " * 1000)
    for n in range(3):
        entry = directory_entry_create(actor=SYSTEM, municipality=aaa,
                                       name=f"Water {n} " + "N" * 110, phone="0" * 40,
                                       hours="H" * 120)
        directory_form_add(actor=SYSTEM, entry=entry, title="F" * 120,
                           content=form_pdf("Form", []))
    share_code_set(actor=SYSTEM, municipality=aaa, ussd_code="*1234*123456*123456#")
    return citizen_register(actor=SYSTEM, phone="0821234567", municipality=aaa,
                            ward=ward(aaa, 1))


def shown(turn, target: str):
    return _go(turn, target)


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_the_community_screens_fit_every_channel_in_every_language(plugin, largest, aaa):
    session = ConversationSession.objects.create(
        channel=plugin.channel, sender=largest.phone, citizen=largest, flow="meetings",
        node="where", updated=timezone.now(), answers={})
    turn = Turn(session=session, caps=plugin, idempotency_key="fit")
    for code, _name in LANGUAGES:
        with override(code):
            screens = []
            session.flow, session.answers = "meetings", {"municipality": aaa.pk}
            listed = shown(turn, "where")
            session.answers["meeting"] = session.answers["meeting_options"][0][0]
            screens += [listed, shown(turn, "show")]
            session.flow, session.answers = "directory", {"municipality": aaa.pk,
                                                          "words": "water"}
            screens.append(shown(turn, "search"))
            session.flow, session.answers = "share", {"municipality": aaa.pk}
            screens.append(shown(turn, "where"))
            for flow in ("meetings", "directory", "share"):
                for node in shipped_flows()[flow].nodes.values():
                    if node.type != "action":
                        session.flow, session.node, session.page = flow, node.name, 0
                        screens.append(engine_show(turn))
            for screen in screens:
                assert fits(screen, plugin), (code, screen)
                if plugin.name == "whatsapp" and screen.choices:
                    assert all(len(c.label) <= 24 for c in screen.choices), (code, screen)
            assert "Will you come?" in screens[1].text or code != "en"


@pytest.mark.parametrize("code", [code for code, _name in LANGUAGES])
def test_every_option_label_is_within_twenty_characters(code):
    with override(code):
        for key in LABELS:
            assert len(str(COMMUNITY_TEXTS[key])) <= 20, (code, key)
