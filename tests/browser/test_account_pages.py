"""The "My account" pages, each loaded in Chromium with no internet as test_pages.py loads
the main pages: nothing refused by the Content-Security-Policy, nothing asked of another
site, no serious or critical axe-core violation, at most 60 KB transferred. A resident of
AAA, signed in, holds accounts 1001 (nothing arranged or read yet) and 1005 (a payment
arrangement running and meter readings, one flagged); a payment waits on the sandbox.

A new account page is one line in PAGES: ``{payment}`` in a path is that payment's uuid.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from imbizo.accounts.permissions import citizen_actor
from imbizo.billing.arrangements import arrangement_propose
from imbizo.billing.payments import payment_start
from imbizo.billing.readings import reading_submit
from imbizo.billing.selectors import access_account
from tests.billing.conftest import account
from tests.web.account_world import link_by_id, load

from .checks import axe_check, page_weight, weighed
from .journey import resident, session_for
from .test_pages import CITIZEN_BUDGET

pytestmark = pytest.mark.browser

PAGES = [
    ("/account", "table, ul, .empty"),
    ("/account/AAA/1001", ".owed"),
    ("/account/AAA/1001/statement/2026-06", "table"),
    ("/pay/AAA/1001", "#id_amount"),
    ("/pay/AAA/1001?payment={payment}", "form button"),
    ("/pay/sandbox/{payment}", "form button"),
    ("/account/AAA/1001/arrangement", "#id_deposit"),
    ("/account/AAA/1005/arrangement", "table.lines"),
    ("/account/AAA/1001/readings", "#id_value"),
    ("/account/AAA/1005/readings", "table.lines"),
]


@pytest.fixture
def holder_of_accounts(server, municipalities, settings, tmp_path):
    """The resident, the holder of 1001 and 1005, and a payment of R100 on 1001 waiting on
    the sandbox's page."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BILLING_PAYMENT_PROVIDER = "sandbox"
    aaa = municipalities[0]
    load(aaa, [account("1001"), account("1005")])
    citizen = resident(municipality=aaa)
    for number in ("1001", "1005"):
        link_by_id(citizen, aaa, number)
    actor = citizen_actor(citizen, channel="web")
    first, second = (access_account(actor, municipality="AAA", account_number=n)
                     for n in ("1001", "1005"))
    arrangement_propose(actor=actor, account=second, deposit="200", months="9")
    today = timezone.localdate()
    for value, days_ago in (("1000", 30), ("1020.5", 10), ("900", 0)):  # the last flagged
        reading_submit(actor=actor, account=second, kind="water", value=value,
                       read_on=today - timedelta(days=days_ago))
    payment = payment_start(actor=actor, account=first, amount="100.00")
    return citizen, payment


@pytest.mark.parametrize("path, shows", PAGES, ids=[p for p, _ in PAGES])
def test_the_account_page_loads_within_its_policy(path, shows, holder_of_accounts, page,
                                                 console, offsite, server):
    citizen, payment = holder_of_accounts
    session_for(page.context, server, citizen=citizen)
    path = path.format(payment=payment.uuid)
    weight = page_weight(page, path)
    assert 0 < weight.total <= CITIZEN_BUDGET, str(weight)
    assert page.url.endswith(path), page.url  # not sent elsewhere (to sign in, say)
    page.locator(shows).first.wait_for(state="visible")
    assert console.csp_violations == []
    assert [url for url in offsite if weighed(url)] == []
    axe_check(page)
