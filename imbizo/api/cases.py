"""Cases over the REST API: thin endpoints over the case services and selectors."""

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from django.conf import settings
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from imbizo.cases import lifecycle
from imbizo.cases.attachments import attachment_add
from imbizo.cases.compliance import sla_compliance
from imbizo.cases.duplicates import case_merge, duplicate_candidates
from imbizo.cases.limits import TEXT_MAX_LENGTH
from imbizo.cases.models import Case
from imbizo.cases.photos import photo_url
from imbizo.cases.selectors import (
    CaseFilters,
    access_case,
    assignment_targets,
    case_detail,
    case_filter,
    case_list,
    case_page,
    category_by_code,
    category_list,
)
from imbizo.cases.services import Contact, Location, case_log
from imbizo.core.errors import ImbizoError
from imbizo.geo.models import Municipality
from imbizo.geo.selectors import municipality_by_code, ward_by_code

from .auth import api_auth
from .ranges import Latitude, Longitude, Moment

router = Router(tags=["cases"], auth=api_auth)


# --- schemas --------------------------------------------------------------------------
class ContactIn(Schema):
    name: str = ""
    phone: str = ""
    email: str = ""


class CaseIn(Schema):
    category: str
    description: str = Field(max_length=TEXT_MAX_LENGTH)
    municipality: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    ward: str | None = None
    extra: dict = {}
    contact: ContactIn | None = None
    public: bool = True


class CaseOut(Schema):
    reference: str
    uuid: str
    municipality: str
    category: str
    category_name: str
    status: str
    priority: str
    description: str
    latitude: float | None
    longitude: float | None
    address: str
    ward: str | None
    department: str | None
    assignee: int | None
    channel: str
    version: int
    affected_count: int
    created: datetime
    updated: datetime
    ack_due: datetime | None
    resolve_due: datetime | None
    acknowledged: datetime | None
    resolved: datetime | None
    closed: datetime | None
    overdue: bool
    rating: int | None
    merged_into: str | None

    @staticmethod
    def from_case(case: Case) -> dict:
        return {
            **{f: getattr(case, f) for f in (
                "reference", "status", "priority", "description", "latitude", "longitude",
                "address", "channel", "version", "affected_count", "created", "updated",
                "ack_due", "resolve_due", "acknowledged", "resolved", "closed", "rating")},
            "uuid": str(case.uuid), "municipality": case.municipality.code,
            "category": case.category.code, "category_name": case.category.name,
            "ward": case.ward.code if case.ward_id else None,
            "department": case.department.code if case.department_id else None,
            "assignee": case.assignee_id,
            "overdue": case.is_open and bool(case.resolve_due)
            and case.resolve_due < timezone.now(),
            "merged_into": case.merged_into.reference if case.merged_into_id else None,
        }


class UpdateOut(Schema):
    kind: str
    created: datetime
    author: str
    from_status: str
    to_status: str
    text: str


class AttachmentOut(Schema):
    uuid: str
    url: str
    thumbnail_url: str
    content_type: str
    width: int
    height: int


class CaseDetailOut(CaseOut):
    updates: list[UpdateOut]
    attachments: list[AttachmentOut]


class CasePageOut(Schema):
    items: list[CaseOut]
    next_cursor: str | None


class TransitionIn(Schema):
    action: Literal["start", "hold", "resume", "resolve", "close", "reopen", "reject", "cancel"]
    note: str = Field("", max_length=TEXT_MAX_LENGTH)
    reason: str = Field("", max_length=TEXT_MAX_LENGTH)
    expected_version: int | None = None


class CommentIn(Schema):
    text: str = Field(max_length=TEXT_MAX_LENGTH)
    public: bool = False


class AssignIn(Schema):
    department: str | None = None
    team: int | None = None
    assignee: int | None = None
    expected_version: int | None = None


class MergeIn(Schema):
    into: str


class CandidateOut(Schema):
    reference: str
    status: str
    distance_m: float
    affected_count: int


class CategoryOut(Schema):
    code: str
    name: str
    group: str | None
    priority: str
    fields: list
    photo_required: bool
    location_required: bool


