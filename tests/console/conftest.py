"""Console helpers: staff of AAA and BBB, and clients signed in with both factors."""

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from imbizo.accounts.models import Role


@pytest.fixture(autouse=True)
def no_device_backoff(settings):
    """django-otp's growing pause between tries (tested on its own) off by default."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code_for(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += offset_steps * device.step
    return f"{totp.token():06d}"


def device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.fixture
def console_client(client):
    """A client signed in to the console as the actor's user, both factors passed."""
    def sign_in(actor, c=None):
        c = c or client
        device = TOTPDevice.objects.filter(user=actor.user, confirmed=True).first() \
            or device_for(actor.user)
        c.force_login(actor.user)
        session = c.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return c
    return sign_in


@pytest.fixture
def staff(make_staff, municipalities, department):
    aaa, bbb = municipalities
    ward1 = aaa.wards.order_by("code").first()
    return {
        "officer": make_staff({"role": Role.OFFICER, "municipality": aaa,
                               "department": department("roads")}),
        "supervisor": make_staff({"role": Role.SUPERVISOR, "municipality": aaa,
                                  "department": department("roads")}),
        "agent": make_staff({"role": Role.AGENT, "municipality": aaa}),
        "councillor": make_staff({"role": Role.COUNCILLOR, "municipality": aaa,
                                  "ward": ward1}),
        "contractor": make_staff({"role": Role.CONTRACTOR, "municipality": aaa}),
        "other": make_staff({"role": Role.SUPERVISOR, "municipality": bbb,
                             "department": department("roads", "BBB")}),
    }
