"""Facilities in conversations (flows/facilities.yaml): the nearest of a kind to a suburb
picked off the municipality's list (USSD, SMS), a shared location or the list (WhatsApp,
Telegram, web chat), a plus code or a landmark naming a suburb (any channel). Calls
``facilities_nearest``, the selector the API and the site use. The answer is fitted to
the channel: on USSD the nearest three, each a name and a distance, and the data's credit,
within one screen; elsewhere with directions, phone and the full attribution."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imbizo.core.config_cache import config_cache
from imbizo.core.errors import ImbizoError
from imbizo.facilities.directions import directions_short
from imbizo.facilities.kinds import KINDS, kind_get
from imbizo.facilities.selectors import Nearby, facilities_nearest, ward_middle
from imbizo.geo.selectors import municipalities_served

from . import places
from .registry import action, source
from .texts import TEXTS

if TYPE_CHECKING:
    from .turn import Turn

SHOWN = 3
ROOMY = 500  # a channel with this many characters a screen gets the long answer

TEXTS.update({
    "facilities_which": gettext_lazy("Find the nearest:"),
    "facilities_where": gettext_lazy("Where are you? Choose your suburb, or send a plus code:"),
    "facilities_where_gps": gettext_lazy("Share your location (tap + or the clip, then Location), "
                                  "or type your suburb or a plus code."),
    "facilities_how": gettext_lazy("How shall we find you?"),
    "facilities_share": gettext_lazy("Send my location"),
    "facilities_pick": gettext_lazy("Choose my suburb"),
    "facilities_suburb": gettext_lazy("Choose your suburb:"),
    # The heading and the list are the action's, in the resident's language.
    "facilities_found": "%(facilities_heading)s\n%(facilities_list)s",
    "facilities_none": gettext_lazy("%(kind_label)s: none known near there yet. In an emergency "
                             "call 10111 (police) or 10177 (ambulance)."),
})


@source("facility_kinds")
def facility_kinds(turn: Turn) -> list[tuple[str, str]]:
    return [(kind.code, str(kind.short)) for kind in KINDS.values()]


@source("facility_suburbs")
def facility_suburbs(turn: Turn) -> list[tuple[str, str]]:
    return places.place_options(turn)


@action("facilities_municipality")
def facilities_municipality(turn: Turn):
    """Whose suburbs to list: the one chosen or the resident's own, else the only one
    served; else ask. Looking up a facility registers nobody."""
    chosen = turn.answers.get("municipality")
    if chosen:
        return "known", {"municipality": int(chosen)}
    if turn.citizen is not None and turn.citizen.municipality_id:
        return "known", {"municipality": turn.citizen.municipality_id}
    served = config_cache.get("conversation_municipalities", municipalities_served)
    if len(served) == 1:
        return "known", {"municipality": served[0].pk}
    return "ask", {}


@action("facilities_how")
def facilities_how(turn: Turn):
    """A channel that shares locations offers that or the list; others show the list."""
    return ("gps" if turn.caps.shares_location else "list"), {}


def _point(turn: Turn) -> tuple[tuple[float, float], str]:
    """The point to measure from, and the heading that says from where."""
    suburb = turn.answers.pop("suburb", None)  # once: a refusal goes back to "place"
    if suburb not in (None, ""):
        place = places.place_from_suburb(turn, int(suburb))
    else:
        place = turn.answers.get("place") or {}
    if place.get("lat") is not None:
        heading = _("Nearest to %(place)s:") % {"place": place["code"]} \
            if place.get("code") else _("Nearest to you:")
        return (place["lat"], place["lon"]), heading
    if place.get("ward"):
        return ward_middle(turn.answers["municipality"], place["ward"]), \
            _("Nearest to %(place)s:") % {"place": places.place_read_back(place)}
    raise ImbizoError("place_unknown", _("We could not tell where that is. Choose your "
                                         "suburb from the list, or share your location."))


@action("facilities_find")
def facilities_find(turn: Turn):
    kind = kind_get(turn.answers.get("kind", ""))
    point, heading = _point(turn)
    found = facilities_nearest(lat=point[0], lon=point[1], kind=kind.code, limit=SHOWN)
    values = {"facilities_heading": heading, "kind_label": str(kind.short)}
    if not found.facilities:
        return "none", values
    room = turn.caps.screen_chars - len(heading) - 1
    short = turn.caps.screen_chars < ROOMY
    values["facilities_list"] = (_short_answer if short else _long_answer)(found, room)
    return "found", values


def _short_answer(found: Nearby, room: int) -> str:
    """"1. Cofimvaba 23 km S" a line, the names cut to fit, and the data's credit."""
    credit = ", ".join(s["credit"] for s in found.sources)
    tail = [_("Data: %(credit)s") % {"credit": credit}] if credit else []
    ends = [f" {directions_short(n.km, n.bearing)}" for n in found.facilities]
    fixed = sum(len(f"{i}. ") + len(end) for i, end in enumerate(ends, start=1)) + \
        sum(len(t) for t in tail) + len(ends) + len(tail) - 1
    width = max(6, (room - fixed) // len(ends))
    lines = [f"{i}. {_cut(n.facility.name, width)}{end}"
             for i, (n, end) in enumerate(zip(found.facilities, ends, strict=True), start=1)]
    return "\n".join(lines + tail)


def _long_answer(found: Nearby, room: int) -> str:
    blocks = []
    for i, near in enumerate(found.facilities, start=1):
        f = near.facility
        lines = [f"{i}. {f.name} ({near.kind_label})", near.directions]
        lines += [line for line in (f.address, f.phone and _("Phone: %(phone)s")
                                    % {"phone": f.phone}, f.hours) if line]
        blocks.append("\n".join(lines))
    credits = [_("Data: %(credit)s") % {"credit": f"{s['attribution']} ({s['licence']})"}
               for s in found.sources]
    return _cut("\n\n".join(blocks + credits), room)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(width - 1, 1)].rstrip() + "…"
