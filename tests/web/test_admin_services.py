"""Every add and change in the admin goes through the same service as the API, with its
checks: a refusal is a form error that keeps what was typed, nothing is saved, and every
save is audited with the admin as its channel."""

import pytest
from django.contrib import admin

from imbizo.accounts.models import Citizen, Department, Membership, Role
from imbizo.accounts.services import citizen_register, membership_grant
from imbizo.api.keys import api_key_actor, api_key_create
from imbizo.api.models import ApiKey
from imbizo.audit.admin_scoping import ScopedAdmin
from imbizo.audit.models import AuditEntry
from imbizo.cases.catalogue import escalation_step_create, routing_rule_create, team_create
from imbizo.cases.models import Category, EscalationStep, RoutingRule, Team
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Ward

SYSTEM = system_actor("cli")


@pytest.fixture
def login(client, make_staff):
    """Signed in as a staff member holding ``role`` in the given municipalities."""
    def as_staff(*municipalities, role=Role.MUNICIPAL_ADMIN):
        actor = make_staff(*({"role": role, "municipality": m} for m in municipalities))
        client.force_login(actor.user)
        return client
    return as_staff


def shown(client, url: str) -> dict:
    """The form's values as the page shows them, to post back with changes."""
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value not in (None, False):
            data[name] = str(value)
    return data


def errors(page) -> dict:
    """The form's errors by field ("__all__" for the form's own)."""
    assert page.status_code == 200, "the form is shown again"
    return {field: list(messages) for field, messages in
            page.context["adminform"].form.errors.items()}


def audited(action: str) -> AuditEntry:
    entry = AuditEntry.objects.get(action=action, channel="admin")
    assert entry.channel == "admin"
    return entry


def url(model, obj=None) -> str:
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    return f"{base}add/" if obj is None else f"{base}{obj.pk}/change/"


# --- no admin saves directly ------------------------------------------------------------
def test_every_admin_that_can_change_rows_saves_through_a_service():
    writable = [model_admin for model_admin in admin.site._registry.values()
                if isinstance(model_admin, ScopedAdmin) and model_admin.change_permission]
    assert len(writable) >= 9
    for model_admin in writable:
        assert type(model_admin).save_model is not ScopedAdmin.save_model, model_admin


def test_the_base_admin_refuses_to_save_directly(municipalities):
    category = Category.objects.first()
    with pytest.raises(NotImplementedError, match="through a service"):
        ScopedAdmin(Category, admin.site).save_model(None, category, None, True)


# --- categories ----------------------------------------------------------------------
CATEGORY = {"code": "sinkhole", "name": "Sinkhole", "priority": "high", "ack_hours": "4",
            "resolve_hours": "48", "calendar": "business", "fields": "[]",
            "duplicate_radius_m": "50", "public": "on", "active": "on",
            "location_required": "on"}


def test_a_category_is_added_through_the_service(login, municipalities, department):
    aaa, _ = municipalities
    page = login(aaa).post(url(Category), {**CATEGORY, "municipality": aaa.pk,
                                           "department": department("roads").pk})
    assert page.status_code == 302
    category = Category.objects.get(code="sinkhole")
    assert (category.municipality, category.department) == (aaa, department("roads"))
    assert audited("category.create").municipality_code == "AAA"


def test_a_category_with_another_municipalitys_department_is_refused(login, municipalities,
                                                                      department):
    aaa, bbb = municipalities
    page = login(aaa, bbb).post(url(Category), {**CATEGORY, "municipality": aaa.pk,
                                                "department": department("roads", "BBB").pk})
    assert "is in another municipality" in errors(page)["department"][0]
    assert b'value="Sinkhole"' in page.content
    assert not Category.objects.filter(code="sinkhole").exists()
    assert not AuditEntry.objects.filter(action="category.create", channel="admin").exists()


def test_another_municipalitys_department_is_not_even_offered(login, municipalities, department):
    aaa, _ = municipalities
    page = login(aaa).post(url(Category), {**CATEGORY, "municipality": aaa.pk,
                                           "department": department("roads", "BBB").pk})
    assert "Select a valid choice" in errors(page)["department"][0]
    assert not Category.objects.filter(code="sinkhole").exists()


