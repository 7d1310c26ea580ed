"""Accounts in the admin: read-only, each staff member's municipality's only, and never
the hash that stands in for the holder's ID number."""

from imbizo.accounts.models import Role
from imbizo.billing.models import UtilityAccount

from .conftest import account


def test_an_agent_reads_their_municipalitys_accounts_and_changes_none(
        load, make_staff, client, two_municipalities):
    aaa, _bbb = two_municipalities
    load([account("1001", holder_name="Thandiwe Khumalo")])
    load([account("2001", holder_name="Sipho Dlamini", ward="1")], municipality="BBB")
    client.force_login(make_staff({"role": Role.AGENT, "municipality": aaa}).user)
    page = client.get("/admin/billing/utilityaccount/")
    assert page.status_code == 200
    assert b"Thandiwe Khumalo" in page.content and b"Sipho Dlamini" not in page.content
    mine = UtilityAccount.objects.get(account_number="1001")
    detail = client.get(f"/admin/billing/utilityaccount/{mine.pk}/change/").content.decode()
    assert "Thandiwe Khumalo" in detail and mine.holder_id_hash not in detail
    assert client.get("/admin/billing/utilityaccount/add/").status_code == 403
    other = UtilityAccount.objects.get(account_number="2001")
    assert client.get(f"/admin/billing/utilityaccount/{other.pk}/change/").status_code == 302
    assert client.get("/admin/billing/importbatch/").status_code == 200


def test_staff_without_billing_view_do_not_see_accounts(load, make_staff, client,
                                                        two_municipalities):
    load([account("1001")])
    client.force_login(make_staff({"role": Role.OFFICER,
                                   "municipality": two_municipalities[0]}).user)
    assert client.get("/admin/billing/utilityaccount/").status_code == 403


def test_policies_arrangements_and_readings_are_shown_and_changed_by_no_one_here(
        make_staff, client, two_municipalities):
    aaa, _bbb = two_municipalities
    client.force_login(make_staff({"role": Role.MANAGER, "municipality": aaa}).user)
    for path in ("arrangementpolicy", "arrangement", "meterreading"):
        assert client.get(f"/admin/billing/{path}/").status_code == 200
        if path != "arrangementpolicy":  # a revenue manager's, saved by its service
            assert client.get(f"/admin/billing/{path}/add/").status_code == 403
