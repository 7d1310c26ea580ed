"""The console's reads, each scoped to the actor through the cases selectors."""

import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from imbizo.accounts.models import Department
from imbizo.accounts.phone import normalise_phone
from imbizo.accounts.selectors import citizen_list
from imbizo.cases.models import OPEN_STATUSES, Case, Category, Priority, Status, Team
from imbizo.cases.selectors import CaseFilters, Page, case_filter, case_list, case_page
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import Actor, allows
from imbizo.geo.models import Municipality

from .forms import OPEN
from .models import SavedView

PAGE_SIZE = 50
ASSIGNING = ("case.assign", "case.log")
QUEUE_COLUMNS = ("reference", "created", "status", "priority", "resolve_due", "category",
                 "category__name", "ward", "ward__code")


def my_queue_scope(actor: Actor, qs: QuerySet[Case]) -> QuerySet[Case]:
    """Open cases assigned to me, to one of my teams, or to a department I belong to."""
    mine = Q(assignee=actor.user) | Q(team__in=actor.user.teams.values("pk"))
    departments = {m.department_id for m in actor.grants if m.department_id}
    if departments:
        mine |= Q(department_id__in=departments)
    return qs.filter(mine, status__in=OPEN_STATUSES)


def _reference_filter(text: str) -> Q:
    """A whole reference (typed any way), or the start of one."""
    cleaned = re.sub(r"[\s.]", "", text.upper())
    return Q(reference=cleaned) | Q(reference__startswith=cleaned)


def queue_page(*, actor: Actor, filters: dict, mine_only: bool, cursor: str | None) -> Page:
    """One page of the queue (``filters`` as QueueFilterForm cleaned them)."""
    qs = case_list(actor=actor)
    if mine_only:
        qs = my_queue_scope(actor, qs)
    status = filters.get("status")
    qs = case_filter(qs, CaseFilters(
        status=list(OPEN_STATUSES) if status == OPEN else [status] if status else None,
        category=filters.get("category") or None, department=filters.get("department") or None,
        ward=(filters.get("ward") or "").strip() or None,
        assignee=actor.user.pk if filters.get("mine") else None,
        overdue=True if filters.get("overdue") else None))
    if filters.get("priority"):
        qs = qs.filter(priority=filters["priority"])
    if (filters.get("q") or "").strip():
        qs = qs.filter(_reference_filter(filters["q"].strip()))
    # Only what a row shows: the case list's other joins and columns are not fetched.
    qs = qs.select_related(None).select_related("category", "ward").only(*QUEUE_COLUMNS)
    try:
        return case_page(qs, cursor=cursor, limit=PAGE_SIZE)
    except ImbizoError:  # a cursor mangled in the address bar: start again at the top
        return case_page(qs, cursor=None, limit=PAGE_SIZE)


def _municipality_ids(actor: Actor, permissions: tuple[str, ...]) -> set[int] | None:
    """The municipalities the actor holds any of the permissions in; None for everywhere."""
    if any(actor.is_global(p) for p in permissions):
        return None
    found: set[int] = set()
    for permission in permissions:
        found |= actor.municipality_ids(permission)
    return found


def filter_choices(*, actor: Actor) -> dict:
    """Category and department codes of the municipalities the actor sees cases in."""
    where = _municipality_ids(actor, ("case.view",))
    categories = Category.objects.filter(active=True, department__isnull=False)
    departments = Department.objects.all()
    if where is not None:
        categories = categories.filter(municipality_id__in=where)
        departments = departments.filter(municipality_id__in=where)
    return {
        "categories": sorted(set(categories.order_by().values_list("code", "name"))),
        "departments": sorted(set(departments.order_by().values_list("code", "name")),
                              key=lambda pair: pair[1]),
    }


def may_assign_anywhere(actor: Actor) -> bool:
    return any(actor.has(p) for p in ASSIGNING)


