"""GeoReport v2 endpoints: each reads its arguments, calls one selector or case_log, and
renders the answer in the format its extension names.

Open311 clients are other systems posting form data with an api_key, never a browser
session, so these views (and only these) are exempt from CSRF checks.
"""

from functools import wraps

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from imbizo.api.keys import api_key_actor
from imbizo.api.limits import too_large_message
from imbizo.cases.reference import reference_parse
from imbizo.cases.selectors import category_list
from imbizo.cases.services import Contact, Location, case_log
from imbizo.core.errors import ImbizoError, NotFound, PermissionDenied

from . import parsing, selectors
from .errors import error_response, from_validation_error
from .formats import CONTENT_TYPES, render, w3_datetime
from .representation import created_out, definition_out, discovery_out, request_out, service_out

CONTACT = "Contact the municipality's call centre for help with this service."
KEY_SERVICE = ("API keys are issued by the municipality's administrator "
               "(imbizo create-api-key <municipality code>).")


def endpoint(*methods: str):
    """Format check, method check and the one error rendering for every endpoint."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, fmt: str | None = "json", **kwargs):
            fmt = (fmt or "json").lower()
            if fmt not in CONTENT_TYPES:
                return error_response("json", NotFound(
                    "unknown_format", _("Unknown format .%(fmt)s: use .xml or .json.")
                    % {"fmt": fmt}))
            if request.method not in allowed:
                response = error_response(fmt, ImbizoError(
                    "method_not_allowed", _("%(method)s is not allowed here; use %(allowed)s.")
                    % {"method": request.method, "allowed": " or ".join(methods)}, status=405))
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                return view(request, fmt, *args, **kwargs)
            except ValidationError as exc:
                return error_response(fmt, from_validation_error(exc))
            except RequestDataTooBig:
                return error_response(fmt, ImbizoError(
                    "request_too_large", too_large_message(request), status=413))
            except (TooManyFieldsSent, TooManyFilesSent) as exc:
                return error_response(fmt, ImbizoError("too_many_fields", str(exc)))
            except ImbizoError as exc:
                return error_response(fmt, exc)
        return wrapper
    return decorate


@endpoint("GET")
def discovery(request, fmt):
    base = reverse("open311:discovery", kwargs={"fmt": fmt}).rsplit("/", 1)[0]
    changeset = w3_datetime(selectors.services_changed()) or "1970-01-01T00:00:00+00:00"
    return render(fmt, "discovery", discovery_out(
        url=request.build_absolute_uri(base), changeset=changeset,
        contact=getattr(settings, "OPEN311_CONTACT", CONTACT),
        key_service=getattr(settings, "OPEN311_KEY_SERVICE", KEY_SERVICE)))


@endpoint("GET")
def services(request, fmt):
    municipality = selectors.jurisdiction_get(request.GET.get("jurisdiction_id"))
    categories = category_list(municipality_code=municipality.code).order_by("parent__name",
                                                                             "name")
    return render(fmt, "services", [service_out(c) for c in categories])


@endpoint("GET")
def service_definition(request, fmt, service_code):
    municipality = selectors.jurisdiction_get(request.GET.get("jurisdiction_id"))
    category = selectors.service_get(municipality, service_code)
    return render(fmt, "service_definition", definition_out(category))


@endpoint("GET", "POST")
def requests(request, fmt):
    if request.method == "POST":
        return _request_create(request, fmt)
    municipality = selectors.jurisdiction_get(request.GET.get("jurisdiction_id"))
    filters = parsing.requests_query(request.GET)
    cases = selectors.requests_filter(
        selectors.public_requests(municipality=municipality), filters)
    return render(fmt, "service_requests",
                  [request_out(c, request.build_absolute_uri) for c in cases])


def _request_create(request, fmt):
    """POST Service Request: the same case_log every other channel calls."""
    key = request.POST.get("api_key", "").strip()
    actor = api_key_actor(key, channel="api") if key else None
    if actor is None:
        raise PermissionDenied(_("Invalid or missing api_key: ask the municipality for one."))
    municipality = selectors.jurisdiction_get(request.POST.get("jurisdiction_id"))
    form = parsing.request_form(request.POST)
    data = form.cleaned_data
    case = case_log(
        actor=actor, category=data["service_code"], description=data["description"],
        location=Location(data["lat"], data["long"], address=data["address_string"]),
        municipality=municipality,
        contact=Contact(name=form.full_name(), phone=data["phone"], email=data["email"]),
        extra=parsing.attributes_parse(request.POST), media_url=data["media_url"] or "")
    return render(fmt, "service_requests", [created_out(case, data["account_id"])])


@endpoint("GET")
def request_detail(request, fmt, service_request_id):
    """A public request; with the X-API-Key header of the key that posted it, also one
    kept out of the public register (a private category, or logged as private)."""
    poster = None
    if (key := request.headers.get("X-API-Key")) is not None:
        poster = api_key_actor(key.strip(), channel="api") if key.strip() else None
        if poster is None:
            raise PermissionDenied(_("Unknown or revoked API key in X-API-Key."))
    municipality = selectors.jurisdiction_get(request.GET.get("jurisdiction_id"))
    missing = NotFound("unknown_request", _("No service request %(id)s that you may see.")
                       % {"id": service_request_id})
    try:
        reference = reference_parse(service_request_id)
    except ImbizoError:
        raise missing from None
    case = selectors.visible_requests(municipality=municipality, poster=poster) \
        .filter(reference=reference).first()
    if case is None:
        raise missing
    return render(fmt, "service_requests", [request_out(case, request.build_absolute_uri)])


@endpoint("GET")
def token(request, fmt, token):
    """Every POST answers with its service_request_id, so no token is ever issued."""
    selectors.jurisdiction_get(request.GET.get("jurisdiction_id"))
    raise NotFound("unknown_token", _("No token %(token)s: this server answers every request "
                                      "with its service_request_id at once and issues no "
                                      "tokens.") % {"token": token})


@csrf_exempt
def not_found(request, path=""):
    """Anything else under the Open311 prefix answers in the spec's format too."""
    return error_response("json", NotFound(
        "not_found", _("No such Open311 resource: start from discovery.json.")))
