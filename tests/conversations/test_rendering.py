"""Every node of every shipped flow fits every registered channel, in all six languages;
long menus are paged with "98. More" and "0. Back"; long labels shortened with "…"."""

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import override

from imbizo.conversations.engine import engine_show
from imbizo.conversations.flowdefs import shipped_flows
from imbizo.conversations.models import ConversationSession
from imbizo.conversations.render import Prompt, fit, pages
from imbizo.conversations.sources import LANGUAGES
from imbizo.conversations.turn import Turn
from imbizo.messaging.screens import numbered_text

PLUGINS = [import_string(path) for path in settings.CHANNEL_PLUGINS.values()]
LONG = "x" * 60


def fits(screen, plugin) -> bool:
    shown = numbered_text(screen) if plugin.choice_style == "numbered" else screen.text
    labels_fit = all(len(c.label) <= plugin.choice_label_chars for c in screen.choices)
    return len(shown) <= plugin.screen_chars and labels_fit and \
        len(screen.choices) <= plugin.max_choices


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_every_node_fits_every_channel_in_every_language(plugin, citizen, log_case):
    log_case("pothole")
    session = ConversationSession.objects.create(
        channel=plugin.channel, sender=citizen.phone, citizen=citizen, flow="main", node="menu",
        updated=timezone.now(), answers={
            "municipality": citizen.municipality_id, "group": "water",
            "category_label": LONG, "place_text": LONG, "description": "d" * 1000,
            "duplicate": "AAA-2611-0001-5", "distance": 99, "reference": "AAA-2611-0001-5",
            "status": LONG, "detail": LONG, "language_label": "isiXhosa",
            "municipality_line": LONG})
    turn = Turn(session=session, caps=plugin, idempotency_key="render")
    for code, _name in LANGUAGES:
        with override(code):
            for flow in shipped_flows().values():
                session.flow = flow.id
                for node in flow.nodes.values():
                    if node.type == "action":
                        continue
                    session.node, session.page = node.name, 0
                    screen = engine_show(turn)
                    while True:
                        assert fits(screen, plugin), (code, flow.id, node.name, screen)
                        if not any(c.key == "98" for c in screen.choices):
                            break
                        session.page += 1
                        screen = engine_show(turn)


class Ussd:
    screen_chars, choice_style, max_choices, choice_label_chars = 182, "numbered", 9, 40


class WhatsApp:
    screen_chars, choice_style, max_choices, choice_label_chars = 1024, "list", 10, 24


def test_a_long_menu_is_paged_with_more_and_back():
    prompt = Prompt("Pick your area:", [(str(i), f"Suburb number {i}") for i in range(30)])
    first, second = fit(prompt, Ussd, 0), fit(prompt, Ussd, 1)
    assert first.choices[-1].key == "98" and first.choices[-1].label == "More"
    assert [c.key for c in second.choices[-2:]] == ["98", "0"]
    assert second.choices[0].key == str(len(first.choices))  # numbering goes on
    assert all(len(numbered_text(fit(prompt, Ussd, p))) <= 182
               for p in range(len(pages(prompt, Ussd))))


def test_long_labels_are_shortened_and_whatsapp_shows_at_most_ten_rows():
    label = "A very long suburb name indeed, longer"
    prompt = Prompt("Pick:", [(str(i), label) for i in range(25)])
    screen = fit(prompt, WhatsApp, 0)
    assert len(screen.choices) == 10 and screen.choices[-1].key == "98"
    assert screen.choices[0].label.endswith("…") and len(screen.choices[0].label) == 24
