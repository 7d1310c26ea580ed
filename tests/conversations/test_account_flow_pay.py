""""Pay" in "My account": the amount (the amount due and overdue suggested; a wrong one
said and asked again), then billing's ``payment_start`` as the resident and the address of
the payment's checkout page: in the reply where the channel can open it, by SMS from USSD.
Paid, the resident gets the receipt (notifications/payments.py)."""

import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from imbizo.billing.models import Payment
from imbizo.billing.payments import payment_notified
from imbizo.billing.providers import provider_for
from imbizo.messaging.models import OutboundMessage
from imbizo.notifications.payments import send_receipt
from imbizo.web.session import SESSION_KEY

from .account_helpers import *  # noqa: F403  (fixtures)
from .account_helpers import UssdCallback, whatsapp_fits
from .conftest import PHONE, Chat, choice_key

pytestmark = pytest.mark.usefixtures("sandbox")


@pytest.fixture
def sandbox(settings):
    settings.BILLING_PAYMENT_PROVIDER = "sandbox"
    settings.SITE_URL = "https://imbizo.example.gov.za"


def checkout(text: str) -> str:
    found = re.search(r"https://imbizo\.example\.gov\.za/pay/AAA/1001\?payment=([0-9a-f-]{36})",
                      text)
    assert found, text
    return found.group(1)


def test_on_ussd_the_resident_pays_and_gets_the_link_by_sms(holds, client):
    holds()
    ussd = UssdCallback(client)
    menu = ussd.pick(ussd.dial(), "My account")
    assert menu.startswith("CON Account 1001: R 1,520.35, due 15/07/2026. Overdue: R 1,100.00.")
    ask = ussd.pick(menu, "Pay")
    assert "Due: R 1,520.35. Overdue: R 1,100.00." in ask
    done = ussd.send("1100")
    payment = Payment.objects.get()
    assert (payment.amount, payment.status, payment.citizen.phone) == (1100, "initiated", PHONE)
    assert payment.account.account_number == "1001" and payment.provider == "sandbox"
    assert done.startswith("END We sent you an SMS with the link to pay R 1,100.00 for "
                           "account 1001.")
    sms = OutboundMessage.objects.get(channel="sms", to=PHONE)
    assert checkout(sms.body) == str(payment.uuid)
    assert sms.purpose == "service" and sms.municipality.code == "AAA"
    assert ussd.post() == done  # the gateway sends the hop again: nothing more
    assert Payment.objects.count() == 1 and OutboundMessage.objects.filter(
        channel="sms").count() == 1


@pytest.mark.parametrize(("typed", "said"), [
    ("lots", "Enter an amount in rands, like 250.00."),
    ("12.345", "at most two digits after the point"),
    ("0", "You can pay from R5.00 to R100000.00 at a time."),
    ("-50", "You can pay from R5.00 to R100000.00 at a time."),
    ("200000", "You can pay from R5.00 to R100000.00 at a time."),
])
def test_a_wrong_amount_is_said_politely_and_asked_again(holds, client, typed, said):
    holds()
    ussd = UssdCallback(client)
    ussd.pick(ussd.pick(ussd.dial(), "My account"), "Pay")
    again = ussd.send(typed)
    assert again.startswith("CON ") and said in again and "How much will you pay?" in again
    assert not Payment.objects.exists()
    assert ussd.send("R1,520.35").startswith("END We sent you an SMS")
    assert Payment.objects.get().amount == Decimal("1520.35")


def test_on_whatsapp_the_link_comes_in_the_reply_and_a_retried_webhook_starts_nothing(
        holds, whatsapp_webhook):
    holds()
    wa = whatsapp_webhook
    menu = wa.choose(wa.text("hi"), "My account")
    assert menu.text.startswith("Account 1001: R 1,520.35")
    assert whatsapp_fits(menu) and [c.label for c in menu.choices][:1] == ["Pay"]
    ask = wa.choose(menu, "Pay")
    done = wa.text("250,50")
    payment = Payment.objects.get()
    assert payment.amount == Decimal("250.50")
    assert done.end and "Pay R 250.50 for account 1001 on the secure page" in done.text
    assert checkout(done.text) == str(payment.uuid)
    assert "Due: R 1,520.35" in ask.text
    assert wa.again() == []  # Meta sent the same notification again: no reply, no payment
    assert Payment.objects.count() == 1
    assert not OutboundMessage.objects.filter(channel="sms").exists()


def test_the_link_opens_the_checkout_of_that_payment_for_the_resident_signed_in(
        holds, client, citizen):
    holds()
    sms = Chat("sms/africastalking", PHONE)
    sms.screen(choice_key(sms.screen(choice_key(sms.screen("hi"), "My account")), "Pay"))
    done = sms.screen("99.90")
    key = checkout(done.text)  # the SMS channel reads an address: it is in the reply
    path = done.text.split("gov.za", 1)[1].split()[0]
    assert client.get(path).status_code == 302  # signed out: asked to sign in first
    session = client.session
    session[SESSION_KEY] = citizen.pk
    session.save()
    page = client.get(path)
    assert page.status_code == 200 and key in page.content.decode()


def test_the_receipt_follows_when_it_is_paid(holds, client):
    holds()
    ussd = UssdCallback(client)
    ussd.pick(ussd.pick(ussd.dial(), "My account"), "Pay")
    ussd.send("300")
    payment = Payment.objects.get()
    receipt = complete(payment)
    assert receipt.to == PHONE and "300.00" in receipt.body
    # started on USSD, which carries no message: the resident's first channel that does
    assert payment.channel == "ussd" and receipt.channel == "sms"


def complete(payment: Payment) -> OutboundMessage:
    """The demo's Pay: the sandbox's notification, then the task payment_received enqueues."""
    fields = provider_for("sandbox").notification_for(payment, "COMPLETE")
    payment_notified(provider="sandbox", fields=fields, source_ip="127.0.0.1",
                     raw=urlencode(fields).encode())
    assert send_receipt.call(payment.pk)
    return OutboundMessage.objects.get(dedupe_key=f"payment:{payment.uuid}:receipt")


def test_a_payment_started_on_whatsapp_is_receipted_on_whatsapp(holds, whatsapp_webhook):
    """The resident is where they paid from: the receipt goes back there, not to the
    first channel on their list (SMS, for a number that dialled USSD before)."""
    holds()
    wa = whatsapp_webhook
    wa.choose(wa.choose(wa.text("hi"), "My account"), "Pay")
    wa.text("120")
    payment = Payment.objects.get()
    assert payment.channel == "whatsapp"
    receipt = complete(payment)
    assert receipt.channel == "whatsapp" and "120.00" in receipt.body
