from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from imbizo.accounts.models import Role
from imbizo.cases.models import Case, Status, WorkOrder
from imbizo.cases.workorders import (
    access_workorder,
    workorder_accept,
    workorder_complete,
    workorder_decline,
    workorder_issue,
    workorder_list,
    workorder_note,
    workorder_signoff,
)
from imbizo.core.errors import ImbizoError


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
    return workorder_issue(actor=team["officer"], case=case, contractor=team[who].user,
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
        workorder_issue(actor=team["officer"], case=log_case(), contractor=team["paving"].user,
                        scope="x", due=timezone.localdate() - timedelta(days=1))
