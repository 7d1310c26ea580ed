"""Places without street addresses: a GPS point, a suburb or ward off a list, a landmark
in the resident's words, or a plus code (Open Location Code) read off a phone. Each
becomes an answer the case can be logged with, and a line read back to the resident
("Ward 12 (Sizwe), near the tavern")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from openlocationcode import openlocationcode as olc

from imbizo.core.config_cache import config_cache
from imbizo.core.errors import ImbizoError
from imbizo.geo.index import ward_index
from imbizo.geo.models import Municipality
from imbizo.geo.selectors import ward_by_code

from .sources import ward_suburbs
from .texts import SAY

if TYPE_CHECKING:
    from .turn import Turn

MAX_LANDMARK = 200


def place_options(turn: Turn) -> list[tuple[str, str]]:
    """The municipality's suburbs (or wards) as menu options."""
    ward_label = str(SAY["ward_place"]).split(" (")[0]
    return [(str(i), suburb or ward_label % {"ward": number})
            for i, (number, suburb) in enumerate(ward_suburbs(turn.answers["municipality"]))]


def place_read_back(place: dict) -> str:
    parts = []
    if place.get("ward"):
        parts.append(SAY["ward_place"] % {"ward": place["ward"], "suburb": place["suburb"]}
                     if place.get("suburb") else str(SAY["ward_place"]).split(" (")[0]
                     % {"ward": place["ward"]})
    if place.get("landmark"):
        landmark = place["landmark"]
        near = str(SAY["near"]).split("%(landmark)s")[0].strip().casefold()
        said = near and landmark.casefold().startswith(near + " ")  # "near the tavern"
        parts.append(landmark if said else SAY["near"] % {"landmark": landmark})
    elif place.get("code"):
        parts.append(place["code"])
    return ", ".join(str(p) for p in parts)


def place_from_suburb(turn: Turn, index: int) -> dict:
    number, suburb = ward_suburbs(turn.answers["municipality"])[index]
    return {"ward": number, "suburb": suburb}


def place_from_point(turn: Turn, lat: float, lon: float, **extra) -> dict:
    """A point decides the municipality too (it may not be the one the resident chose)."""
    found = ward_index.locate(lat, lon)
    ward = ward_by_code(found.ward["code"]) if found else None
    if ward is None:
        raise ImbizoError("location_not_served",
                          _("That place is not in any municipality we serve."))
    turn.answers["municipality"] = ward.municipality_id
    return {"ward": ward.number, "suburb": "", "lat": lat, "lon": lon, **extra}


def place_from_text(turn: Turn, text: str) -> dict:
    """A plus code, or else a landmark; a suburb named in it gives the ward."""
    code = text.strip().upper().replace(" ", "")
    if olc.isValid(code):
        chosen = turn.answers["municipality"]
        if olc.isShort(code):  # recovered near the municipality's centre: it must be in it
            lat, lon = _centre(chosen)
            area = olc.decode(olc.recoverNearest(code, lat, lon))
            place = place_from_point(turn, area.latitudeCenter, area.longitudeCenter, code=code)
            if turn.answers["municipality"] != chosen:
                turn.answers["municipality"] = chosen
                raise ImbizoError("plus_code_far", str(SAY["plus_code_far"]))
            return place
        area = olc.decode(code)
        return place_from_point(turn, area.latitudeCenter, area.longitudeCenter, code=code)
    landmark = " ".join(text.split())
    if len(landmark) > MAX_LANDMARK:
        raise ImbizoError("too_long", SAY["too_long"] % {"max": MAX_LANDMARK})
    lowered = landmark.lower()
    for number, suburb in ward_suburbs(turn.answers["municipality"]):
        if suburb and suburb.lower() in lowered:
            return {"ward": number, "suburb": suburb, "landmark": landmark}
    return {"ward": None, "suburb": "", "landmark": landmark}


def _centre(municipality_id: int) -> tuple[float, float]:
    """The middle of the municipality, where a short plus code is recovered."""
    def load():
        municipality = Municipality.objects.get(pk=municipality_id)
        geometry = municipality.geometry
        if geometry is None:
            raise ImbizoError("plus_code_far", str(SAY["plus_code_far"]))
        point = geometry.representative_point()
        return point.y, point.x
    return config_cache.get(("municipality_centre", municipality_id), load)
