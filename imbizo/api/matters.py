"""API v1: matters residents raise with their ward councillor (docs/matters.md).

Raising and supporting are a resident's steps: an integrator's key or a staff member who
logs cases in the ward's municipality acts for the resident named by ``phone``, as on
``/cases/{reference}/join``. A matter is read back by whoever raised it, and by staff and
keys holding ``matters.view`` over it. A ward's list of open matters is public and holds
no personal data: the words and answer of public matters only, never who raised them.
"""

from datetime import datetime

from django.db import transaction
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from imbizo.core.errors import ImbizoError
from imbizo.matters.models import Matter
from imbizo.matters.residents import matter_resident
from imbizo.matters.selectors import (
    PUBLIC_PAGE,
    access_matter,
    matter_timeline,
    matter_to_support,
    matter_ward,
    public_ward,
    ward_public_matters,
)
from imbizo.matters.services import matter_raise
from imbizo.matters.support import matter_support

from .auth import api_auth

router = Router(tags=["matters"])


class MatterIn(Schema):
    phone: str = Field("", description="The resident's number; left out when a resident "
                                       "acts for themselves.")
    kind: str = Field(description="issue or suggestion")
    ward: str = Field(description="The ward's code (8 digits).")
    title: str = ""
    text: str
    public: bool | None = Field(None, description="Neighbours see its words and may support "
                                                  "it; a suggestion is public by default, "
                                                  "an issue private.")


class WardOut(Schema):
    code: str
    number: int


class UpdateOut(Schema):
    at: datetime
    status: str
    by: str
    text: str


class MatterOut(Schema):
    reference: str
    kind: str
    status: str
    municipality: str
    ward: WardOut
    title: str
    text: str
    public: bool
    channel: str
    created: datetime
    ack_due: datetime
    acknowledged: datetime | None
    overdue: bool
    answer: str
    answered: datetime | None
    case: str | None
    supports: int
    timeline: list[UpdateOut]


class PublicMatterOut(Schema):
    reference: str
    kind: str
    status: str
    created: datetime
    title: str
    text: str
    answer: str
    answered: datetime | None
    supports: int
    supportable: bool


class PublicListOut(Schema):
    ward: WardOut
    matters: list[PublicMatterOut]
    next_cursor: str | None


class PublicQuery(Schema):
    cursor: str | None = None
    limit: int = PUBLIC_PAGE


class SupportIn(Schema):
    phone: str = ""


class SupportOut(Schema):
    reference: str
    supports: int


def _detail(matter: Matter) -> dict:
    return {
        "reference": matter.reference, "kind": matter.kind, "status": matter.status,
        "municipality": matter.municipality.code,
        "ward": {"code": matter.ward.code, "number": matter.ward.number},
        "title": matter.title, "text": matter.text, "public": matter.public,
        "channel": matter.channel, "created": matter.created, "ack_due": matter.ack_due,
        "acknowledged": matter.acknowledged, "overdue": matter.ack_overdue,
        "answer": matter.answer, "answered": matter.answered,
        "case": matter.case.reference if matter.case_id else None,
        "supports": matter.support_count,
        "timeline": [{"at": u.created, "status": u.to_status, "by": u.author, "text": u.text}
                     for u in matter_timeline(matter)],
    }


@router.post("/matters", response={201: MatterOut}, auth=api_auth,
             summary="Raise an issue or a suggestion with the ward councillor")
def raise_matter(request, payload: MatterIn):
    """Send an `Idempotency-Key` header to make retries safe. A number new to Imbizo
    becomes a resident of the ward."""
    ward = matter_ward(payload.ward)
    with transaction.atomic():  # a resident registered for a refused matter is not kept
        resident = matter_resident(actor=request.auth, ward=ward, phone=payload.phone,
                                   register=True)
        matter = matter_raise(actor=resident, kind=payload.kind, ward=ward, text=payload.text,
                              title=payload.title, public=payload.public,
                              idempotency_key=request.headers.get("Idempotency-Key") or None)
    return Status(201, _detail(access_matter(request.auth, matter.reference)))


@router.get("/matters/{reference}", response=MatterOut, auth=api_auth,
            summary="A matter, for whoever raised it or may see it")
def matter_detail(request, reference: str):
    return _detail(access_matter(request.auth, reference))


@router.post("/matters/{reference}/support", response=SupportOut, auth=api_auth,
             summary="A resident of the ward supports a public suggestion, once")
def support(request, reference: str, payload: SupportIn):
    matter = matter_to_support(reference)
    resident = matter_resident(actor=request.auth, ward=matter.ward, phone=payload.phone)
    matter = matter_support(actor=resident, matter=matter)
    return {"reference": matter.reference, "supports": matter.support_count}


@router.get("/wards/{code}/matters", response=PublicListOut, auth=None,
            summary="A ward's open matters, without personal data")
def ward_matters(request, code: str, query: Query[PublicQuery]):
    if not 1 <= query.limit <= 100:
        raise ImbizoError("invalid_limit", "limit must be between 1 and 100.", field="limit")
    ward = public_ward(code)
    page = ward_public_matters(ward=ward, cursor=query.cursor, limit=query.limit)
    return {"ward": {"code": ward.code, "number": ward.number},
            "matters": [{**vars(m), "supportable": m.supportable} for m in page.items],
            "next_cursor": page.next_cursor}
