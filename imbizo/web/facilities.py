"""Nearest clinic, police station, pay point ...: pick a kind and a place, see the nearest
with how far, which way, their phone and the attribution of the data (docs/facilities.md).
One GET form over ``facilities_nearest``, the selector every channel uses."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from imbizo.core.errors import ImbizoError
from imbizo.facilities.directions import distance_text
from imbizo.facilities.selectors import facilities_nearest

from .facilities_forms import NearestForm
from .pages import home_municipality, page, served
from .signin import form_error

SHOWN = 5


@require_GET
def nearest(request: HttpRequest) -> HttpResponse:
    municipality = home_municipality(request, request.GET.get("m", ""))
    asked = bool(request.GET.get("kind"))
    form = NearestForm(request.GET if asked else None, municipality=municipality,
                       initial={"m": municipality.code if municipality else "",
                                "kind": "clinic"})
    found = None
    if asked and form.is_valid():
        point = form.cleaned_data["point"]
        try:
            found = facilities_nearest(lat=point[0], lon=point[1],
                                       kind=form.cleaned_data["kind"], limit=SHOWN)
        except ImbizoError as exc:
            form_error(form, exc)
    context = {"form": form, "municipality": municipality, "found": found,
               "choices": served() if municipality is None else [],
               "from_place": form.cleaned_data.get("from_place", "") if found else "",
               "rows": _rows(found) if found else []}
    return page(request, "web/facilities/nearest.html", context,
                status=400 if asked and form.errors else 200)


def _rows(found) -> list[dict]:
    return [{"name": n.facility.name, "kind": n.kind_label,
             "distance": distance_text(n.km), "directions": n.directions,
             "phone": n.facility.phone, "address": n.facility.address,
             "hours": n.facility.hours, "source": n.facility.source,
             "lat": n.facility.latitude, "lon": n.facility.longitude}
            for n in found.facilities]
