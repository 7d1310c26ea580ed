"""Reads of matters, scoped to the actor: a resident sees their own; a councillor the
matters of their wards, a manager or administrator their municipality's (``matters.view``,
through ``scope``); a key or staff member who raised one for a resident may read it
back. Anyone reads a ward's public list, which holds no personal data at all. Every
list is bounded.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Q, QuerySet, Value, When
from django.db.models import Case as Choose
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.core.config_cache import config_cache
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.core.permissions import Actor, scope
from imbizo.geo.models import Municipality, Ward
from imbizo.geo.selectors import ward_by_code

from .models import OPEN_STATUSES, Kind, Matter, MatterUpdate, Status
from .reference import matter_reference_parse

MINE_SHOWN = 50
QUEUE_PAGE = 30
PUBLIC_PAGE = 30


def matter_list(*, actor: Actor) -> QuerySet[Matter]:
    qs = Matter.objects.select_related("ward", "municipality", "case") \
        .defer("ward__boundary", "municipality__boundary")
    if actor.kind == "citizen":
        return qs.filter(citizen=actor.citizen)
    if actor.kind in ("staff", "integrator", "system"):
        return scope(actor, qs, "matters.view", ward_field="ward")
    return qs.none()


def access_matter(actor: Actor, reference: str) -> Matter:
    """One matter by reference (typed any way a resident might), or a 404 for everyone
    who may not see it: no hint that it exists."""
    normalised = matter_reference_parse(reference)
    matter = matter_list(actor=actor).filter(reference=normalised).first()
    if matter is None and actor.kind in ("staff", "integrator"):
        matter = Matter.objects.select_related("ward", "municipality", "case").defer(
            "ward__boundary", "municipality__boundary").filter(
            reference=normalised, raised_via=actor.label).first()
    if matter is None:
        raise NotFound("matter_not_found", _("No matter %(ref)s.") % {"ref": normalised})
    return matter


def matter_to_support(reference: str) -> Matter:
    """Any matter by reference, for a resident about to support it (the support service
    says why a private, closed or other ward's one may not be); a 404 if none."""
    normalised = matter_reference_parse(reference)
    matter = Matter.objects.select_related("ward", "municipality").defer(
        "ward__boundary", "municipality__boundary").filter(reference=normalised).first()
    if matter is None:
        raise NotFound("matter_not_found", _("No matter %(ref)s.") % {"ref": normalised})
    return matter


def matters_mine(*, actor: Actor) -> list[Matter]:
    """A resident's own matters, newest first (the last ``MINE_SHOWN``)."""
    if actor.kind != "citizen":
        return []
    return list(matter_list(actor=actor).order_by("-created", "-pk")[:MINE_SHOWN])


def matter_timeline(matter: Matter, *, internal: bool = False) -> list[MatterUpdate]:
    """The matter's history, oldest first; only staff see the missed acknowledgement."""
    updates = matter.updates.all()
    if not internal:
        updates = updates.filter(kind=MatterUpdate.Kind.STATUS)
    return list(updates)


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""  # "" = the open ones, "all" = every status
    kind: str = ""

    def clean(self) -> "QueueFilters":
        status = self.status if self.status in (*Status.values, "all") else ""
        return QueueFilters(status, self.kind if self.kind in Kind.values else "")


def matter_queue(*, actor: Actor, filters: QueueFilters, page: int | str = 1) -> Page:
    """The matters the actor may see (a councillor: their wards'), filtered, overdue
    first (unacknowledged past their target, whether or not the task marked them yet),
    then the longest waiting; one page of ``QUEUE_PAGE``."""
    filters = filters.clean()
    qs = matter_list(actor=actor)
    if filters.status == "":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status != "all":
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    late = Q(status=Status.RECEIVED) & (Q(ack_overdue=True) | Q(ack_due__lt=timezone.now()))
    qs = qs.annotate(overdue=Choose(When(late, then=Value(True)), default=Value(False),
                                    output_field=BooleanField())) \
        .order_by("-overdue", "created", "pk")
    return Paginator(qs, QUEUE_PAGE).get_page(page)


# --- the ward's public list ----------------------------------------------------------
def public_ward(code: str) -> Ward:
    """A ward by its code, from the configuration memo, or a 404 naming it."""
    ward = ward_by_code((code or "").strip())
    if ward is None:
        raise NotFound("unknown_ward", _("No ward %(code)s.") % {"code": repr(code)})
    return ward


@dataclass(frozen=True)
class PublicMatter:
    """What anyone may read of an open matter: nothing about who raised it; the words
    and the answer only of a public one."""

    reference: str
    kind: str
    status: str
    created: datetime
    public: bool
    title: str
    text: str
    answer: str
    answered: datetime | None
    supports: int

    @property
    def supportable(self) -> bool:
        return self.public and self.kind == Kind.SUGGESTION


@dataclass(frozen=True)
class PublicPage:
    items: list[PublicMatter]
    next_cursor: str | None


_PUBLIC_FIELDS = ("pk", "reference", "kind", "status", "created", "public", "title", "text",
                  "answer", "answered", "support_count")


def ward_public_matters(*, ward: Ward, cursor: str | None = None,
                        limit: int = PUBLIC_PAGE) -> PublicPage:
    """The ward's open matters, newest first, one page (keyset: as fast on any page).
    One query, reading no column that names the resident."""
    qs = Matter.objects.filter(ward=ward, status__in=OPEN_STATUSES).order_by("-created", "-pk")
    if cursor:
        created, pk = _cursor_decode(cursor)
        qs = qs.filter(Q(created__lt=created) | Q(created=created, pk__lt=pk),
                       created__lte=created)
    rows = list(qs.values_list(*_PUBLIC_FIELDS)[:limit + 1])
    items = [PublicMatter(reference=ref, kind=kind, status=status, created=created,
                          public=public, title=title if public else "",
                          text=text if public else "", answer=answer if public else "",
                          answered=answered if public else None, supports=supports)
             for _pk, ref, kind, status, created, public, title, text, answer, answered,
             supports in rows[:limit]]
    more = len(rows) > limit
    return PublicPage(items, _cursor_encode(rows[limit - 1]) if more else None)


def _cursor_encode(row) -> str:
    return f"{row[4].timestamp():.6f}_{row[0]}"


def _cursor_decode(cursor: str) -> tuple[datetime, int]:
    try:
        stamp, pk = cursor.split("_", 1)
        return datetime.fromtimestamp(float(stamp), tz=UTC), int(pk)
    except (ValueError, OverflowError, OSError):
        raise ImbizoError("invalid_cursor", _("That page marker is not valid."),
                          field="cursor") from None


# --- where a matter can be raised -----------------------------------------------------
def ward_places(municipality: Municipality) -> list[tuple[int, str, int, str]]:
    """(ward id, ward code, ward number, suburb) for each suburb of the municipality's
    wards, in ward order; a ward that lists none stands for itself (suburb ""). From the
    configuration memo."""
    def load():
        rows = Ward.objects.filter(municipality_id=municipality.pk).order_by("number") \
            .values_list("pk", "code", "number", "suburbs")
        return [(pk, code, number, name.strip()) for pk, code, number, suburbs in rows
                for name in (suburbs.splitlines() or [""])
                if name.strip() or not suburbs.strip()]
    return config_cache.get(("matter_places", municipality.pk), load)


def matter_ward(code: str) -> Ward:
    """The ward a matter is raised in, by its code, or a 400 on the field."""
    ward = ward_by_code((code or "").strip())
    if ward is None:
        raise ImbizoError("unknown_ward", _("There is no ward %(code)s.") % {"code": repr(code)},
                          field="ward")
    return ward
