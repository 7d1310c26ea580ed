"""The citizen site's "Who represents me": the ward councillor, the ward committee, the
municipality's PR councillors and the traditional council, from a suburb or ward picked
off a list or the browser's location; and the photos those pages show. Works without
JavaScript; with it, "Use my location" fills the form's hidden point."""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_GET, require_safe

from imbizo.core.errors import ImbizoError
from imbizo.geo.models import Ward
from imbizo.representatives.photos import photo_get
from imbizo.representatives.selectors import pr_councillors, representatives_for

from .pages import home_municipality, page, served
from .representatives_forms import WhereForm

PHOTO_CACHE = "public, max-age=86400"
FIELD_OF = {"unknown_suburb": "suburb", "unknown_ward": "ward"}  # else the whole form
PLACE_FIELDS = ("suburb", "ward", "lat", "lon")


def matter_address(ward: Ward) -> str | None:
    """Where a resident raises a matter with their councillor: the matters pages' own
    address (web:matter_new) for the ward, or None while that page does not exist."""
    try:
        return f"{reverse('web:matter_new')}?ward={ward.code}"
    except NoReverseMatch:
        return None


@require_GET
def who_represents_me(request: HttpRequest) -> HttpResponse:
    municipality = home_municipality(request, request.GET.get("m", ""))
    if municipality is None:
        return page(request, "web/representatives/pick.html", {"choices": served()})
    asked = any(name in request.GET for name in PLACE_FIELDS)  # the form was sent
    form = WhereForm(request.GET if asked else None, municipality=municipality,
                     initial={"m": municipality.code})
    found = None
    if asked and form.is_valid():
        try:
            found = representatives_for(**form.place())
        except ImbizoError as exc:
            form.add_error(FIELD_OF.get(exc.code), exc.message)
    return page(request, "web/representatives/find.html", {
        "form": form, "found": found,
        "municipality": found.municipality if found else municipality,
        "matter_url": matter_address(found.ward) if found and found.councillor else None})


@require_GET
def pr_list(request: HttpRequest) -> HttpResponse:
    municipality = home_municipality(request, request.GET.get("m", ""))
    if municipality is None:
        return page(request, "web/representatives/pick.html", {"choices": served()})
    return page(request, "web/representatives/pr.html", {
        "municipality": municipality, "people": pr_councillors(municipality=municipality)})


@require_safe
def photo(request: HttpRequest, key) -> HttpResponse:
    """A sitting representative's photo (their initials where none is kept); public."""
    try:
        found = photo_get(key=key)
    except ImbizoError:
        return HttpResponse(status=404)
    response = get_conditional_response(request, etag=found.etag)
    if response is None:
        response = FileResponse(found.file, content_type=found.content_type)
    else:
        found.file.close()
    response["ETag"] = found.etag
    response["Cache-Control"] = PHOTO_CACHE
    response["X-Content-Type-Options"] = "nosniff"
    return response
