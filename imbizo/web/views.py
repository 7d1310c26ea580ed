"""The landing page: what this installation serves, and what a newcomer can try on it."""

from urllib.parse import urlencode

from django.shortcuts import render

from imbizo.cases.selectors import newest_public_case
from imbizo.geo.models import Municipality
from imbizo.geo.selectors import municipalities_served, point_in_first_ward

DEMO_CODE = "DMO"  # the generated demo municipality (imbizo/demo), tried first when loaded


def home(request):
    municipalities = municipalities_served()
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
    newest = newest_public_case(municipality)
    point = point_in_first_ward(municipality)
    return {
        "locate": "/api/v1/geo/locate?" + urlencode(
            {"lat": round(point[0], 6), "lon": round(point[1], 6)}) if point else None,
        "categories": "/api/v1/categories?" + urlencode({"municipality": municipality.code}),
        "register": f"/open311/v2/requests.json?{jurisdiction}",
        "case": newest,
        "case_url": f"/open311/v2/requests/{newest}.json?{jurisdiction}" if newest else None,
    }
