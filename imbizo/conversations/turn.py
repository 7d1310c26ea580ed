"""One hop of a conversation: the session, the channel's capabilities and the resident,
handed to every node, action and source."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from imbizo.accounts.models import Citizen
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import channel_address_seen, citizen_register
from imbizo.core.config_cache import config_cache
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import Actor, system_actor
from imbizo.geo.models import Municipality

from .models import ConversationSession

PHONE_CHANNELS = frozenset({"ussd", "sms", "whatsapp"})  # the sender is an E.164 number


@dataclass
class Turn:
    session: ConversationSession
    caps: object  # the channel plugin (or its capabilities): screen_chars, shares_photo, ...
    idempotency_key: str  # the inbound message, or the USSD session: a retry logs once
    photo: str = ""  # a photo received with this input, stored while the flow goes on
    # A file an action attaches to the screen it leads to, where the channel sends files:
    # (its address for the provider to fetch, its file name).
    document: tuple[str, str] | None = None

    @property
    def channel(self) -> str:
        return self.session.channel

    @property
    def answers(self) -> dict:
        return self.session.answers

    @property
    def citizen(self) -> Citizen | None:
        return self.session.citizen

    def actor(self) -> Actor:
        if self.citizen is None:
            return Actor(kind="anonymous", channel=self.channel)
        return citizen_actor(self.citizen, channel=self.channel)

    def resident(self, municipality: Municipality | None = None) -> Citizen:
        """The resident behind this number, registered on first need (logging a case,
        choosing a language): a number that only looks around stays unregistered. A
        resident registered now gets ``municipality`` as their home in the same write."""
        if self.citizen is None:
            if self.channel not in PHONE_CHANNELS:
                raise ImbizoError("not_linked", _("Please share your phone number first."))
            citizen = citizen_register(actor=system_actor(self.channel), phone=self.session.sender,
                                       language=self.session.language, municipality=municipality)
            if self.channel != "ussd":
                channel_address_seen(self.channel, self.session.sender, citizen=citizen)
            self.session.citizen = citizen
        return self.session.citizen

    def municipality(self) -> Municipality | None:
        pk = self.answers.get("municipality")
        if not pk:
            return None
        return config_cache.get(("conversation_municipality", pk),
                                lambda: Municipality.objects.defer("boundary").get(pk=pk))
