"""Reads of cases, scoped to the actor: staff by membership, residents their own."""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from imbizo.accounts.models import Department
from imbizo.core.config_cache import config_cache
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.core.permissions import Actor, scope
from imbizo.geo.models import Municipality, Ward

from .models import OPEN_STATUSES, Case, CaseUpdate, Category, Team
from .reference import reference_parse


def category_for_logging(municipality: Municipality, code: str) -> Category | None:
    """An active category of the municipality that has a department to route to. Read
    from the configuration memo; a code it lacks is asked of the database, so a category
    added a moment ago in this process is found at once."""
    def load() -> dict[str, Category]:
        return {c.code: c for c in Category.objects.filter(
            municipality=municipality, active=True, department__isnull=False,
        ).select_related("department")}

    found = config_cache.get(("categories", municipality.pk), load).get(code)
    if found is None:
        found = Category.objects.filter(municipality=municipality, code=code, active=True,
                                        department__isnull=False) \
            .select_related("department").first()
    return found


def case_list(*, actor: Actor) -> QuerySet[Case]:
    # Boundaries stay behind: a municipality's can be megabytes, and no case page shows one.
    qs = Case.objects.select_related("category", "municipality", "department", "ward") \
        .defer("municipality__boundary", "ward__boundary")
    if actor.kind == "citizen":
        return qs.filter(Q(reporter=actor.citizen) | Q(subscriptions__citizen=actor.citizen)) \
            .distinct()
    return scope(actor, qs, "case.view", ward_field="ward", department_field="department")


def access_case(actor: Actor, reference: str) -> Case:
    """One case by reference (typed any way a resident might), or a 404 for everyone
    who may not see it: no hint that it exists."""
    normalised = reference_parse(reference)
    case = case_list(actor=actor).filter(reference=normalised).first()
    if case is None:
        raise NotFound("case_not_found", _("No case %(ref)s.") % {"ref": normalised})
    return case


@dataclass
class CaseFilters:
    status: list[str] | None = None
    category: str | None = None
    ward: str | None = None
    department: str | None = None
    assignee: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    overdue: bool | None = None
    municipality: str | None = None


def case_filter(qs: QuerySet[Case], filters: CaseFilters) -> QuerySet[Case]:
    """Each filter the queue offers, every one served by an index on cases."""
    if filters.municipality:
        qs = qs.filter(municipality__code=filters.municipality)
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    # Codes become ids first, so the case indexes serve the filter without a join.
    if filters.category:
        qs = qs.filter(category_id__in=list(
            Category.objects.filter(code=filters.category).values_list("pk", flat=True)))
    if filters.ward:
        qs = qs.filter(ward_id__in=list(
            Ward.objects.filter(code=filters.ward).values_list("pk", flat=True)))
    if filters.department:
        qs = qs.filter(department_id__in=list(
            Department.objects.filter(code=filters.department).values_list("pk", flat=True)))
    if filters.assignee:
        qs = qs.filter(assignee_id=filters.assignee)
    if filters.created_from:
        qs = qs.filter(created__gte=filters.created_from)
    if filters.created_to:
        qs = qs.filter(created__lt=filters.created_to)
    if filters.overdue is True:
        qs = qs.filter(status__in=OPEN_STATUSES, resolve_due__lt=timezone.now())
    elif filters.overdue is False:
        qs = qs.exclude(status__in=OPEN_STATUSES, resolve_due__lt=timezone.now())
    return qs


