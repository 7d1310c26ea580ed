"""Reads behind Open311: jurisdictions, services and the public register of requests.

GET Service Requests needs no key, so it only ever sees public cases of public
categories; GET Service Request with the key that posted a request sees that one too.
The queryset fetches everything a page shows in a fixed number of queries (category and
department joined, the latest public note as a subquery, public photos prefetched).
"""

from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from imbizo.cases.models import OPEN_STATUSES, Attachment, Case, CaseUpdate, Category, Status
from imbizo.cases.selectors import category_list
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.core.permissions import Actor
from imbizo.geo.models import Municipality

from .parsing import MAX_RESULTS, RequestFilters

CLOSED_STATUSES = tuple(s for s in Status if s not in OPEN_STATUSES)
PUBLIC_UPDATE_KINDS = (CaseUpdate.Kind.STATUS, CaseUpdate.Kind.PUBLIC)


def services_changed():
    """When the list of services last changed (discovery's changeset), or None."""
    return Category.objects.aggregate(latest=Max("updated"))["latest"]


def jurisdiction_get(code: str | None) -> Municipality:
    """The municipality named by jurisdiction_id; it may be left out only while a
    single municipality takes reports here."""
    municipalities = Municipality.objects.defer("boundary")  # a boundary can be megabytes
    if code and code.strip():
        municipality = municipalities.filter(code__iexact=code.strip()).first()
        if municipality is None:
            raise NotFound("unknown_jurisdiction",
                           _("No jurisdiction %(code)s here; jurisdiction_id is a municipality "
                             "code such as DMO.") % {"code": code.strip()})
        return municipality
    serving = list(municipalities.filter(pk__in=Category.objects.filter(
        active=True, department__isnull=False).values("municipality_id"))[:2])
    if len(serving) != 1:
        raise ImbizoError("jurisdiction_required",
                          _("jurisdiction_id is required: give the municipality's code."))
    return serving[0]


def service_get(municipality: Municipality, code: str) -> Category:
    category = category_list(municipality_code=municipality.code).filter(code=code).first()
    if category is None:
        raise NotFound("unknown_category",
                       _("No service_code %(code)s in %(muni)s.")
                       % {"code": code, "muni": municipality.name})
    return category


def public_requests(*, municipality: Municipality) -> QuerySet[Case]:
    return visible_requests(municipality=municipality)


def visible_requests(*, municipality: Municipality, poster: Actor | None = None
                     ) -> QuerySet[Case]:
    """The public register; for ``poster`` (an API key), also the requests it logged,
    public or not, so that whoever reported a fire can follow it."""
    shown = Q(public=True, category__public=True)
    if poster is not None:
        shown |= Exists(CaseUpdate.objects.filter(
            case=OuterRef("pk"), kind=CaseUpdate.Kind.STATUS, from_status="",
            actor=poster.label))
    notes = CaseUpdate.objects.filter(case=OuterRef("pk"), kind__in=PUBLIC_UPDATE_KINDS) \
        .exclude(text="").order_by("-created", "-id").values("text")[:1]
    photos = Attachment.objects.filter(public=True).order_by("created", "id")
    return Case.objects.filter(shown, municipality=municipality) \
        .select_related("category", "department") \
        .annotate(status_notes=Subquery(notes)) \
        .prefetch_related(Prefetch("attachments", queryset=photos, to_attr="public_photos")) \
        .order_by("-created", "-pk")


def requests_filter(qs: QuerySet[Case], filters: RequestFilters) -> list[Case]:
    """At most MAX_RESULTS, newest first; references override every other filter."""
    if filters.references:
        return list(qs.filter(reference__in=filters.references)[:MAX_RESULTS])
    qs = qs.filter(created__gte=filters.start, created__lte=filters.end)
    if filters.service_codes:
        qs = qs.filter(category__code__in=filters.service_codes)
    if set(filters.statuses) == {"open"}:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif set(filters.statuses) == {"closed"}:
        qs = qs.filter(status__in=CLOSED_STATUSES)
    return list(qs[:MAX_RESULTS])
