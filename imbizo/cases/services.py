"""Logging a case: the one function every channel calls.

A fault reported on USSD, WhatsApp, the web form, Open311, the API or by an agent on
the phone all arrive here, get a reference at once, are routed with no human step and
start their service-level clock.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.accounts.models import Citizen
from imbizo.accounts.phone import normalise_phone
from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError
from imbizo.core.events import emit
from imbizo.core.permissions import Actor, require
from imbizo.geo.counters import month_number_next
from imbizo.geo.index import ward_index
from imbizo.geo.models import Municipality, Ward
from imbizo.geo.selectors import check_coordinates, ward_by_code

from . import sla
from .escalation import sla_schedule
from .limits import IDEMPOTENCY_KEY_MAX_LENGTH, text_check
from .models import Case, CaseUpdate, Category, ReferenceCounter, Status, Subscription
from .reference import reference_format
from .representation import case_event_data
from .routing import Route, route_case
from .selectors import category_for_logging


@dataclass
class Location:
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    ward: Ward | None = None


@dataclass
class Contact:
    """How to reach an anonymous reporter (all optional)."""

    name: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class _Placed:
    municipality: Municipality
    ward: Ward | None


def _place(municipality: Municipality | None, location: Location) -> _Placed:
    """Municipality and ward from the point, the picked ward, or the named municipality."""
    ward = location.ward
    if location.latitude is not None or location.longitude is not None:
        if location.latitude is None or location.longitude is None:
            raise ImbizoError("invalid_location", _("Give both latitude and longitude."))
        check_coordinates(location.latitude, location.longitude)
        place = ward_index.locate(location.latitude, location.longitude)
        located = ward_by_code(place.ward["code"]) if place else None
        if located is None:
            raise ImbizoError("location_not_served",
                              _("That place is not in any municipality we serve."), status=422)
        if ward is not None and ward.pk != located.pk:
            raise ImbizoError("location_mismatch",
                              _("The point is in ward %(a)s, not ward %(b)s.")
                              % {"a": located.number, "b": ward.number})
        ward = located
    if ward is not None:
        if municipality is not None and ward.municipality_id != municipality.pk:
            raise ImbizoError("location_outside_municipality",
                              _("That place is in %(other)s, not in %(this)s.")
                              % {"other": ward.municipality.name, "this": municipality.name},
                              status=422)
        return _Placed(ward.municipality, ward)
    if municipality is None:
        raise ImbizoError("location_required",
                          _("Say where the problem is: a point on the map or a ward."))
    return _Placed(municipality, None)


def _category(municipality: Municipality, code: str) -> Category:
    category = category_for_logging(municipality, code)
    if category is None:
        raise ImbizoError("unknown_category",
                          _("“%(code)s” is not something %(muni)s takes reports about.")
                          % {"code": code, "muni": municipality.name})
    return category


def _check_extra(category: Category, extra: dict) -> dict:
    """Keep only the category's own questions; insist on the required ones."""
    clean, missing = {}, []
    for question in category.fields:
        value = extra.get(question["code"])
        if value in (None, ""):
            if question.get("required"):
                missing.append(question.get("label") or question["code"])
            continue
        choices = {str(v.get("key", v)) if isinstance(v, dict) else str(v)
                   for v in question.get("values") or ()}
        answers = value if isinstance(value, list) else [value]
        if question.get("datatype") != "multivaluelist" and len(answers) > 1:
            raise ImbizoError("invalid_field", _("Give one answer for %(field)s.")
                              % {"field": question.get("label", question["code"])})
        for answer in answers:
            if choices and str(answer) not in choices:
                raise ImbizoError("invalid_field",
                                  _("“%(value)s” is not a choice for %(field)s.")
                                  % {"value": answer,
                                     "field": question.get("label", question["code"])})
        clean[question["code"]] = value
    if missing:
        raise ImbizoError("missing_field", _("Please also give: %(fields)s.")
                          % {"fields": ", ".join(missing)}, fields=missing)
    return clean


def reference_issue(municipality: Municipality, at) -> str:
    """The next reference of the month, from a counter row locked for the increment."""
    period, number = month_number_next(ReferenceCounter, municipality, at)
    return reference_format(municipality.code, period, number)


