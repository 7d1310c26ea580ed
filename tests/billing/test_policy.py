"""A municipality's arrangement policy, written by ``arrangement_policy_set``: revenue
managers of that municipality (or platform administrators) only, every value checked,
audited with what changed; the admin saves through it too."""

from decimal import Decimal

import pytest

from imbizo.accounts.models import Role
from imbizo.accounts.services import department_create
from imbizo.audit.models import AuditEntry
from imbizo.billing.arrangement_models import ArrangementPolicy
from imbizo.billing.arrangement_terms import policy_for
from imbizo.billing.policy import arrangement_policy_set
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import system_actor


@pytest.fixture
def staff(make_staff, two_municipalities):
    aaa, bbb = two_municipalities
    system = system_actor("cli")
    revenue = department_create(actor=system, municipality=aaa, code="revenue", name="Revenue")
    water = department_create(actor=system, municipality=aaa, code="water", name="Water")
    return {
        "revenue": make_staff({"role": Role.MANAGER, "municipality": aaa,
                               "department": revenue}),
        "manager": make_staff({"role": Role.MANAGER, "municipality": aaa}),
        "water": make_staff({"role": Role.MANAGER, "municipality": aaa, "department": water}),
        "admin": make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": aaa}),
        "agent": make_staff({"role": Role.AGENT, "municipality": aaa}),
        "bbb": make_staff({"role": Role.MANAGER, "municipality": bbb}),
        "platform": make_staff({"role": Role.PLATFORM_ADMIN}),
    }


def test_the_first_save_writes_the_row_and_audits_what_changed(staff, two_municipalities):
    aaa = two_municipalities[0]
    policy = arrangement_policy_set(actor=staff["revenue"], municipality=aaa,
                                    deposit_percent="15", max_months=12)
    assert policy.pk and policy.deposit_percent == Decimal("15")
    assert policy_for(aaa.pk).max_months == 12 and policy_for(aaa.pk).min_instalment == 100
    entry = AuditEntry.objects.get(action="billing.policy_set")
    assert entry.actor == f"user:{staff['revenue'].user.pk}" and entry.municipality_code == "AAA"
    assert entry.changes == {"deposit_percent": {"from": "10", "to": "15"},
                             "max_months": {"from": "24", "to": "12"}, "created": True}
    again = arrangement_policy_set(actor=staff["manager"], municipality=aaa,
                                   deposit_percent=Decimal("15.00"), max_months=12)
    assert again.pk == policy.pk and AuditEntry.objects.filter(
        action="billing.policy_set").count() == 1  # nothing changed, nothing written
    arrangement_policy_set(actor=staff["platform"], municipality=aaa, reminder_days=5)
    assert ArrangementPolicy.objects.get().reminder_days == 5


@pytest.mark.parametrize("who", ["water", "admin", "agent", "bbb"])
def test_only_revenue_managers_of_the_municipality_set_it(who, staff, two_municipalities):
    with pytest.raises(PermissionDenied):
        arrangement_policy_set(actor=staff[who], municipality=two_municipalities[0],
                               max_months=6)
    assert not ArrangementPolicy.objects.exists()
    assert not AuditEntry.objects.filter(action="billing.policy_set").exists()


@pytest.mark.parametrize(("fields", "field"), [
    ({"deposit_percent": "101"}, "deposit_percent"),
    ({"deposit_percent": "-1"}, "deposit_percent"),
    ({"max_months": 61}, "max_months"),
    ({"max_months": 0}, "max_months"),
    ({"min_instalment": "ten"}, "min_instalment"),
    ({"reminder_days": 15}, "reminder_days"),
    ({"broken_after_days": 61}, "broken_after_days"),
    ({"deposit_due_days": 32}, "deposit_due_days"),
    ({"auto_approve_max_arrears": "-5"}, "auto_approve_max_arrears"),
    ({"colour": "blue"}, "colour"),
])
def test_a_bad_value_is_refused_naming_its_field(fields, field, staff, two_municipalities):
    with pytest.raises(ImbizoError) as error:
        arrangement_policy_set(actor=staff["revenue"], municipality=two_municipalities[0],
                               **fields)
    assert error.value.extra["field"] == field and error.value.status == 400
    assert not ArrangementPolicy.objects.exists()


def test_every_bad_field_is_named_at_once(staff, two_municipalities):
    with pytest.raises(ImbizoError) as error:
        arrangement_policy_set(actor=staff["revenue"], municipality=two_municipalities[0],
                               max_months=99, reminder_days=99)
    assert set(error.value.extra["errors"]) == {"max_months", "reminder_days"}


def test_the_admin_saves_the_policy_through_the_service(staff, client, two_municipalities):
    aaa, _bbb = two_municipalities
    client.force_login(staff["revenue"].user)
    form = {"municipality": aaa.pk, "deposit_percent": "20", "deposit_minimum": "0",
            "max_months": "24", "min_instalment": "100", "broken_lookback_months": "12",
            "auto_approve_max_arrears": "50000", "deposit_due_days": "7",
            "reminder_days": "3", "broken_after_days": "7"}
    assert client.post("/admin/billing/arrangementpolicy/add/", form).status_code == 302
    policy = ArrangementPolicy.objects.get()
    entry = AuditEntry.objects.get(action="billing.policy_set")
    assert entry.channel == "admin" and entry.changes["deposit_percent"]["to"] == "20"
    refused = client.post(f"/admin/billing/arrangementpolicy/{policy.pk}/change/",
                          {**form, "max_months": "99"})
    assert refused.status_code == 200 and 'value="99"' in refused.content.decode()
    assert ArrangementPolicy.objects.get().max_months == 24
    client.force_login(staff["water"].user)  # another department's manager
    assert client.get("/admin/billing/arrangementpolicy/add/").status_code == 403
    assert client.post(f"/admin/billing/arrangementpolicy/{policy.pk}/change/",
                       {**form, "max_months": "6"}).status_code in (302, 403)
    assert ArrangementPolicy.objects.get().max_months == 24