class ListFilters(Schema):
    status: list[str] | None = None
    category: str | None = None
    ward: str | None = None
    department: str | None = None
    assignee: int | None = None
    created_from: Moment | None = None
    created_to: Moment | None = None
    overdue: bool | None = None
    municipality: str | None = None
    cursor: str | None = None
    limit: int = 50


# --- helpers --------------------------------------------------------------------------
def _municipality(code: str | None) -> Municipality | None:
    return municipality_by_code(code) if code else None


def _detail(case: Case, actor, updates=None, attachments=None, *,
            absolute: Callable[[str], str]) -> dict:
    """``absolute`` is ``request.build_absolute_uri``: photo addresses are absolute."""
    updates = case.updates.all() if updates is None else updates
    if actor.kind == "citizen":
        updates = [u for u in updates if u.public]
    return {
        **CaseOut.from_case(case),
        "updates": [UpdateOut.from_orm(u).dict() for u in updates],
        "attachments": [_attachment(a, absolute) for a in
                        (case.attachments.all() if attachments is None else attachments)],
    }


def _attachment(a, absolute: Callable[[str], str]) -> dict:
    """Addresses that answer (api/photos.py): bare for a public photo of a public case,
    signed and expiring otherwise; the caller has already been let see the case."""
    return {"uuid": str(a.uuid), "url": absolute(photo_url(a)),
            "thumbnail_url": absolute(photo_url(a, thumbnail=True)),
            "content_type": a.content_type, "width": a.width, "height": a.height}


def _load(request, reference: str) -> Case:
    return _reload(access_case(request.auth, reference))


def _reload(case: Case) -> Case:
    """The case with all its detail shows, for a caller whose access was checked."""
    return case_detail(case)


# --- endpoints ------------------------------------------------------------------------
@router.post("/cases", response={201: CaseDetailOut}, summary="Log a case")
def create_case(request, payload: CaseIn):
    """Send an `Idempotency-Key` header to make retries safe: the same key returns the
    same case."""
    ward = None
    if payload.ward:
        ward = ward_by_code(payload.ward)
        if ward is None:
            raise ImbizoError("unknown_ward", f"No ward {payload.ward!r}.")
    contact = Contact(**payload.contact.dict()) if payload.contact else None
    case = case_log(
        actor=request.auth, category=payload.category, description=payload.description,
        location=Location(payload.latitude, payload.longitude, payload.address, ward),
        municipality=_municipality(payload.municipality), contact=contact,
        extra=payload.extra, public=payload.public,
        idempotency_key=request.headers.get("Idempotency-Key") or None,
    )
    if getattr(case, "replayed", False):
        return Status(201, _detail(_load(request, case.reference), request.auth,
                                   absolute=request.build_absolute_uri))
    # Just written: its category, ward, department and one update are on it; photos come
    # later.
    return Status(201, _detail(case, request.auth, updates=[case.logged_update],
                               attachments=[], absolute=request.build_absolute_uri))


@router.get("/cases", response=CasePageOut, summary="The queue, filtered, newest first")
def list_cases(request, filters: Query[ListFilters]):
    if not 1 <= filters.limit <= 200:
        raise ImbizoError("invalid_limit", "limit must be between 1 and 200.")
    qs = case_filter(case_list(actor=request.auth).select_related("merged_into"), CaseFilters(
        **filters.dict(exclude={"cursor", "limit"})))
    page = case_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [CaseOut.from_case(c) for c in page.items],
            "next_cursor": page.next_cursor}


@router.get("/cases/duplicates", response=list[CandidateOut],
            summary="Open cases of a category near a point")
def duplicates(request, category: str, lat: Latitude, lon: Longitude, municipality: str):
    found = category_by_code(municipality_code=municipality, code=category)
    return [{"reference": c.reference, "status": c.status, "distance_m": round(d, 1),
             "affected_count": c.affected_count}
            for c, d in duplicate_candidates(actor=request.auth, category=found, latitude=lat,
                                             longitude=lon)]


@router.get("/cases/{reference}", response=CaseDetailOut, summary="One case with its history")
def get_case(request, reference: str):
    return _detail(_load(request, reference), request.auth,
                   absolute=request.build_absolute_uri)


@router.post("/cases/{reference}/transition", response=CaseDetailOut,
             summary="Move a case along its life")
