"""Reporting a fault without JavaScript: step 1 says what and where (a GET form, so the
back button and a retry keep it), step 2 shows open cases of that kind nearby to join
instead, then takes the description, an optional photo and, from a visitor who is not
signed in, an optional name and number; it logs through ``case_log`` like every channel.

A map (static/web/map.js, Leaflet loaded only when asked for) fills step 1's hidden
latitude and longitude; without it, a ward, a street or landmark, or a plus code serve.
"""

import secrets
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from imbizo.cases.attachments import attachment_add
from imbizo.cases.duplicates import duplicate_candidates
from imbizo.cases.models import Case
from imbizo.cases.services import Contact, Location, case_log
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.geo.selectors import point_in_first_ward

from .pages import home_municipality, page, served
from .report_forms import DetailsForm, PlaceForm
from .session import citizen_actor, request_citizen
from .signin import form_error

REPORTED = "imbizo_reported"  # session: the reference just logged, for the done page
# Refusals about the place, shown with a link back to step 1.
PLACE_ERRORS = {"location_required", "location_not_served", "location_mismatch",
                "location_outside_municipality", "invalid_location", "unknown_category"}


def _place_form(request: HttpRequest, data, code: str = "") -> PlaceForm | None:
    municipality = home_municipality(request, data.get("m", "") if data else code)
    if municipality is None:
        return None
    return PlaceForm(data, municipality=municipality, initial={"m": municipality.code})


@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """Step 1; a municipality picker first where none is known."""
    form = _place_form(request, None, request.GET.get("m", ""))
    if form is None:
        return page(request, "web/report_pick.html", {"choices": served()})
    form.initial |= {k: v for k, v in request.GET.items() if k in form.fields}
    return _step1(request, form)


def _step1(request: HttpRequest, form: PlaceForm) -> HttpResponse:
    return page(request, "web/report.html", {
        "form": form, "municipality": form.municipality,
        "centre": point_in_first_ward(form.municipality)})  # where the map opens


@require_http_methods(["GET", "POST"])
def details(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    place = _place_form(request, data)
    if place is None:
        return HttpResponseRedirect(reverse("web:report"))
    if not place.is_valid():  # back to step 1, everything kept
        return _step1(request, place)
    signed_in = request_citizen(request) is not None
    if request.method == "GET":
        form = DetailsForm(signed_in=signed_in, initial={"token": secrets.token_urlsafe(16)})
        return _details_page(request, place, form)
    form = DetailsForm(request.POST, request.FILES, signed_in=signed_in)
    if form.is_valid():
        logged = _log(request, place, form)
        if logged:
            return logged
    return _details_page(request, place, form, photo_lost=bool(request.FILES))


def _details_page(request, place: PlaceForm, form: DetailsForm, *, photo_lost=False):
    point = place.cleaned_data["point"]
    nearby = duplicate_candidates(actor=citizen_actor(request), category=place.category_obj,
                                  latitude=point[0], longitude=point[1]) if point else []
    back = {k: v for k, v in place.data.items() if k in place.fields and v}
    return page(request, "web/report_details.html", {
        "place": place, "form": form, "nearby": nearby, "photo_lost": photo_lost,
        "municipality": place.municipality, "change": "?".join(
            [reverse("web:report"), urlencode(back)]),
        "category": place.category_obj})


def _log(request: HttpRequest, place: PlaceForm, form: DetailsForm) -> HttpResponse | None:
    """Log the report, then show the done page; a refusal becomes a form error (None)."""
    logged = report_log(request, place, form)
    if logged is None:
        return None
    case, photo_error = logged
    request.session[REPORTED] = {"reference": case.reference, "photo_error": photo_error}
    return HttpResponseRedirect(reverse("web:report_done"))


def report_log(request: HttpRequest, place: PlaceForm,
               form: DetailsForm) -> tuple[Case, str] | None:
    """Log the case, then add the photo: the case and why its photo was refused ("");
    a refusal of the report becomes a form error (None). The form's ``token`` is the
    idempotency key, so a report sent twice (a double click, a phone's queue sending
    again) is logged once. Also used by the queue of reports made offline (offline.py)."""
    actor, p, d = citizen_actor(request), place.cleaned_data, form.cleaned_data
    point = p["point"] or (None, None)
    address = " ".join(filter(None, [p.get("place", "").strip(),
                                     p.get("pluscode", "").strip().upper()]))
    try:
        case = case_log(
            actor=actor, category=p["category"], description=d["description"],
            municipality=place.municipality,
            location=Location(latitude=point[0], longitude=point[1], address=address,
                              ward=p["ward_obj"]),
            contact=Contact(name=d.get("name", ""), phone=d.get("phone", "")),
            idempotency_key=f"web:{d['token']}")
    except ImbizoError as exc:
        if exc.code in PLACE_ERRORS:
            form.add_error(None, exc.message)
        else:
            field = {"description_required": "description", "text_too_long": "description",
                     "invalid_phone": "phone"}.get(exc.code, exc.extra.get("field"))
            form_error(form, ImbizoError(exc.code, exc.message, field=field))
        return None
    photo_error = ""
    if d.get("photo") and not getattr(case, "replayed", False):
        # A visitor without an account is no case's reporter: the site adds the photo
        # they sent with the report, in the same request.
        adder = actor if actor.kind == "citizen" else system_actor("web")
        try:
            attachment_add(actor=adder, case=case, data=d["photo"].read())
        except ImbizoError as exc:
            photo_error = exc.message
    return case, photo_error


@require_GET
def done(request: HttpRequest) -> HttpResponse:
    reported = request.session.get(REPORTED)
    if not reported:
        return HttpResponseRedirect(reverse("web:report"))
    return page(request, "web/report_done.html", {
        "reference": reported["reference"], "photo_error": reported["photo_error"],
        "signed_in": request_citizen(request) is not None,
        "note": _("Keep this number to follow your report.")})
