"""What a messaging provider is, and which one carries each channel.

A provider is a small class in ``imbizo/messaging/channels/<name>/`` that declares what
it can do as class attributes and sends one message. ``settings.MESSAGING_PROVIDERS``
maps each outbound channel to the dotted path of its provider class; nothing else
names a provider, so adding or swapping one touches no other channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from imbizo.core.errors import ImbizoError

if TYPE_CHECKING:
    from .models import OutboundMessage

DEV_PROVIDER = "imbizo.messaging.channels.dev.DevProvider"
# USSD is absent on purpose: it cannot push a message to a phone.
DEFAULT_PROVIDERS: dict[str, str] = {"sms": DEV_PROVIDER, "whatsapp": DEV_PROVIDER,
                                     "email": DEV_PROVIDER}


class ProviderError(Exception):
    """A provider could not take a message. Its text goes to the outbox row, never a log."""


class TransientProviderError(ProviderError):
    """Try again later: a timeout, a 5xx, a rate limit, the provider being down."""


class PermanentProviderError(ProviderError):
    """Trying again cannot help: a refused number, a 4xx, a message the provider rejects."""


class ChannelClosed(PermanentProviderError):
    """The channel cannot carry this message now (WhatsApp's 24-hour window is closed and
    no approved template fits, the resident opted out): the outbox tries their next
    channel instead of retrying this one."""


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    # A receipt already known when sending ("delivered" for the dev provider); it is
    # recorded through ``message_receipt`` exactly as if the provider had called back.
    receipt: str | None = None


class Provider:
    """Base of every provider. Subclasses set the class attributes and ``send``."""

    name: ClassVar[str]  # stored on each message; receipts are matched by it
    channels: ClassVar[frozenset[str]]  # the outbound channels it can carry
    max_length: ClassVar[int]  # the longest body, in characters, it accepts
    supports_receipts: ClassVar[bool] = False  # whether it reports delivery
    # Messages a second the provider takes from this platform, all workers together
    # (messaging/ratelimit.py); None: no limit. WhatsApp Cloud API: 80 a business number
    # by default; Telegram: about 30 a bot; Africa's Talking publishes none (carrier-bound).
    rate_per_second: ClassVar[int | None] = None

    def send(self, message: OutboundMessage) -> SendResult:
        """Hand one message over; raise Transient/PermanentProviderError on failure."""
        raise NotImplementedError


_instances: dict[str, Provider] = {}


def instance_of(path: str, base: type, setting: str):
    """The one instance of the provider class at ``path``, whichever setting names it:
    a plugin that also sends (WhatsApp) keeps one client for both. ``setting`` names the
    entry in the error of a class that is no ``base``."""
    instance = _instances.get(path)
    if instance is None:
        cls = import_string(path)
        if not (isinstance(cls, type) and issubclass(cls, Provider)):
            raise ImproperlyConfigured(f"{setting}: {path} is no {base.__name__}")
        instance = _instances[path] = cls()
    if not isinstance(instance, base):
        raise ImproperlyConfigured(f"{setting}: {path} is no {base.__name__}")
    return instance


def provider_paths() -> dict[str, str]:
    return getattr(settings, "MESSAGING_PROVIDERS", DEFAULT_PROVIDERS)


def provider_for(channel: str) -> Provider:
    """The provider that carries ``channel`` now; one instance per class, kept."""
    path = provider_paths().get(channel)
    if not path:
        raise ImbizoError("channel_unavailable",
                          _("Messages cannot be sent by %(channel)s.") % {"channel": channel})
    provider = instance_of(path, Provider, f"MESSAGING_PROVIDERS[{channel!r}]")
    if channel not in provider.channels:
        raise ImproperlyConfigured(
            f"MESSAGING_PROVIDERS[{channel!r}]: {path} does not carry {channel}")
    return provider
