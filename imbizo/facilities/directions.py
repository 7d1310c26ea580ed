"""Directions in words: how far, which way and where ("2.3 km north-east, in Buffalo City
ward 12"), in the caller's language; and the short form a USSD line has room for
("2.3 km NE").

The phrases (and the kinds' labels) are translated once per language and process: a
look-up answers three facilities, and a dozen trips through gettext cost more than the
look-up itself.
"""

from dataclasses import dataclass

from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from .kinds import KINDS

# Eight points, clockwise from north; each covers 45 degrees centred on it.
COMPASS = (gettext_lazy("north"), gettext_lazy("north-east"), gettext_lazy("east"),
           gettext_lazy("south-east"), gettext_lazy("south"), gettext_lazy("south-west"),
           gettext_lazy("west"), gettext_lazy("north-west"))
COMPASS_SHORT = (pgettext_lazy("compass point", "N"), pgettext_lazy("compass point", "NE"),
                 pgettext_lazy("compass point", "E"), pgettext_lazy("compass point", "SE"),
                 pgettext_lazy("compass point", "S"), pgettext_lazy("compass point", "SW"),
                 pgettext_lazy("compass point", "W"), pgettext_lazy("compass point", "NW"))


@dataclass(frozen=True, slots=True)
class Phrases:
    compass: tuple[str, ...]
    compass_short: tuple[str, ...]
    ward: str
    away_in: str
    away: str
    kinds: dict[str, str]  # code -> full label


_PHRASES: dict[str, Phrases] = {}


def phrases() -> Phrases:
    """The phrases in the active language (translated on its first use)."""
    language = get_language() or ""
    found = _PHRASES.get(language)
    if found is None:
        found = _PHRASES[language] = Phrases(
            tuple(str(c) for c in COMPASS), tuple(str(c) for c in COMPASS_SHORT),
            _("%(municipality)s ward %(ward)s"),
            _("%(distance)s %(direction)s, in %(place)s"),
            _("%(distance)s %(direction)s"),
            {code: str(kind.label) for code, kind in KINDS.items()})
    return found


def point_of_compass(bearing: float) -> int:
    return int((bearing + 22.5) // 45) % 8


def distance_text(km: float) -> str:
    """Metres to the nearest 10 under a kilometre, tenths under 10 km, whole km beyond."""
    if km < 1:
        return f"{max(10, int(round(km * 1000, -1)))} m"
    return f"{km:.1f} km" if km < 10 else f"{km:.0f} km"


def place_text(municipality: dict | None, ward: dict | None, said: Phrases) -> str:
    if municipality is None:
        return ""
    if ward is None:
        return municipality["name"]
    return said.ward % {"municipality": municipality["name"], "ward": ward["number"]}


def directions_text(km: float, bearing: float, municipality: dict | None,
                    ward: dict | None, said: Phrases | None = None) -> str:
    said = said or phrases()
    values = {"distance": distance_text(km), "direction": said.compass[point_of_compass(bearing)],
              "place": place_text(municipality, ward, said)}
    return (said.away_in if values["place"] else said.away) % values


def directions_short(km: float, bearing: float) -> str:
    return f"{distance_text(km)} {phrases().compass_short[point_of_compass(bearing)]}"