def test_a_category_is_changed_through_the_service_and_its_code_stays(login, municipalities):
    aaa, _ = municipalities
    pothole = Category.objects.get(municipality=aaa, code="pothole")
    client = login(aaa)
    data = shown(client, url(Category, pothole))
    assert "code" not in data and "municipality" not in data  # read-only once made
    page = client.post(url(Category, pothole), {**data, "name": "Pothole or sinkhole",
                                                "resolve_hours": "24", "code": "forged"})
    assert page.status_code == 302
    pothole.refresh_from_db()
    assert (pothole.name, pothole.resolve_hours, pothole.code) == ("Pothole or sinkhole", 24,
                                                                   "pothole")
    assert audited("category.update").changes == {"fields": ["name", "resolve_hours"]}


def test_a_category_cannot_sit_under_itself(login, municipalities):
    aaa, _ = municipalities
    roads = Category.objects.get(municipality=aaa, code="pothole").parent
    client = login(aaa)
    page = client.post(url(Category, roads), {**shown(client, url(Category, roads)),
                                              "parent": roads.pk})
    assert errors(page) == {"parent": ["A category cannot sit under itself."]}
    roads.refresh_from_db()
    assert roads.parent is None


# --- routing rules -------------------------------------------------------------------
def test_a_routing_rule_with_another_municipalitys_category_is_refused(login, municipalities,
                                                                        department):
    aaa, bbb = municipalities
    page = login(aaa, bbb).post(url(RoutingRule), {
        "municipality": aaa.pk, "department": department("roads").pk,
        "category": Category.objects.get(municipality=bbb, code="pothole").pk})
    assert "is in another municipality" in errors(page)["category"][0]
    assert not RoutingRule.objects.exists()
    assert not AuditEntry.objects.filter(action="routing_rule.create").exists()


def test_a_routing_rule_is_added_and_changed_through_the_service(login, municipalities,
                                                                 department):
    aaa, _ = municipalities
    client = login(aaa)
    ward = Ward.objects.get(code="90100002")
    page = client.post(url(RoutingRule), {
        "municipality": aaa.pk, "department": department("roads").pk, "ward": ward.pk,
        "category": Category.objects.get(municipality=aaa, code="pothole").pk})
    assert page.status_code == 302
    rule = RoutingRule.objects.get()
    assert (rule.ward, rule.active) == (ward, True)
    assert audited("routing_rule.create").municipality_code == "AAA"
    page = client.post(url(RoutingRule, rule), {**shown(client, url(RoutingRule, rule)),
                                                "department": department("water").pk,
                                                "after_hours_only": "on"})
    assert page.status_code == 302
    rule.refresh_from_db()
    assert (rule.department, rule.after_hours_only) == (department("water"), True)
    assert audited("routing_rule.update").changes == {"fields": ["after_hours_only",
                                                                 "department"]}


def test_a_routing_rule_cannot_send_cases_to_another_departments_team(login, municipalities,
                                                                      department):
    aaa, _ = municipalities
    standby = team_create(actor=SYSTEM, department=department("electricity"), name="Standby")
    rule = routing_rule_create(actor=SYSTEM, municipality=aaa, department=department("roads"))
    client = login(aaa)
    page = client.post(url(RoutingRule, rule), {**shown(client, url(RoutingRule, rule)),
                                                "team": standby.pk})
    assert "is not in Roads" in errors(page)["team"][0]
    rule.refresh_from_db()
    assert rule.team is None


def test_a_rule_can_only_be_assigned_to_staff_of_its_municipality(login, municipalities,
                                                                  department, make_staff):
    aaa, bbb = municipalities
    outsider = make_staff({"role": Role.OFFICER, "municipality": bbb}).user
    rule = routing_rule_create(actor=SYSTEM, municipality=aaa, department=department("roads"))
    client = login(aaa)
    page = client.post(url(RoutingRule, rule), {**shown(client, url(RoutingRule, rule)),
                                                "assignee": outsider.pk})
    assert "assignee" in errors(page)
    rule.refresh_from_db()
    assert rule.assignee is None


