"""Work orders over the REST API: contractors see and act on their own; officers pick
contractors from the municipality's list.

An order shows the contractor where and what: the case's place, ward and suburbs, its
description and photos (addresses signed for them: api/photos.py), and the notes.
"""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.conf import settings
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from imbizo.cases import workorders
from imbizo.cases.limits import TEXT_MAX_LENGTH
from imbizo.cases.photos import note_photo_url, photo_url
from imbizo.cases.selectors import access_case

from .auth import api_auth
from .ranges import Day, Money

router = Router(tags=["work orders"], auth=api_auth)


class WorkOrderIn(Schema):
    contractor: int
    scope: str = Field(max_length=TEXT_MAX_LENGTH)
    due: Day
    estimate: Money | None = None


class PhotoOut(Schema):
    url: str
    thumbnail_url: str


class WardOut(Schema):
    code: str
    number: int
    suburbs: list[str]


class WorkOrderOut(Schema):
    id: int
    case: str
    number: int
    contractor: int
    contractor_name: str
    scope: str
    due: date
    estimate: Decimal | None
    state: str
    description: str
    latitude: float | None
    longitude: float | None
    address: str
    ward: WardOut | None
    photos: list[PhotoOut]

    @staticmethod
    def from_order(order, absolute: Callable[[str], str]) -> dict:
        """``order`` comes from workorder_list: case, ward and photos loaded with it."""
        case, ward = order.case, order.case.ward
        return {
            "id": order.pk, "case": case.reference, "number": order.number,
            "contractor": order.contractor_id,
            "contractor_name": workorders.contractor_name(order.contractor),
            "scope": order.scope, "due": order.due, "estimate": order.estimate,
            "state": order.state, "description": case.description,
            "latitude": case.latitude, "longitude": case.longitude, "address": case.address,
            "ward": {"code": ward.code, "number": ward.number,
                     "suburbs": [s.strip() for s in ward.suburbs.splitlines() if s.strip()]}
            if ward else None,
            "photos": [{"url": absolute(photo_url(a)),
                        "thumbnail_url": absolute(photo_url(a, thumbnail=True))}
                       for a in case.attachments.all()],
        }


class NoteOut(Schema):
    created: datetime
    author: str
    text: str
    photo_url: str | None

    @staticmethod
    def from_note(note, absolute: Callable[[str], str]) -> dict:
        return {"created": note.created, "author": note.author, "text": note.text,
                "photo_url": absolute(note_photo_url(note)) if note.photo else None}


class WorkOrderDetailOut(WorkOrderOut):
    notes: list[NoteOut]


class ContractorOut(Schema):
    id: int
    name: str


class WorkOrderActionIn(Schema):
    action: Literal["accept", "decline", "complete", "sign_off", "send_back", "note"]
    note: str = Field("", max_length=TEXT_MAX_LENGTH)
    public: bool = Field(False, description="sign_off only: residents are told the note "
                                            "(else it stays internal)")


def _detail(request, order_id: int) -> dict:
    order = workorders.access_workorder(request.auth, order_id)
    absolute = request.build_absolute_uri
    return {**WorkOrderOut.from_order(order, absolute),
            "notes": [NoteOut.from_note(n, absolute) for n in order.notes.all()]}


@router.get("/contractors", response=list[ContractorOut],
            summary="Contractors an officer may send work to in a municipality")
def list_contractors(request, municipality: str):
    return [{"id": u.pk, "name": workorders.contractor_name(u)}
            for u in workorders.contractor_list(actor=request.auth,
                                                municipality_code=municipality)]


@router.post("/cases/{reference}/workorders", response={201: WorkOrderDetailOut},
             summary="Send work to a contractor (one from GET /contractors)")
def issue_workorder(request, reference: str, payload: WorkOrderIn):
    case = access_case(request.auth, reference)
    order = workorders.workorder_issue(actor=request.auth, case=case,
                                       contractor_id=payload.contractor, scope=payload.scope,
                                       due=payload.due, estimate=payload.estimate)
    return Status(201, _detail(request, order.pk))


@router.get("/workorders", response=list[WorkOrderOut],
            summary="Work orders: a contractor's own, or those of cases one may see")
def list_workorders(request, state: str | None = None):
    orders = workorders.workorder_list(actor=request.auth)
    if state:
        orders = orders.filter(state=state)
    return [WorkOrderOut.from_order(o, request.build_absolute_uri)
            for o in orders.order_by("due", "pk")[:200]]


@router.get("/workorders/{order_id}", response=WorkOrderDetailOut,
            summary="One work order: where, what, photos and notes")
def get_workorder(request, order_id: int):
    return _detail(request, order_id)


@router.post("/workorders/{order_id}", response=WorkOrderDetailOut,
             summary="Act on a work order")
def act_on_workorder(request, order_id: int, payload: WorkOrderActionIn):
    actor, note = request.auth, payload.note
    order = workorders.access_workorder(actor, order_id)
    {
        "note": lambda: workorders.workorder_note(actor=actor, order=order, text=note),
        "accept": lambda: workorders.workorder_accept(actor=actor, order=order),
        "decline": lambda: workorders.workorder_decline(actor=actor, order=order, reason=note),
        "complete": lambda: workorders.workorder_complete(actor=actor, order=order, note=note),
        "sign_off": lambda: workorders.workorder_signoff(actor=actor, order=order, note=note,
                                                         public=payload.public),
        "send_back": lambda: workorders.workorder_signoff(actor=actor, order=order, note=note,
                                                          accept=False),
    }[payload.action]()
    return _detail(request, order_id)


@router.post("/workorders/{order_id}/photos", response={201: NoteOut},
             summary="Add a photo from the site (JPEG, PNG or WebP), with an optional note")
def add_workorder_photo(request, order_id: int, file: File[UploadedFile],
                        text: str = Form("", max_length=TEXT_MAX_LENGTH)):
    order = workorders.access_workorder(request.auth, order_id)
    # One byte past the limit is enough for the pipeline to refuse it; never read more.
    data = file.read(settings.ATTACHMENT_MAX_BYTES + 1)
    note = workorders.workorder_note(actor=request.auth, order=order, text=text, photo=data)
    return Status(201, NoteOut.from_note(note, request.build_absolute_uri))
