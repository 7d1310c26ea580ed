"""No NUL character reaches the database through the API.

PostgreSQL refuses a NUL (0x00) in any text, so a query parameter or JSON string holding
one would fail deep in a query with a server error. Django's forms refuse it
(Open311 goes through them); the API's schemas do not, so it is refused here, at the door,
with a 400 problem+json.
"""

from urllib.parse import unquote_to_bytes

from .limits import body_limit, content_length
from .problems import problem_response


def _has_nul(request) -> bool:
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")) \
            or "\x00" in request.path_info:
        return True
    if request.content_type == "application/json" \
            and 0 < content_length(request) <= body_limit(request):
        return b"\\u0000" in request.body or b"\x00" in request.body
    return False


class NulGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/") and _has_nul(request):
            return problem_response(request, status=400, code="nul_character",
                                    title="Invalid request",
                                    detail="Text may not contain the NUL character (0x00).")
        return self.get_response(request)
