"""Reports made offline: the phone kept the report form's fields (and its photo) in
IndexedDB while it had no connection (static/web/app.js), and posts them here when it
is back online, page or service worker alike.

The same forms and the same logging as the report form (report.py ``report_log``), so
the same checks and the same case; the form's token, kept with the report on the phone,
is the idempotency key, so a report that arrives twice (the page and the worker both
sending, or a first attempt whose answer was lost) is logged once. The answer is JSON:
the reference, or the field errors in the resident's language.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .report import _place_form, report_log
from .report_forms import DetailsForm
from .session import request_citizen


def _errors(*forms) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for form in forms:
        for field, messages in form.errors.items():
            found.setdefault(field if field != "__all__" else "form", []).extend(messages)
    return found


@require_POST
def report_queued(request: HttpRequest) -> JsonResponse:
    place = _place_form(request, request.POST)
    if place is None:
        return JsonResponse({"errors": {"m": [_("Choose your municipality again.")]},
                             "code": "no_municipality"}, status=400)
    form = DetailsForm(request.POST, request.FILES,
                       signed_in=request_citizen(request) is not None)
    if place.is_valid() and form.is_valid() and (logged := report_log(request, place, form)):
        case, photo_error = logged
        return JsonResponse({
            "reference": case.reference, "replayed": bool(getattr(case, "replayed", False)),
            "url": reverse("web:track_case", args=[case.reference]),
            "photo_error": photo_error}, status=200 if getattr(case, "replayed", False) else 201)
    return JsonResponse({"errors": _errors(place, form), "code": "invalid"}, status=400)
