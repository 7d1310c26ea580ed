"""API v1: Load-shedding (docs/loadshedding.md). Public, no key: schedules and stages are
published data. "My schedule" reads only the per-process memo (no query once warm)."""

import json
from datetime import date, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.security import SessionAuth

from imbizo.accounts.models import Citizen
from imbizo.accounts.permissions import citizen_actor
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import Actor
from imbizo.geo.selectors import municipality_by_code
from imbizo.loadshedding.cycle import local_midnight
from imbizo.loadshedding.finding import (
    AreaHit,
    areas_at_point,
    areas_in_municipality,
    areas_search,
)
from imbizo.loadshedding.ical import calendar_ics
from imbizo.loadshedding.selectors import (
    StageNow,
    area_get,
    area_hours_lost,
    area_schedule,
    schedule_between,
    stage_in_force,
)
from imbizo.loadshedding.subscription_selectors import subscriptions_for
from imbizo.loadshedding.subscriptions import loadshedding_subscribe, loadshedding_unsubscribe

from .ranges import EARLIEST, LATEST, Latitude, Longitude

router = Router(tags=["loadshedding"])
DEFAULT_DAYS = 3  # today and the next two
FEED_DAYS = 7
HOURS_METHOD = ("For each month, the hours of the area's slots shed at the stage in force at "
                "each moment (the imported stage history, stages cumulative), outages merged "
                "where they touch or overlap; up to now for the current month.")


class AreaOut(Schema):
    key: str
    name: str
    provider: str


class ChangeOut(Schema):
    at: datetime
    stage: int


class StageOut(Schema):
    stage: int = Field(description="0: no load-shedding")
    since: datetime | None
    scope: str = Field(description='"national", or the code of the municipality whose own '
                                   "stage it is")
    upcoming: list[ChangeOut] = Field(description="Known changes ahead")


class SlotOut(Schema):
    start: datetime
    end: datetime
    stage: int = Field(description="The stage in force when it starts")


class ScheduleOut(Schema):
    area: AreaOut
    start: datetime
    end: datetime
    timezone: str
    stage: StageOut = Field(description="In force now")
    changes: list[ChangeOut] = Field(description="Known changes inside the range")
    slots: list[SlotOut]


SCHEDULE_PARAMETERS = [
    {"in": "query", "name": "area", "required": True,
     "schema": {"type": "string", "maxLength": 120},
     "description": "An area's key (see /loadshedding/areas)"},
    {"in": "query", "name": "from", "required": False, "schema": {"type": "string",
                                                                  "format": "date"},
     "description": "First day (default today)"},
    {"in": "query", "name": "to", "required": False, "schema": {"type": "string",
                                                                "format": "date"},
     "description": f"Last day, included (default from + {DEFAULT_DAYS - 1} days); at most "
                    "31 days"},
]


def _day(params: dict, name: str) -> date | None:
    text = params.get(name)
    if text is None:
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or not EARLIEST <= value <= LATEST:
        raise ImbizoError("invalid_request", _("%(name)s: a day from %(earliest)s to "
                                               "%(latest)s, as YYYY-MM-DD.")
                          % {"name": name, "earliest": EARLIEST, "latest": LATEST},
                          field=name)
    return value


def _params(request) -> dict:
    """The query's parameters, the last of each name (no QueryDict made: the hot path)."""
    try:
        return dict(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True,
                              max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS))
    except ValueError:
        raise ImbizoError("invalid_request", _("Too many query parameters.")) from None


def _stage(now: StageNow) -> dict:
    return {"stage": now.stage, "since": now.since, "scope": now.scope,
            "upcoming": [{"at": at, "stage": stage} for at, stage in now.upcoming]}


@router.get("/loadshedding/schedule", response=ScheduleOut, auth=None,
            summary="An area's load-shedding between two days",
            openapi_extra={"parameters": SCHEDULE_PARAMETERS})