def case_log(*, actor: Actor, category: str, description: str, location: Location,
             municipality: Municipality | None = None, reporter: Citizen | None = None,
             contact: Contact | None = None, extra: dict | None = None,
             public: bool = True, idempotency_key: str | None = None,
             media_url: str = "") -> Case:
    """Log a fault. Raises ImbizoError, writing nothing, on any bad input.
    ``media_url`` (Open311) is kept as given and never fetched. A retry with the same
    ``idempotency_key`` returns the first case, marked ``replayed = True``; a new case
    carries its one history entry as ``logged_update``."""
    if idempotency_key:
        text_check("Idempotency-Key", idempotency_key, IDEMPOTENCY_KEY_MAX_LENGTH)
    key = f"{actor.label}:{idempotency_key}" if idempotency_key else None
    if key and (existing := _replayed(key)):
        return existing
    draft = _case_draft(actor=actor, category_code=category, description=description,
                        location=location, municipality=municipality, reporter=reporter,
                        contact=contact or Contact(), extra=extra or {}, public=public,
                        key=key, media_url=media_url)
    # The month's number is taken in a transaction of its own, so the counter row every
    # case of the municipality queues on is locked for that instant only, not for the
    # whole write (measured: it capped creation near 200/s). A case that fails after this
    # leaves a gap: references are unique, not gapless. Inside a caller's transaction the
    # number is part of it, as everything else is.
    with transaction.atomic():
        draft.case.reference = reference_issue(draft.case.municipality, draft.now)
    try:
        return _case_write(draft, actor)
    except IntegrityError:
        # Two retries of one request raced; the first one's case is the answer.
        if key and (existing := _replayed(key)):
            return existing
        raise


def _replayed(key: str) -> Case | None:
    # Asked of every keyed case (each USSD report) and nearly always answered "no": the
    # indexed look-up reads the id alone, and the case only when there is one.
    pk = Case.objects.filter(idempotency_key=key).values_list("pk", flat=True).first()
    if pk is None:
        return None
    case = Case.objects.get(pk=pk)
    case.replayed = True
    return case


@dataclass
class _Draft:
    case: Case  # checked, routed and timed; not yet numbered or written
    route: Route
    now: datetime


def _case_draft(*, actor: Actor, category_code: str, description: str, location: Location,
                municipality: Municipality | None, reporter: Citizen | None,
                contact: Contact, extra: dict, public: bool, key: str | None,
                media_url: str) -> _Draft:
    """Every check, the routing and the deadlines, reading only the configuration memo."""
    description = (description or "").strip()
    placed = _place(municipality, location)
    municipality = placed.municipality
    if actor.kind in ("staff", "integrator"):
        require(actor, "case.log", municipality.pk)
    category = _category(municipality, category_code)
    if category.location_required and placed.ward is None and location.latitude is None \
            and not location.address.strip():
        raise ImbizoError("location_required",
                          _("Say where the problem is: a point, an address or a ward."))
    if not description:
        raise ImbizoError("description_required", _("Please describe the problem."))
    text_check("description", description)
    extra = _check_extra(category, extra)
    if media_url:
        extra["media_url"] = media_url
    if reporter is None and actor.kind == "citizen":
        reporter = actor.citizen
    contact_phone = normalise_phone(contact.phone) if contact.phone else ""
    now = timezone.now()
    route = route_case(category=category, ward_id=placed.ward.pk if placed.ward else None,
                       at=now, hours=sla.WORKING_HOURS)
    ack_due, resolve_due = sla.deadlines(category, now)
    case = Case(
        municipality=municipality, category=category, description=description, extra=extra,
        latitude=location.latitude, longitude=location.longitude,
        address=location.address.strip(), ward=placed.ward, reporter=reporter,
        contact_name=contact.name.strip(), contact_phone=contact_phone,
        contact_email=contact.email.strip(), channel=actor.channel, priority=category.priority,
        status=Status.ASSIGNED if route.department else Status.LOGGED,
        department=route.department, team=route.team, assignee_id=route.assignee_id,
        public=public and category.public, ack_due=ack_due, resolve_due=resolve_due,
        idempotency_key=key,
    )
    # Field checks only: foreign keys were fetched above, uniqueness is the database's,
    # and the reference is made by reference_issue.
    try:
        case.clean_fields(exclude=["municipality", "category", "ward", "reporter",
                                   "department", "team", "assignee", "merged_into",
                                   "idempotency_key", "reference"])
    except ValidationError as exc:
        fields = sorted(exc.message_dict)
        raise ImbizoError("invalid_field", _("Please check: %(fields)s.")
                          % {"fields": ", ".join(fields)}, fields=fields) from None
    return _Draft(case, route, now)


@transaction.atomic
def _case_write(draft: _Draft, actor: Actor) -> Case:
    case, route = draft.case, draft.route
    case.save()
    # Kept on the case, so that a channel answering with the case's history reads none.
    case.logged_update = CaseUpdate.objects.create(
        case=case, kind=CaseUpdate.Kind.STATUS, actor=actor.label, from_status="",
        to_status=case.status,
        text=route.department.name if route.department else _("Call centre"))
    if case.reporter is not None:
        Subscription.objects.create(case=case, citizen=case.reporter)
    sla_schedule(case)
    emit("case_logged", municipality_id=case.municipality_id, case_id=case.pk,
         data=case_event_data(case),
         followers=case.reporter is not None or bool(case.contact_phone))
    # Last, as the audit chain's lock is held from here to the commit.
    audit_record(actor=actor.label, channel=actor.channel, action="case.log", obj=case,
                 municipality_code=case.municipality.code,
                 changes={"reference": case.reference, "category": case.category.code,
                          "status": case.status,
                          "department": getattr(route.department, "code", None)})
    return case
