"""REST API v1: one NinjaAPI, errors rendered once as problem+json."""

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from imbizo.core.errors import ImbizoError

from .problems import imbizo_error_response, problem_response

api = NinjaAPI(title="Imbizo API", version="1", urls_namespace="api-v1", docs_url="/docs")


@api.exception_handler(ImbizoError)
def on_imbizo_error(request: HttpRequest, exc: ImbizoError):
    return imbizo_error_response(request, exc)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError):
    errors = [{"field": ".".join(str(p) for p in e.get("loc", [])[1:]) or None,
               "message": e.get("msg", "")} for e in exc.errors]
    detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"]
                       for e in errors)
    return problem_response(request, status=400, code="invalid_request",
                            title="Invalid request", detail=detail, errors=errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError):
    return problem_response(request, status=401, code="unauthenticated", title="Unauthenticated",
                            detail="Send valid credentials.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):
    return problem_response(request, status=exc.status_code, code="http_error",
                            title="Request failed", detail=str(exc))


api.add_router("/geo", "imbizo.api.geo.router")
api.add_router("/", "imbizo.api.cases.router")
api.add_router("/", "imbizo.api.workorders.router")
api.add_router("/", "imbizo.api.citizens.router")


@api.get("/health", auth=None, tags=["meta"], summary="Liveness check")
def health(request):
    return {"status": "ok"}