# --- escalation steps ----------------------------------------------------------------
def test_an_escalation_step_is_added_and_changed_through_the_service(login, municipalities,
                                                                     department):
    aaa, _ = municipalities
    client = login(aaa)
    page = client.post(url(EscalationStep), {"department": department("water").pk,
                                              "level": "1", "role": "supervisor",
                                              "department_only": "on", "after_hours": "0"})
    assert page.status_code == 302
    step = EscalationStep.objects.get()
    assert step.municipality == aaa
    assert audited("escalation_step.create").municipality_code == "AAA"
    page = client.post(url(EscalationStep, step), {**shown(client, url(EscalationStep, step)),
                                                   "role": "manager", "after_hours": "12"})
    assert page.status_code == 302
    step.refresh_from_db()
    assert (step.role, step.after_hours) == ("manager", 12)
    assert audited("escalation_step.update").changes == {"fields": ["after_hours", "role"]}


def test_an_escalation_step_at_level_zero_is_refused_on_its_field(login, municipalities,
                                                                  department):
    aaa, _ = municipalities
    page = login(aaa).post(url(EscalationStep), {"department": department("water").pk,
                                                  "level": "0", "role": "supervisor",
                                                  "after_hours": "6"})
    assert errors(page) == {"level": ["Levels start at 1."]}
    assert b'name="after_hours" value="6"' in page.content
    assert not EscalationStep.objects.exists()


def test_a_contractor_is_no_rung_of_the_ladder(login, municipalities, department):
    aaa, _ = municipalities
    page = login(aaa).post(url(EscalationStep), {"department": department("water").pk,
                                                  "level": "1", "role": "contractor",
                                                  "after_hours": "0"})
    assert "role" in errors(page)
    assert not EscalationStep.objects.exists()


# --- teams ---------------------------------------------------------------------------
def test_a_team_is_added_and_changed_through_the_service(login, municipalities, department,
                                                         make_staff):
    aaa, _ = municipalities
    officer = make_staff({"role": Role.OFFICER, "municipality": aaa}).user
    client = login(aaa)
    page = client.post(url(Team), {"department": department("water").pk, "name": "Leaks",
                                    "members": [officer.pk]})
    assert page.status_code == 302
    team = Team.objects.get()
    assert (team.municipality, list(team.members.all())) == (aaa, [officer])
    assert audited("team.create").municipality_code == "AAA"
    page = client.post(url(Team, team), {**shown(client, url(Team, team)),
                                         "name": "Leak squad", "members": []})
    assert page.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.members.count()) == ("Leak squad", 0)
    assert audited("team.update").changes == {"fields": ["members", "name"]}


def test_a_team_cannot_move_to_another_municipalitys_department(login, municipalities,
                                                                department):
    aaa, bbb = municipalities
    team = team_create(actor=SYSTEM, department=department("water"), name="Leaks")
    client = login(aaa, bbb)
    page = client.post(url(Team, team), {**shown(client, url(Team, team)),
                                         "department": department("water", "BBB").pk})
    assert "is in another municipality" in errors(page)["department"][0]
    team.refresh_from_db()
    assert team.department == department("water")


def test_staff_of_another_municipality_are_not_offered_as_members(login, municipalities,
                                                                  department, make_staff):
    aaa, bbb = municipalities
    outsider = make_staff({"role": Role.OFFICER, "municipality": bbb}).user
    page = login(aaa).post(url(Team), {"department": department("water").pk, "name": "Leaks",
                                       "members": [outsider.pk]})
    assert "members" in errors(page)
    assert not Team.objects.exists()


# --- residents -----------------------------------------------------------------------
@pytest.fixture
def thandi(two_municipalities):
    return citizen_register(actor=SYSTEM, phone="0821110001", name="Thandi",
                            municipality=two_municipalities[0])


def test_a_resident_is_changed_through_the_service_and_the_audit_names_only_fields(
        login, thandi, two_municipalities):
    aaa, _ = two_municipalities
    client = login(aaa, role=Role.AGENT)
    ward = Ward.objects.get(code="90100002")
    page = client.post(url(Citizen, thandi), {**shown(client, url(Citizen, thandi)),
                                              "name": "Thandiwe Mokoena", "language": "zu",
                                              "preferred_channel": "whatsapp",
                                              "ward": ward.pk})
    assert page.status_code == 302
    thandi.refresh_from_db()
    assert (thandi.name, thandi.language, thandi.preferred_channel, thandi.ward) == (
        "Thandiwe Mokoena", "zu", "whatsapp", ward)
    entry = audited("citizen.update")
    assert entry.changes == {"fields": ["language", "name", "preferred_channel", "ward"]}
    assert "Mokoena" not in str(entry.changes)


