"""PayFast: the hosted page's form and signature as documented, and its ITN at
/pay/notify/payfast: a good one completes the payment once; a replay, a tampered or
misdirected one, the wrong amount or merchant, one PayFast does not confirm and one for a
payment we do not know are each logged and credit nothing. PayFast's validation endpoint
is faked at HTTP level (respx)."""

import hashlib
import threading
from decimal import Decimal

import httpx
import pytest

from imbizo.audit.models import AuditEntry
from imbizo.billing.models import Payment, PaymentNotification
from imbizo.billing.payments import payment_checkout, payment_notified, payment_start
from imbizo.billing.providers import CheckoutUrls, provider_for
from imbizo.billing.providers.payfast import (
    checkout_signature,
    itn_parameter_string,
    itn_signature,
)
from imbizo.core.models import DomainEvent

from .payments_itn import MERCHANT_ID, PASSPHRASE, itn, post_itn

pytest_plugins = ["tests.billing.payments_fixtures"]
pytestmark = pytest.mark.django_db
URLS = CheckoutUrls("https://imbizo.example.gov.za/pay/return/x",
                    "https://imbizo.example.gov.za/pay/cancel/x",
                    "https://imbizo.example.gov.za/pay/notify/payfast")

# An ITN from PayFast's own SDK (Payfast/payfast-php-sdk,
# tests/PaymentIntegrations/NotificationTest.php), signed without a passphrase.
SDK_ITN = {
    "m_payment_id": "000000020", "pf_payment_id": "1579137", "payment_status": "COMPLETE",
    "item_name": "Order #000000020", "item_description": "", "amount_gross": "15.00",
    "amount_fee": "-2.30", "amount_net": "12.70", "custom_str1": "", "custom_str2": "",
    "custom_str3": "", "custom_str4": "", "custom_str5": "", "custom_int1": "",
    "custom_int2": "", "custom_int3": "", "custom_int4": "", "custom_int5": "",
    "name_first": "Tom", "name_last": "Tom", "email_address": "lindley+user1@appinlet.com",
    "merchant_id": "10027938", "signature": "4078bca2c8987e0e0c4e7230f2f46323"}


def test_the_itn_signature_is_the_one_payfast_computes_for_its_own_example():
    assert itn_signature(SDK_ITN) == SDK_ITN["signature"]
    # Encoded as PHP's urlencode: "+" for a space, upper-case escapes, "@" and "+" escaped.
    assert "item_name=Order+%23000000020&item_description=&" in itn_parameter_string(SDK_ITN)
    assert "email_address=lindley%2Buser1%40appinlet.com" in itn_parameter_string(SDK_ITN)
    assert itn_signature({**SDK_ITN, "amount_gross": "1.00"}) != SDK_ITN["signature"]


def test_the_checkout_signature_covers_the_non_empty_fields_in_order_and_the_passphrase():
    fields = [("merchant_id", "10000100"), ("merchant_key", "46f0cd694581a"),
              ("return_url", "https://x.example/done"), ("name_first", ""),
              ("amount", "100.00"), ("item_name", "Account 1001 ~ rates")]
    text = ("merchant_id=10000100&merchant_key=46f0cd694581a&return_url=https%3A%2F%2Fx."
            "example%2Fdone&amount=100.00&item_name=Account+1001+%7E+rates")
    assert checkout_signature(fields) == hashlib.md5(text.encode()).hexdigest()
    assert checkout_signature(fields, "jt7NOE43FZPn") == hashlib.md5(
        f"{text}&passphrase=jt7NOE43FZPn".encode()).hexdigest()


def test_the_hosted_page_form_has_payfasts_fields_in_its_order_signed(
        payfast, holder, account_1001):
    payment = payment_start(actor=holder, account=account_1001, amount="1520.35")
    provider, checkout = payment_checkout(actor=holder, payment=payment, urls=URLS)
    assert provider.name == "PayFast"
    assert checkout.action == "https://sandbox.payfast.co.za/eng/process"
    assert checkout.method == "post"
    names = [name for name, _value in checkout.fields]
    assert names == ["merchant_id", "merchant_key", "return_url", "cancel_url", "notify_url",
                     "name_first", "m_payment_id", "amount", "item_name", "item_description",
                     "custom_str1", "signature"]
    values = dict(checkout.fields)
    assert values["m_payment_id"] == str(payment.uuid) and values["amount"] == "1520.35"
    assert values["merchant_id"] == MERCHANT_ID and values["name_first"] == "Thandiwe"
    assert values["signature"] == checkout_signature(checkout.fields[:-1], PASSPHRASE)
    assert "https://sandbox.payfast.co.za" in checkout.origins


