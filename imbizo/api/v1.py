"""REST API v1: one NinjaAPI, errors rendered once as problem+json."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as FieldErrors
from django.http import HttpRequest
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from imbizo.core.errors import ImbizoError

from .limits import too_large_message
from .problems import imbizo_error_response, problem_response

# The docs page works on an intranet with no internet: ninja (in INSTALLED_APPS) serves its
# bundled Swagger UI from /static/, and no spec is sent to swagger.io's online validator.
api = NinjaAPI(title="Imbizo API", version="1", urls_namespace="api-v1", docs_url="/docs",
               docs=Swagger(settings={"validatorUrl": None}))


@api.exception_handler(ImbizoError)
def on_imbizo_error(request: HttpRequest, exc: ImbizoError):
    return imbizo_error_response(request, exc)


def _field(loc) -> str | None:
    """``("body", "payload", "description")`` is the field ``description``."""
    parts = [str(p) for p in loc[1:]]
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or None


def _message(error: dict) -> str:
    if error.get("type") == "string_too_long":
        return f"at most {error['ctx']['max_length']} characters"
    return error.get("msg", "")


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError):
    errors = [{"field": _field(e.get("loc", ())), "message": _message(e)} for e in exc.errors]
    detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"]
                       for e in errors)
    return problem_response(request, status=400, code="invalid_request",
                            title="Invalid request", detail=detail, errors=errors)


@api.exception_handler(FieldErrors)
def on_field_errors(request: HttpRequest, exc: FieldErrors):
    """A model's own check that a service let through (a value past its column)."""
    errors = [{"field": field, "message": message}
              for field, messages in getattr(exc, "message_dict", {"": exc.messages}).items()
              for message in messages]
    detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"]
                       for e in errors)
    return problem_response(request, status=400, code="invalid_request",
                            title="Invalid request", detail=detail, errors=errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError):
    detail = "Send an X-API-Key header, or sign in to the staff console."
    if exc.message != AuthenticationError().message:
        detail = exc.message
    response = problem_response(request, status=401, code="unauthenticated",
                                title="Unauthenticated", detail=detail)
    response["WWW-Authenticate"] = 'ApiKey header="X-API-Key"'
    return response


@api.exception_handler(RequestDataTooBig)
def on_too_large(request: HttpRequest, exc: RequestDataTooBig):
    return problem_response(request, status=413, code="request_too_large",
                            title="Request too large", detail=too_large_message(request))


@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def on_too_many_parts(request: HttpRequest, exc: Exception):
    return problem_response(request, status=400, code="too_many_fields",
                            title="Invalid request", detail=str(exc))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):
    return problem_response(request, status=exc.status_code, code="http_error",
                            title="Request failed", detail=str(exc))


api.add_router("/geo", "imbizo.api.geo.router")
# Early: URLs are tried in this order, and the nearest-facility look-up is a hot path
# measured against /health (docs/facilities.md).
api.add_router("/", "imbizo.api.facilities.router")
api.add_router("/", "imbizo.api.cases.router")
api.add_router("/", "imbizo.api.workorders.router")
api.add_router("/", "imbizo.api.citizens.router")
api.add_router("/", "imbizo.api.residents.router")
api.add_router("/", "imbizo.api.billing.router")
api.add_router("/", "imbizo.api.representatives.router")
api.add_router("/", "imbizo.api.loadshedding.router")
api.add_router("/", "imbizo.api.matters.router")
api.add_router("/", "imbizo.api.news.router")
api.add_router("/", "imbizo.api.community.router")


@api.get("/health", auth=None, tags=["meta"], summary="Liveness check")
def health(request):
    return {"status": "ok"}
