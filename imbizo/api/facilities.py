"""API v1: Facilities (docs/facilities.md). Public, like geography: no key needed.

The look-up is a hot path that has to keep up with a bare endpoint of the same server
(docs/performance.md): its four parameters are read here and its answer written straight
to JSON (``NEAREST_PARAMETERS`` and ``NearestOut`` document them; the tests check the
answer against the schema). Validating models on the way in and out cost more than the
look-up itself.
"""

import json
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from imbizo.core.errors import ImbizoError
from imbizo.facilities.index import MOST
from imbizo.facilities.selectors import (
    DEFAULT_LIMIT,
    Nearby,
    NearbyFacility,
    facilities_nearest,
    facility_kinds,
)

router = Router(tags=["facilities"])


class KindOut(Schema):
    code: str
    label: str
    includes: list[str]


class AreaOut(Schema):
    code: str
    name: str


class WardOut(Schema):
    code: str
    number: int


class SourceOut(Schema):
    key: str
    name: str
    licence: str
    licence_url: str
    attribution: str
    credit: str
    url: str


class FacilityOut(Schema):
    id: str
    kind: str
    kind_label: str
    name: str
    latitude: float
    longitude: float
    distance_km: float
    bearing: float
    directions: str
    address: str
    phone: str
    hours: str
    municipality: AreaOut | None
    ward: WardOut | None
    details: dict
    source: str | None


class NearestOut(Schema):
    kind: KindOut
    latitude: float
    longitude: float
    facilities: list[FacilityOut]
    sources: list[SourceOut]


def _kind(kind, label: str) -> dict:
    return {"code": kind.code, "label": label, "includes": list(kind.includes)}


def _facility(near: NearbyFacility) -> dict:
    f = near.facility
    return {"id": f.id, "kind": f.kind, "kind_label": near.kind_label, "name": f.name,
            "latitude": f.latitude, "longitude": f.longitude,
            "distance_km": round(near.km, 3), "bearing": round(near.bearing, 1),
            "directions": near.directions, "address": f.address, "phone": f.phone,
            "hours": f.hours, "municipality": f.municipality, "ward": f.ward,
            "details": f.details, "source": f.source}


def nearest_body(found: Nearby) -> dict:
    return {"kind": _kind(found.kind, found.kind_label), "latitude": found.latitude,
            "longitude": found.longitude,
            "facilities": [_facility(near) for near in found.facilities],
            "sources": found.sources}


NEAREST_PARAMETERS = [
    {"in": "query", "name": "lat", "required": True,
     "schema": {"type": "number", "minimum": -90, "maximum": 90}, "description": "Latitude"},
    {"in": "query", "name": "lon", "required": True,
     "schema": {"type": "number", "minimum": -180, "maximum": 180},
     "description": "Longitude"},
    {"in": "query", "name": "kind", "required": True, "schema": {"type": "string"},
     "description": "A kind's code (see /facilities/kinds)"},
    {"in": "query", "name": "limit", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": MOST, "default": DEFAULT_LIMIT},
     "description": "How many, nearest first"},
]


def _params(request: HttpRequest) -> dict:
    """The query's parameters, the last of each name (no QueryDict made: the hot path)."""
    try:
        return dict(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True,
                              max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS))
    except ValueError:
        raise ImbizoError("invalid_request", _("Too many query parameters.")) from None


def _param(params: dict, name: str, kind: type = str):
    try:
        return kind(params[name])
    except KeyError:
        raise ImbizoError("invalid_request", _("%(name)s: required.") % {"name": name},
                          field=name) from None
    except ValueError:
        raise ImbizoError("invalid_request", _("%(name)s: %(value)s is not a number.")
                          % {"name": name, "value": repr(params[name][:20])},
                          field=name) from None


@router.get("/facilities/nearest", response=NearestOut, auth=None,
            summary="The nearest facilities of a kind to a point",
            openapi_extra={"parameters": NEAREST_PARAMETERS})
def nearest(request: HttpRequest):
    """Nearest first, each with its great-circle distance, bearing and directions in
    words, and the licence and attribution of every source among them (show them with
    the data). ``kind=clinic`` also finds community health and day centres."""
    params = _params(request)
    found = facilities_nearest(
        lat=_param(params, "lat", float), lon=_param(params, "lon", float),
        kind=_param(params, "kind"),
        limit=_param(params, "limit", int) if "limit" in params else DEFAULT_LIMIT)
    return HttpResponse(json.dumps(nearest_body(found), separators=(",", ":")),
                        content_type="application/json")


@router.get("/facilities/kinds", response=list[KindOut], auth=None,
            summary="The kinds of facility")
def kinds(request: HttpRequest):
    return [_kind(kind, str(kind.label)) for kind in facility_kinds()]