def assign_choices(*, actor: Actor, municipality_id: int | None = None) -> dict:
    """Departments (by code), teams and people of the municipalities where the actor may
    assign cases (or of one of them). The service checks each case again."""
    where = _municipality_ids(actor, ASSIGNING) or set()
    if municipality_id is not None:
        where &= {municipality_id}
    departments = Department.objects.filter(municipality_id__in=where)
    teams = Team.objects.filter(municipality_id__in=where).select_related("department")
    people = get_user_model().objects.filter(
        is_active=True, memberships__active=True, memberships__municipality_id__in=where,
        memberships__role__in=["officer", "supervisor", "manager", "agent"]).distinct() \
        .order_by("first_name", "last_name", "username")
    return {
        "departments": sorted(set(departments.order_by().values_list("code", "name")),
                              key=lambda pair: pair[1]),
        "teams": [(t.pk, f"{t.name} ({t.department.name})") for t in teams],
        "people": [(u.pk, u.get_full_name() or u.get_username()) for u in people],
    }


def saved_view_list(*, actor: Actor) -> QuerySet[SavedView]:
    return SavedView.objects.filter(user=actor.user)


@dataclass(slots=True)
class Row:
    """What one queue row shows, worked out once in Python: a template tag or filter per
    cell costs more than the row's share of the query (bench/console.py)."""

    pk: int
    reference: str
    url: str
    select_label: str
    category: str
    ward: str
    status: str
    status_label: str
    priority: str
    priority_label: str
    age: str
    due_iso: str
    due_text: str
    overdue: bool


def queue_rows(cases: list[Case]) -> list[Row]:
    now = timezone.now()
    # One reverse() for the page: every case URL differs only in its reference.
    url = reverse("console:case", args=["REF"]).removesuffix("REF")
    statuses, priorities = dict(Status.choices), dict(Priority.choices)
    rows = []
    for case in cases:
        due = case.resolve_due
        days = (now - case.created).days
        rows.append(Row(
            pk=case.pk, reference=case.reference, url=url + case.reference,
            select_label=gettext("Select %(ref)s") % {"ref": case.reference},
            category=case.category.name, ward=case.ward.code if case.ward_id else "—",
            status=case.status, status_label=str(statuses[case.status]),
            priority=case.priority, priority_label=str(priorities[case.priority]),
            age=ngettext("%(days)s day", "%(days)s days", days) % {"days": days},
            due_iso=due.isoformat() if due else "",
            due_text=timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else "—",
            overdue=bool(due and case.is_open and due < now)))
    return rows


@dataclass
class Caller:
    """Who is on the phone: their number, the resident if the actor may see them (as
    the case page would show them), and their open cases the actor may see."""

    phone: str
    citizen: object | None
    open_cases: list[Case]


def caller_find(*, actor: Actor, phone: str) -> Caller:
    """Raises ImbizoError for a number that is not one (``normalise_phone``)."""
    e164 = normalise_phone(phone)
    citizen = citizen_list(actor=actor).filter(phone=e164).first()
    cases = list(case_list(actor=actor).select_related("reporter").filter(
        reporter__phone=e164, reporter__erased__isnull=True, status__in=OPEN_STATUSES)
        .order_by("-created")[:20])
    if citizen is None:  # a resident with no home here is still seen on their cases here
        citizen = next((c.reporter for c in cases if allows(
            actor, "citizen.view", municipality_id=c.municipality_id,
            department_id=c.department_id, ward_id=c.ward_id)), None)
    return Caller(e164, citizen, cases if citizen else [])


def logging_choices(*, actor: Actor) -> dict:
    """The municipalities where the actor logs cases, and their categories (by code)."""
    where = actor.municipality_ids("case.log")
    municipalities = Municipality.objects.filter(pk__in=where).defer("boundary").order_by("name")
    categories = Category.objects.filter(municipality_id__in=where, active=True,
                                         department__isnull=False)
    return {
        "municipalities": [(m.code, m.name) for m in municipalities],
        "categories": sorted(set(categories.order_by().values_list("code", "name")),
                             key=lambda pair: pair[1]),
    }
