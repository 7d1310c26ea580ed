"""Steps the journeys share: signing a resident in with the PIN from the outbox, signing
staff in to the console with password and TOTP code, a photo to upload, building a case
through the services. Each acts as a person would, through the pages' own labels."""

import io
import re

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register
from imbizo.cases.services import Location, case_log
from imbizo.core.permissions import system_actor
from imbizo.messaging.models import OutboundMessage

STAFF_PASSWORD = "a-long-test-password"  # make_staff's (tests/conftest.py)
PHONE, PHONE_E164 = "082 123 4567", "+27821234567"
WARD1 = (-29.95, 20.05)  # a point in AAA ward 1 (tests/conftest.py: two_municipalities)


def pin_sent_to(phone: str) -> str:
    """The code in the newest message to ``phone`` (E.164), as the simulator shows it."""
    message = OutboundMessage.objects.filter(to=phone).order_by("-pk").first()
    assert message is not None, f"no message to {phone}"
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def resident_sign_in(page, *, phone: str = PHONE, e164: str = PHONE_E164,
                     then: str = "/my") -> None:
    """Phone number, then the one-time PIN the outbox holds for it."""
    page.goto(f"/signin?next={then}")
    page.get_by_label("Your phone number").fill(phone)
    page.get_by_role("button", name="Send me a code").click()
    page.wait_for_url("**/signin/code")
    page.get_by_label("The 6-digit code").fill(pin_sent_to(e164))
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"**{then}")


def totp_code(device: TOTPDevice) -> str:
    """What the staff member's authenticator app shows now, from the device's key."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def console_sign_in(page, user, *, password: str = STAFF_PASSWORD) -> None:
    """Password, then the 6-digit code, at /console/login."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() \
        or TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto("/console/login")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/console/verify")
    page.get_by_label("6-digit code from your authenticator app").fill(totp_code(device))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/console/verify" not in url and "/console/login" not in url)


def photo_file(tmp_path, name: str = "pothole.png"):
    """A small real PNG, as a phone's camera would hand over."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(buffer, format="PNG")
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


def resident(*, phone: str = PHONE_E164, name: str = "Nomsa", municipality=None):
    citizen = citizen_register(actor=system_actor("web"), phone=phone, name=name,
                               municipality=municipality)
    return citizen


def reported_case(citizen, *, category: str = "pothole", description: str = "Deep pothole"):
    """A case the resident logged in AAA ward 1, through the one service."""
    return case_log(actor=citizen_actor(citizen, channel="web"), category=category,
                    description=description,
                    location=Location(latitude=WARD1[0], longitude=WARD1[1]))


def session_for(context, server: str, *, citizen=None, user=None) -> None:
    """Put a signed-in session's cookie in the browser, as the sign-in pages would leave
    it (they are walked through in the journeys; pages that only need someone signed in
    skip them): a resident's id as web/session.py keeps it, or a staff user logged in
    with their TOTP device verified, as tests/console/conftest.py does."""
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from imbizo.web.session import SESSION_KEY

    client = Client()
    if user is not None:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() \
            or TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        client.force_login(user)
    session = client.session
    if user is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    if citizen is not None:
        session[SESSION_KEY] = citizen.pk
    session.save()
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": session.session_key, "url": server}])
