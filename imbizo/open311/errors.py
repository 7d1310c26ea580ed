"""ImbizoError in the spec's own error format: a list of {code, description}.

The spec wants HTTP 404 for what does not exist, 403 for a wrong or missing api_key and
400 for everything else, and lets the body carry a more specific code: the body keeps
Imbizo's own status (422 for a point outside the jurisdiction, 405 for a wrong method).
"""

from django.core.exceptions import ValidationError
from django.http import HttpResponse

from imbizo.core.errors import ImbizoError

from .formats import render

# Errors that mean "that resource does not exist" in Open311 terms.
NOT_FOUND_CODES = {"unknown_category"}


def http_status(exc: ImbizoError) -> int:
    if exc.code in NOT_FOUND_CODES or exc.status == 404:
        return 404
    if exc.status in (401, 403):
        return 403
    return 400


def error_response(fmt: str, exc: ImbizoError) -> HttpResponse:
    status = http_status(exc)
    code = status if status != 400 else exc.status
    descriptions = exc.extra.get("descriptions") or [exc.message]
    return render(fmt, "errors", [{"code": code, "description": d} for d in descriptions],
                  status=status)


def from_validation_error(exc: ValidationError) -> ImbizoError:
    """A model's field check that a service let through (e.g. an over-long name)."""
    if hasattr(exc, "error_dict"):
        descriptions = [f"{field}: {message}" for field, messages in exc.message_dict.items()
                        for message in messages]
    else:
        descriptions = list(exc.messages)
    return ImbizoError("invalid_request", "; ".join(descriptions), descriptions=descriptions)
