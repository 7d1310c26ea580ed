"""Payments back to the billing system: the CSV of `imbizo export-payments`, marked
exported once; the webhook integrators get; and the reconciliation each import runs,
which ends a payment's "received, pending" when the billing system's transaction for it
arrives, and reports those still missing after some days."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from imbizo.audit.models import AuditEntry
from imbizo.billing.models import Payment
from imbizo.billing.payment_export import payments_reconcile
from imbizo.billing.payments import payment_notified, payment_start
from imbizo.billing.providers import provider_for
from imbizo.core.permissions import system_actor
from imbizo.webhooks.models import WebhookDelivery
from imbizo.webhooks.services import webhook_subscription_create

from .conftest import account

pytest_plugins = ["tests.billing.payments_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def pay(sandbox, holder, account_1001):
    """A payment made and completed in the sandbox, as the demo page does it."""
    def make(amount: str = "500.00", status: str = "COMPLETE") -> Payment:
        payment = payment_start(actor=holder, account=account_1001, amount=amount)
        fields = provider_for("sandbox").notification_for(payment, status)
        notified = payment_notified(provider="sandbox", fields=fields, source_ip="127.0.0.1",
                                    raw=b"")
        assert notified.http_status == 200
        return Payment.objects.get(pk=payment.pk)
    return make


def export(*args: str) -> tuple[list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_payments", *args, stdout=out, stderr=err)
    return list(csv.DictReader(io.StringIO(out.getvalue()))), err.getvalue()


def test_the_export_lists_completed_payments_once_in_the_documented_columns(pay):
    first, second = pay("500.00"), pay("20.50")
    pay("30.00", status="CANCELLED")
    rows, summary = export("--municipality", "aaa")
    assert list(rows[0]) == ["reference", "municipality", "account_number", "amount",
                             "currency", "paid_at", "paid_on", "provider",
                             "provider_payment_id"]
    assert [r["reference"] for r in rows] == [str(first.uuid), str(second.uuid)]
    paid = timezone.localtime(first.completed)
    assert rows[0] == {"reference": str(first.uuid), "municipality": "AAA",
                       "account_number": "1001", "amount": "500.00", "currency": "ZAR",
                       "paid_at": paid.isoformat(timespec="seconds"),
                       "paid_on": paid.date().isoformat(), "provider": "sandbox",
                       "provider_payment_id": first.provider_payment_id}
    assert rows[0]["paid_at"].endswith("+02:00")  # South African time
    batches = set(Payment.objects.filter(status="complete").values_list("export_batch",
                                                                        flat=True))
    assert len(batches) == 1 and None not in batches
    assert summary.startswith("2 payment(s), R 520.50, batch ")
    entry = AuditEntry.objects.get(action="billing.payments_export")
    assert entry.changes["payments"] == 2 and entry.municipality_code == "AAA"
    assert export()[0] == []  # exported already: the next run writes none of them
    assert len(export("--again")[0]) == 2


def test_since_and_another_municipality_narrow_the_export(pay, tmp_path):
    payment = pay()
    Payment.objects.filter(pk=payment.pk).update(completed=timezone.now() - timedelta(days=3))
    assert export("--municipality", "BBB")[0] == []
    today = timezone.localdate().isoformat()
    assert export("--since", today)[0] == []
    target = tmp_path / "payments.csv"
    call_command("export_payments", "--output", str(target), stderr=io.StringIO())
    assert str(payment.uuid) in target.read_text()
    with pytest.raises(CommandError, match="No municipality"):
        export("--municipality", "ZZZ")
    with pytest.raises(CommandError):
        export("--since", "yesterday")


def test_integrators_are_sent_the_payment_by_webhook(pay, two_municipalities,
                                                     django_capture_on_commit_callbacks):
    webhook_subscription_create(actor=system_actor("cli"), municipality=two_municipalities[0],
                                url="https://billing.aaa.example/imbizo",
                                events=["payment_received"])
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay("500.00")
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "payment_received"
    assert f'"reference":"{payment.uuid}"' in delivery.payload
    assert '"amount":"500.00"' in delivery.payload and "Thandiwe" not in delivery.payload


def test_an_import_bringing_the_billing_systems_transaction_reconciles_the_payment(
        pay, load, caplog):
    ours, theirs, wrong, missing = pay("500.00"), pay("20.50"), pay("30.00"), pay("40.00")
    Payment.objects.filter(pk=missing.pk).update(completed=timezone.now() - timedelta(days=9))
    load([account("1001", transactions=[
        # The billing system's references: ours, upper case; the provider's id; ours with
        # an amount that is not the payment's.
        {"reference": str(ours.uuid).upper(), "date": "2026-07-02", "kind": "payment",
         "amount": "-500.00"},
        {"reference": theirs.provider_payment_id, "date": "2026-07-02", "kind": "payment",
         "amount": "-20.50"},
        {"reference": str(wrong.uuid), "date": "2026-07-02", "kind": "payment",
         "amount": "-3.00"}])])
    reconciled = dict(Payment.objects.filter(reconciled__isnull=False).values_list(
        "pk", "reconciled_reference"))
    assert reconciled == {ours.pk: str(ours.uuid).upper(),
                          theirs.pk: theirs.provider_payment_id}
    assert not Payment.objects.get(pk=ours.pk).pending
    assert Payment.objects.get(pk=wrong.pk).pending
    assert f"1 payment(s) paid over 3 day(s) ago not yet in the billing system: " \
           f"{missing.uuid}" in caplog.text
    entry = AuditEntry.objects.get(action="billing.payments_reconcile")
    assert sorted(entry.changes["matched"]) == sorted([str(ours.uuid), str(theirs.uuid)])
    # Run again: nothing more to match, nothing changes.
    result = payments_reconcile(actor=system_actor("cli"), municipality=ours.municipality)
    assert (result.matched, [p.pk for p in result.unmatched]) == ([], [missing.pk])
    assert Payment.objects.get(pk=ours.pk).amount == Decimal("500.00")
