import pytest

from imbizo.accounts.models import Citizen, Membership, Role
from imbizo.accounts.services import citizen_register
from imbizo.audit.models import AuditEntry
from imbizo.core.permissions import system_actor


@pytest.fixture
def residents(two_municipalities):
    aaa, bbb = two_municipalities
    system = system_actor("sms")
    return (citizen_register(actor=system, phone="0821110001", name="Thandi", municipality=aaa),
            citizen_register(actor=system, phone="0821110003", name="Ayanda", municipality=bbb))


@pytest.fixture
def login(client):
    def as_actor(actor):
        client.force_login(actor.user)
        return client
    return as_actor


def test_an_agent_lists_only_their_municipalitys_residents(residents, make_staff, login,
                                                          two_municipalities):
    aaa, _ = two_municipalities
    client = login(make_staff({"role": Role.AGENT, "municipality": aaa}))
    page = client.get("/admin/accounts/citizen/")
    assert page.status_code == 200
    assert b"Thandi" in page.content and b"Ayanda" not in page.content
    other = client.get(f"/admin/accounts/citizen/{residents[1].pk}/change/")
    assert other.status_code == 302  # Django's admin answers an out-of-scope object so


def test_a_bad_phone_gives_a_field_error_and_keeps_what_was_typed(residents, make_staff, login,
                                                                  two_municipalities):
    aaa, _ = two_municipalities
    client = login(make_staff({"role": Role.AGENT, "municipality": aaa}))
    page = client.post("/admin/accounts/citizen/add/", {
        "phone": "082 12", "name": "Sipho Dlamini", "id_number": "8001015009086",
        "language": "zu", "preferred_channel": "sms", "municipality": aaa.pk,
        "consents-TOTAL_FORMS": "0", "consents-INITIAL_FORMS": "0"})
    assert page.status_code == 200
    assert "is not a valid phone number" in page.content.decode()
    assert "last digit does not match" in page.content.decode()
    assert b'value="Sipho Dlamini"' in page.content
    assert not Citizen.objects.filter(name="Sipho Dlamini").exists()


def test_an_agent_adds_a_resident_only_in_their_municipality_and_it_is_audited(
        residents, make_staff, login, two_municipalities):
    aaa, bbb = two_municipalities
    client = login(make_staff({"role": Role.AGENT, "municipality": aaa}))
    form = {"phone": "+27 83 555 0001", "name": "Lerato", "id_number": "", "language": "st",
            "preferred_channel": "sms", "consents-TOTAL_FORMS": "0",
            "consents-INITIAL_FORMS": "0"}
    refused = client.post("/admin/accounts/citizen/add/", {**form, "municipality": bbb.pk})
    assert refused.status_code == 200 and not Citizen.objects.filter(name="Lerato").exists()
    client.post("/admin/accounts/citizen/add/", {**form, "municipality": aaa.pk})
    lerato = Citizen.objects.get(name="Lerato")
    assert lerato.phone == "+27835550001"
    entry = AuditEntry.objects.get(action="citizen.register", channel="admin")
    assert entry.channel == "admin" and entry.municipality_code == "AAA"


def test_an_analyst_has_no_resident_admin(residents, make_staff, login):
    client = login(make_staff({"role": Role.ANALYST}))
    assert client.get("/admin/accounts/citizen/").status_code == 403


def test_the_audit_log_cannot_be_edited_even_by_a_superuser(residents, admin_client):
    entry = AuditEntry.objects.first()
    assert admin_client.get("/admin/audit/auditentry/").status_code == 200
    response = admin_client.post(f"/admin/audit/auditentry/{entry.pk}/change/",
                                 {"actor": "forged"})
    assert response.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).actor != "forged"
    delete = admin_client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403 and AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_municipal_admin_grants_roles_through_the_service(make_staff, login,
                                                            two_municipalities):
    aaa, _ = two_municipalities
    admin_actor = make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": aaa})
    newcomer = make_staff().user
    client = login(admin_actor)
    client.post("/admin/accounts/membership/add/", {
        "user": newcomer.pk, "role": "officer", "municipality": aaa.pk, "active": "on"})
    assert Membership.objects.filter(user=newcomer, role="officer", municipality=aaa).exists()
    assert AuditEntry.objects.filter(action="membership.grant",
                                     municipality_code="AAA").count() == 2


def test_the_resident_list_runs_a_fixed_number_of_queries(residents, make_staff, login,
                                                         two_municipalities,
                                                         django_assert_max_num_queries):
    aaa, _ = two_municipalities
    system = system_actor("sms")
    for i in range(30):
        citizen_register(actor=system, phone=f"08222{i:05d}", municipality=aaa)
    client = login(make_staff({"role": Role.AGENT, "municipality": aaa}))
    client.get("/admin/accounts/citizen/")
    with django_assert_max_num_queries(8):
        assert client.get("/admin/accounts/citizen/").status_code == 200
