"""The staff page that sets the stage in force (the admin's add form, saved through
``stage_set``): administrators set it, audited; a refusal shows the form again with what was
typed and the reason; other staff do not see it."""

from django.utils import timezone

from imbizo.accounts.models import Role
from imbizo.audit.models import AuditEntry
from imbizo.loadshedding.models import StageChange
from imbizo.loadshedding.selectors import stage_in_force

ADD = "/admin/loadshedding/stagechange/add/"


def form(stage, municipality=None, note="") -> dict:
    now = timezone.localtime()
    return {"stage": stage, "municipality": municipality.pk if municipality else "",
            "at_0": f"{now:%Y-%m-%d}", "at_1": f"{now:%H:%M:%S}", "note": note}


def test_a_platform_administrator_sets_the_national_stage(client, make_staff,
                                                          django_capture_on_commit_callbacks):
    admin = make_staff({"role": Role.PLATFORM_ADMIN})
    client.force_login(admin.user)
    assert client.get(ADD).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD, form(5, note="Eskom at 16:00"))
    assert response.status_code == 302
    change = StageChange.objects.get()
    assert (change.stage, change.municipality, change.source) == (5, None, "staff")
    entry = AuditEntry.objects.get(action="loadshedding.stage_set")
    assert (entry.actor, entry.channel) == (admin.label, "admin")
    assert client.get(f"/admin/loadshedding/stagechange/{change.pk}/change/").status_code == 200


def test_a_stage_out_of_range_is_refused_on_the_form(client, make_staff):
    client.force_login(make_staff({"role": Role.PLATFORM_ADMIN}).user)
    response = client.post(ADD, form(9, note="typo"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ensure this value is less than or equal to 8." in text
    assert 'value="typo"' in text and not StageChange.objects.exists()


def test_a_municipal_administrator_sets_their_own_stage_not_the_national_one(
        client, make_staff, two_municipalities, django_capture_on_commit_callbacks):
    aaa, bbb = two_municipalities
    client.force_login(make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": aaa}).user)
    page = client.get(ADD).content.decode()
    assert "Aaa Local" in page and "Bbb Local" not in page
    refused = client.post(ADD, form(3))
    assert "Only platform administrators set the national stage." in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(ADD, form(2, aaa)).status_code == 302
    assert StageChange.objects.get().municipality == aaa
    assert stage_in_force(municipality=aaa).stage == 2 and stage_in_force().stage == 0


def test_staff_without_the_permission_do_not_see_it(client, make_staff, two_municipalities):
    client.force_login(make_staff({"role": Role.MANAGER,
                                   "municipality": two_municipalities[0]}).user)
    assert client.get("/admin/loadshedding/stagechange/").status_code == 403
    assert client.get(ADD).status_code == 403
