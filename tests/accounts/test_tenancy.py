"""Staff of one municipality can neither read nor change another's records."""

import pytest

from imbizo.accounts.models import Role
from imbizo.accounts.selectors import access_citizen, citizen_list, department_list
from imbizo.accounts.services import citizen_register, department_create, membership_grant
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Ward


@pytest.fixture
def residents(two_municipalities):
    aaa, bbb = two_municipalities
    system = system_actor("ussd")
    ward_a1 = Ward.objects.get(code="90100001")
    ward_a2 = Ward.objects.get(code="90100002")
    return {
        "a1": citizen_register(actor=system, phone="0821110001", name="Thandi", ward=ward_a1),
        "a2": citizen_register(actor=system, phone="0821110002", name="Pieter", ward=ward_a2),
        "b": citizen_register(actor=system, phone="0821110003", name="Ayanda",
                              municipality=bbb),
    }


def names(actor) -> set[str]:
    return set(citizen_list(actor=actor).values_list("name", flat=True))


def test_an_agent_sees_only_residents_of_their_municipality(residents, make_staff,
                                                            two_municipalities):
    aaa, _ = two_municipalities
    agent = make_staff({"role": Role.AGENT, "municipality": aaa})
    assert names(agent) == {"Thandi", "Pieter"}
    with pytest.raises(ImbizoError) as err:
        access_citizen(agent, residents["b"].uuid)
    assert err.value.status == 404


def test_a_councillor_sees_only_their_ward(residents, make_staff, two_municipalities):
    aaa, _ = two_municipalities
    councillor = make_staff({"role": Role.COUNCILLOR, "municipality": aaa,
                             "ward": Ward.objects.get(code="90100002")})
    assert names(councillor) == {"Pieter"}


def test_an_analyst_gets_no_personal_data(residents, make_staff, two_municipalities):
    aaa, _ = two_municipalities
    for analyst in (make_staff({"role": Role.ANALYST, "municipality": aaa}),
                    make_staff({"role": Role.ANALYST})):
        assert names(analyst) == set()
        assert analyst.has("analytics.view")
        assert not analyst.has("citizen.view")


def test_a_contractor_sees_no_residents(residents, make_staff, two_municipalities):
    aaa, _ = two_municipalities
    assert names(make_staff({"role": Role.CONTRACTOR, "municipality": aaa})) == set()


def test_a_platform_admin_sees_everyone(residents, make_staff):
    assert names(make_staff({"role": Role.PLATFORM_ADMIN})) == {"Thandi", "Pieter", "Ayanda"}


def test_staff_cannot_register_residents_in_another_municipality(residents, make_staff,
                                                                 two_municipalities):
    aaa, bbb = two_municipalities
    agent = make_staff({"role": Role.AGENT, "municipality": aaa})
    with pytest.raises(ImbizoError) as err:
        citizen_register(actor=agent, phone="0831234567", municipality=bbb)
    assert err.value.status == 403
    assert citizen_register(actor=agent, phone="0831234567", municipality=aaa).municipality == aaa


def test_an_admin_cannot_grant_roles_or_create_departments_elsewhere(make_staff,
                                                                     two_municipalities):
    aaa, bbb = two_municipalities
    admin = make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": aaa})
    department_create(actor=admin, municipality=aaa, code="water", name="Water")
    with pytest.raises(ImbizoError):
        department_create(actor=admin, municipality=bbb, code="water", name="Water")
    with pytest.raises(ImbizoError):
        membership_grant(actor=admin, user=admin.user, role=Role.MANAGER, municipality=bbb)
    with pytest.raises(ImbizoError):
        membership_grant(actor=admin, user=admin.user, role=Role.PLATFORM_ADMIN)
    assert [d.municipality for d in department_list(actor=admin)] == [aaa]


def test_a_department_from_another_municipality_cannot_be_granted(make_staff,
                                                                  two_municipalities):
    aaa, bbb = two_municipalities
    system = system_actor("cli")
    roads_b = department_create(actor=system, municipality=bbb, code="roads", name="Roads")
    admin = make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": aaa})
    with pytest.raises(ImbizoError, match="not in that municipality"):
        membership_grant(actor=admin, user=admin.user, role=Role.OFFICER, municipality=aaa,
                         department=roads_b)


def test_memberships_load_in_one_query(make_staff, two_municipalities,
                                       django_assert_num_queries):
    from imbizo.accounts.permissions import staff_actor
    aaa, bbb = two_municipalities
    user = make_staff({"role": Role.AGENT, "municipality": aaa},
                      {"role": Role.AGENT, "municipality": bbb}).user
    with django_assert_num_queries(1):
        actor = staff_actor(user)
        assert actor.municipality_ids("citizen.view") == {aaa.pk, bbb.pk}
