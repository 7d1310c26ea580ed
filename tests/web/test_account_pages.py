"""A linked account's page: what is owed and by when, arrears by age, statements with
their lines, transactions, "Query this bill" and, for the holder, who else sees it and
unlinking. Nobody else sees it: another resident, and anyone for another municipality's
account, gets the same 404 as for an account that does not exist."""

import pytest

from imbizo.billing.models import AccountLink
from imbizo.cases.models import Case
from tests.billing.conftest import account, statement

from .account_world import *  # noqa: F403  (fixtures: accounts, holder, signed_in)
from .account_world import link_by_id, load
from .test_account_link import signed_in_again
from .test_pages import BUDGET, weight

PAGES = ("/account/AAA/1001", "/account/AAA/1001/statement/2026-06",
         "/account/AAA/1001/statement/2026-06.pdf")


def test_the_account_page_shows_balance_due_date_arrears_statements_and_payments(client,
                                                                                holder):
    page = client.get("/account/AAA/1001")
    assert page.status_code == 200
    text = page.text
    assert "R 1,520.35" in text and "Due by 15 July 2026." in text
    assert "Overdue: R 1,100.00." in text  # 30 days and 120 days and more
    assert "120 days and more" in text and "R 800.00" in text
    assert "June 2026: R 1,520.35" in text and "May 2026: R 980.00" in text
    assert "Water 12 kl" in text and "R 80.35" in text  # the latest statement's lines
    assert "PAY-1" in text and "-R 500.00" in text
    assert "/account/AAA/1001/statement/2026-06.pdf" in text
    assert "Query this bill" in text and "Who else sees this account" in text
    assert 'href="/pay/AAA/1001"' in text  # the way to pay it


def test_my_account_lists_the_linked_account_with_the_role(client, holder):
    page = client.get("/account")
    assert "/account/AAA/1001" in page.text and "Account holder" in page.text


@pytest.mark.parametrize("path", PAGES)
def test_another_resident_gets_a_404_for_an_account_not_theirs(client, holder, signed_in,
                                                              path):
    signed_in("0841112222", "Sipho")
    assert client.get(path).status_code == 404
    assert client.get("/account").text.count("/account/AAA/1001") == 0


@pytest.mark.parametrize("path", [p.replace("AAA/1001", "BBB/2001") for p in PAGES]
                         + ["/account/BBB/1001", "/account/AAA/9999"])
def test_an_account_of_another_municipality_or_none_at_all_is_the_same_404(client, holder,
                                                                          path):
    assert client.get(path).status_code == 404


def test_nobody_else_can_query_or_unlink_the_account(client, holder, signed_in):
    signed_in("0841112222", "Sipho")
    assert client.post("/account/AAA/1001/query", {"text": "Why so much?", "token": "t1"}) \
        .status_code == 404
    assert client.post("/account/AAA/1001/unlink").status_code == 404
    assert not Case.objects.exists()
    assert AccountLink.objects.get().unlinked is None


def test_a_month_that_is_no_month_is_a_404(client, holder):
    for period in ("2026-13", "june", "2026-05-01", "2025-01"):
        assert client.get(f"/account/AAA/1001/statement/{period}").status_code == 404


def test_the_account_page_reads_a_fixed_number_of_queries(client, holder, accounts,
                                                         django_assert_num_queries):
    """Session, resident, account, statements, their lines, transactions, links; the same
    with six statements of many lines as with two."""
    client.get("/account/AAA/1001")  # the configuration memo and the session warmed up
    with django_assert_num_queries(7):
        client.get("/account/AAA/1001")
    lines = [{"line": n, "description": f"Line {n}", "amount": "1.00"} for n in range(1, 12)]
    load(accounts[0], [account("1001", statements=[
        statement(f"2026-0{m}", "10.00", lines) for m in range(1, 9)])])
    with django_assert_num_queries(7):
        page = client.get("/account/AAA/1001")
    assert "Line 11" in page.text


def test_a_bill_query_is_logged_as_a_case_and_its_reference_shown(client, holder):
    page = client.get("/account/AAA/1001")
    token = page.text.split('name="token" value="')[1].split('"')[0]
    done = client.post("/account/AAA/1001/query", {
        "about": "2026-06:2", "text": "The water charge is twice what I use.", "token": token},
        follow=True)
    case = Case.objects.get()
    assert f"Your query is logged with reference {case.reference}." in done.text
    assert case.extra == {"account_number": "1001", "statement_period": "2026-06",
                          "statement_line": "2: Water 12 kl, R 80.35"}
    assert case.department.code == "revenue" and case.channel == "web"
    assert case.reporter == holder and not case.public
    client.post("/account/AAA/1001/query", {"about": "2026-06:2", "text": "Again",
                                            "token": token})
    assert Case.objects.count() == 1  # the same form sent twice: one case


def test_a_query_without_words_is_asked_again_keeping_the_choice(client, holder):
    refused = client.post("/account/AAA/1001/query", {"about": "2026-05", "text": "",
                                                      "token": "t"})
    assert refused.status_code == 400 and "This field is required." in refused.text
    assert '<option value="2026-05" selected>' in refused.text
    assert not Case.objects.exists()


def test_the_holder_sees_who_else_sees_the_account_and_removes_them(client, accounts,
                                                                   holder, signed_in):
    sipho = signed_in("0841112222", "Sipho")
    link = link_by_id(sipho, accounts[0])
    signed_in_again(client, holder)
    page = client.get("/account/AAA/1001")
    assert "Sipho (+2784••••222): asks to see it" in page.text
    client.post("/account/AAA/1001/unlink", {"link": str(link.uuid)})
    link.refresh_from_db()
    assert link.unlinked is not None
    assert "Only you." in client.get("/account/AAA/1001").text


def test_a_resident_unlinks_their_own_account(client, holder):
    done = client.post("/account/AAA/1001/unlink", follow=True)
    assert "Account 1001 is no longer linked to you." in done.text
    assert client.get("/account/AAA/1001").status_code == 404


def test_a_link_that_is_no_link_is_refused_politely(client, holder):
    page = client.post("/account/AAA/1001/unlink", {"link": "not-a-uuid"}, follow=True)
    assert "No such account link." in page.text
    assert AccountLink.objects.get().unlinked is None


def test_the_account_pages_stay_under_60_kb(client, holder):
    for path in ("/account", "/account/AAA/1001", "/account/AAA/1001/statement/2026-06",
                 "/account/link"):
        page = client.get(path)
        assert page.status_code == 200 and weight(page) < BUDGET, path


def test_the_site_links_to_my_account(client, holder):
    for path in ("/", "/my"):
        assert 'href="/account"' in client.get(path).text