def schedule(request):
    """The hot path: its three parameters are read here and the answer written straight to
    JSON (the schema and ``SCHEDULE_PARAMETERS`` document them), once per answer the memo
    keeps: validating models on the way in and out cost more than the look-up itself."""
    params = _params(request)
    key = params.get("area", "")
    if not key or len(key) > 120:
        raise ImbizoError("invalid_request", _("area: an area's key, at most 120 characters."),
                          field="area")
    first = _day(params, "from") or timezone.localdate()
    last = _day(params, "to") or first + timedelta(days=DEFAULT_DAYS - 1)
    found = area_schedule(key=key, first=first, last=last)
    body = found.renderings.get("api")
    if body is None:
        body = found.renderings["api"] = json.dumps(_schedule_json(found),
                                                      separators=(",", ":")).encode()
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def _schedule_json(found) -> dict:
    area = found.area
    return {
        "area": {"key": area.key, "name": area.name, "provider": area.provider},
        "start": found.start.isoformat(), "end": found.end.isoformat(),
        "timezone": settings.TIME_ZONE, "stage": _stage_json(found.stage),
        "changes": [{"at": at.isoformat(), "stage": stage} for at, stage in found.changes],
        "slots": [{"start": o.start.isoformat(), "end": o.end.isoformat(), "stage": o.stage}
                  for o in found.outages]}


def _stage_json(now: StageNow) -> dict:
    return {"stage": now.stage, "since": now.since.isoformat() if now.since else None,
            "scope": now.scope,
            "upcoming": [{"at": at.isoformat(), "stage": stage} for at, stage in now.upcoming]}


class AreaHitOut(AreaOut):
    suburb: str = Field(description="The suburb that matched (or the point's ward lists)")
    has_schedule: bool


class MunicipalityOut(Schema):
    code: str
    name: str


class AreasOut(Schema):
    municipality: MunicipalityOut | None
    areas: list[AreaHitOut]


def _hits(hits: list[AreaHit]) -> list[dict]:
    return [{"key": h.key, "name": h.name, "provider": h.provider, "suburb": h.suburb,
             "has_schedule": h.has_schedule} for h in hits]


@router.get("/loadshedding/areas", response=AreasOut, auth=None,
            summary="Find areas by suburb, point or municipality")
def areas(request, q: str | None = Query(None, max_length=200),
          lat: Latitude | None = None, lon: Longitude | None = None,
          municipality: str | None = Query(None, max_length=32)):
    given = [q is not None, lat is not None or lon is not None, municipality is not None]
    if sum(given) != 1 or (given[1] and (lat is None or lon is None)):
        raise ImbizoError("one_way_to_find", _("Give one of: q (a suburb's name), lat and "
                                               "lon (a point), or municipality (its code)."))
    if q is not None:
        return {"municipality": None, "areas": _hits(areas_search(q=q))}
    if municipality is not None:
        found = municipality_by_code(municipality.upper())
        return {"municipality": {"code": found.code, "name": found.name},
                "areas": _hits(areas_in_municipality(municipality=found))}
    place, hits = areas_at_point(lat=lat, lon=lon)
    return {"municipality": place.municipality, "areas": _hits(hits)}


class StageAnswerOut(Schema):
    stage: StageOut = Field(description="For the areas the municipality runs (or national)")
    national: StageOut


@router.get("/loadshedding/stage", response=StageAnswerOut, auth=None,
            summary="The stage in force, nationally or for a municipality")
def stage(request, municipality: str | None = Query(None, max_length=32)):
    national = stage_in_force()
    if municipality is None:
        return {"stage": _stage(national), "national": _stage(national)}
    found = municipality_by_code(municipality.upper())
    return {"stage": _stage(stage_in_force(municipality=found)), "national": _stage(national)}


class MonthOut(Schema):
    month: str = Field(description="YYYY-MM")
    hours: float


class HoursLostOut(Schema):
    area: AreaOut
    year: int
    months: list[MonthOut]
    total: float
    method: str


@router.get("/loadshedding/areas/{key}/hours-lost", response=HoursLostOut, auth=None,
            summary="Hours without power per month of a year")
def hours_lost(request, key: str, year: int | None = Query(None, ge=1900, le=2100)):
    year = year or timezone.localdate().year
    months = area_hours_lost(key=key, year=year)
    area, _timeline = area_get(key)
    return {"area": {"key": area.key, "name": area.name, "provider": area.provider},
            "year": year, "months": [{"month": f"{year}-{m:02d}", "hours": h} for m, h in months],
            "total": round(sum(h for _m, h in months), 2), "method": HOURS_METHOD}


