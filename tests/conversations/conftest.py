"""A municipality with suburbs and categories, a resident, and drivers for the engine:
USSD through ``conversation_hop``, other channels through ``inbound_handle``."""

import itertools

import pytest

from imbizo.accounts.services import citizen_register
from imbizo.conversations.services import conversation_hop, inbound_handle
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Ward
from imbizo.messaging.inbound import Incoming
from imbizo.messaging.models import InboundMessage, OutboundMessage
from imbizo.messaging.plugins import plugin_for
from imbizo.messaging.screens import Screen
from imbizo.messaging.services import inbound_record

PHONE = "+27821234567"
SUBURBS = {1: "Sizwe\nKwaMashu\nNewlands", 2: "Town CBD\nHilltop"}


@pytest.fixture
def place(municipalities):
    """AAA and BBB with the standard categories; AAA's wards list their suburbs."""
    aaa, bbb = municipalities
    for number, suburbs in SUBURBS.items():
        Ward.objects.filter(municipality=aaa, number=number).update(suburbs=suburbs)
    return aaa, bbb


@pytest.fixture
def citizen(place):
    """A resident of AAA, known by their number."""
    return citizen_register(actor=system_actor("ussd"), phone=PHONE, municipality=place[0])


@pytest.fixture
def ussd():
    return plugin_for("ussd/africastalking")


class Dialler:
    """A phone on Africa's Talking USSD: each hop sends every input so far, joined by *."""

    sessions = itertools.count(1)

    def __init__(self, plugin, phone: str = PHONE):
        self.plugin, self.phone = plugin, phone
        self.inputs: list[str] = []
        self.session_id = ""
        self.screens: list[Screen] = []

    def incoming(self, kind: str = "text") -> Incoming:
        text = "*".join(self.inputs)
        return Incoming(provider=self.plugin.name, channel="ussd", sender=self.phone,
                        message_id=f"{self.session_id}:{len(self.inputs)}:{text}", kind=kind,
                        text=text, session_id=self.session_id, cumulative=True)

    def dial(self) -> Screen:
        self.session_id, self.inputs = f"ATUid_{next(self.sessions)}", []
        return self._hop(self.incoming("new"))

    def send(self, text: str) -> Screen:
        self.inputs.append(text)
        return self._hop(self.incoming())

    def repeat(self) -> Screen:
        return self._hop(self.incoming("text" if self.inputs else "new"))

    def drop(self) -> None:
        conversation_hop(plugin=self.plugin, incoming=self.incoming("close"))

    def _hop(self, incoming: Incoming) -> Screen:
        screen = conversation_hop(plugin=self.plugin, incoming=incoming)
        self.screens.append(screen)
        return screen


@pytest.fixture
def phone(ussd):
    return Dialler(ussd)


def choice_key(screen: Screen, label: str) -> str:
    """The key of the option whose label starts with ``label``."""
    for choice in screen.choices:
        if choice.label.startswith(label):
            return choice.key
    raise AssertionError(f"no option {label!r} in {[c.label for c in screen.choices]}")


class Chat:
    """A resident on a message channel: each message stored and handled as the webhook
    and the task would, the replies read from the outbox."""

    ids = itertools.count(1)

    def __init__(self, slug: str, sender: str, reply_to: str = ""):
        self.plugin = plugin_for(slug)
        self.sender, self.reply_to = sender, reply_to

    def send(self, text: str = "", kind: str = "text", **fields) -> list[OutboundMessage]:
        incoming = Incoming(provider=self.plugin.name, channel=self.plugin.channel,
                            message_id=f"m{next(self.ids)}", sender=self.sender, kind=kind,
                            text=text, reply_to=self.reply_to, **fields)
        inbound = InboundMessage.objects.get(pk=inbound_record(incoming))
        before = set(OutboundMessage.objects.values_list("pk", flat=True))
        inbound_handle(inbound_id=inbound.pk)
        self.last_inbound = inbound
        return list(OutboundMessage.objects.exclude(pk__in=before).order_by("pk"))

    def screen(self, text: str = "", kind: str = "text", **fields) -> Screen:
        replies = self.send(text, kind, **fields)
        assert replies, "no reply"
        return Screen.from_payload(replies[-1].payload)
