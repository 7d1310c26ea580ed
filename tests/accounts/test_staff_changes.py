"""Changing residents, departments and memberships: the checks of creating them, and no
way up to a platform role for anyone but a platform administrator."""

from contextlib import contextmanager

import pytest

from imbizo.accounts.models import Membership, Role
from imbizo.accounts.services import (
    citizen_erase,
    citizen_register,
    citizen_update,
    department_create,
    department_update,
    membership_change,
    membership_grant,
    membership_revoke,
)
from imbizo.audit.models import AuditEntry
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Ward

SYSTEM = system_actor("cli")


@contextmanager
def refused(code: str, field: str | None = None):
    with pytest.raises(ImbizoError) as err:
        yield
    assert (err.value.code, err.value.extra.get("field")) == (code, field)


@pytest.fixture
def admins(make_staff, two_municipalities):
    aaa, bbb = two_municipalities
    return (make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": aaa}),
            make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": bbb}))


@pytest.fixture
def thandi(two_municipalities):
    return citizen_register(actor=SYSTEM, phone="0821110001", name="Thandi",
                            municipality=two_municipalities[0])


def test_a_municipal_admin_cannot_grant_a_platform_role_even_in_their_municipality(
        admins, two_municipalities):
    aaa, _ = two_municipalities
    aaa_admin, _ = admins
    with refused("permission_denied", "role"):
        membership_grant(actor=aaa_admin, user=aaa_admin.user, role=Role.PLATFORM_ADMIN,
                         municipality=aaa)
    assert not Membership.objects.filter(role=Role.PLATFORM_ADMIN).exists()


def test_a_membership_cannot_be_changed_into_a_platform_role(admins, make_staff,
                                                             two_municipalities):
    aaa, _ = two_municipalities
    aaa_admin, _ = admins
    officer = Membership.objects.get(user=make_staff({"role": Role.OFFICER,
                                                      "municipality": aaa}).user)
    with refused("permission_denied", "role"):
        membership_change(actor=aaa_admin, membership=officer, role=Role.PLATFORM_ADMIN)
    officer.refresh_from_db()
    assert officer.role == Role.OFFICER


def test_a_membership_is_narrowed_only_within_its_municipality(admins, make_staff,
                                                               two_municipalities):
    aaa, bbb = two_municipalities
    aaa_admin, _ = admins
    officer = Membership.objects.get(user=make_staff({"role": Role.OFFICER,
                                                      "municipality": aaa}).user)
    roads_b = department_create(actor=SYSTEM, municipality=bbb, code="roads", name="Roads")
    with refused("outside_municipality", "department"):
        membership_change(actor=aaa_admin, membership=officer, department=roads_b)
    with refused("outside_municipality", "ward"):
        membership_change(actor=aaa_admin, membership=officer,
                          ward=Ward.objects.get(code="90200001"))
    with refused("ward_required", "ward"):
        membership_change(actor=aaa_admin, membership=officer, role=Role.COUNCILLOR)
    with refused("not_changeable", "municipality"):
        membership_change(actor=aaa_admin, membership=officer, municipality=bbb)


def test_another_municipalitys_admin_cannot_change_or_revoke_a_membership(admins, make_staff,
                                                                         two_municipalities):
    aaa, _ = two_municipalities
    _, bbb_admin = admins
    officer = Membership.objects.get(user=make_staff({"role": Role.OFFICER,
                                                      "municipality": aaa}).user)
    with refused("permission_denied"):
        membership_change(actor=bbb_admin, membership=officer, role=Role.SUPERVISOR)
    with refused("permission_denied"):
        membership_revoke(actor=bbb_admin, membership=officer)
    officer.refresh_from_db()
    assert (officer.role, officer.active) == (Role.OFFICER, True)


def test_a_revoked_membership_opens_nothing_and_is_audited_once(admins, make_staff,
                                                                two_municipalities):
    aaa, _ = two_municipalities
    aaa_admin, _ = admins
    officer = Membership.objects.get(user=make_staff({"role": Role.OFFICER,
                                                      "municipality": aaa}).user)
    membership_revoke(actor=aaa_admin, membership=officer)
    membership_revoke(actor=aaa_admin, membership=officer)
    officer.refresh_from_db()
    assert not officer.active
    assert AuditEntry.objects.filter(action="membership.revoke").count() == 1


def test_a_department_keeps_its_municipality(admins, two_municipalities):
    aaa, bbb = two_municipalities
    aaa_admin, bbb_admin = admins
    water = department_create(actor=aaa_admin, municipality=aaa, code="water", name="Water")
    with refused("not_changeable", "municipality"):
        department_update(actor=aaa_admin, department=water, municipality=bbb)
    with refused("permission_denied"):
        department_update(actor=bbb_admin, department=water, name="Ours now")
    department_update(actor=aaa_admin, department=water, name="Water and Sanitation")
    assert AuditEntry.objects.get(action="department.update").changes == {"fields": ["name"]}


def test_a_residents_number_and_id_are_checked_like_at_registration(thandi, make_staff,
                                                                    two_municipalities):
    aaa, _ = two_municipalities
    agent = make_staff({"role": Role.AGENT, "municipality": aaa})
    citizen_register(actor=SYSTEM, phone="0821110002")
    with refused("invalid_phone", "phone"):
        citizen_update(actor=agent, citizen=thandi, phone="082 11")
    with refused("phone_taken", "phone"):
        citizen_update(actor=agent, citizen=thandi, phone="+27 82 111 0002")
    with refused("invalid_id_number", "id_number"):
        citizen_update(actor=agent, citizen=thandi, id_number="8001015009086")
    citizen_update(actor=agent, citizen=thandi, phone="082 111 0009", id_number="8001015009087")
    thandi.refresh_from_db()
    assert (thandi.phone, thandi.id_number) == ("+27821110009", "8001015009087")
    entry = AuditEntry.objects.get(action="citizen.update")
    assert entry.changes == {"fields": ["id_number", "phone"]}
    assert "8001015009087" not in str(entry.changes)


def test_a_resident_moves_only_between_places_the_agent_works(thandi, make_staff,
                                                              two_municipalities):
    aaa, bbb = two_municipalities
    agent = make_staff({"role": Role.AGENT, "municipality": aaa})
    with refused("permission_denied", "municipality"):
        citizen_update(actor=agent, citizen=thandi, municipality=bbb)
    with refused("ward_not_in_municipality", "ward"):
        citizen_update(actor=agent, citizen=thandi, ward=Ward.objects.get(code="90200001"))
    citizen_update(actor=agent, citizen=thandi, ward=Ward.objects.get(code="90100002"))
    thandi.refresh_from_db()
    assert (thandi.municipality, thandi.ward.code) == (aaa, "90100002")
    outsider = make_staff({"role": Role.AGENT, "municipality": bbb})
    with refused("permission_denied"):
        citizen_update(actor=outsider, citizen=thandi, name="Forged")


def test_an_erased_resident_is_not_changed(thandi, admins):
    aaa_admin, _ = admins
    citizen_erase(actor=aaa_admin, citizen=thandi)
    with refused("already_erased"):
        citizen_update(actor=aaa_admin, citizen=thandi, name="Back")