@router.get("/loadshedding/areas/{key}/calendar.ics", auth=None,
            summary="An area's iCalendar feed (the next 7 days)",
            openapi_extra={"responses": {200: {"description": "text/calendar (RFC 5545)",
                                               "content": {"text/calendar": {}}}}})
def calendar(request, key: str):
    now = timezone.now()
    start = local_midnight(timezone.localdate())
    found = schedule_between(key=key, start=start, end=start + timedelta(days=FEED_DAYS))
    body = calendar_ics(
        key=found.area.key, name=_("Load-shedding: %(area)s") % {"area": found.area.name},
        outages=found.outages, now=now, domain=urlsplit(settings.SITE_URL).hostname or "imbizo",
        summary=_("Load-shedding (stage %(stage)s)"),
        description=_("%(area)s: no power from %(start)s to %(end)s (stage %(stage)s)."))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{_filename(found.area.key)}.ics"'
    return response


def _filename(key: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in key)


# --- a signed-in resident's alerts --------------------------------------------------------
RESIDENT_SESSION_KEY = "imbizo_citizen"  # web/session.py's SESSION_KEY (the API sits below web)


class ResidentSessionAuth(SessionAuth):
    """A resident signed in on the site (a PIN by SMS or WhatsApp): their session cookie,
    CSRF-checked on writes. Anyone else is a 401 saying how to sign in."""

    def __call__(self, request):
        found = None
        if request.session.get(RESIDENT_SESSION_KEY):  # no session: a 401, not a CSRF 403
            try:
                found = super().__call__(request)
            except HttpError:
                raise ImbizoError("csrf_failed", _("A signed-in session must send its CSRF "
                                                   "token (the X-CSRFToken header) with a "
                                                   "write."), status=403) from None
        if found is None:
            raise AuthenticationError(message=_("Sign in on the site as a resident (a PIN "
                                                "sent to your phone) to follow areas."))
        return found

    def authenticate(self, request, key) -> Actor | None:
        pk = request.session.get(RESIDENT_SESSION_KEY)
        citizen = Citizen.objects.filter(pk=pk, erased__isnull=True).first() if pk else None
        return citizen_actor(citizen, channel="web") if citizen else None


class FollowedOut(Schema):
    key: str
    name: str
    since: str = Field(description="When the resident began to follow it (ISO 8601)")


class SubscriptionsOut(Schema):
    areas: list[FollowedOut] = Field(description="The areas whose alerts the resident gets")


class SubscriptionOut(SubscriptionsOut):
    area: str
    subscribed: bool


def _followed(actor: Actor) -> list[dict]:
    return [{"key": f.key, "name": f.name, "since": f.since.isoformat()}
            for f in subscriptions_for(actor.citizen)]


@router.get("/loadshedding/subscriptions", response=SubscriptionsOut,
            auth=ResidentSessionAuth(), summary="The areas whose alerts I get")
def subscriptions(request):
    return {"areas": _followed(request.auth)}


@router.put("/loadshedding/areas/{key}/subscription", response=SubscriptionOut,
            auth=ResidentSessionAuth(), summary="Alert me about an area (idempotent)")
def subscribe(request, key: str):
    """Alerts before each outage and when the stage changes; at most 5 areas
    (``too_many_areas``, 409); an area without a schedule is a 422."""
    actor = request.auth
    loadshedding_subscribe(actor=actor, citizen=actor.citizen, key=key)
    return {"area": key, "subscribed": True, "areas": _followed(actor)}


@router.delete("/loadshedding/areas/{key}/subscription", response=SubscriptionOut,
               auth=ResidentSessionAuth(), summary="Stop an area's alerts (idempotent)")
def unsubscribe(request, key: str):
    actor = request.auth
    loadshedding_unsubscribe(actor=actor, citizen=actor.citizen, key=key)
    return {"area": key, "subscribed": False, "areas": _followed(actor)}
