"""Who reaches the revenue console: managers of the Revenue & Billing department or of the
whole municipality, in their own municipality only; other departments' managers, agents
and officers get the 403 page and no account data; the nav shows the link to those
allowed only."""

import pytest

from imbizo.billing.policy import is_revenue_staff, revenue_municipality_ids

pytest_plugins = ["tests.console.revenue_fixtures"]

PAGES = ["/console/revenue", "/console/revenue/accounts", "/console/revenue/arrangements",
         "/console/revenue/arrangements/waiting", "/console/revenue/readings",
         "/console/revenue/payments", "/console/revenue/policy"]


@pytest.mark.parametrize("who", ["revenue", "manager"])
def test_revenue_staff_open_every_page_and_see_their_accounts(who, revenue_staff, books,
                                                             console_client):
    c = console_client(revenue_staff[who])
    for page in PAGES:
        assert c.get(page).status_code == 200, page
    listing = c.get("/console/revenue/accounts").content.decode()
    assert "Thandiwe Khumalo" in listing and "Thandeka Zulu" not in listing
    assert 'href="/console/revenue"' in c.get("/console/").content.decode()


@pytest.mark.parametrize("who", ["water", "agent", "officer"])
def test_other_departments_and_roles_are_refused_and_see_no_accounts(who, revenue_staff,
                                                                    books, console_client):
    c = console_client(revenue_staff[who])
    for page in PAGES:
        response = c.get(page)
        assert response.status_code == 403, page
        assert b"Thandiwe" not in response.content and b"1001" not in response.content
    assert c.get(f"/console/revenue/accounts/{books.uuid}").status_code == 403
    assert 'href="/console/revenue"' not in c.get("/console/").content.decode()


def test_another_municipalitys_revenue_staff_get_a_404_for_its_records(revenue_staff, books,
                                                                       console_client):
    c = console_client(revenue_staff["bbb"])
    listing = c.get("/console/revenue/accounts").content.decode()
    assert "Thandeka Zulu" in listing and "Thandiwe" not in listing
    assert c.get(f"/console/revenue/accounts/{books.uuid}").status_code == 404
    assert c.get("/console/revenue/accounts?m=AAA").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, books):
    response = client.get("/console/revenue/accounts")
    assert response.status_code == 302 and response["Location"].startswith("/console/login")


def test_a_platform_administrator_chooses_the_municipality(make_staff, books, console_client,
                                                           revenue_departments):
    from imbizo.accounts.models import Role
    c = console_client(make_staff({"role": Role.PLATFORM_ADMIN}))
    page = c.get("/console/revenue/accounts?m=BBB").content.decode()
    assert "Thandeka Zulu" in page and "Thandiwe" not in page
    assert 'name="m"' in page  # the switch between municipalities


def test_who_is_revenue_staff(revenue_staff, municipalities):
    aaa, bbb = municipalities
    assert revenue_municipality_ids(revenue_staff["revenue"]) == {aaa.pk}
    assert revenue_municipality_ids(revenue_staff["manager"]) == {aaa.pk}
    assert revenue_municipality_ids(revenue_staff["water"]) == set()
    assert revenue_municipality_ids(revenue_staff["agent"]) == set()
    assert is_revenue_staff(revenue_staff["bbb"], bbb.pk)
    assert not is_revenue_staff(revenue_staff["bbb"], aaa.pk)