def transition(request, reference: str, payload: TransitionIn):
    case, actor, v = access_case(request.auth, reference), request.auth, payload.expected_version
    action = payload.action
    if action == "start":
        lifecycle.case_start(actor=actor, case=case, note=payload.note, expected_version=v)
    elif action == "hold":
        lifecycle.case_hold(actor=actor, case=case, reason=payload.reason or payload.note,
                            expected_version=v)
    elif action == "resume":
        lifecycle.case_resume(actor=actor, case=case, note=payload.note, expected_version=v)
    elif action == "resolve":
        lifecycle.case_resolve(actor=actor, case=case, note=payload.note, expected_version=v)
    elif action == "close":
        lifecycle.case_close(actor=actor, case=case, expected_version=v)
    elif action == "reopen":
        lifecycle.case_reopen(actor=actor, case=case, reason=payload.reason or payload.note,
                              expected_version=v)
    elif action == "reject":
        lifecycle.case_reject(actor=actor, case=case, reason=payload.reason, note=payload.note,
                              expected_version=v)
    else:
        lifecycle.case_cancel(actor=actor, case=case, note=payload.note, expected_version=v)
    return _detail(_load(request, reference), actor, absolute=request.build_absolute_uri)


@router.post("/cases/{reference}/comments", response={201: UpdateOut},
             summary="A public update or an internal note")
def comment(request, reference: str, payload: CommentIn):
    case = access_case(request.auth, reference)
    update = lifecycle.case_comment(actor=request.auth, case=case, text=payload.text,
                                    public=payload.public)
    return Status(201, update)


@router.post("/cases/{reference}/assign", response=CaseDetailOut,
             summary="Send to a department, team or person")
def assign(request, reference: str, payload: AssignIn):
    case = access_case(request.auth, reference)
    named = assignment_targets(case, department=payload.department, team=payload.team,
                               assignee=payload.assignee)
    lifecycle.case_assign(actor=request.auth, case=case, department=named.department,
                          team=named.team, assignee=named.assignee,
                          expected_version=payload.expected_version)
    # Not _load: an officer who sent the case to another department may no longer see it,
    # yet the answer to their own write is theirs.
    return _detail(_reload(case), request.auth,
                   absolute=request.build_absolute_uri)


@router.post("/cases/{reference}/merge", response=CaseDetailOut,
             summary="Close this case as a duplicate of another")
def merge(request, reference: str, payload: MergeIn):
    duplicate = access_case(request.auth, reference)
    into = access_case(request.auth, payload.into)
    case_merge(actor=request.auth, duplicate=duplicate, into=into)
    return _detail(_load(request, into.reference), request.auth,
                   absolute=request.build_absolute_uri)


@router.post("/cases/{reference}/attachments", response={201: AttachmentOut},
             summary="Attach a photo (JPEG, PNG or WebP)")
def attach(request, reference: str, file: File[UploadedFile]):
    case = access_case(request.auth, reference)
    # One byte past the limit is enough for the pipeline to refuse it; never read more.
    data = file.read(settings.ATTACHMENT_MAX_BYTES + 1)
    attachment = attachment_add(actor=request.auth, case=case, data=data)
    return Status(201, _attachment(attachment, request.build_absolute_uri))


class ComplianceOut(Schema):
    group: str | None
    cases: int
    resolved: int
    met: int
    breached: int
    met_share: float | None
    open_overdue: int
    rating: float | None


@router.get("/sla/compliance", response=list[ComplianceOut],
            summary="Service levels met, per department or category (aggregates only)")
def compliance(request, municipality: str, since: Moment, until: Moment,
               by: Literal["department", "category"] = "department"):
    if since >= until:
        raise ImbizoError("invalid_period", "since must be before until.")
    found = _municipality(municipality)
    if found is None:
        raise ImbizoError("municipality_required", "Name the municipality by its code.")
    return sla_compliance(actor=request.auth, municipality_id=found.pk, since=since,
                          until=until, by=by)


@router.get("/categories", response=list[CategoryOut], auth=None,
            summary="What a municipality takes reports about")
def categories(request, municipality: str):
    return [{"code": c.code, "name": c.name, "group": c.parent.name if c.parent else None,
             "priority": c.priority, "fields": c.fields, "photo_required": c.photo_required,
             "location_required": c.location_required}
            for c in category_list(municipality_code=municipality)]
