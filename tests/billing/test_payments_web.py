"""Paying on the citizen site: the pay page (signed in, linked, without JavaScript), the
page that sends the resident to the provider, the sandbox's demo page, the return and
cancel pages, and the receipt that follows on the resident's channel, in their language."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from imbizo.accounts.services import citizen_update
from imbizo.billing.models import Payment, PaymentNotification
from imbizo.billing.payments import payment_start
from imbizo.messaging.models import OutboundMessage
from imbizo.notifications.payments import RECEIPT
from imbizo.web.session import SESSION_KEY

pytest_plugins = ["tests.billing.payments_fixtures"]
PAY = "/pay/AAA/1001"


@pytest.fixture
def signed_in(client, holder):
    session = client.session
    session[SESSION_KEY] = holder.citizen.pk
    session.save()
    return client


def checkout_url(response) -> str:
    assert response.status_code == 302, response.content[:300]
    assert response["Location"].startswith(f"{PAY}?payment=")
    return response["Location"]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.django_db
def test_a_visitor_is_asked_to_sign_in_and_a_stranger_finds_no_account(
        client, sandbox, holder, signed_in):
    client.logout()
    response = client.get(PAY)
    assert response.status_code == 302
    assert response["Location"] == "/signin?next=%2Fpay%2FAAA%2F1001"
    session = client.session
    session[SESSION_KEY] = holder.citizen.pk
    session.save()
    assert client.get("/pay/AAA/1002").status_code == 404  # not theirs
    assert client.get("/pay/BBB/1001").status_code == 404
    assert client.post("/pay/AAA/1002", {"amount": "10.00"}).status_code == 404
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_the_pay_page_offers_the_amount_due_in_a_few_queries(
        signed_in, sandbox, django_assert_num_queries):
    signed_in.get(PAY)  # the session's first read
    # session, resident, account (its visibility in the same query), their payments
    with django_assert_num_queries(4):
        response = signed_in.get(PAY)
    assert response.status_code == 200
    page = text(response)
    assert 'name="amount" value="1520.35"' in page
    assert "R 1520.35" in page and "Pay account 1001" in page
    assert "<script>" not in page


@pytest.mark.django_db
def test_a_wrong_amount_is_a_form_error_that_keeps_what_was_typed(signed_in, sandbox):
    response = signed_in.post(PAY, {"amount": "12.345"})
    assert response.status_code == 200
    page = text(response)
    assert 'value="12.345"' in page
    assert "with at most two digits after the point" in page
    response = signed_in.post(PAY, {"amount": "2"})
    assert "You can pay from R5.00 to R100000.00 at a time." in text(response)
    assert not Payment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_resident_pays_in_the_sandbox_and_gets_a_receipt_on_their_channel_in_their_language(
        signed_in, sandbox, holder, run_worker):
    citizen_update(actor=holder, citizen=holder.citizen, language="zu",
                   preferred_channel="whatsapp")
    checkout = checkout_url(signed_in.post(PAY, {"amount": "500.00"}))
    payment = Payment.objects.get()
    assert (payment.status, payment.amount, payment.provider) == ("initiated", 500, "sandbox")

    page = text(signed_in.get(checkout))  # one button to the provider's page, no script
    demo = f"/pay/sandbox/{payment.uuid}"
    assert f'<form method="get" action="{demo}">' in page
    assert signed_in.get(checkout).get("Content-Security-Policy", "").count("form-action") == 1

    page = text(signed_in.get(demo))
    assert 'value="pay"' in page and 'value="cancel"' in page and 'name="card' not in page
    response = signed_in.post(demo, {"action": "pay"})
    assert response["Location"] == f"/pay/return/{payment.uuid}"
    payment.refresh_from_db()
    assert payment.status == "complete" and payment.provider_payment_id.startswith("SBX-")
    note = PaymentNotification.objects.get()
    assert (note.provider, note.outcome, note.verified) == ("sandbox", "completed", True)
    assert signed_in.post(demo, {"action": "pay"}).status_code == 302  # a second press
    assert Payment.objects.get().status == "complete"
    assert PaymentNotification.objects.count() == 1  # ...makes no notification

    returned = signed_in.get(response["Location"])
    assert returned.status_code == 200

    run_worker()  # the event was relayed on commit; the receipt task runs
    message = OutboundMessage.objects.get(citizen=holder.citizen)
    payment.refresh_from_db()
    assert (message.channel, message.to, message.language) == ("whatsapp", "+27821110001",
                                                                "zu")
    params = {"amount": "500.00", "municipality": "Aaa Local", "account": "1001",
              "date": f"{timezone.localtime(payment.completed):%Y-%m-%d %H:%M}",
              "reference": str(payment.uuid)}
    with translation.override("zu"):
        assert message.body == str(RECEIPT) % params
    with translation.override("en"):
        assert message.body != str(RECEIPT) % params  # it is in isiZulu
    assert str(payment.uuid) in message.body and "500.00" in message.body
    assert payment.receipt_sent is not None
    run_worker()
    assert OutboundMessage.objects.filter(citizen=holder.citizen).count() == 1


@pytest.mark.django_db
def test_the_return_page_says_what_we_know_and_credits_nothing(
        signed_in, client, sandbox, holder, account_1001):
    payment = payment_start(actor=holder, account=account_1001, amount="100.00")
    response = signed_in.get(f"/pay/return/{payment.uuid}")
    page = text(response)
    assert "We are waiting for the payment provider to confirm your payment of R 100.00" in page
    assert Payment.objects.get().status == "initiated"  # the return is no proof of payment
    Payment.objects.filter(pk=payment.pk).update(status="complete",
                                                 completed=timezone.now())
    page = text(signed_in.get(f"/pay/return/{payment.uuid}"))
    assert "We received your payment of R 100.00 to account 1001. We will send you a " \
           "receipt on your phone." in page
    signed_in.logout()  # someone else, or a session that ended: no details
    page = text(client.get(f"/pay/return/{payment.uuid}"))
    assert "1001" not in page and "100.00" not in page and "Thank you" in page


@pytest.mark.django_db
def test_coming_back_without_paying_cancels_the_payment(signed_in, sandbox, holder,
                                                        account_1001):
    payment = payment_start(actor=holder, account=account_1001, amount="100.00")
    demo = f"/pay/sandbox/{payment.uuid}"
    response = signed_in.post(demo, {"action": "cancel"})
    assert response["Location"] == f"/pay/cancel/{payment.uuid}"
    page = text(signed_in.get(response["Location"]))
    assert "You did not pay" in page and f'href="{PAY}"' in page
    assert Payment.objects.get().status == "cancelled"
    assert signed_in.get(demo).status_code == 302  # nothing left to pay there


@pytest.mark.django_db
def test_the_provider_page_button_posts_payfasts_form_allowed_by_the_pages_policy(
        signed_in, payfast):
    checkout = checkout_url(signed_in.post(PAY, {"amount": "1520.35"}))
    response = signed_in.get(checkout)
    page = text(response)
    assert '<form method="post" action="https://sandbox.payfast.co.za/eng/process">' in page
    assert '<input type="hidden" name="merchant_id" value="10000100">' in page
    assert '<input type="hidden" name="notify_url" value="https://imbizo.example.gov.za' \
           '/pay/notify/payfast">' in page
    assert "Continue to PayFast" in page and "<script" not in page.split("</head>")[1]
    policy = response["Content-Security-Policy"]
    assert re.search(r"form-action 'self' https://sandbox\.payfast\.co\.za", policy)
    # The sandbox's page is not there to be used on a site that takes real payments.
    payment = Payment.objects.get()
    assert signed_in.get(f"/pay/sandbox/{payment.uuid}").status_code == 404
    # Another page keeps the site's policy.
    assert "payfast" not in signed_in.get(PAY)["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_checkout_of_a_finished_payment_goes_to_its_return_page(signed_in, sandbox,
                                                                   holder, account_1001):
    payment = payment_start(actor=holder, account=account_1001, amount="100.00")
    Payment.objects.filter(pk=payment.pk).update(status="failed",
                                                 updated=timezone.now() - timedelta(1))
    response = signed_in.get(f"{PAY}?payment={payment.uuid}")
    assert response["Location"] == f"/pay/return/{payment.uuid}"
    assert signed_in.get(f"{PAY}?payment=not-a-uuid").status_code == 404
