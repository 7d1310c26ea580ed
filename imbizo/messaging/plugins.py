"""Channel plugins: a provider that also receives.

A plugin lives in ``imbizo/messaging/channels/<provider>/``, subclasses ``ChannelPlugin``
and is registered in ``settings.CHANNEL_PLUGINS`` under the path its webhook is served
at (``/channels/<slug>``). It declares what its channel can show as class attributes,
which the conversation engine fits every screen to, and implements the few methods
below at the HTTP boundary, in its provider's documented format. Adding a plugin
touches no other.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .providers import PermanentProviderError, Provider, instance_of

if TYPE_CHECKING:
    from .inbound import Batch
    from .screens import Screen


class ChannelPlugin(Provider, ABC):
    channel: ClassVar[str]  # the resident channel it serves: "ussd", "sms", ...
    # The reply is the webhook's HTTP response (USSD) rather than a message sent later.
    synchronous: ClassVar[bool] = False
    screen_chars: ClassVar[int]  # the longest screen, options included
    # "numbered": options as "1. Water" lines (USSD, SMS); "list": the provider's own
    # list and buttons (WhatsApp); "keyboard": tappable keys (Telegram).
    choice_style: ClassVar[str] = "numbered"
    max_choices: ClassVar[int] = 9  # options on one screen, "More" and "Back" included
    choice_label_chars: ClassVar[int] = 40  # longest option title
    shares_location: ClassVar[bool] = False
    shares_photo: ClassVar[bool] = False
    shares_contact: ClassVar[bool] = False
    # Sends a file the provider fetches from a link (a statement PDF), with a caption.
    sends_documents: ClassVar[bool] = False
    # How long after its last message a conversation can be picked up where it stopped.
    resume_window: ClassVar[timedelta] = timedelta(hours=24)

    def verify(self, request: HttpRequest) -> None:
        """Raise ``Unauthorized`` unless the request comes from the provider."""

    def handshake(self, request: HttpRequest) -> HttpResponse:
        """Answer a GET (WhatsApp's verification); most providers have none."""
        return HttpResponse(status=405, headers={"Allow": "POST"})

    @abstractmethod
    def parse(self, request: HttpRequest) -> Batch:
        """The webhook's events; raise ``Malformed`` on a payload the provider would not send."""

    def respond(self, screen: Screen | None) -> HttpResponse:
        """The webhook's answer: the screen itself for a synchronous channel, else an ack."""
        return HttpResponse(status=200)

    def fetch_media(self, media_id: str) -> tuple[bytes, str]:
        """The bytes and content type of a resident's photo, by the provider's reference;
        a channel that carries no photos refuses, as a provider refuses a bad file."""
        raise PermanentProviderError(f"{self.name} carries no photos")


def plugin_paths() -> dict[str, str]:
    return getattr(settings, "CHANNEL_PLUGINS", {})


def plugin_for(slug: str) -> ChannelPlugin | None:
    """The plugin served at ``/channels/<slug>``, or None; one instance per class, kept
    (the same one that sends, where the class is also a channel's provider)."""
    path = plugin_paths().get(slug)
    return instance_of(path, ChannelPlugin, f"CHANNEL_PLUGINS[{slug!r}]") if path else None


def plugin_named(name: str) -> ChannelPlugin | None:
    """The registered plugin whose ``name`` is ``name`` (stored on each inbound message)."""
    for slug in plugin_paths():
        plugin = plugin_for(slug)
        if plugin is not None and plugin.name == name:
            return plugin
    return None
