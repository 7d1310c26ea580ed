"""Work orders to contractors: issued by an officer, accepted or declined, worked and
completed by the contractor, signed off by an officer. A contractor sees and touches
only their own work orders; a case resolves only when its work is signed off.

Every step and note is also an internal entry in the case's history, so staff follow
the work from the case; residents see only what the officer makes public at sign-off."""

import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.accounts.models import Role
from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, NotFound, PermissionDenied
from imbizo.core.events import emit
from imbizo.core.permissions import Actor
from imbizo.geo.models import Municipality

from .images import image_prepare
from .lifecycle import case_comment, case_resolve
from .models import Case, CaseUpdate, WorkOrder, WorkOrderNote
from .selectors import case_list
from .transitions import author_name, may_work

W = WorkOrder.State
MOVES = {  # state -> (who, allowed next states)
    W.ISSUED: {W.ACCEPTED, W.DECLINED, W.CANCELLED},
    W.ACCEPTED: {W.COMPLETED, W.CANCELLED},
    W.COMPLETED: {W.SIGNED_OFF, W.ACCEPTED},
}


def workorder_list(*, actor: Actor) -> QuerySet[WorkOrder]:
    """A contractor's own orders (where they still hold the role), or the orders of the
    cases the actor may see; with what the order shows: the case, its place, its photos."""
    qs = WorkOrder.objects.select_related(
        "case__category", "case__municipality", "case__ward", "contractor",
    ).defer("case__municipality__boundary", "case__ward__boundary") \
        .prefetch_related("case__attachments")
    visible = Q(case__in=case_list(actor=actor).values("pk"))
    if actor.kind == "staff" and actor.has("workorder.work"):
        mine = Q(contractor=actor.user,
                 municipality_id__in=actor.municipality_ids("workorder.work"))
        return qs.filter(mine | visible if actor.has("case.view") else mine)
    return qs.filter(visible)


def access_workorder(actor: Actor, pk: int) -> WorkOrder:
    found = workorder_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("workorder_not_found", _("No such work order."))
    return found


def contractor_list(*, actor: Actor, municipality_code: str) -> QuerySet:
    """The contractors an officer may send work to: users holding an active contractor
    membership in the municipality. Only for those who assign or work its cases."""
    municipality = Municipality.objects.defer("boundary").filter(code=municipality_code).first()
    if municipality is None:
        raise NotFound("unknown_municipality",
                       _("No municipality %(code)s.") % {"code": municipality_code})
    if not (actor.has("case.assign", municipality.pk) or actor.has("case.work", municipality.pk)):
        raise PermissionDenied(_("You may not send work to contractors in %(name)s.")
                               % {"name": municipality.name})
    return _contractors(municipality.pk)


def _contractors(municipality_id: int) -> QuerySet:
    return get_user_model().objects.filter(
        is_active=True, memberships__role=Role.CONTRACTOR, memberships__active=True,
        memberships__municipality_id=municipality_id,
    ).distinct().order_by("first_name", "last_name", "username")


def contractor_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _history(actor: Actor, order: WorkOrder, text: str) -> None:
    """An internal entry in the case's history: staff see it, residents never do."""
    CaseUpdate.objects.create(case_id=order.case_id, kind=CaseUpdate.Kind.INTERNAL,
                              actor=actor.label, author=author_name(actor),
                              text=f"W{order.number}: {text}")


def _is_contractor(actor: Actor, order: WorkOrder) -> bool:
    return actor.kind == "staff" and actor.user.pk == order.contractor_id


def _change(actor: Actor, order: WorkOrder, to: str, text: str = "", *,
            history: bool = True, **fields) -> WorkOrder:
    """Move the order on; its note goes to the order and (unless ``history`` is False)
    to the case's history."""
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
    label = _("Sent back") if (before, to) == (W.COMPLETED, W.ACCEPTED) else W(to).label
    _history(actor, order, f"{label}. {text}" if text and history else f"{label}.")
    audit_record(actor=actor.label, channel=actor.channel, action=f"workorder.{to}", obj=order,
                 municipality_code=order.case.municipality.code, changes={"state": [before, to]})
    emit("workorder_changed", municipality_id=order.municipality_id, case_id=order.case_id,
         data={"case": order.case.reference, "work_order": order.number, "state": to,
               "contractor": order.contractor_id})
    return order


@transaction.atomic
def workorder_issue(*, actor: Actor, case: Case, contractor_id: int, scope: str, due: date,
                    estimate: Decimal | None = None) -> WorkOrder:
    """Send work to a contractor picked from ``contractor_list``: anyone else (another
    municipality's contractor, an officer, a former contractor) is refused."""
    if not may_work(actor, case):
        raise PermissionDenied(_("You may not issue work orders for this case."))
    if not case.is_open:
        raise ImbizoError("case_not_open", _("The case is no longer open."), status=409)
    contractor = _contractors(case.municipality_id).filter(pk=contractor_id).first()
    if contractor is None:
        raise ImbizoError("not_a_contractor",
                          _("User %(id)s is not a contractor of this municipality; pick one "
                            "from the list of contractors.") % {"id": contractor_id},
                          status=422)
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
    _history(actor, order, _("Issued to %(who)s, due %(due)s: %(scope)s")
             % {"who": contractor_name(contractor), "due": due.isoformat(),
                "scope": order.scope})
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
    """A note or photo from the site; it also goes to the case's history, the photo as
    the address staff open it at."""
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
    words = [note.text] if note.text else []
    if note.photo:
        words.append(_("Photo: %(url)s") % {"url": reverse("photos:note", args=[note.pk])})
    _history(actor, order, " ".join(words))
    audit_record(actor=actor.label, channel=actor.channel, action="workorder.note", obj=order,
                 municipality_code=order.case.municipality.code,
                 changes={"note": note.pk, "photo": bool(note.photo)})
    return note


@transaction.atomic
def workorder_signoff(*, actor: Actor, order: WorkOrder, note: str, accept: bool = True,
                      public: bool = False) -> WorkOrder:
    """An officer accepts the completed work (or sends it back, with an internal note to
    the contractor). When no work order of the case is left outstanding, the case is
    resolved. The officer's note is internal unless ``public``: then it is what
    residents are told (the resolution, or a public update while work remains)."""
    if not may_work(actor, order.case):
        raise PermissionDenied(_("Only an officer of the case can sign off its work."))
    note = note.strip()
    if not accept:
        if not note:
            raise ImbizoError("reason_required", _("Say what is still to be done."))
        return _change(actor, order, W.ACCEPTED, text=note, completed=None)
    published = public and bool(note)
    order = _change(actor, order, W.SIGNED_OFF, text=note, history=not published,
                    signed_off=timezone.now())
    outstanding = order.case.work_orders.filter(
        state__in=[W.ISSUED, W.ACCEPTED, W.COMPLETED]).exists()
    if not outstanding and order.case.is_open:
        case_resolve(actor=actor, case=order.case,
                     note=note if published else _("Work completed."))
    elif published:
        case_comment(actor=actor, case=order.case, text=note, public=True)
    return order
