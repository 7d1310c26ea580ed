""""Meter reading" in "My account": the meter (only the account's; asked only when it has
two), the numbers (a wrong one said and asked again), a photo where the channel can send
one, the read-back, then billing's ``reading_submit`` as the resident. A reading lower than
the last, or far above usual, is kept and said to be checked; the same one sent again is
kept once."""

import io
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
import respx
from django.utils import timezone
from PIL import Image

from imbizo.accounts.permissions import citizen_actor
from imbizo.billing.models import MeterReading, UtilityAccount
from imbizo.billing.readings import reading_submit
from tests.billing.conftest import account

from .account_helpers import *  # noqa: F403  (fixtures)
from .account_helpers import UssdCallback, whatsapp_fits

TODAY = f"{timezone.localdate():%d/%m/%Y}"


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 90, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def earlier(citizen, value: str, days: int, kind: str = "water") -> MeterReading:
    """A reading the resident sent ``days`` ago, through billing's service."""
    return reading_submit(actor=citizen_actor(citizen, channel="web"),
                          account=UtilityAccount.objects.get(account_number="1001"),
                          kind=kind, value=value,
                          read_on=timezone.localdate() - timedelta(days=days))


def read_on_ussd(client, value: str) -> str:
    ussd = UssdCallback(client)
    ask = ussd.pick(ussd.pick(ussd.dial(), "My account"), "Meter reading")
    assert ask.startswith("CON Water: type the numbers on the meter")  # its only meter
    confirm = ussd.send(value)
    assert "Send it?" in confirm
    return ussd.pick(confirm, "Yes")


def test_on_ussd_a_water_reading_is_read_back_and_recorded(holds, client, citizen):
    holds()  # 1001's services: rates and water
    ussd = UssdCallback(client)
    ask = ussd.pick(ussd.pick(ussd.dial(), "My account"), "Meter reading")
    confirm = ussd.send("04512,5")  # no photo on a feature phone: straight to the read-back
    assert confirm.startswith(f"CON Water 4512.5 kl on {TODAY} for account 1001. Send it?")
    done = ussd.pick(confirm, "Yes")
    assert done == f"END Thank you. Recorded for account 1001: Water 4512.5 kl on {TODAY}."
    reading = MeterReading.objects.get()
    assert (reading.kind, reading.value, reading.flag, reading.channel) == (
        "water", Decimal("4512.5"), "", "ussd")
    assert reading.submitted_by == citizen and reading.read_on == timezone.localdate()
    assert ussd.post() == done  # the gateway repeats the hop: nothing more
    assert MeterReading.objects.count() == 1 and "Water" in ask


def test_a_reading_lower_than_the_last_is_kept_and_said_to_be_checked(holds, client, citizen):
    holds()
    earlier(citizen, "5000", days=30)
    done = read_on_ussd(client, "4100")
    assert done == (f"END Thank you. Kept for account 1001: Water 4100 kl on {TODAY}. It is "
                    "lower than the last reading, so we will check it.")
    assert MeterReading.objects.get(value=4100).flag == "lower_than_last"


def test_a_reading_far_above_usual_is_kept_and_said_to_be_checked(holds, client, citizen):
    holds()
    earlier(citizen, "1000", days=61)
    earlier(citizen, "1020", days=21)  # 0.5 kl a day
    done = read_on_ussd(client, "1200")
    assert "far above your usual use, so we will check it." in done
    assert MeterReading.objects.get(value=1200).flag == "unusually_high"


def test_the_same_reading_sent_again_is_kept_once(holds, client):
    holds()
    first = read_on_ussd(client, "777")
    second = read_on_ussd(client, "777")  # a new session, the same numbers, the same day
    assert first == second and "Recorded" in second
    assert MeterReading.objects.count() == 1


@pytest.mark.parametrize("typed", ["abc", "12.3456", "-5", "1 2 3 x", "1234567890"])
def test_a_wrong_reading_is_said_and_asked_again(holds, client, typed):
    holds()
    ussd = UssdCallback(client)
    ussd.pick(ussd.pick(ussd.dial(), "My account"), "Meter reading")
    again = ussd.send(typed)
    assert again.startswith("CON Enter the numbers on the meter, such as 04512 or 4512.5.")
    assert "Water: type the numbers" in again
    assert not MeterReading.objects.exists()
    assert "Send it?" in ussd.send("4512")


def test_an_account_without_a_meter_says_so(holds, client):
    holds(account("1001", services=["rates", "refuse"]))
    ussd = UssdCallback(client)
    done = ussd.pick(ussd.pick(ussd.dial(), "My account"), "Meter reading")
    assert done == "END This account has no water or electricity meter on record."


@respx.mock
def test_on_whatsapp_the_resident_picks_the_meter_and_sends_a_photo(holds, whatsapp_webhook,
                                                                    settings):
    holds(account("1001", services=["rates", "water", "electricity"]))
    respx.get(f"{settings.WHATSAPP_API_URL}/meter1").mock(return_value=httpx.Response(
        200, json={"url": "https://lookaside.example/meter1", "mime_type": "image/jpeg",
                   "file_size": 1000}))
    respx.get("https://lookaside.example/meter1").mock(
        return_value=httpx.Response(200, content=jpeg()))
    wa = whatsapp_webhook
    menu = wa.choose(wa.text("hi"), "My account")
    assert whatsapp_fits(menu) and "Meter reading" in [c.label for c in menu.choices]
    which = wa.choose(menu, "Meter reading")
    assert which.text == "Which meter?" and [c.label for c in which.choices] == [
        "Water", "Electricity"]
    wa.choose(which, "Electricity")
    photo = wa.text("23456.7")
    assert photo.expects == "photo" and "photo of the meter" in photo.text
    confirm = wa.photo("meter1")
    assert confirm.text == f"Electricity 23456.7 kWh on {TODAY} for account 1001. Send it?"
    done = wa.choose(confirm, "Yes")
    assert done.end and done.text == (f"Thank you. Recorded for account 1001: Electricity "
                                      f"23456.7 kWh on {TODAY}.")
    reading = MeterReading.objects.get()
    assert reading.kind == "electricity" and reading.channel == "whatsapp"
    assert reading.photo and reading.photo_sha256
    assert wa.again() == []  # the same webhook delivered again: no second reading
    assert MeterReading.objects.count() == 1


def test_on_whatsapp_the_photo_may_be_skipped(holds, whatsapp_webhook):
    holds()
    wa = whatsapp_webhook
    wa.choose(wa.choose(wa.text("hi"), "My account"), "Meter reading")
    assert wa.text("88").expects == "photo"
    confirm = wa.text("0")
    assert confirm.text.startswith("Water 88 kl")
    assert wa.choose(confirm, "No").text == "Nothing was sent."
    assert not MeterReading.objects.exists()
