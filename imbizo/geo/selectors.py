"""Reads of geography. Boundaries are public data: no actor scoping needed."""

from django.utils.translation import gettext as _
from shapely import wkb

from imbizo.core.config_cache import config_cache
from imbizo.core.errors import ImbizoError, NotFound

from .index import Place, ward_index
from .models import Municipality, Ward


def check_coordinates(lat: float, lon: float) -> None:
    if not (-90 <= lat <= 90) or not (-180 <= lon <= 180):
        raise ImbizoError(
            "invalid_coordinates",
            _("Latitude must be between -90 and 90 and longitude between -180 and 180."),
        )


def locate(*, lat: float, lon: float) -> Place:
    """The ward, municipality, province and traditional authority at a point."""
    check_coordinates(lat, lon)
    place = ward_index.locate(lat, lon)
    if place is None:
        raise NotFound(
            "outside_every_ward",
            _("That point (%(lat).5f, %(lon).5f) is not inside any ward we serve.")
            % {"lat": lat, "lon": lon},
        )
    return place


def municipality_by_code(code: str) -> Municipality:
    """One municipality, its boundary left behind, or a 404 naming the code."""
    found = Municipality.objects.defer("boundary").filter(code=code).first()
    if found is None:
        raise NotFound("unknown_municipality",
                       _("No municipality %(code)s.") % {"code": repr(code)})
    return found


def municipalities_served(*, limit: int = 50) -> list[Municipality]:
    """Metros and local municipalities by name (districts serve no resident directly)."""
    return list(Municipality.objects.filter(category__in=["A", "B"]).defer("boundary")
                .order_by("name")[:limit])


def point_in_first_ward(municipality: Municipality) -> tuple[float, float] | None:
    """A point inside the municipality's lowest-numbered ward with a boundary, or None."""
    boundary = Ward.objects.filter(municipality=municipality, boundary__isnull=False) \
        .order_by("number").values_list("boundary", flat=True).first()
    if boundary is None:
        return None
    point = wkb.loads(bytes(boundary)).representative_point()  # inside, whatever the shape
    return point.y, point.x


def ward_by_code(code: str) -> Ward | None:
    """A ward with its municipality, boundaries left behind; from the configuration memo."""
    def load() -> Ward | None:
        return Ward.objects.select_related("municipality").defer(
            "boundary", "municipality__boundary").filter(code=code).first()

    return config_cache.get(("ward", code), load, keep=lambda ward: ward is not None)
