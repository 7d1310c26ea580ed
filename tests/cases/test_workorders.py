import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image

from imbizo.accounts.models import Membership, Role
from imbizo.accounts.permissions import staff_actor
from imbizo.audit.models import AuditEntry
from imbizo.cases.models import Case, CaseUpdate, Status, WorkOrder
from imbizo.cases.workorders import (
    access_workorder,
    contractor_list,
    workorder_accept,
    workorder_complete,
    workorder_decline,
    workorder_issue,
    workorder_list,
    workorder_note,
    workorder_signoff,
)
from imbizo.core.errors import ImbizoError
from imbizo.messaging.models import OutboundMessage


@pytest.fixture
def team(make_staff, municipalities, department):
    aaa, bbb = municipalities
    return {
        "officer": make_staff({"role": Role.OFFICER, "municipality": aaa,
                               "department": department("roads")}),
        "paving": make_staff({"role": Role.CONTRACTOR, "municipality": aaa}),
        "rival": make_staff({"role": Role.CONTRACTOR, "municipality": aaa}),
        "elsewhere": make_staff({"role": Role.CONTRACTOR, "municipality": bbb}),
    }


def issue(team, case, who="paving"):
    return workorder_issue(actor=team["officer"], case=case, contractor_id=team[who].user.pk,
                           scope="Patch pothole, 1 m²", due=timezone.localdate()
                           + timedelta(days=3), estimate=Decimal("1850.00"))


def test_work_is_completed_by_the_contractor_and_the_case_moves_only_on_sign_off(team,
                                                                               log_case):
    case = log_case()
    order = issue(team, case)
    assert str(order) == f"{case.reference}/W1"
    order = workorder_accept(actor=team["paving"], order=order)
    workorder_note(actor=team["paving"], order=order, text="On site")
    order = workorder_complete(actor=team["paving"], order=order, note="Patched")
    assert Case.objects.get(pk=case.pk).status == Status.ASSIGNED
    workorder_signoff(actor=team["officer"], order=order, note="Inspected: good")
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED


def test_a_contractor_sees_and_touches_only_their_own_orders(team, log_case):
    mine, theirs = issue(team, log_case()), issue(team, log_case(), who="rival")
    assert list(workorder_list(actor=team["paving"])) == [mine]
    with pytest.raises(ImbizoError) as err:
        access_workorder(team["paving"], theirs.pk)
    assert err.value.status == 404
    with pytest.raises(ImbizoError) as err:
        workorder_accept(actor=team["paving"], order=theirs)
    assert err.value.status == 403
    assert set(workorder_list(actor=team["officer"])) == {mine, theirs}


def test_only_contractors_of_the_municipality_get_work(team, log_case):
    with pytest.raises(ImbizoError, match="not a contractor of this municipality"):
        issue(team, log_case(), who="elsewhere")
    with pytest.raises(ImbizoError, match="not a contractor"):
        issue(team, log_case(), who="officer")


def test_declining_needs_a_reason_and_sign_off_can_send_work_back(team, log_case):
    order = issue(team, log_case())
    with pytest.raises(ImbizoError, match="why you decline"):
        workorder_decline(actor=team["paving"], order=order, reason=" ")
    order = workorder_accept(actor=team["paving"], order=order)
    order = workorder_complete(actor=team["paving"], order=order, note="Done")
    order = workorder_signoff(actor=team["officer"], order=order, note="Edges crumbling",
                              accept=False)
    assert order.state == WorkOrder.State.ACCEPTED and order.completed is None
    assert order.case.updates.filter(kind=CaseUpdate.Kind.INTERNAL,
                                     text="W1: Sent back. Edges crumbling").exists()
    with pytest.raises(ImbizoError) as err:
        workorder_signoff(actor=team["officer"], order=order, note="ok")
    assert err.value.status == 409


def test_a_case_waits_for_every_order(team, log_case):
    case = log_case()
    first, second = issue(team, case), issue(team, case, who="rival")
    assert second.number == 2
    for order, who in ((first, "paving"), (second, "rival")):
        workorder_accept(actor=team[who], order=order)
    workorder_signoff(actor=team["officer"],
                      order=workorder_complete(actor=team["paving"], order=first, note="x"),
                      note="first done")
    assert Case.objects.get(pk=case.pk).status == Status.ASSIGNED


def test_a_past_due_date_is_refused(team, log_case):
    with pytest.raises(ImbizoError, match="already passed"):
        workorder_issue(actor=team["officer"], case=log_case(),
                        contractor_id=team["paving"].user.pk, scope="x",
                        due=timezone.localdate() - timedelta(days=1))


def site_photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "grey").save(buffer, "JPEG")
    return buffer.getvalue()


def test_contractors_are_listed_only_to_those_who_send_work(team, make_staff, municipalities):
    aaa, bbb = municipalities
    listed = contractor_list(actor=team["officer"], municipality_code="AAA")
    assert set(listed) == {team["paving"].user, team["rival"].user}
    for outsider in (team["paving"], make_staff({"role": Role.OFFICER, "municipality": bbb}),
                     make_staff({"role": Role.AGENT, "municipality": aaa})):
        with pytest.raises(ImbizoError) as err:
            contractor_list(actor=outsider, municipality_code="AAA")
        assert err.value.status == 403


