"""Accounts in the revenue console: found by number or by the start of the holder's name,
a page at a time in a fixed number of queries; an account's page with its statements,
transactions, masked linked residents, payments, arrangements, readings (the photo served
to revenue staff only) and bill queries."""

import re

import pytest

from imbizo.billing.queries import bill_query
from tests.billing.conftest import account

pytest_plugins = ["tests.console.revenue_fixtures"]


def numbers(html: str) -> list[str]:
    return re.findall(r'/console/revenue/accounts/[0-9a-f-]+">(\w+)</a>', html)


@pytest.mark.parametrize(("query", "found"), [
    ("q=1001", ["1001"]), ("q=100", ["1001", "1002"]), ("q=thab", ["2001"]),
    ("q=THAN", ["1001"]), ("q=Sipho+D&by=name", ["1002"]), ("q=1&by=name", []),
    ("q=zzz", []), ("", ["1001", "1002", "2001"]),
])
def test_accounts_are_found_by_number_or_the_start_of_the_holders_name(
        query, found, revenue_staff, books, console_client):
    page = console_client(revenue_staff["revenue"]).get(f"/console/revenue/accounts?{query}")
    assert page.status_code == 200 and numbers(page.content.decode()) == found


def test_a_list_row_shows_balance_arrears_by_age_and_linked_residents(revenue_staff, holder,
                                                                     console_client):
    html = console_client(revenue_staff["revenue"]).get(
        "/console/revenue/accounts?q=1001").content.decode()
    row = html[html.index(">1001</a>"):]
    row = row[:row.index("</tr>")]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    assert cells[0] == "Thandiwe Khumalo" and cells[-1] == "1"  # one linked resident
    assert cells[1] == "R 1,520.35" and cells[2] == "R 420.35"  # balance, this month
    assert cells[3:7] == ["R 300.00", "R 0.00", "R 0.00", "R 800.00"]  # 30 ... 120+ days


def test_the_accounts_list_pages_in_a_fixed_number_of_queries(revenue_staff, books,
                                                              load_accounts, console_client,
                                                              django_assert_max_num_queries):
    load_accounts([account(f"3{n:03d}", holder_name=f"Holder {n:03d}", holder_id_number="",
                           phone="", email="") for n in range(45)])
    c = console_client(revenue_staff["revenue"])
    c.get("/console/revenue/accounts")
    with django_assert_max_num_queries(9):
        first = c.get("/console/revenue/accounts").content.decode()
    assert len(numbers(first)) == 30
    after = re.search(r'href="\?after=(\d+)" rel="next"', first).group(1)
    with django_assert_max_num_queries(9):
        second = c.get(f"/console/revenue/accounts?after={after}").content.decode()
    assert len(numbers(second)) == 18 and not set(numbers(first)) & set(numbers(second))
    by_name = c.get("/console/revenue/accounts?q=holder").content.decode()
    after = re.search(r'after=(\d+)" rel="next"', by_name).group(1)
    rest = c.get(f"/console/revenue/accounts?q=holder&by=name&after={after}").content.decode()
    assert numbers(by_name) + numbers(rest) == [f"3{n:03d}" for n in range(45)]
    assert c.get("/console/revenue/accounts?after=nonsense").status_code == 200


def test_the_account_page_shows_what_revenue_staff_need_with_residents_masked(
        revenue_staff, proposal, flagged, holder, books, console_client,
        django_assert_max_num_queries):
    case = bill_query(actor=holder, account=books, text="Why is my water bill so high?")
    c = console_client(revenue_staff["revenue"])
    c.get(f"/console/revenue/accounts/{books.uuid}")
    with django_assert_max_num_queries(20):
        page = c.get(f"/console/revenue/accounts/{books.uuid}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "2026-06" in html and "Property rates" in html  # a statement and its lines
    assert "PAY-1" in html  # a transaction
    assert "T••• K•••" in html and "Khumalo" not in html.split("Linked residents")[2]
    assert "082" not in html and "+27•••••01" in html
    assert "Waiting for a decision" in html  # the arrangement
    assert f"/console/revenue/readings/{flagged.uuid}/photo" in html
    assert case.reference in html


def test_a_readings_photo_is_served_to_revenue_staff_and_no_one_else(
        revenue_staff, flagged, console_client, client):
    url = f"/console/revenue/readings/{flagged.uuid}/photo"
    ok = console_client(revenue_staff["revenue"]).get(url)
    assert ok.status_code == 200 and ok["Content-Type"] == "image/jpeg"
    assert b"".join(ok.streaming_content)[:2] == b"\xff\xd8"
    assert ok["Cache-Control"] == "private, no-store" and ok["X-Content-Type-Options"] == "nosniff"
    assert console_client(revenue_staff["bbb"], client.__class__()).get(url).status_code == 404
    assert console_client(revenue_staff["water"], client.__class__()).get(url).status_code == 403
    assert client.__class__().get(url).status_code == 302  # to sign in
