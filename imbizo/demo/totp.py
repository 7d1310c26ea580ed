"""DEMO ONLY: every demo staff login gets a TOTP device with one published secret, so a
newcomer can pass the console's two-step sign-in without enrolling a phone
(docs/demo.md: `imbizo demo-totp <username>` or `oathtool`).

Nothing outside the demo loader and the `demo_totp` command uses this module; a device
with this secret is as public as the demo password, which is why ``seed-demo`` refuses
to run with DEBUG off unless forced."""

import base64

from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from imbizo.audit.services import audit_record

DEMO_TOTP_KEY = b"imbizo-demo-totp-key"  # published: docs/demo.md
DEMO_TOTP_BASE32 = base64.b32encode(DEMO_TOTP_KEY).decode()  # NFWWE2L2N4WWIZLNN4WXI33UOAWWWZLZ
DEMO_DEVICE_NAME = "demo (published secret)"


@transaction.atomic
def demo_totp_give(*, user) -> TOTPDevice:
    """The demo user's confirmed device with the published secret (made once)."""
    device = TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME,
                                           key=DEMO_TOTP_KEY.hex(), confirmed=True)
        audit_record(actor="system", channel="cli", action="demo.totp_device", obj=device,
                     changes={"user": user.pk})
    return device


def is_demo_device(device: TOTPDevice) -> bool:
    return device.name == DEMO_DEVICE_NAME and device.bin_key == DEMO_TOTP_KEY


def demo_totp_code(device: TOTPDevice) -> str:
    """The code the demo device accepts now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