@pytest.fixture
def started(payfast, holder, account_1001):
    return payment_start(actor=holder, account=account_1001, amount="250.00")


def notes() -> list[tuple[str, bool, str]]:
    return list(PaymentNotification.objects.order_by("pk").values_list(
        "outcome", "verified", "reason"))


def credited() -> list:
    """Everything crediting a payment leaves: completed payments, their events and their
    audit entries."""
    return [list(Payment.objects.filter(status="complete").values_list("pk", flat=True)),
            DomainEvent.objects.filter(name="payment_received").count(),
            AuditEntry.objects.filter(action="billing.payment_complete").count()]


def test_a_good_itn_completes_the_payment_once_and_a_replay_credits_nothing(
        client, started, validation):
    fields = itn(started)
    response = post_itn(client, fields)
    assert (response.status_code, response.content) == (200, b"OK")
    payment = Payment.objects.get()
    assert (payment.status, payment.provider_payment_id) == ("complete", "1579137")
    assert payment.completed and payment.amount == Decimal("250.00")
    assert payment.pending  # received, not yet in the billing system's balance
    assert payment.account.balance == Decimal("1520.35")  # the billing system's to change
    # PayFast was asked with the parameter string it sent, up to the signature.
    sent = validation.calls.last.request
    assert sent.content.decode() == itn_parameter_string(fields)
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    event = DomainEvent.objects.get(name="payment_received")
    assert event.payload["data"] == {
        "reference": str(payment.uuid), "municipality": "AAA", "account_number": "1001",
        "amount": "250.00", "currency": "ZAR", "provider": "payfast",
        "provider_payment_id": "1579137", "status": "complete",
        "completed": payment.completed.isoformat()}
    entry = AuditEntry.objects.get(action="billing.payment_complete")
    assert (entry.actor, entry.channel, entry.municipality_code) == (
        "provider:payfast", "payfast", "AAA")

    again = post_itn(client, fields)  # PayFast sends it again: it did not see our 200
    assert (again.status_code, again.content) == (200, b"OK")
    assert validation.call_count == 1  # a replay is not confirmed again
    assert credited() == [[payment.pk], 1, 1]
    assert [(o, v) for o, v, _r in notes()] == [("completed", True), ("duplicate", False)]


def test_what_the_log_keeps_of_a_notification_leaves_out_the_payers_details(
        client, started, validation):
    fields = itn(started, custom_str2="4111 1111 1111 1111")
    fields["signature"] = itn_signature(fields, PASSPHRASE)
    assert post_itn(client, fields).status_code == 200
    note = PaymentNotification.objects.get()
    assert note.fields["name_first"] == note.fields["email_address"] == "[removed]"
    assert note.fields["custom_str2"] == "[removed]"  # a card number, wherever it is
    assert note.fields["amount_gross"] == "250.00" and note.fields["merchant_id"] == MERCHANT_ID
    assert (note.source_address, note.provider_payment_id, note.payment) == (
        "197.97.145.145", "1579137", started)
    assert len(note.body_sha256) == 64


@pytest.mark.parametrize(("case", "code"), [
    ("tampered amount", "bad_signature"),
    ("tampered signature", "bad_signature"),
    ("no passphrase", "bad_signature"),
    ("wrong source", "bad_source"),
    ("wrong merchant", "wrong_merchant"),
    ("amount mismatch", "amount_mismatch"),
    ("unknown payment", "unknown_payment"),
    ("not a payment reference", "unknown_payment"),
    ("no signature", "malformed"),
])
def test_a_notification_that_fails_a_check_is_refused_logged_and_credits_nothing(
        client, started, validation, case, code):
    fields, source = itn(started), "197.97.145.145"
    if case == "tampered amount":
        fields["amount_gross"] = "2500.00"
    elif case == "tampered signature":
        last = fields["signature"][-1]
        fields["signature"] = fields["signature"][:-1] + ("1" if last == "0" else "0")
    elif case == "no passphrase":
        fields = itn(started, passphrase="")
    elif case == "wrong source":
        source = "203.0.113.9"
    elif case == "wrong merchant":
        fields = itn(started, merchant_id="10000999")
    elif case == "amount mismatch":
        fields = itn(started, amount="25.00")  # signed: PayFast says 25.00 was paid
    elif case == "unknown payment":
        fields = itn(started, m_payment_id="6b1d9ba2-3c59-4bd9-9f0e-bb1e8c7a2f11")
    elif case == "not a payment reference":
        fields = itn(started, m_payment_id="000000020")
    else:
        del fields["signature"]
    if case in ("unknown payment", "not a payment reference"):
        fields["signature"] = itn_signature(fields, PASSPHRASE)
    response = post_itn(client, fields, source=source)
    assert response.status_code == 400
    assert credited() == [[], 0, 0]
    assert Payment.objects.get().status == "initiated"
    (outcome, verified, reason), = notes()
    assert (outcome, verified) == ("rejected", False) and reason.startswith(code + ":")
    assert validation.call_count == 0  # refused before PayFast is asked


