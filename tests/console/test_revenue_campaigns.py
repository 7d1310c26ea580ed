"""Debt-recovery campaigns in the revenue console: revenue staff see their municipality's
campaigns, preview and create one (bad settings are field errors that keep what was
typed), start it and read what each bucket recovered; anyone else is refused."""

import pytest
from freezegun import freeze_time

from imbizo.accounts.models import Role
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register, department_create
from imbizo.billing.campaign_models import Campaign
from imbizo.billing.campaigns import campaign_create
from imbizo.billing.importer import accounts_import
from imbizo.billing.services import account_link_verify
from imbizo.billing.sources import jsonl_entries
from imbizo.core.permissions import system_actor
from imbizo.notifications.campaigns import campaign_send
from tests.billing.conftest import HOLDER_ID, account, write_jsonl

MORNING = "2026-07-01 08:00:00"



@pytest.fixture
def books(municipalities, tmp_path):
    """AAA: 1001 (oldest arrears 120+ days), held by Thandiwe; 1002 (30 days); BBB: 9001."""
    aaa, bbb = municipalities
    for municipality, rows in ((aaa, [account("1001"), account("1002", holder_id_number="",
                                                               arrears={"30": "400"})]),
                               (bbb, [account("9001")])):
        path = write_jsonl(tmp_path / f"{municipality.code}.jsonl", rows)
        accounts_import(actor=system_actor("cli"), municipality=municipality,
                        entries=jsonl_entries(path), source=path.name)
    citizen = citizen_register(actor=system_actor("web"), phone="0821110001",
                               name="Thandiwe", municipality=aaa)
    account_link_verify(actor=citizen_actor(citizen, channel="web"), municipality=aaa,
                        account_number="1001", method="id_number", proof=HOLDER_ID)
    return aaa, bbb


@pytest.fixture
def people(books, make_staff, department):
    aaa, bbb = books
    revenue = department_create(actor=system_actor("cli"), municipality=aaa, code="revenue",
                                name="Revenue & Billing")
    return {
        "revenue": make_staff({"role": Role.MANAGER, "municipality": aaa,
                               "department": revenue}),
        "roads_manager": make_staff({"role": Role.MANAGER, "municipality": aaa,
                                     "department": department("roads")}),
        "agent": make_staff({"role": Role.AGENT, "municipality": aaa}),
        "bbb_manager": make_staff({"role": Role.MANAGER, "municipality": bbb}),
    }


def test_revenue_staff_preview_create_start_and_read_the_results(people, console_client):
    c = console_client(people["revenue"])
    assert c.get("/console/revenue/campaigns").status_code == 200
    form = {"buckets": ["90", "120"], "min_arrears": "100", "kind": "pay_or_arrange",
            "window_days": "30"}
    page = c.post("/console/revenue/campaigns/new", {**form, "preview": "1"})
    assert page.status_code == 200 and not Campaign.objects.exists()
    assert "Who it would reach now" in page.content.decode()
    response = c.post("/console/revenue/campaigns/new", form)
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == \
        f"/console/revenue/campaigns/{campaign.pk}"
    assert (campaign.buckets, campaign.status, campaign.created_by) == (
        [90, 120], "draft", people["revenue"].user)
    with freeze_time(MORNING):
        assert c.post(f"/console/revenue/campaigns/{campaign.pk}").status_code == 302
        assert campaign_send.call(campaign.pk, 0) == 1
    page = c.get(f"/console/revenue/campaigns/{campaign.pk}").content.decode()
    assert "Recovered within 30 days of each reminder" in page
    assert "120 days or more" in page and "Start sending" not in page
    listing = c.get("/console/revenue/campaigns").content.decode()
    assert f"/console/revenue/campaigns/{campaign.pk}" in listing


def test_the_campaign_page_costs_the_same_whatever_its_size(people, console_client,
                                                             django_assert_max_num_queries):
    c = console_client(people["revenue"])
    campaign = campaign_create(actor=people["revenue"], municipality=people["revenue"]
                               .grants[0].municipality, buckets=[30, 120])
    with freeze_time(MORNING):
        c.post(f"/console/revenue/campaigns/{campaign.pk}")
        campaign_send.call(campaign.pk, 0)
    with django_assert_max_num_queries(20):
        assert c.get(f"/console/revenue/campaigns/{campaign.pk}").status_code == 200


@pytest.mark.parametrize(("fields", "error"), [
    ({"buckets": []}, "This field is required."),
    ({"min_arrears": "lots"}, "Enter an amount in rand, such as 250 or 250.50."),
    ({"window_days": "500"}, "Give a window of 1 to 120 days."),
])
def test_bad_settings_are_field_errors_that_keep_what_was_typed(people, console_client,
                                                                fields, error):
    c = console_client(people["revenue"])
    data = {"buckets": ["60"], "min_arrears": "100", "kind": "pay", "window_days": "30",
            **fields}
    response = c.post("/console/revenue/campaigns/new", data)
    page = response.content.decode()
    assert response.status_code == 400 and error in page
    assert f'value="{data["min_arrears"]}"' in page and not Campaign.objects.exists()


def test_staff_of_other_departments_and_municipalities_are_refused(people, console_client,
                                                                   client):
    campaign = campaign_create(actor=people["revenue"], municipality=people["revenue"]
                               .grants[0].municipality, buckets=[120])
    for who in ("roads_manager", "agent"):
        c = console_client(people[who])
        for url in ("/console/revenue/campaigns", "/console/revenue/campaigns/new",
                    f"/console/revenue/campaigns/{campaign.pk}"):
            assert c.get(url).status_code == 403
        assert c.post(f"/console/revenue/campaigns/{campaign.pk}").status_code == 403
        client.logout()
    c = console_client(people["bbb_manager"])
    assert c.get(f"/console/revenue/campaigns/{campaign.pk}").status_code == 404
    assert c.post(f"/console/revenue/campaigns/{campaign.pk}").status_code == 404
    assert "/console/revenue/campaigns/" not in c.get("/console/revenue/campaigns") \
        .content.decode().replace("/console/revenue/campaigns/new", "")
    assert Campaign.objects.get().status == "draft"
