"""Helpers for the outbox tests: residents, a clock we move by hand, the real task worker."""

from datetime import timedelta

import pytest
import respx
from django.utils import timezone

from imbizo.accounts.models import Citizen
from imbizo.accounts.services import citizen_register, consent_give
from imbizo.core.permissions import system_actor
from imbizo.messaging import providers

from .helpers import GATEWAY_URL, Recipients

DEV = "imbizo.messaging.channels.dev.DevProvider"
GATEWAY = "tests.messaging.helpers.HttpGateway"


class Clock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def move_to(self, when) -> None:
        self.now = when


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """``timezone.now()`` everywhere (services, auto_now fields, the task queue) reads this."""
    fixed = Clock()
    monkeypatch.setattr(timezone, "now", lambda: fixed.now)
    return fixed


@pytest.fixture(autouse=True)
def fresh_providers():
    """Each test builds the provider instances its own settings name."""
    providers._instances.clear()
    yield
    providers._instances.clear()


@pytest.fixture
def use_providers(settings):
    """Route channels to providers: ``use_providers(sms=Path)``; the rest stay on dev."""
    def use(**paths: str) -> None:
        settings.MESSAGING_PROVIDERS = {"sms": DEV, "whatsapp": DEV, "email": DEV, **paths}
    return use


@pytest.fixture
def make_resident(db):
    """A resident registered as on the given channel, with consents if named."""
    counter = iter(range(1, 10_000))

    def make(*, channel: str = "sms", language: str = "en", municipality=None, ward=None,
             email: str = "", consents: tuple[str, ...] = ()) -> Citizen:
        actor = system_actor(channel)
        citizen = citizen_register(actor=actor, phone=f"08212{next(counter):05d}",
                                   language=language, municipality=municipality, ward=ward)
        if email:  # no service changes a resident's e-mail address yet
            citizen.email = email
            citizen.save(update_fields=["email"])
        for purpose in consents:
            consent_give(actor=actor, citizen=citizen, purpose=purpose)
        return citizen

    return make



@pytest.fixture
def http_gateway(use_providers) -> Recipients:
    """Every channel that can push goes to the stand-in HTTP gateway, faked by respx;
    ``http_gateway.script`` decides each call's answer."""
    use_providers(sms=GATEWAY, whatsapp=GATEWAY, telegram=GATEWAY, email=GATEWAY)
    recipients = Recipients()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(GATEWAY_URL).mock(side_effect=recipients)
        yield recipients
