"""A zone an organiser draws for a meeting: a GeoJSON polygon, checked, and the wards of
the municipality it touches (residents are reached by their ward: no one's home is a
point here)."""

import json

from django.utils.translation import gettext as _
from shapely import wkb
from shapely.geometry import shape
from shapely.validation import make_valid

from imbizo.core.errors import ImbizoError
from imbizo.geo.models import Municipality, Ward

MAX_ZONE_CHARS = 200_000  # a hand-drawn zone is a few hundred points


def _refuse(message: str) -> ImbizoError:
    return ImbizoError("invalid_zone", message, field="zone")


def zone_parse(value) -> dict | None:
    """A GeoJSON Polygon or MultiPolygon (or a Feature holding one), as text or a mapping,
    in longitude/latitude; None for nothing. Returns the geometry as a mapping."""
    if value in (None, "", {}):
        return None
    if isinstance(value, str):
        if len(value) > MAX_ZONE_CHARS:
            raise _refuse(_("The zone is too large: draw it with fewer points."))
        try:
            value = json.loads(value)
        except ValueError:
            raise _refuse(_("The zone is not GeoJSON.")) from None
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise _refuse(_("Draw the zone as a polygon."))
    try:
        geometry = shape(value)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        raise _refuse(_("The zone is not a valid polygon.")) from None
    minx, miny, maxx, maxy = geometry.bounds if not geometry.is_empty else (0, 0, 999, 999)
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise _refuse(_("The zone's points must be longitude and latitude."))
    if geometry.area <= 0:
        raise _refuse(_("The zone is not a valid polygon."))
    return {"type": value["type"], "coordinates": value["coordinates"]}


def zone_wards(zone: dict, municipality: Municipality) -> list[Ward]:
    """The municipality's wards the zone overlaps (more than touching an edge)."""
    area = make_valid(shape(zone))
    rows = Ward.objects.filter(municipality=municipality, boundary__isnull=False) \
        .only("pk", "number", "boundary", "municipality_id").order_by("number")
    found = [w for w in rows if wkb.loads(bytes(w.boundary)).intersection(area).area > 0]
    if not found:
        raise _refuse(_("The zone lies outside %(municipality)s.")
                      % {"municipality": municipality.name})
    return found
