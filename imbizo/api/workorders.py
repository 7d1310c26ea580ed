"""Work orders over the REST API: contractors see and act on their own."""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.contrib.auth import get_user_model
from ninja import Router, Schema
from ninja.responses import Status

from imbizo.cases import workorders
from imbizo.cases.selectors import access_case
from imbizo.core.errors import ImbizoError

from .auth import api_auth

router = Router(tags=["work orders"], auth=api_auth)


class WorkOrderIn(Schema):
    contractor: int
    scope: str
    due: date
    estimate: Decimal | None = None


class WorkOrderOut(Schema):
    id: int
    case: str
    number: int
    contractor: int
    scope: str
    due: date
    estimate: Decimal | None
    state: str

    @staticmethod
    def from_order(order) -> dict:
        return {"id": order.pk, "case": order.case.reference, "number": order.number,
                "contractor": order.contractor_id, "scope": order.scope, "due": order.due,
                "estimate": order.estimate, "state": order.state}


class WorkOrderActionIn(Schema):
    action: Literal["accept", "decline", "complete", "sign_off", "send_back", "note"]
    note: str = ""


@router.post("/cases/{reference}/workorders", response={201: WorkOrderOut},
             summary="Send work to a contractor")
def issue_workorder(request, reference: str, payload: WorkOrderIn):
    case = access_case(request.auth, reference)
    contractor = get_user_model().objects.filter(pk=payload.contractor).first()
    if contractor is None:
        raise ImbizoError("not_a_contractor", "No such contractor.")
    order = workorders.workorder_issue(actor=request.auth, case=case, contractor=contractor,
                                       scope=payload.scope, due=payload.due,
                                       estimate=payload.estimate)
    return Status(201, WorkOrderOut.from_order(order))


@router.get("/workorders", response=list[WorkOrderOut],
            summary="Work orders: a contractor's own, or those of cases one may see")
def list_workorders(request, state: str | None = None):
    orders = workorders.workorder_list(actor=request.auth)
    if state:
        orders = orders.filter(state=state)
    return [WorkOrderOut.from_order(o) for o in orders.order_by("due", "pk")[:200]]


@router.post("/workorders/{order_id}", response=WorkOrderOut, summary="Act on a work order")
def act_on_workorder(request, order_id: int, payload: WorkOrderActionIn):
    actor, note = request.auth, payload.note
    order = workorders.access_workorder(actor, order_id)
    if payload.action == "note":
        workorders.workorder_note(actor=actor, order=order, text=note)
    else:
        order = {
            "accept": lambda: workorders.workorder_accept(actor=actor, order=order),
            "decline": lambda: workorders.workorder_decline(actor=actor, order=order,
                                                            reason=note),
            "complete": lambda: workorders.workorder_complete(actor=actor, order=order,
                                                              note=note),
            "sign_off": lambda: workorders.workorder_signoff(actor=actor, order=order,
                                                             note=note),
            "send_back": lambda: workorders.workorder_signoff(actor=actor, order=order,
                                                              note=note, accept=False),
        }[payload.action]()
    return WorkOrderOut.from_order(order)
