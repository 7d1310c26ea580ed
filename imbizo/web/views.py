"""The landing page: what this installation serves, and what a newcomer can try on it."""

from urllib.parse import urlencode

from django.shortcuts import render
from shapely import wkb

from imbizo.cases.models import Case
from imbizo.geo.models import Municipality, Ward

DEMO_CODE = "DMO"  # the generated demo municipality (imbizo/demo), tried first when loaded


def home(request):
    municipalities = list(Municipality.objects.filter(category__in=["A", "B"])
                          .defer("boundary").order_by("name")[:50])
    sample = next((m for m in municipalities if m.code == DEMO_CODE),
                  municipalities[0] if municipalities else None)
    return render(request, "web/home.html", {
        "municipalities": municipalities, "sample": sample,
        "links": _things_to_try(sample) if sample else None,
    })


def _things_to_try(municipality: Municipality) -> dict:
    """Links that answer on this installation: a point inside the municipality's first
    ward, its categories, its public register and the newest public case in it."""
    jurisdiction = urlencode({"jurisdiction_id": municipality.code})
    newest = Case.objects.filter(municipality=municipality, public=True, category__public=True) \
        .order_by("-created").values_list("reference", flat=True).first()
    return {
        "locate": _locate_url(municipality),
        "categories": "/api/v1/categories?" + urlencode({"municipality": municipality.code}),
        "register": f"/open311/v2/requests.json?{jurisdiction}",
        "case": newest,
        "case_url": f"/open311/v2/requests/{newest}.json?{jurisdiction}" if newest else None,
    }


def _locate_url(municipality: Municipality) -> str | None:
    ward = Ward.objects.filter(municipality=municipality, boundary__isnull=False) \
        .order_by("number").values_list("boundary", flat=True).first()
    if ward is None:
        return None
    point = wkb.loads(bytes(ward)).representative_point()  # inside, whatever the shape
    return "/api/v1/geo/locate?" + urlencode({"lat": round(point.y, 6), "lon": round(point.x, 6)})
