"""A municipality's own facilities: entered by its staff holding facilities.manage, placed
in the ward under their point (which must be in the municipality), audited, found at once;
imported ones change only by import. The admin writes through the same services."""

import pytest

from imbizo.accounts.models import Role
from imbizo.audit.models import AuditEntry
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.facilities.models import Facility
from imbizo.facilities.selectors import facilities_nearest
from imbizo.facilities.services import facility_create, facility_update

OFFICE = {"kind": "municipal_office", "name": "Aaa  Civic Centre", "latitude": -29.95,
          "longitude": 20.15, "phone": "040 555 0100", "hours": "Mon-Fri 07:30-16:00"}


@pytest.fixture
def staff(make_staff, municipalities):
    aaa, bbb = municipalities
    return {"admin": make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": aaa}),
            "agent": make_staff({"role": Role.AGENT, "municipality": aaa}),
            "bbb": make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": bbb}),
            "platform": make_staff({"role": Role.PLATFORM_ADMIN})}


def test_an_own_facility_is_placed_audited_and_found(staff, municipalities):
    office = facility_create(actor=staff["admin"], municipality=municipalities[0], **OFFICE)
    assert (office.name, office.ward.number, office.source) == ("Aaa Civic Centre", 2, None)
    entry = AuditEntry.objects.get(action="facilities.create")
    assert entry.municipality_code == "AAA" and entry.changes["kind"] == "municipal_office"
    found = facilities_nearest(lat=-29.95, lon=20.1, kind="municipal_office")
    assert found.facilities[0].facility.name == "Aaa Civic Centre" and found.sources == []


def test_only_its_own_staff_with_the_permission_enter_one(staff, municipalities):
    aaa = municipalities[0]
    for who in ("agent", "bbb"):
        with pytest.raises(PermissionDenied):
            facility_create(actor=staff[who], municipality=aaa, **OFFICE)
    assert facility_create(actor=staff["platform"], municipality=aaa, **OFFICE).pk


def test_a_point_outside_the_municipality_is_refused(staff, municipalities):
    with pytest.raises(ImbizoError) as refused:
        facility_create(actor=staff["admin"], municipality=municipalities[0],
                        **{**OFFICE, "longitude": 20.3})
    assert refused.value.code == "outside_municipality"
    assert refused.value.extra["field"] == "latitude"
    assert not Facility.objects.exists()


def test_an_unknown_kind_is_refused(staff, municipalities):
    with pytest.raises(ImbizoError) as refused:
        facility_create(actor=staff["admin"], municipality=municipalities[0],
                        **{**OFFICE, "kind": "spaceport"})
    assert refused.value.code == "unknown_kind"


def test_an_update_moves_the_facility_and_says_what_changed(staff, municipalities):
    office = facility_create(actor=staff["admin"], municipality=municipalities[0], **OFFICE)
    facility_update(actor=staff["admin"], facility=office, longitude=20.05, active=False)
    office.refresh_from_db()
    assert office.ward.number == 1 and not office.active
    entry = AuditEntry.objects.get(action="facilities.update")
    assert entry.changes["longitude"] == {"from": "20.15", "to": "20.05"}
    assert facilities_nearest(lat=-29.95, lon=20.1, kind="municipal_office").facilities == []


def test_an_imported_facility_changes_only_by_import(staff, load):
    load("police", [["Sizwe Police", "20.05", "-29.95"]])
    with pytest.raises(ImbizoError, match="published data set"):
        facility_update(actor=staff["platform"], facility=Facility.objects.get(), name="X")


ADD = "/admin/facilities/facility/add/"


def admin_form(municipality, **changes) -> dict:
    return {"municipality": municipality.pk, "kind": "pay_point", "name": "Aaa Pay Point",
            "latitude": "-29.95", "longitude": "20.05", "address": "", "phone": "",
            "hours": "", "details": "{}", "active": "on", **changes}


def test_the_admin_enters_through_the_service(staff, client, municipalities):
    aaa = municipalities[0]
    client.force_login(staff["admin"].user)
    assert client.post(ADD, admin_form(aaa)).status_code == 302
    pay_point = Facility.objects.get()
    assert pay_point.ward.number == 1
    assert AuditEntry.objects.get(action="facilities.create").channel == "admin"
    refused = client.post(ADD, admin_form(aaa, longitude="20.3", name="Elsewhere"))
    html = refused.content.decode()
    assert refused.status_code == 200 and "is not in Aaa Local" in html
    assert 'value="Elsewhere"' in html and Facility.objects.count() == 1
    change = f"/admin/facilities/facility/{pay_point.pk}/change/"
    assert client.post(change, admin_form(aaa, name="Aaa Pay Point 2")).status_code == 302
    assert Facility.objects.get().name == "Aaa Pay Point 2"


def test_the_admin_shows_imported_facilities_read_only(staff, client, load):
    load("police", [["Sizwe Police", "20.05", "-29.95"]])
    station = Facility.objects.get()
    client.force_login(staff["admin"].user)
    page = client.get(f"/admin/facilities/facility/{station.pk}/change/")
    assert page.status_code == 200 and "Sizwe Police" in page.content.decode()
    client.post(f"/admin/facilities/facility/{station.pk}/change/",
                admin_form(station.municipality, name="Renamed"))
    assert Facility.objects.get().name == "Sizwe Police"
    client.force_login(staff["bbb"].user)  # another municipality's: not theirs to see
    assert client.get(f"/admin/facilities/facility/{station.pk}/change/").status_code in (
        302, 404)
