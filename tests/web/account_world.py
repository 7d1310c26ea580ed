"""Helpers for the "My account" pages' tests: accounts of AAA and BBB loaded through the
billing import, a Revenue & Billing department for bill queries, and residents signed in
on the site (imported by tests/web/test_account_*.py)."""

import pytest

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register, department_create
from imbizo.billing.importer import accounts_import
from imbizo.billing.services import account_link_verify
from imbizo.billing.sources import Entry
from imbizo.core.permissions import system_actor
from imbizo.web.session import SESSION_KEY
from tests.billing.conftest import HOLDER_ID, OTHER_ID, account, statement

# The fixtures, for ``from .account_world import *`` in the tests that use them.
__all__ = ["accounts", "holder", "signed_in"]


def load(municipality, rows: list[dict]) -> None:
    accounts_import(actor=system_actor("cli"), municipality=municipality, source="test",
                    entries=[Entry("account", f"row {n}", row) for n, row in enumerate(rows)])


@pytest.fixture
def accounts(municipalities):
    """AAA: 1001 (Thandiwe's, with two statements and a payment) and 1002 (another
    holder, nothing on record to send a PIN to); BBB: 2001. AAA has Revenue & Billing."""
    aaa, bbb = municipalities
    load(aaa, [account("1001"),
               account("1002", holder_name="Sipho Dlamini", holder_id_number=OTHER_ID,
                       phone="", email="", statements=[statement("2026-06", "99.00")])])
    load(bbb, [account("2001", holder_name="Pieter Botha")])
    department_create(actor=system_actor("cli"), municipality=aaa, code="revenue",
                      name="Revenue & Billing")
    return aaa, bbb


@pytest.fixture
def signed_in(client):
    """A resident of AAA registered on the web and signed in on the test client."""
    def make(phone: str = "0831234567", name: str = "Thandi", municipality=None):
        citizen = citizen_register(actor=system_actor("web"), phone=phone, name=name,
                                   municipality=municipality)
        session = client.session
        session[SESSION_KEY] = citizen.pk
        session.save()
        return citizen
    return make


def link_by_id(citizen, municipality, number: str = "1001", proof: str = HOLDER_ID):
    return account_link_verify(actor=citizen_actor(citizen, channel="web"),
                               municipality=municipality, account_number=number,
                               method="id_number", proof=proof)


@pytest.fixture
def holder(accounts, signed_in):
    """Thandi, signed in, the holder of 1001."""
    citizen = signed_in(municipality=accounts[0])
    link_by_id(citizen, accounts[0])
    return citizen

