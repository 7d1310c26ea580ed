"""The holder's ID number is never stored, logged or reported; a resident's links are
theirs to export and erase (POPIA)."""

import contextlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models

from imbizo.accounts.privacy import PARTS
from imbizo.accounts.services import citizen_erase, citizen_export
from imbizo.audit.models import AuditEntry
from imbizo.billing.models import AccountLink, LinkAttempt, Payment, UtilityAccount
from imbizo.billing.services import account_link_verify
from imbizo.core.errors import ImbizoError
from imbizo.core.models import DomainEvent
from imbizo.core.permissions import system_actor

from .conftest import HOLDER_ID, OTHER_ID, account


def every_text_value() -> str:
    """Every text and JSON value of every row of billing, the audit log and the events."""
    found = []
    for model in [*apps.get_app_config("billing").get_models(), AuditEntry, DomainEvent]:
        names = [f.attname for f in model._meta.concrete_fields
                 if isinstance(f, models.CharField | models.TextField | models.JSONField)]
        for row in model.objects.values_list(*names):
            found += [str(value) for value in row]
    return "\n".join(found)


def test_the_id_number_is_in_no_column_after_an_import_and_linking(load, resident,
                                                                   two_municipalities):
    load([account("1001"), account("1002", holder_id_number=HOLDER_ID[:-1] + "0")])
    aaa = two_municipalities[0]
    thandi = resident()
    for proof in (OTHER_ID, HOLDER_ID):  # a wrong try, then the right one
        with contextlib.suppress(ImbizoError):
            account_link_verify(actor=thandi, municipality=aaa, account_number="1001",
                                method="id_number", proof=proof)
    assert AccountLink.objects.exists() and LinkAttempt.objects.count() == 2
    text = every_text_value()
    for number in (HOLDER_ID, OTHER_ID, HOLDER_ID[:-1] + "0"):
        assert number not in text
    assert UtilityAccount.objects.get(account_number="1001").holder_id_hash not in (
        HOLDER_ID, "")


def test_the_id_hash_is_keyed(load, settings):
    load([account("1001")])
    first = UtilityAccount.objects.get().holder_id_hash
    settings.BILLING_ID_HASH_KEY = "another key"
    load([account("1001")])
    assert UtilityAccount.objects.get().holder_id_hash != first


def test_a_residents_links_are_exported_and_erased(load, resident, two_municipalities):
    assert "billing" in PARTS
    load([account("1001")])
    thandi = resident()
    account_link_verify(actor=thandi, municipality=two_municipalities[0],
                        account_number="1001", method="id_number", proof=HOLDER_ID)
    paid = Payment.objects.create(municipality=two_municipalities[0], citizen=thandi.citizen,
                                  account=UtilityAccount.objects.get(), provider="sandbox",
                                  amount="150.00")
    copy = citizen_export(actor=thandi, citizen=thandi.citizen)["billing"]
    assert copy["account_links"][0]["account"] == "1001"
    assert copy["link_attempts"][0]["ok"] is True
    assert [(x["reference"], x["amount"]) for x in copy["payments"]] == [
        (paid.m_payment_id, "150.00")]
    citizen_erase(actor=system_actor("cli"), citizen=thandi.citizen)
    assert not AccountLink.objects.exists() and not LinkAttempt.objects.exists()
    assert UtilityAccount.objects.exists()  # the municipality's billing record stays
    paid.refresh_from_db()  # so does the payment, without her
    assert paid.citizen is None and paid.amount == Decimal("150.00")


@pytest.mark.parametrize("proof", ["", "abc", HOLDER_ID + "0"])
def test_a_malformed_id_number_is_simply_no_match(load, resident, two_municipalities, proof):
    load([account("1001")])
    with pytest.raises(ImbizoError) as error:
        account_link_verify(actor=resident(), municipality=two_municipalities[0],
                            account_number="1001", method="id_number", proof=proof)
    assert error.value.code == "link_not_matched"
