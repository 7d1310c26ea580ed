"""The demo's municipal accounts: fictional, loaded through the billing import, some in
arrears, a few linked to their demo resident, and quick to load."""

from collections import Counter
from datetime import date

from imbizo.audit.models import AuditEntry
from imbizo.billing.models import AccountLink, ImportBatch, Statement, UtilityAccount
from imbizo.demo.people import generate_residents
from imbizo.demo.utility_accounts import ACCOUNTS, LINKED, MONTHS, generate_accounts


def test_the_demo_has_its_accounts_through_the_billing_import(demo):
    accounts = UtilityAccount.objects.filter(municipality__code="DMO")
    assert demo.accounts == accounts.count() == ACCOUNTS
    batch = ImportBatch.objects.get(source="demo")
    assert batch.accounts_created == ACCOUNTS and batch.accounts_rejected == 0
    assert AuditEntry.objects.filter(action="billing.import").count() == 1
    assert Statement.objects.filter(account__in=accounts).count() == ACCOUNTS * MONTHS
    assert accounts.exclude(holder_id_hash="").count() >= 10  # residents' own homes


def test_some_accounts_are_in_arrears_and_every_balance_adds_up(demo):
    accounts = list(UtilityAccount.objects.filter(municipality__code="DMO"))
    assert all(a.balance == sum(a.arrears.values()) for a in accounts)
    overdue = [a for a in accounts if a.arrears_30 + a.arrears_60 + a.arrears_90 + a.arrears_120]
    old = [a for a in accounts if a.arrears_120]
    assert 0.15 * len(accounts) < len(overdue) < 0.5 * len(accounts) and old


def test_a_few_residents_are_linked_to_their_own_account(demo):
    links = AccountLink.objects.filter(municipality__code="DMO").select_related(
        "account", "citizen")
    assert 0 < links.count() <= LINKED
    assert all(link.role == "holder" and link.account.phone_on_record == link.citizen.phone
               for link in links)


def test_the_same_seed_and_day_give_the_same_accounts():
    residents = generate_residents(2021, list(range(1, 33)), 200)
    suburbs = {n: [f"Suburb {n}"] for n in range(1, 33)}
    first = generate_accounts(2021, residents, suburbs, date(2026, 7, 20))
    assert first == generate_accounts(2021, residents, suburbs, date(2026, 7, 20))
    assert len(first) == ACCOUNTS and len({r["account_number"] for r in first}) == ACCOUNTS
    periods = Counter(s["period"] for r in first for s in r["statements"])
    assert sorted(periods) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05",
                               "2026-06"]
