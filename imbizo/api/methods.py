"""A method an API path does not take gets problem+json like every other refusal.

django-ninja answers it with Django's bare 405; a client then has a body it cannot parse
as the API's errors. The ``Allow`` header stays, and the detail names the methods.
"""

from .problems import problem_response


class MethodNotAllowedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or not request.path_info.startswith("/api/") \
                or response.get("Content-Type", "").startswith("application/problem+json"):
            return response
        allowed = response.get("Allow", "")
        problem = problem_response(request, status=405, code="method_not_allowed",
                                   title="Method not allowed",
                                   detail=f"{request.method} is not taken here; use {allowed}.")
        problem["Allow"] = allowed
        return problem
