"""Reads of facilities. They are public data (no actor scoping): the nearest of a kind to
a point, with distance, direction and the attribution of each source shown."""

from dataclasses import dataclass
from typing import NamedTuple

from django.utils.translation import gettext as _
from shapely import wkb

from imbizo.core.config_cache import config_cache
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.geo.models import Ward
from imbizo.geo.selectors import check_coordinates

from .directions import directions_text, phrases
from .index import MOST, Listed, facility_index
from .kinds import KINDS, Kind, kind_get
from .sphere import bearing, in_south_africa

DEFAULT_LIMIT = 3


class NearbyFacility(NamedTuple):
    facility: Listed
    km: float
    bearing: float  # degrees clockwise from north, from the point to the facility
    directions: str
    kind_label: str  # the facility's own kind, in the caller's language


@dataclass(slots=True)
class Nearby:
    kind: Kind
    kind_label: str  # the kind asked for, in the caller's language
    latitude: float
    longitude: float
    facilities: list[NearbyFacility]
    sources: list[dict]  # the attribution of every source among the facilities


def check_limit(limit: int) -> None:
    if not 1 <= limit <= MOST:
        raise ImbizoError("invalid_limit", _("Ask for between 1 and %(most)s facilities.")
                          % {"most": MOST}, field="limit")


def facilities_nearest(*, lat: float, lon: float, kind: str,
                       limit: int = DEFAULT_LIMIT) -> Nearby:
    """The ``limit`` nearest active facilities a search for ``kind`` finds, nearest first.

    Refused: an unknown kind (400, listing the kinds), coordinates out of range or a
    limit outside 1..10 (400), a point outside South Africa (404). No facility of the
    kind loaded yet is an empty list, not an error."""
    found_kind = kind_get(kind)
    check_coordinates(lat, lon)
    check_limit(limit)
    if not in_south_africa(lat, lon):
        raise NotFound("outside_south_africa",
                       _("That point (%(lat).5f, %(lon).5f) is outside South Africa; we only "
                         "know facilities in South Africa.") % {"lat": lat, "lon": lon})
    nearby, said = [], phrases()
    found, known = facility_index.nearest(found_kind.code, lat, lon, limit)
    for listed, km in found:
        heading = bearing(lat, lon, listed.latitude, listed.longitude)
        nearby.append(NearbyFacility(listed, km, heading, directions_text(
            km, heading, listed.municipality, listed.ward, said), said.kinds[listed.kind]))
    keys = dict.fromkeys(n.facility.source for n in nearby if n.facility.source)
    return Nearby(found_kind, said.kinds[found_kind.code], lat, lon, nearby,
                  [known[k] for k in keys if k in known])


def facility_kinds() -> list[Kind]:
    return list(KINDS.values())


def ward_middle(municipality_id: int, number: int) -> tuple[float, float]:
    """A point standing for a ward picked off a list (latitude, longitude): its centroid,
    or a point surely inside it where the centroid falls outside (a crescent)."""
    def load() -> tuple[float, float] | None:
        boundary = Ward.objects.filter(municipality_id=municipality_id, number=number) \
            .values_list("boundary", flat=True).first()
        if not boundary:
            return None
        shape = wkb.loads(bytes(boundary))
        point = shape.centroid
        if not shape.covers(point):
            point = shape.representative_point()
        return point.y, point.x

    found = config_cache.get(("ward_middle", int(municipality_id), int(number)), load,
                             keep=lambda point: point is not None)
    if found is None:
        raise NotFound("ward_not_mapped",
                       _("We do not have the map of ward %(ward)s yet. Please share your "
                         "location or give a plus code.") % {"ward": number})
    return found