def test_a_residents_new_number_is_checked_like_a_new_registration(login, thandi,
                                                                   two_municipalities):
    aaa, _ = two_municipalities
    citizen_register(actor=SYSTEM, phone="0821110002", municipality=aaa)
    client = login(aaa, role=Role.AGENT)
    data = shown(client, url(Citizen, thandi))
    bad = client.post(url(Citizen, thandi), {**data, "phone": "082 11"})
    assert "is not a valid phone number" in errors(bad)["phone"][0]
    taken = client.post(url(Citizen, thandi), {**data, "phone": "+27 82 111 0002"})
    assert "phone" in errors(taken)
    bad_id = client.post(url(Citizen, thandi), {**data, "id_number": "8001015009086"})
    assert "last digit does not match" in errors(bad_id)["id_number"][0]
    moved = client.post(url(Citizen, thandi), {**data, "phone": "+27 82 111 0009"})
    assert moved.status_code == 302
    thandi.refresh_from_db()
    assert thandi.phone == "+27821110009"


def test_a_resident_cannot_be_put_in_a_ward_of_another_municipality(login, thandi,
                                                                    two_municipalities):
    aaa, bbb = two_municipalities
    client = login(aaa, bbb, role=Role.AGENT)
    page = client.post(url(Citizen, thandi), {**shown(client, url(Citizen, thandi)),
                                              "municipality": aaa.pk,
                                              "ward": Ward.objects.get(code="90200001").pk})
    assert "is not in Aaa Local" in errors(page)["ward"][0]
    thandi.refresh_from_db()
    assert thandi.ward is None


def test_staff_of_another_municipality_cannot_open_or_change_a_resident(login, thandi,
                                                                       two_municipalities):
    _, bbb = two_municipalities
    client = login(bbb, role=Role.AGENT)
    assert client.get(url(Citizen, thandi)).status_code == 302
    client.post(url(Citizen, thandi), {"phone": "+27821110001", "name": "Forged",
                                       "language": "en", "preferred_channel": "sms"})
    thandi.refresh_from_db()
    assert thandi.name == "Thandi"
    assert not AuditEntry.objects.filter(action="citizen.update").exists()


# --- departments and memberships -----------------------------------------------------
def test_a_department_is_renamed_through_the_service(login, municipalities, department):
    aaa, _ = municipalities
    water = department("water")
    client = login(aaa)
    page = client.post(url(Department, water), {**shown(client, url(Department, water)),
                                                 "name": "Water and Sanitation"})
    assert page.status_code == 302
    water.refresh_from_db()
    assert water.name == "Water and Sanitation"
    assert audited("department.update").changes == {"fields": ["name"]}


@pytest.fixture
def officer_membership(municipalities, make_staff, department):
    aaa, _ = municipalities
    user = make_staff().user
    return membership_grant(actor=SYSTEM, user=user, role=Role.OFFICER, municipality=aaa,
                            department=department("roads"))


def test_a_membership_is_changed_through_the_service(login, officer_membership,
                                                     municipalities, department):
    aaa, _ = municipalities
    client = login(aaa)
    data = shown(client, url(Membership, officer_membership))
    assert "user" not in data and "municipality" not in data
    page = client.post(url(Membership, officer_membership), {
        **data, "role": "supervisor", "department": department("water").pk})
    assert page.status_code == 302
    officer_membership.refresh_from_db()
    assert (officer_membership.role, officer_membership.department) == (
        "supervisor", department("water"))
    assert audited("membership.change").changes == {"fields": ["department", "role"]}


def test_a_municipal_admin_cannot_make_anyone_a_platform_administrator(
        login, officer_membership, municipalities, make_staff):
    aaa, _ = municipalities
    client = login(aaa)
    page = client.post(url(Membership, officer_membership), {
        **shown(client, url(Membership, officer_membership)), "role": "platform_admin"})
    assert errors(page) == {"role": ["Only platform administrators can do that."]}
    newcomer = make_staff().user
    page = client.post(url(Membership), {"user": newcomer.pk, "role": "platform_admin",
                                         "municipality": aaa.pk})
    assert "role" in errors(page)
    officer_membership.refresh_from_db()
    assert officer_membership.role == "officer"
    assert not Membership.objects.filter(role="platform_admin").exists()