def test_a_notification_payfast_does_not_confirm_is_refused(client, started, validation):
    validation.mock(return_value=httpx.Response(200, text="INVALID"))
    response = post_itn(client, itn(started))
    assert response.status_code == 400
    assert credited() == [[], 0, 0]
    assert notes() == [("rejected", False, "not_validated: PayFast did not answer VALID")]


def test_when_payfast_cannot_be_asked_the_itn_is_left_for_payfast_to_send_again(
        client, started, validation):
    validation.mock(side_effect=httpx.ConnectTimeout("timed out"))
    response = post_itn(client, itn(started))
    assert (response.status_code, response["Retry-After"]) == (503, "600")
    assert credited() == [[], 0, 0]
    assert [o for o, _v, _r in notes()] == ["unconfirmed"]
    validation.mock(return_value=httpx.Response(200, text="VALID"))
    assert post_itn(client, itn(started)).status_code == 200  # PayFast's retry
    assert Payment.objects.get().status == "complete"


def test_a_failed_or_cancelled_payment_is_recorded_and_a_later_completion_still_counts(
        client, started, validation):
    assert post_itn(client, itn(started, status="FAILED", pf_payment_id="1")).status_code \
        == 200
    assert Payment.objects.get().status == "failed"
    assert credited() == [[], 0, 0]
    assert post_itn(client, itn(started, pf_payment_id="2")).status_code == 200
    assert Payment.objects.get().status == "complete"
    # Once complete, nothing a notification says undoes it, and no second completion
    # under another PayFast id is credited.
    post_itn(client, itn(started, status="CANCELLED", pf_payment_id="2"))
    post_itn(client, itn(started, pf_payment_id="3"))
    assert Payment.objects.get().provider_payment_id == "2"
    assert credited()[1:] == [1, 1]
    assert [o for o, _v, _r in notes()] == ["failed", "completed", "ignored", "conflict"]


def test_the_sandbox_cannot_credit_a_site_that_takes_payments_with_payfast(
        client, started):
    fields = provider_for("sandbox").notification_for(started, "COMPLETE")
    response = post_itn(client, fields, provider="sandbox")
    assert response.status_code == 400
    assert notes()[0][2].startswith("provider_off:")
    assert Payment.objects.get().status == "initiated"


def test_the_notify_endpoint_takes_only_form_posts(client, started):
    assert client.get("/pay/notify/payfast").status_code == 405
    assert client.post("/pay/notify/payfast", {"a": "b"},
                       content_type="application/json").status_code == 400
    assert client.post("/pay/notify/nowhere", {}).status_code == 404
    assert not PaymentNotification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_an_itn_at_the_same_moment_credit_the_payment_once(
        payfast, holder, account_1001, validation):
    """Both pass every check at once (PayFast confirms each); the payment's row lock lets
    one complete it, and the other finds it complete."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time: there is no race to lose")
    payment = payment_start(actor=holder, account=account_1001, amount="250.00")
    fields = itn(payment)
    both_asked = threading.Barrier(2, timeout=10)

    def confirm(request):
        both_asked.wait()  # neither applies before both are confirmed
        return httpx.Response(200, text="VALID")

    validation.mock(side_effect=confirm)
    outcomes = []

    def deliver():
        try:
            outcomes.append(payment_notified(provider="payfast", fields=fields,
                                             source_ip="197.97.145.145", raw=b"").outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["completed", "duplicate"]
    assert credited() == [[payment.pk], 1, 1]


def test_a_forged_notification_with_a_nul_character_is_refused_and_logged(
        client, started, validation):
    fields = itn(started)
    fields["m_payment_id"] += "\x00"
    fields["custom_str2"] = "a\x00b"
    assert post_itn(client, fields).status_code == 400
    note = PaymentNotification.objects.get()
    assert (note.outcome, note.fields["custom_str2"]) == ("rejected", "ab")
    assert note.reference == str(started.uuid)