def _cursor_encode(case: Case) -> str:
    raw = json.dumps([case.created.isoformat(), case.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_decode(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, pk = json.loads(base64.urlsafe_b64decode(padded))
        moment = parse_datetime(created)
        if moment is None or not isinstance(pk, int):
            raise ValueError
        return moment, pk
    except (ValueError, TypeError, json.JSONDecodeError):
        raise ImbizoError("invalid_cursor", _("That page cursor is not valid.")) from None


@dataclass
class Page:
    items: list[Case]
    next_cursor: str | None


def case_page(qs: QuerySet[Case], *, cursor: str | None, limit: int) -> Page:
    """Keyset pagination, newest first: stable while cases are added, and as fast on the
    thousandth page as on the first."""
    qs = qs.order_by("-created", "-pk")
    if cursor:
        created, pk = _cursor_decode(cursor)
        # The redundant bound lets the index seek straight to the page.
        qs = qs.filter(Q(created__lt=created) | Q(created=created, pk__lt=pk),
                       created__lte=created)
    rows = list(qs[:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, _cursor_encode(rows[-1]) if more and rows else None)


def category_list(*, municipality_code: str) -> QuerySet[Category]:
    """Categories residents can report under: public data."""
    return Category.objects.filter(municipality__code=municipality_code, active=True,
                                   department__isnull=False).select_related("parent")


def category_by_code(*, municipality_code: str, code: str) -> Category:
    """One category of a municipality, active or not, or a 400 naming it."""
    found = Category.objects.filter(municipality__code=municipality_code, code=code).first()
    if found is None:
        raise ImbizoError("unknown_category", _("No category %(code)s in %(muni)s.")
                          % {"code": repr(code), "muni": municipality_code})
    return found


def case_detail(case: Case) -> Case:
    """A case with everything its detail shows, in a fixed number of queries (its history
    and photos prefetched), for a caller whose access was checked."""
    return Case.objects.select_related(
        "category", "municipality", "department", "ward", "merged_into").defer(
        "municipality__boundary", "ward__boundary").prefetch_related(
        Prefetch("updates", queryset=CaseUpdate.objects.order_by("created", "id")),
        "attachments").get(pk=case.pk)


def newest_public_case(municipality: Municipality) -> str | None:
    """The reference of the municipality's newest case on the public register."""
    return Case.objects.filter(municipality=municipality, public=True, category__public=True) \
        .order_by("-created").values_list("reference", flat=True).first()


@dataclass
class Assignment:
    department: Department | None
    team: Team | None
    assignee: object | None  # a user


def assignment_targets(case: Case, *, department: str | None, team: int | None,
                       assignee: int | None) -> Assignment:
    """The department (by code), team and person named for a case, each of the case's
    municipality, or a 400 saying which is not."""
    found = Assignment(None, None, None)
    if department:
        found.department = Department.objects.filter(municipality=case.municipality,
                                                     code=department).first()
        if found.department is None:
            raise ImbizoError("unknown_department",
                              _("No department %(code)s.") % {"code": repr(department)})
    if team:
        found.team = Team.objects.filter(pk=team, municipality=case.municipality).first()
    if assignee:
        found.assignee = get_user_model().objects.filter(
            pk=assignee, memberships__municipality=case.municipality).distinct().first()
    if (team and found.team is None) or (assignee and found.assignee is None):
        raise ImbizoError("invalid_assignment",
                          _("No such team or person in this municipality."))
    return found


def case_public(*, actor: Actor, reference: str) -> Case:
    """A case as the citizen site shows it: one on the public register (public, in a
    public category) to anyone, and a resident's own (reported or followed) to them even
    when it is not public; with its history and photos. Anything else is the same 404."""
    normalised = reference_parse(reference)
    visible = Q(public=True, category__public=True)
    if actor.kind == "citizen":
        visible |= Q(reporter=actor.citizen) | Q(subscriptions__citizen=actor.citizen)
        if actor.citizen.phone:  # a report left with their number is theirs too
            visible |= Q(contact_phone=actor.citizen.phone)
    pk = Case.objects.filter(visible, reference=normalised).values_list("pk", flat=True).first()
    if pk is None:
        raise NotFound("case_not_found", _("No case %(ref)s.") % {"ref": normalised})
    return case_detail(Case(pk=pk))


def case_mine(*, actor: Actor, limit: int = 100) -> list[Case]:
    """A signed-in resident's cases, reported or joined, newest first."""
    if actor.kind != "citizen":
        return []
    return list(case_list(actor=actor).order_by("-created", "-pk")[:limit])
