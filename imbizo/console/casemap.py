"""The map of open cases: a Leaflet map (the citizen site's vendored copy) fed by a
small JSON endpoint, and the same cases as a table for a browser without scripts."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from imbizo.cases.models import OPEN_STATUSES, Status
from imbizo.cases.selectors import case_list
from imbizo.core.permissions import Actor

from .access import console_view
from .roles import CASES, requires

MAX_POINTS = 2000
LABELS = dict(Status.choices)


def map_points(*, actor: Actor) -> list[dict]:
    """The newest open cases the actor may see that have a point (one query)."""
    rows = case_list(actor=actor).filter(status__in=OPEN_STATUSES, latitude__isnull=False,
                                         longitude__isnull=False) \
        .order_by("-created", "-pk").values_list(
            "reference", "category__name", "status", "latitude", "longitude")[:MAX_POINTS]
    return [{"reference": ref, "category": category, "status": status,
             "status_label": str(LABELS.get(status, status)), "lat": lat, "lon": lon}
            for ref, category, status, lat, lon in rows]


@require_GET
@console_view
@requires(CASES)
def case_map(request):
    return render(request, "console/map.html", {
        "points": map_points(actor=request.console_actor), "max_points": MAX_POINTS,
        "case_url": reverse("console:case", args=["REF"]).removesuffix("REF")})


@require_GET
@console_view
@requires(CASES)
def case_map_data(request):
    return JsonResponse({"cases": map_points(actor=request.console_actor)})

