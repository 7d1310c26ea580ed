"""Work orders to contractors: issued by an officer, accepted or declined, worked and
completed by the contractor, signed off by an officer. A contractor sees and touches
only their own work orders; a case resolves only when its work is signed off."""

import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.accounts.models import Membership, Role
from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, NotFound, PermissionDenied
from imbizo.core.events import emit
from imbizo.core.permissions import Actor

from .images import image_prepare
from .lifecycle import case_resolve
from .models import Case, WorkOrder, WorkOrderNote
from .transitions import author_name, may_work

W = WorkOrder.State
MOVES = {  # state -> (who, allowed next states)
    W.ISSUED: {W.ACCEPTED, W.DECLINED, W.CANCELLED},
    W.ACCEPTED: {W.COMPLETED, W.CANCELLED},
    W.COMPLETED: {W.SIGNED_OFF, W.ACCEPTED},
}


def workorder_list(*, actor: Actor) -> QuerySet[WorkOrder]:
    qs = WorkOrder.objects.select_related("case", "contractor", "municipality")
    if actor.kind == "staff" and actor.has("workorder.work") and not actor.has("case.view"):
        return qs.filter(contractor=actor.user)
    from .selectors import case_list
    return qs.filter(case__in=case_list(actor=actor).values("pk"))


def access_workorder(actor: Actor, pk: int) -> WorkOrder:
    found = workorder_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("workorder_not_found", _("No such work order."))
    return found


def _is_contractor(actor: Actor, order: WorkOrder) -> bool:
    return actor.kind == "staff" and actor.user.pk == order.contractor_id


def _change(actor: Actor, order: WorkOrder, to: str, text: str = "", **fields) -> WorkOrder:
    order = WorkOrder.objects.select_for_update(of=("self",)).select_related(
        "case__municipality", "contractor").get(pk=order.pk)
    if to not in MOVES.get(order.state, ()):
        raise ImbizoError("invalid_transition",
                          _("A work order that is %(now)s cannot become %(to)s.")
                          % {"now": W(order.state).label, "to": W(to).label}, status=409)
    before = order.state
    order.state = to
    for name, value in fields.items():
        setattr(order, name, value)
    order.save(update_fields=["state", "updated", *fields])
    if text:
        WorkOrderNote.objects.create(work_order=order, actor=actor.label, author=author_name(actor),
                                     text=text)
    audit_record(actor=actor.label, channel=actor.channel, action=f"workorder.{to}", obj=order,
                 municipality_code=order.case.municipality.code, changes={"state": [before, to]})
    emit("workorder_changed", municipality_id=order.municipality_id, case_id=order.case_id,
         data={"case": order.case.reference, "work_order": order.number, "state": to,
               "contractor": order.contractor_id})
    return order


@transaction.atomic
def workorder_issue(*, actor: Actor, case: Case, contractor, scope: str, due: date,
                    estimate: Decimal | None = None) -> WorkOrder:
    if not may_work(actor, case):
        raise PermissionDenied(_("You may not issue work orders for this case."))
    if not case.is_open:
        raise ImbizoError("case_not_open", _("The case is no longer open."), status=409)
    if not Membership.objects.filter(user=contractor, role=Role.CONTRACTOR, active=True,
                                     municipality_id=case.municipality_id).exists():
        raise ImbizoError("not_a_contractor",
                          _("%(who)s is not a contractor of this municipality.")
                          % {"who": contractor})
    if not scope.strip():
        raise ImbizoError("scope_required", _("Describe the work to be done."))
    if due < timezone.localdate():
        raise ImbizoError("due_in_past", _("The due date has already passed."))
    Case.objects.select_for_update().filter(pk=case.pk).first()  # numbers issue in turn
    number = (case.work_orders.order_by("-number").values_list("number", flat=True).first()
              or 0) + 1
    order = WorkOrder(municipality_id=case.municipality_id, case=case, number=number,
                      contractor=contractor, scope=scope.strip(), due=due, estimate=estimate)
    order.full_clean(exclude=["municipality", "case", "contractor"])
    order.save()
    audit_record(actor=actor.label, channel=actor.channel, action="workorder.issue", obj=order,
                 municipality_code=case.municipality.code,
                 changes={"case": case.reference, "contractor": contractor.pk,
                          "estimate": str(estimate) if estimate is not None else None})
    emit("workorder_changed", municipality_id=case.municipality_id, case_id=case.pk,
         data={"case": case.reference, "work_order": number, "state": order.state,
               "contractor": contractor.pk})
    return order


def _contractor_only(actor: Actor, order: WorkOrder) -> None:
    if not _is_contractor(actor, order):
        raise PermissionDenied(_("Only the contractor can do that."))


@transaction.atomic
def workorder_accept(*, actor: Actor, order: WorkOrder) -> WorkOrder:
    _contractor_only(actor, order)
    return _change(actor, order, W.ACCEPTED)


@transaction.atomic
def workorder_decline(*, actor: Actor, order: WorkOrder, reason: str) -> WorkOrder:
    _contractor_only(actor, order)
    if not reason.strip():
        raise ImbizoError("reason_required", _("Say why you decline."))
    return _change(actor, order, W.DECLINED, text=reason.strip())


@transaction.atomic
def workorder_complete(*, actor: Actor, order: WorkOrder, note: str) -> WorkOrder:
    _contractor_only(actor, order)
    return _change(actor, order, W.COMPLETED, text=note.strip(), completed=timezone.now())


@transaction.atomic
def workorder_note(*, actor: Actor, order: WorkOrder, text: str = "",
                   photo: bytes | None = None) -> WorkOrderNote:
    if not (_is_contractor(actor, order) or may_work(actor, order.case)):
        raise PermissionDenied()
    if not text.strip() and not photo:
        raise ImbizoError("text_required", _("Write a note or add a photo."))
    note = WorkOrderNote(work_order=order, actor=actor.label, author=author_name(actor),
                         text=text.strip())
    if photo:
        prepared = image_prepare(photo, max_bytes=settings.ATTACHMENT_MAX_BYTES)
        note.photo.save(f"{uuid.uuid4()}.{prepared.extension}", ContentFile(prepared.content),
                        save=False)
    note.save()
    return note


@transaction.atomic
def workorder_signoff(*, actor: Actor, order: WorkOrder, note: str,
                      accept: bool = True) -> WorkOrder:
    """An officer accepts the completed work (or sends it back). When no work order of the
    case is left outstanding, the case is resolved with the officer's note."""
    if not may_work(actor, order.case):
        raise PermissionDenied(_("Only an officer of the case can sign off its work."))
    if not accept:
        if not note.strip():
            raise ImbizoError("reason_required", _("Say what is still to be done."))
        return _change(actor, order, W.ACCEPTED, text=note.strip(), completed=None)
    order = _change(actor, order, W.SIGNED_OFF, text=note.strip(), signed_off=timezone.now())
    outstanding = order.case.work_orders.filter(
        state__in=[W.ISSUED, W.ACCEPTED, W.COMPLETED]).exists()
    if not outstanding and order.case.is_open:
        case_resolve(actor=actor, case=order.case, note=note or _("Work completed."))
    return order
