"""RFC 9457 problem details: the API's one error format."""

from django.http import HttpRequest, JsonResponse

from imbizo.core.errors import ImbizoError

PROBLEM_TYPE_BASE = "https://imbizo.org.za/problems/"


def problem_response(request: HttpRequest, *, status: int, code: str, title: str,
                     detail: str, **extra) -> JsonResponse:
    body = {"type": PROBLEM_TYPE_BASE + code, "title": title, "status": status,
            "detail": detail, "instance": request.path, **extra}
    return JsonResponse(body, status=status, content_type="application/problem+json")


def imbizo_error_response(request: HttpRequest, exc: ImbizoError) -> JsonResponse:
    title = exc.code.replace("_", " ").capitalize()
    return problem_response(request, status=exc.status, code=exc.code, title=title,
                            detail=exc.message, **exc.extra)
