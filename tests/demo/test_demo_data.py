"""What the loaded demo holds, and that it went through the project's own paths."""

from django.contrib.auth import authenticate, get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from imbizo.accounts.models import Department, Membership, Role
from imbizo.audit.models import AuditEntry
from imbizo.audit.services import audit_verify
from imbizo.core.permissions import system_actor
from imbizo.demo.geography import AUTHORITY_WARDS, generate_geography
from imbizo.demo.staff import DEMO_PASSWORD, DEPARTMENTS, STAFF
from imbizo.geo.models import Municipality, Province, TraditionalAuthority, Ward
from imbizo.geo.selectors import locate
from imbizo.geo.services import ward_suburbs_set


def test_the_municipality_is_a_local_one_in_a_real_province(demo):
    dmo = Municipality.objects.select_related("province", "district").get(code="DMO")
    assert dmo.category == Municipality.Category.LOCAL
    assert (dmo.district.code, dmo.district.category) == ("DC99", Municipality.Category.DISTRICT)
    assert (dmo.province.code, dmo.province.name) == ("EC", "Eastern Cape")
    # No made-up boundary for a real province.
    assert Province.objects.get(code="EC").boundary is None


def test_geography_went_through_the_boundary_import_unchanged(demo):
    imports = AuditEntry.objects.filter(action="boundaries.import")
    assert sorted(imports.values_list("object_id", flat=True)) == [
        "district", "municipality", "traditional-authority", "ward"]
    assert all(e.changes["repaired"] == [] for e in imports)
    generated = {w.code: w for w in generate_geography().wards}
    stored = Ward.objects.filter(municipality__code="DMO")
    assert stored.count() == len(generated) >= 30
    for ward in stored:
        assert ward.geometry.equals_exact(generated[ward.code].polygon, 0)
        assert ward.number == generated[ward.code].number
        assert ward.suburbs.splitlines() == list(generated[ward.code].suburbs)


def test_the_ward_index_finds_the_right_ward_for_a_point_in_each(demo):
    authority = TraditionalAuthority.objects.get(code="DMO-TA1")
    geo = generate_geography()
    assert len(geo.authority.ward_numbers) == AUTHORITY_WARDS
    for ward in geo.wards:
        point = ward.polygon.representative_point()
        place = locate(lat=point.y, lon=point.x)
        assert place.ward["code"] == ward.code
        assert place.municipality["code"] == "DMO"
        assert place.province["code"] == "EC"
        in_authority = ward.number in geo.authority.ward_numbers
        assert place.traditional_authority == (
            {"code": authority.code, "name": authority.name} if in_authority else None)


def test_suburbs_are_set_with_one_update(demo):
    dmo = Municipality.objects.get(code="DMO")
    with CaptureQueriesContext(connection) as queries:
        changed = ward_suburbs_set(actor=system_actor("cli"), municipality=dmo,
                                   suburbs={1: ["Mzantsi Heights"], 2: ["KwaLindelani", "Xyz"]})
    assert changed == 2
    ward_updates = [q for q in queries if q["sql"].startswith('UPDATE "geo_ward"')]
    assert len(ward_updates) == 1
    assert Ward.objects.get(municipality=dmo, number=2).suburbs == "KwaLindelani\nXyz"


def test_departments_exist(demo):
    departments = Department.objects.filter(municipality__code="DMO")
    assert sorted(departments.values_list("code", "name")) == sorted(DEPARTMENTS)
    assert AuditEntry.objects.filter(action="department.create").count() == len(DEPARTMENTS)


def test_every_role_has_a_login_with_a_membership_in_its_scope(demo):
    memberships = {m.user.username: m for m in Membership.objects.select_related(
        "user", "municipality", "department", "ward")}
    assert {m.role for m in memberships.values()} == set(Role.values)
    for login in STAFF:
        m = memberships[login.username]
        assert m.role == login.role and m.active and m.user.is_staff
        assert authenticate(username=login.username, password=DEMO_PASSWORD) == m.user
    memberships = {m.role: m for m in memberships.values() if m.user.username != "demo-revenue"}
    for role in (Role.OFFICER, Role.SUPERVISOR, Role.MANAGER):
        assert memberships[role].department.code == "water"
    assert memberships[Role.COUNCILLOR].ward.number == 1
    for role in (Role.CONTRACTOR, Role.AID_WORKER, Role.AGENT, Role.MUNICIPAL_ADMIN):
        assert memberships[role].municipality.code == "DMO"
    assert memberships[Role.PLATFORM_ADMIN].municipality is None


def test_only_the_platform_administrator_is_a_superuser(demo):
    superusers = get_user_model().objects.filter(is_superuser=True)
    assert list(superusers.values_list("username", flat=True)) == ["demo-platform"]


def test_the_audit_chain_verifies(demo):
    report = audit_verify()
    assert report.ok, report.reason
    assert report.checked == AuditEntry.objects.count() > 100


def test_the_revenue_manager_opens_the_revenue_console_and_the_water_manager_does_not(
        demo, client):
    for username, status in (("demo-revenue", 200), ("demo-manager", 403)):
        user = get_user_model().objects.get(username=username)
        client.force_login(user)
        session = client.session  # both factors passed: the demo's TOTP device
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
        session.save()
        assert client.get("/console/revenue").status_code == status, username
