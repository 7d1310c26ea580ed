"""The site's load-shedding pages: find your area (by a suburb's name, or among your
municipality's areas), and an area's page: the stage in force, today's and the next days'
outages, its calendar feed and the hours it lost in each of the last 12 months; "Alert
me" / "Stop alerts" on it (a POST form; a visitor is asked to sign in first, and comes
back to the area), and the resident's list of the areas they follow. No JavaScript; every
read goes through the selectors the API and the channels use, every write through
``loadshedding.subscriptions``."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from imbizo.core.errors import ImbizoError
from imbizo.geo.selectors import municipality_by_code
from imbizo.loadshedding.cycle import local_midnight
from imbizo.loadshedding.finding import (
    areas_in_municipality,
    areas_search,
    municipalities_with_areas,
)
from imbizo.loadshedding.selectors import (
    area_get,
    area_hours_lost,
    schedule_between,
    stage_in_force,
)
from imbizo.loadshedding.subscription_selectors import subscribed, subscriptions_for
from imbizo.loadshedding.subscriptions import loadshedding_subscribe, loadshedding_unsubscribe

from .pages import page
from .session import citizen_actor, request_citizen
from .signin import form_error

PAGE_DAYS = 3  # today and the next two
MONTHS_SHOWN = 12


class AreaFindForm(forms.Form):
    q = forms.CharField(label=_("Your suburb"), max_length=200, required=False,
                        help_text=_("Type its name, or part of it."))
    m = forms.ChoiceField(label=_("Or pick your municipality"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["m"].choices = [("", "—")] + [
            (m.code, m.name) for m in municipalities_with_areas()]


@require_GET
def find(request: HttpRequest) -> HttpResponse:
    form = AreaFindForm(request.GET or None)
    hits, searched = [], None
    if form.is_valid():
        q, code = form.cleaned_data["q"].strip(), form.cleaned_data["m"]
        try:
            if q:
                hits, searched = areas_search(q=q), q
            elif code:
                municipality = municipality_by_code(code)
                hits, searched = areas_in_municipality(municipality=municipality), \
                    municipality.name
        except ImbizoError as exc:
            form_error(form, ImbizoError(exc.code, exc.message, field=exc.extra.get("field", "q")))
    return page(request, "web/loadshedding/find.html", {
        "form": form, "hits": hits, "searched": searched, "stage": stage_in_force()},
        status=400 if form.errors else 200)


@require_GET
def area(request: HttpRequest, key: str) -> HttpResponse:
    try:
        found, _timeline = area_get(key)
    except ImbizoError as exc:
        return page(request, "web/loadshedding/missing.html", {"reason": exc.message},
                    status=exc.status)
    context = {"area": found, "days": [], "months": [], "stage": None, "reason": "",
               "following": subscribed(request_citizen(request), found.key)}
    start = local_midnight(timezone.localdate())
    try:
        schedule = schedule_between(key=key, start=start,
                                    end=start + timedelta(days=PAGE_DAYS))
    except ImbizoError as exc:
        context["reason"] = exc.message  # listed, but no schedule on record
        context["stage"] = stage_in_force()
    else:
        context |= {"stage": schedule.stage, "days": _days(start, schedule.outages),
                    "months": _months(key)}
    return page(request, "web/loadshedding/area.html", context)


def _days(start, outages) -> list[tuple]:
    """(day, its outages) for each day shown, an outage under the day it starts."""
    days = [(start + timedelta(days=n)).date() for n in range(PAGE_DAYS)]
    return [(day, [o for o in outages if o.start.date() == day]) for day in days]


def _months(key: str) -> list[tuple[str, float]]:
    """The last ``MONTHS_SHOWN`` months begun, newest first, with the hours lost in each."""
    year = timezone.localdate().year
    rows = [(f"{y}-{m:02d}", h) for y in (year - 1, year)
            for m, h in area_hours_lost(key=key, year=y)]
    return rows[-MONTHS_SHOWN:][::-1]


FOLLOWING = _("You will get alerts for %(area)s: before each outage, and when the stage "
              "changes.")
STOPPED = _("You will get no more alerts for %(area)s.")


def _follow(request: HttpRequest, key: str, follow: bool) -> HttpResponse:
    """Alert me / Stop alerts, then back to the area's page (signing in first if need be)."""
    back = reverse("web:loadshedding_area", args=[key])
    citizen = request_citizen(request)
    if citizen is None:
        return HttpResponseRedirect(reverse("web:signin") + "?" + urlencode({"next": back}))
    try:
        if follow:
            loadshedding_subscribe(actor=citizen_actor(request), citizen=citizen, key=key)
        else:
            loadshedding_unsubscribe(actor=citizen_actor(request), citizen=citizen, key=key)
    except ImbizoError as exc:
        if exc.status == 404:
            return page(request, "web/loadshedding/missing.html", {"reason": exc.message},
                        status=404)
        messages.error(request, exc.message)
    else:
        area, _timeline = area_get(key)
        messages.success(request, str(FOLLOWING if follow else STOPPED) % {"area": area.name})
    return HttpResponseRedirect(back)


@require_POST
def area_follow(request: HttpRequest, key: str) -> HttpResponse:
    return _follow(request, key, follow=True)


@require_POST
def area_unfollow(request: HttpRequest, key: str) -> HttpResponse:
    return _follow(request, key, follow=False)


@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    """The areas the signed-in resident gets alerts for."""
    citizen = request_citizen(request)
    if citizen is None:
        return HttpResponseRedirect(reverse("web:signin") + "?" + urlencode(
            {"next": reverse("web:loadshedding_alerts")}))
    return page(request, "web/loadshedding/alerts.html",
                {"followed": subscriptions_for(citizen)})
