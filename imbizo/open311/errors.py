"""ImbizoError in the spec's own error format: a list of {code, description}.

The spec wants HTTP 404 for what does not exist, 403 for a wrong or missing api_key and
400 for everything else. Two answers are about the HTTP request itself rather than its
content, and keep HTTP's own status: 405 for a wrong method (with ``Allow``) and 413 for
a body past its limit. Whatever the status, the body's ``code`` is the same number, so a
client may read either.
"""

from django.core.exceptions import ValidationError
from django.http import HttpResponse

from imbizo.core.errors import ImbizoError

from .formats import render

# Errors that mean "that resource does not exist" in Open311 terms.
NOT_FOUND_CODES = {"unknown_category"}
HTTP_LEVEL = {405, 413}


def http_status(exc: ImbizoError) -> int:
    if exc.code in NOT_FOUND_CODES or exc.status == 404:
        return 404
    if exc.status in (401, 403):
        return 403
    if exc.status in HTTP_LEVEL:
        return exc.status
    return 400


def error_response(fmt: str, exc: ImbizoError) -> HttpResponse:
    status = http_status(exc)
    descriptions = exc.extra.get("descriptions") or [exc.message]
    return render(fmt, "errors", [{"code": status, "description": d} for d in descriptions],
                  status=status)


def from_validation_error(exc: ValidationError) -> ImbizoError:
    """A model's field check that a service let through (e.g. an over-long name)."""
    if hasattr(exc, "error_dict"):
        descriptions = [f"{field}: {message}" for field, messages in exc.message_dict.items()
                        for message in messages]
    else:
        descriptions = list(exc.messages)
    return ImbizoError("invalid_request", "; ".join(descriptions), descriptions=descriptions)
