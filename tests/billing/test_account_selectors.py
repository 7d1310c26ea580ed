"""Who sees which account: a resident their linked ones, staff and keys their
municipality's with billing.view; and a balance look-up in a fixed number of queries."""

from datetime import date
from decimal import Decimal

import pytest

from imbizo.accounts.models import Role
from imbizo.api.keys import api_key_actor, api_key_create
from imbizo.billing.selectors import (
    access_account,
    account_list,
    account_summary,
    statement_detail,
)
from imbizo.billing.services import account_link_verify
from imbizo.core.errors import NotFound
from imbizo.core.permissions import system_actor

from .conftest import HOLDER_ID, account, statement


@pytest.fixture
def accounts(load):
    months = [statement(f"2025-{m:02d}", f"{m}.00") for m in range(1, 13)]
    load([account("1001", statements=months), account("1002")])
    load([account("2001", ward="90200001")], municipality="BBB")


def numbers(actor) -> set[str]:
    return set(account_list(actor=actor).values_list("account_number", flat=True))


def test_a_resident_sees_only_the_accounts_linked_to_them(accounts, resident,
                                                          two_municipalities):
    thandi, sipho = resident(), resident("0821110002")
    assert numbers(thandi) == set()
    account_link_verify(actor=thandi, municipality=two_municipalities[0],
                        account_number="1001", method="id_number", proof=HOLDER_ID)
    assert numbers(thandi) == {"1001"} and numbers(sipho) == set()
    with pytest.raises(NotFound):
        access_account(sipho, municipality="AAA", account_number="1001")
    with pytest.raises(NotFound):
        access_account(thandi, municipality="AAA", account_number="1002")


def test_staff_see_their_municipalitys_accounts_with_billing_view(accounts, make_staff,
                                                                  two_municipalities):
    aaa, bbb = two_municipalities
    assert numbers(make_staff({"role": Role.AGENT, "municipality": aaa})) == {"1001", "1002"}
    assert numbers(make_staff({"role": Role.MANAGER, "municipality": bbb})) == {"2001"}
    assert numbers(make_staff({"role": Role.OFFICER, "municipality": aaa})) == set()
    assert numbers(make_staff({"role": Role.ANALYST})) == set()
    assert len(numbers(make_staff({"role": Role.PLATFORM_ADMIN}))) == 3
    key = api_key_actor(api_key_create(actor=system_actor("cli"), municipality=bbb,
                                       name="Billing", role=Role.MANAGER)[1])
    assert numbers(key) == {"2001"}
    with pytest.raises(NotFound):
        access_account(key, municipality="AAA", account_number="1001")


@pytest.mark.parametrize("who", ["staff", "resident"])
def test_a_balance_look_up_is_two_queries(accounts, make_staff, resident, two_municipalities,
                                          django_assert_num_queries, who):
    if who == "staff":
        actor = make_staff({"role": Role.AGENT, "municipality": two_municipalities[0]})
    else:
        actor = resident()
        account_link_verify(actor=actor, municipality=two_municipalities[0],
                            account_number="1001", method="id_number", proof=HOLDER_ID)
    with django_assert_num_queries(2):
        summary = account_summary(actor=actor, municipality="AAA", account_number="1001")
        assert summary.account.balance == Decimal("1520.35")
        assert summary.account.ward.number == 1 and summary.account.municipality.code == "AAA"
    assert [s.period for s in summary.statements] == [date(2025, m, 1)
                                                      for m in range(12, 6, -1)]


def test_a_statement_comes_with_its_lines_in_three_queries(accounts, make_staff,
                                                           two_municipalities,
                                                           django_assert_num_queries):
    agent = make_staff({"role": Role.AGENT, "municipality": two_municipalities[0]})
    with django_assert_num_queries(3):
        found = statement_detail(actor=agent, municipality="AAA", account_number="1001",
                                 period=date(2025, 3, 14))
        assert [x.line for x in found.lines.all()] == [1, 2]
        assert found.account.account_number == "1001"
    with pytest.raises(NotFound, match="No statement for 2024-03"):
        statement_detail(actor=agent, municipality="AAA", account_number="1001",
                         period=date(2024, 3, 1))
