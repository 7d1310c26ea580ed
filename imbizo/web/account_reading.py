"""Meter readings of a linked account, without JavaScript: the resident sends a water or
electricity reading (the date defaults to today; a photo and "this is a new meter" are
optional) and sees the readings sent before, each received, being checked, accepted or
corrected. A reading that looks wrong is kept and flagged, never refused, and the page
says it will be checked. The rules are billing's (billing/readings.py, docs/billing.md).
"""

from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from imbizo.billing.arrangement_models import MeterReading
from imbizo.billing.arrangement_selectors import reading_list
from imbizo.billing.models import UtilityAccount
from imbizo.billing.readings import UNIT, reading_submit
from imbizo.core.errors import ImbizoError

from .account import sign_in_first
from .account_arrangement import linked_account
from .account_forms import ReadingForm
from .pages import page
from .session import citizen_actor, request_citizen
from .signin import form_error

READINGS_SHOWN = 12
Kind = MeterReading.Kind
PHOTO_ERRORS = {"unsupported_image", "image_too_large"}  # cases/images.py's, with no field


def figure(value: Decimal) -> str:
    """A reading as the meter shows it: 4512.5, not 4512.500."""
    return f"{value.normalize():f}"


def reading_state(reading: MeterReading) -> str:
    if reading.awaiting_review:
        return _("Being checked by revenue staff")
    if reading.review == MeterReading.Review.CORRECTED:
        return _("Corrected by revenue staff to %(value)s") % {
            "value": figure(reading.corrected_value)}
    return _("Accepted")


def _kinds(account: UtilityAccount) -> tuple[list, str]:
    """Both meters, the account's own metered service chosen first."""
    default = next((k for k in (Kind.WATER, Kind.ELECTRICITY) if k in account.services),
                   Kind.WATER)
    return list(Kind.choices), default


def _submitted_message(reading: MeterReading) -> str:
    words = {"value": figure(reading.value), "unit": UNIT[reading.kind]}
    if reading.flag:
        return _("Thank you: your reading of %(value)s %(unit)s is kept. It is not what we "
                 "expected, so revenue staff will check it before it is used for your "
                 "bill.") % words
    return _("Thank you: your reading of %(value)s %(unit)s is received.") % words


@require_http_methods(["GET", "POST"])
def account_readings(request: HttpRequest, municipality: str,
                     account_number: str) -> HttpResponse:
    if request_citizen(request) is None:
        return sign_in_first(request)
    actor = citizen_actor(request)
    account = linked_account(request, municipality, account_number)
    kinds, default = _kinds(account)
    if request.method == "GET":
        form = ReadingForm(kinds=kinds, initial={"kind": default,
                                                 "read_on": timezone.localdate()})
    else:
        form = ReadingForm(request.POST, request.FILES, kinds=kinds)
        if form.is_valid():
            data = form.cleaned_data
            try:
                reading = reading_submit(
                    actor=actor, account=account, kind=data["kind"], value=data["value"],
                    read_on=data["read_on"], meter_number=data["meter_number"],
                    meter_replaced=data["meter_replaced"],
                    photo=data["photo"].read() if data["photo"] else None)
            except ImbizoError as exc:
                if exc.code in PHOTO_ERRORS:
                    exc = ImbizoError(exc.code, exc.message, field="photo")
                form_error(form, exc)
            else:
                messages.success(request, _submitted_message(reading))
                return HttpResponseRedirect(reverse(
                    "web:account_readings",
                    args=[account.municipality.code, account.account_number]))
    readings = list(reading_list(actor=actor).filter(account_id=account.pk)[:READINGS_SHOWN])
    return page(request, "web/account_readings.html", {
        "account": account, "municipality": account.municipality, "form": form,
        "photo_lost": bool(request.FILES) and bool(form.errors),
        "readings": [(r, figure(r.value), UNIT[r.kind], reading_state(r)) for r in readings],
    }, status=400 if form.errors else 200)