def test_a_councillor_needs_a_ward(login, officer_membership, municipalities):
    aaa, _ = municipalities
    client = login(aaa)
    page = client.post(url(Membership, officer_membership), {
        **shown(client, url(Membership, officer_membership)), "role": "councillor",
        "department": ""})
    assert "councillors_have_a_ward" in errors(page)["__all__"][0]
    officer_membership.refresh_from_db()
    assert officer_membership.role == "officer"


def test_memberships_are_revoked_through_the_service(login, officer_membership,
                                                     municipalities):
    aaa, _ = municipalities
    page = login(aaa).post("/admin/accounts/membership/", {
        "action": "revoke", "_selected_action": [officer_membership.pk]})
    assert page.status_code == 302
    officer_membership.refresh_from_db()
    assert not officer_membership.active
    assert audited("membership.revoke").municipality_code == "AAA"


# --- API keys ------------------------------------------------------------------------
def test_an_api_key_is_made_renamed_and_revoked_through_the_services(login, municipalities):
    aaa, _ = municipalities
    client = login(aaa)
    page = client.post(url(ApiKey), {"municipality": aaa.pk, "name": "CRM", "role": "agent"},
                       follow=True)
    key = ApiKey.objects.get()
    assert "imb_" in page.content.decode() and audited("apikey.create")
    data = shown(client, url(ApiKey, key))
    assert set(data) == {"name", "active"}
    client.post(url(ApiKey, key), {**data, "name": "CRM (billing)"})
    key.refresh_from_db()
    assert key.name == "CRM (billing)" and key.active
    assert audited("apikey.rename").changes == {"fields": ["name"]}
    client.post(url(ApiKey, key), {"name": "CRM (billing)"})  # "active" unticked
    key.refresh_from_db()
    assert not key.active and audited("apikey.revoke")
    assert "active" not in shown(client, url(ApiKey, key))  # a revoked key stays revoked


def test_an_api_key_with_an_administrator_role_is_refused_on_its_field(login, municipalities):
    aaa, _ = municipalities
    page = login(aaa).post(url(ApiKey), {"municipality": aaa.pk, "name": "CRM",
                                         "role": "municipal_admin"})
    assert errors(page) == {"role": ["An API key cannot hold an administrator role."]}
    assert b'value="CRM"' in page.content and not ApiKey.objects.exists()


def test_the_revoke_action_stops_a_key_at_once(login, municipalities):
    aaa, _ = municipalities
    row, key = api_key_create(actor=SYSTEM, municipality=aaa, name="CRM")
    assert api_key_actor(key) is not None
    login(aaa).post("/admin/api/apikey/", {"action": "revoke", "_selected_action": [row.pk]})
    assert api_key_actor(key) is None
    assert audited("apikey.revoke").municipality_code == "AAA"


# --- tenancy across every configuration model ----------------------------------------
@pytest.mark.parametrize("model", [Category, RoutingRule, EscalationStep, Team, Department,
                                   Membership, ApiKey])
def test_an_admin_of_another_municipality_can_neither_open_nor_change(model, login,
                                                                      municipalities,
                                                                      department,
                                                                      officer_membership):
    aaa, bbb = municipalities
    made = {
        Category: lambda: Category.objects.get(municipality=aaa, code="pothole"),
        RoutingRule: lambda: routing_rule_create(actor=SYSTEM, municipality=aaa,
                                                 department=department("roads")),
        EscalationStep: lambda: escalation_step_create(actor=SYSTEM,
                                                       department=department("roads"),
                                                       level=1, role="supervisor"),
        Team: lambda: team_create(actor=SYSTEM, department=department("roads"), name="Crew"),
        Department: lambda: department("roads"),
        Membership: lambda: officer_membership,
        ApiKey: lambda: api_key_create(actor=SYSTEM, municipality=aaa, name="CRM")[0],
    }[model]()
    client = login(bbb)
    before = AuditEntry.objects.count()
    assert client.get(url(model, made)).status_code == 302  # as if it did not exist
    assert client.post(url(model, made), {"name": "Forged"}).status_code == 302
    assert AuditEntry.objects.count() == before
    assert "Forged" not in str(model.objects.filter(pk=made.pk).values().get())
