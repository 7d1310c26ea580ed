"""Fixtures of the payment tests (a plugin of each tests/billing/test_payments_*.py): an
account of AAA with its holder linked through the linking service, PayFast configured
with its public sandbox merchant (ITNs: payments_itn.py)."""

import httpx
import pytest
import respx

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register
from imbizo.billing.models import UtilityAccount
from imbizo.billing.services import account_link_verify
from imbizo.core.permissions import system_actor

from .conftest import HOLDER_ID, account
from .payments_itn import MERCHANT_ID, MERCHANT_KEY, PASSPHRASE, PAYFAST, VALIDATE


@pytest.fixture
def payfast(settings):
    """PayFast as the provider, its ITN source hosts not looked up (no DNS in tests)."""
    settings.BILLING_PAYMENT_PROVIDER = "payfast"
    settings.PAYFAST_MERCHANT_ID, settings.PAYFAST_MERCHANT_KEY = MERCHANT_ID, MERCHANT_KEY
    settings.PAYFAST_PASSPHRASE, settings.PAYFAST_URL = PASSPHRASE, PAYFAST
    settings.PAYFAST_VALID_HOSTS = []
    settings.SITE_URL = "https://imbizo.example.gov.za"
    return settings


@pytest.fixture
def sandbox(settings):
    settings.BILLING_PAYMENT_PROVIDER = "sandbox"
    return settings


@pytest.fixture
def validation():
    """PayFast's validation endpoint, faked at HTTP level; answers VALID unless told."""
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(VALIDATE).mock(return_value=httpx.Response(200, text="VALID"))
        yield route


@pytest.fixture
def holder(load, two_municipalities):
    """Thandiwe, signed in on the web, holder of AAA account 1001 (balance R1520.35)."""
    load([account("1001"), account("1002", holder_id_number="", phone="", email="")])
    citizen = citizen_register(actor=system_actor("web"), phone="0821110001", name="Thandiwe",
                               municipality=two_municipalities[0])
    actor = citizen_actor(citizen, channel="web")
    account_link_verify(actor=actor, municipality=two_municipalities[0],
                        account_number="1001", method="id_number", proof=HOLDER_ID)
    return actor


@pytest.fixture
def account_1001(holder) -> UtilityAccount:
    return UtilityAccount.objects.select_related("municipality").get(account_number="1001")

