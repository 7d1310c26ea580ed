"""Starting a payment: only a resident linked to the account (its holder, or a proxy the
holder approved) may, for an amount in rands and cents within the limits; the balance is
left to the billing system."""

from decimal import Decimal

import pytest

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register
from imbizo.audit.models import AuditEntry
from imbizo.billing.models import AccountLink, Payment, UtilityAccount
from imbizo.billing.payments import access_payment, payment_list, payment_start
from imbizo.billing.services import account_link_approve, account_link_verify
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor

from .conftest import HOLDER_ID

pytest_plugins = ["tests.billing.payments_fixtures"]
pytestmark = pytest.mark.django_db


def refused(code: str, **kwargs) -> ImbizoError:
    with pytest.raises(ImbizoError) as error:
        payment_start(**kwargs)
    assert error.value.code == code, error.value
    assert not Payment.objects.exists()
    return error.value


def test_the_holder_starts_a_payment_to_the_configured_provider(sandbox, holder,
                                                                account_1001):
    payment = payment_start(actor=holder, account=account_1001, amount=" 1520.35 ")
    assert (payment.status, payment.provider, payment.amount) == (
        "initiated", "sandbox", Decimal("1520.35"))
    assert (payment.citizen, payment.account, payment.municipality) == (
        holder.citizen, account_1001, account_1001.municipality)
    assert payment.m_payment_id == str(payment.uuid)
    assert list(payment_list(actor=holder)) == [payment]
    assert access_payment(holder, payment.uuid) == payment
    entry = AuditEntry.objects.get(action="billing.payment_start")
    assert (entry.actor, entry.channel) == (holder.label, "web")
    assert entry.changes == {"account": "1001", "amount": "1520.35", "provider": "sandbox"}
    assert UtilityAccount.objects.get(pk=account_1001.pk).balance == Decimal("1520.35")


def test_a_resident_without_an_approved_link_cannot_pay(sandbox, holder, account_1001):
    stranger = citizen_actor(citizen_register(actor=system_actor("web"), phone="0725550000"),
                             channel="web")
    refused("account_not_found", actor=stranger, account=account_1001, amount="10.00")
    # Proving control makes them a proxy, pending the holder's approval: still no.
    link = account_link_verify(actor=stranger, municipality=account_1001.municipality,
                               account_number="1001", method="id_number", proof=HOLDER_ID)
    assert link.pending
    refused("account_not_found", actor=stranger, account=account_1001, amount="10.00")
    account_link_approve(actor=holder, link=link)
    assert payment_start(actor=stranger, account=account_1001, amount="10.00").citizen == \
        stranger.citizen
    assert access_payment(stranger, Payment.objects.get().uuid)
    with pytest.raises(ImbizoError):  # each sees only their own payments
        access_payment(holder, Payment.objects.get().uuid)


def test_an_unlinked_holder_or_another_municipalitys_account_cannot_be_paid(
        sandbox, holder, account_1001):
    other = UtilityAccount.objects.get(account_number="1002")
    refused("account_not_found", actor=holder, account=other, amount="10.00")
    AccountLink.objects.filter(citizen=holder.citizen).update(unlinked=account_1001.created)
    refused("account_not_found", actor=holder, account=account_1001, amount="10.00")


def test_staff_and_visitors_do_not_pay_for_residents(sandbox, make_staff, account_1001):
    agent = make_staff({"role": "agent", "municipality": account_1001.municipality})
    refused("sign_in_required", actor=agent, account=account_1001, amount="10.00")
    refused("sign_in_required", actor=system_actor("web"), account=account_1001,
            amount="10.00")


@pytest.mark.parametrize(("amount", "code"), [
    ("", "invalid_amount"), ("abc", "invalid_amount"), ("NaN", "invalid_amount"),
    ("Infinity", "invalid_amount"), ("10.005", "invalid_amount"), ("0", "amount_out_of_range"),
    ("-50", "amount_out_of_range"), ("4.99", "amount_out_of_range"),
    ("100000.01", "amount_out_of_range"), ("1e9", "amount_out_of_range"),
])
def test_an_amount_that_is_not_rands_and_cents_within_the_limits_is_refused(
        sandbox, holder, account_1001, amount, code):
    error = refused(code, actor=holder, account=account_1001, amount=amount)
    assert error.extra["field"] == "amount"


def test_the_limits_are_settings_and_a_comma_is_a_decimal_point(sandbox, settings, holder,
                                                                account_1001):
    settings.BILLING_PAYMENT_MAX = "500.00"
    error = refused("amount_out_of_range", actor=holder, account=account_1001, amount="600")
    assert error.message == "You can pay from R5.00 to R500.00 at a time."
    assert payment_start(actor=holder, account=account_1001, amount="99,50").amount == \
        Decimal("99.50")
