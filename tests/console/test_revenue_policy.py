"""The arrangement policy page: the defaults until a policy is saved, saved through
``arrangement_policy_set`` (audited), a bad value said on its field with what was typed."""

from imbizo.audit.models import AuditEntry
from imbizo.billing.arrangement_models import ArrangementPolicy

pytest_plugins = ["tests.console.revenue_fixtures"]

FORM = {"deposit_percent": "10.00", "deposit_minimum": "0.00", "max_months": "24",
        "min_instalment": "100.00", "broken_lookback_months": "12",
        "auto_approve_max_arrears": "50000.00", "deposit_due_days": "7", "reminder_days": "3",
        "broken_after_days": "7"}


def test_the_policy_is_shown_and_saved_audited(revenue_staff, console_client, municipalities):
    c = console_client(revenue_staff["revenue"])
    page = c.get("/console/revenue/policy").content.decode()
    assert "these are the defaults in force" in page and 'value="24"' in page
    response = c.post("/console/revenue/policy", {**FORM, "max_months": "12"})
    assert response.status_code == 302
    policy = ArrangementPolicy.objects.get(municipality=municipalities[0])
    assert policy.max_months == 12
    entry = AuditEntry.objects.get(action="billing.policy_set")
    assert entry.channel == "console" and entry.changes["max_months"] == {"from": "24",
                                                                          "to": "12"}
    assert 'value="12"' in c.get("/console/revenue/policy").content.decode()


def test_bad_values_come_back_on_their_fields_as_typed(revenue_staff, console_client):
    c = console_client(revenue_staff["revenue"])
    response = c.post("/console/revenue/policy", {**FORM, "max_months": "61",
                                                  "reminder_days": "20",
                                                  "min_instalment": "a hundred"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="61"' in html and 'value="20"' in html and 'value="a hundred"' in html
    assert html.count('class="field-error"') == 1  # the form's own: not a number
    response = c.post("/console/revenue/policy", {**FORM, "max_months": "61",
                                                  "reminder_days": "20"})
    html = response.content.decode()
    assert response.status_code == 400 and html.count('class="field-error"') == 2
    assert 'value="61"' in html and 'value="20"' in html
    assert not ArrangementPolicy.objects.exists()
    assert not AuditEntry.objects.filter(action="billing.policy_set").exists()


def test_other_staff_cannot_change_it(revenue_staff, console_client, client):
    for who in ("water", "agent"):
        c = console_client(revenue_staff[who], client.__class__())
        assert c.post("/console/revenue/policy", FORM).status_code == 403
    assert console_client(revenue_staff["bbb"], client.__class__()).post(
        "/console/revenue/policy?m=AAA", FORM).status_code == 404
    assert not ArrangementPolicy.objects.exists()
