"""Payments in the revenue console: newest first, filtered by status, provider,
reconciliation state and day, a page at a time in a fixed number of queries, with the
latest imports' reconciliation reports."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from imbizo.billing.models import Payment
from imbizo.billing.payments import payment_notified, payment_start
from imbizo.billing.providers import provider_for
from tests.billing.conftest import account

pytest_plugins = ["tests.console.revenue_fixtures"]


@pytest.fixture
def pay(settings, holder, books):
    settings.BILLING_PAYMENT_PROVIDER = "sandbox"

    def make(amount: str = "500.00", status: str = "COMPLETE") -> Payment:
        payment = payment_start(actor=holder, account=books, amount=amount)
        if status:
            fields = provider_for("sandbox").notification_for(payment, status)
            payment_notified(provider="sandbox", fields=fields, source_ip="127.0.0.1", raw=b"")
        return Payment.objects.get(pk=payment.pk)
    return make


def shown(html: str) -> list[str]:
    return re.findall(r"<code>([0-9a-f-]{36})</code>", html)


def test_payments_show_where_they_stand_with_the_billing_system(
        revenue_staff, pay, load_accounts, console_client, django_assert_max_num_queries):
    with freeze_time(timezone.now() - timedelta(days=5)):
        late = pay("100.00")
    matched, pending, started = pay("200.00"), pay("300.00"), pay("40.00", status="")
    load_accounts([account("1001", transactions=[
        {"reference": str(matched.uuid), "date": str(timezone.localdate()), "kind": "payment",
         "amount": "-200.00"}])], control={"accounts": 1})
    c = console_client(revenue_staff["revenue"])
    c.get("/console/revenue/payments")
    with django_assert_max_num_queries(10):
        html = c.get("/console/revenue/payments").content.decode()
    assert shown(html) == [str(p.uuid) for p in (started, pending, matched, late)]
    assert "1 payment received over 3 days ago is not yet in the billing system" in html
    assert f"Reconciled ({matched.uuid})" in html
    assert "Control totals" in html  # the import's report
    for query, expected in [("state=late", [late]), ("state=reconciled", [matched]),
                            ("state=pending", [pending]), ("status=initiated", [started]),
                            ("provider=payfast", []),
                            (f"since={timezone.localdate()}", [started, pending, matched])]:
        page = c.get(f"/console/revenue/payments?{query}").content.decode()
        assert shown(page) == [str(p.uuid) for p in expected], query


def test_bad_filters_are_said_on_their_fields(revenue_staff, books, console_client):
    response = console_client(revenue_staff["revenue"]).get(
        "/console/revenue/payments?since=yesterday&status=lost")
    html = response.content.decode()
    assert response.status_code == 400 and 'value="yesterday"' in html
    assert html.count('class="field-error"') == 2


def test_payments_page_at_a_time(revenue_staff, pay, console_client):
    made = [pay("10.00", status="") for _ in range(32)]
    c = console_client(revenue_staff["revenue"])
    first = c.get("/console/revenue/payments").content.decode()
    after = re.search(r'href="\?after=(\d+)" rel="next"', first).group(1)
    second = c.get(f"/console/revenue/payments?after={after}").content.decode()
    assert shown(first) + shown(second) == [str(p.uuid) for p in reversed(made)]


def test_other_municipalities_see_none_of_them(revenue_staff, pay, console_client):
    payment = pay()
    html = console_client(revenue_staff["bbb"]).get("/console/revenue/payments").content
    assert str(payment.uuid).encode() not in html