def test_a_lapsed_contractor_gets_no_work_and_sees_no_old_orders(team, log_case):
    order = issue(team, log_case(), who="rival")
    Membership.objects.filter(user=team["rival"].user).update(active=False)
    with pytest.raises(ImbizoError) as err:
        issue(team, log_case(), who="rival")
    assert (err.value.code, err.value.status) == ("not_a_contractor", 422)
    assert not workorder_list(actor=staff_actor(team["rival"].user)).filter(pk=order.pk).exists()
    assert contractor_list(actor=team["officer"], municipality_code="AAA").get() \
        == team["paving"].user


def test_every_step_of_the_work_is_in_the_cases_history_for_staff_only(team, log_case,
                                                                      settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    case = log_case()
    order = issue(team, case)
    order = workorder_accept(actor=team["paving"], order=order)
    note = workorder_note(actor=team["paving"], order=order, text="On site", photo=site_photo())
    order = workorder_complete(actor=team["paving"], order=order, note="Patched")
    workorder_signoff(actor=team["officer"], order=order, note="Inspected: good")
    internal = list(case.updates.filter(kind=CaseUpdate.Kind.INTERNAL))
    assert [u.text for u in internal] == [
        f"W1: Issued to {team['paving'].user.username}, due {order.due.isoformat()}: "
        "Patch pothole, 1 m²",
        "W1: Accepted.",
        f"W1: On site Photo: /photos/notes/{note.pk}",
        "W1: Completed. Patched",
        "W1: Signed off. Inspected: good",
    ]
    assert not any(u.public for u in internal)
    assert internal[2].actor == team["paving"].label
    resolution = case.updates.get(kind=CaseUpdate.Kind.STATUS, to_status=Status.RESOLVED)
    assert resolution.text == "Work completed."  # the officer's note stayed internal
    assert AuditEntry.objects.filter(action="workorder.note").count() == 1


def test_a_public_sign_off_note_while_work_remains_is_a_public_update(team, log_case):
    case = log_case()
    first, second = issue(team, case), issue(team, case, who="rival")
    workorder_accept(actor=team["rival"], order=second)
    first = workorder_complete(actor=team["paving"],
                               order=workorder_accept(actor=team["paving"], order=first),
                               note="Patched")
    workorder_signoff(actor=team["officer"], order=first, note="Half the road is done",
                      public=True)
    assert Case.objects.get(pk=case.pk).status == Status.ASSIGNED
    public = case.updates.get(kind=CaseUpdate.Kind.PUBLIC)
    assert public.text == "Half the road is done"
    assert not case.updates.filter(kind=CaseUpdate.Kind.INTERNAL,
                                   text__contains="Half the road").exists()


def test_only_a_public_sign_off_note_is_sent_to_followers(team, log_case, run_worker):
    quiet, told = log_case(), log_case()
    for case, public in ((quiet, False), (told, True)):
        order = issue(team, case)
        order = workorder_accept(actor=team["paving"], order=order)
        workorder_note(actor=team["paving"], order=order, text="Cones out")
        order = workorder_complete(actor=team["paving"], order=order, note="Patched")
        workorder_signoff(actor=team["officer"], order=order, note=f"Inspected {case.reference}",
                          public=public)
    run_worker()
    bodies = list(OutboundMessage.objects.values_list("body", flat=True))
    assert any(f"Inspected {told.reference}" in body for body in bodies)
    assert not any(f"Inspected {quiet.reference}" in body for body in bodies)
    assert not any("Cones out" in body or "Patched" in body for body in bodies)
    # The internal entries (issue, accept, note, complete, sign-off) told no one anything:
    # each case sent the same messages, its logging and its resolution.
    about = [sum(case.reference in body for body in bodies) for case in (quiet, told)]
    assert about[0] == about[1] == 2


def test_an_officer_who_contracts_elsewhere_sees_both_kinds_of_order(team, log_case, make_staff,
                                                                      municipalities,
                                                                      department):
    aaa, bbb = municipalities
    both = make_staff({"role": Role.OFFICER, "municipality": aaa,
                       "department": department("roads")},
                      {"role": Role.CONTRACTOR, "municipality": bbb})
    bbb_officer = make_staff({"role": Role.OFFICER, "municipality": bbb,
                              "department": department("roads", "BBB")})
    theirs = workorder_issue(actor=bbb_officer, case=log_case(lon=20.35),
                             contractor_id=both.user.pk, scope="Patch",
                             due=timezone.localdate() + timedelta(days=3))
    aaa_order = issue(team, log_case())
    bbb_other = workorder_issue(actor=bbb_officer, case=log_case(lon=20.35),
                                contractor_id=team["elsewhere"].user.pk, scope="Patch",
                                due=timezone.localdate() + timedelta(days=3))
    assert set(workorder_list(actor=both)) == {theirs, aaa_order}
    assert bbb_other not in set(workorder_list(actor=both))
