"""Reads of geography. Boundaries are public data: no actor scoping needed."""

from django.utils.translation import gettext as _

from imbizo.core.config_cache import config_cache
from imbizo.core.errors import ImbizoError, NotFound

from .index import Place, ward_index
from .models import Ward


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


def ward_by_code(code: str) -> Ward | None:
    """A ward with its municipality, boundaries left behind; from the configuration memo."""
    def load() -> Ward | None:
        return Ward.objects.select_related("municipality").defer(
            "boundary", "municipality__boundary").filter(code=code).first()

    return config_cache.get(("ward", code), load, keep=lambda ward: ward is not None)
