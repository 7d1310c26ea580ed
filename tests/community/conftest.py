"""Community helpers: AAA (two wards) and BBB from tests/conftest.py, its staff (a manager of
the whole municipality, the councillor of ward 1, a water manager), residents of each ward,
and announcing a meeting through the service."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from imbizo.accounts.models import Consent, Role
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register, consent_give
from imbizo.community.meetings import meeting_announce
from imbizo.core.config_cache import config_cache
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Ward
from imbizo.web.session import SESSION_KEY


@pytest.fixture(autouse=True)
def memo_forgotten():
    """freezegun also freezes ``time.monotonic``: a memo checked at a frozen moment would
    look fresh for ever after and hand later tests this test's rows."""
    yield
    config_cache.clear()


def local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A time ``day_offset`` days from today, South African time."""
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def aaa(municipalities):
    return municipalities[0]


@pytest.fixture
def bbb(municipalities):
    return municipalities[1]


def ward(municipality, number: int) -> Ward:
    return Ward.objects.defer("boundary").get(municipality=municipality, number=number)


@pytest.fixture
def staff(make_staff, aaa, bbb, department):
    return {
        "manager": make_staff({"role": Role.MANAGER, "municipality": aaa}),
        "councillor": make_staff({"role": Role.COUNCILLOR, "municipality": aaa,
                                  "ward": ward(aaa, 1)}),
        "water": make_staff({"role": Role.MANAGER, "municipality": aaa,
                             "department": department("water")}),
        "agent": make_staff({"role": Role.AGENT, "municipality": aaa}),
        "officer": make_staff({"role": Role.OFFICER, "municipality": aaa,
                               "department": department("roads")}),
        "other": make_staff({"role": Role.MANAGER, "municipality": bbb}),
    }


@pytest.fixture
def register(aaa):
    """A resident of AAA's ward ``number``, consenting to broadcasts unless told not to."""
    counter = iter(range(1, 1000))

    def make(number: int = 1, *, broadcasts: bool = True, language: str = "en",
             channel: str = "ussd", municipality=None):
        place = municipality or aaa
        citizen = citizen_register(actor=system_actor("cli"),
                                   phone=f"08211{next(counter):05d}", language=language,
                                   municipality=place, ward=ward(place, number))
        if broadcasts:
            consent_give(actor=system_actor("cli"), citizen=citizen,
                         purpose=Consent.Purpose.BROADCASTS)
        return citizen_actor(citizen, channel=channel)
    return make


@pytest.fixture
def announce(staff, aaa):
    """Announce a meeting in AAA (ward 1 by default), next week 18:00-20:00."""
    def make(*, actor=None, wards=(1,), day: int = 7, **kwargs):
        values = {"title": "Ward meeting", "venue": "Sizwe Hall",
                  "starts": local(day, 18), "ends": local(day, 20),
                  "agenda": "1. Water\n2. Roads", **kwargs}
        return meeting_announce(actor=actor or staff["manager"], municipality=aaa,
                                wards=wards, **values)
    return make


@pytest.fixture
def console_client(client):
    """A client signed in to the console as the actor's user, both factors passed."""
    def sign_in(actor):
        device = TOTPDevice.objects.filter(user=actor.user, confirmed=True).first() or \
            TOTPDevice.objects.create(user=actor.user, name="phone", confirmed=True)
        client.force_login(actor.user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client
    return sign_in


@pytest.fixture
def sign_in_as(client):
    """A resident signed in on the site, as the PIN sign-in leaves them."""
    def sign_in(citizen):
        session = client.session
        session[SESSION_KEY] = citizen.pk
        session.save()
        return client
    return sign_in
