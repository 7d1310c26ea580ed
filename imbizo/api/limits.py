"""How large a request body the API and Open311 take, refused before it is read.

Django caps a JSON or form body at DATA_UPLOAD_MAX_MEMORY_SIZE, but not the files of a
multipart upload; photos are capped at ATTACHMENT_MAX_BYTES only once they are read. This
middleware makes a body whose Content-Length is past its limit unreadable: reading it
raises Django's own RequestDataTooBig, which each interface answers in its own terms
(413 problem+json on the API, a 413 Open311 error), with no traceback and no byte of
the body read.
"""

from io import IOBase

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest

GUARDED_PATHS = ("/api/", "/open311/")
# A multipart upload carries its photo and a little more: the part headers and fields.
UPLOAD_MARGIN = 1024 * 1024


def body_limit(request: HttpRequest) -> int:
    if request.content_type == "multipart/form-data":
        return settings.ATTACHMENT_MAX_BYTES + UPLOAD_MARGIN
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def too_large_message(request: HttpRequest) -> str:
    length, limit = content_length(request), body_limit(request)
    fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if length <= limit:  # a multipart body whose fields, files aside, are past the limit
        return f"The request's fields, files aside, are over {fields:,} bytes."
    return (f"The request body is {length:,} bytes; at most {limit:,} are accepted here "
            f"({fields:,} for JSON or a form, "
            f"{settings.ATTACHMENT_MAX_BYTES + UPLOAD_MARGIN:,} for a multipart photo upload).")


class _Refused(IOBase):
    """A body past its limit: reading any of it raises."""

    def read(self, *args):
        raise RequestDataTooBig("Request body exceeded its limit.")

    readline = read


class BodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path_info.startswith(GUARDED_PATHS) \
                and content_length(request) > body_limit(request):
            request._stream = _Refused()
        return self.get_response(request)
