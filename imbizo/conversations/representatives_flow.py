"""Representatives in conversations (flows/representatives.yaml): who represents a
resident, from their home ward, a suburb off the municipality's list or a shared
location, answered in one screen: the ward councillor's name, party and phone and the
traditional council. Over ``representatives_for``, like the API and the site."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from imbizo.core.config_cache import config_cache
from imbizo.core.errors import ImbizoError
from imbizo.geo.models import Ward
from imbizo.geo.selectors import municipalities_served
from imbizo.representatives.display import dialled
from imbizo.representatives.models import Representative
from imbizo.representatives.selectors import Representation, representatives_for

from .registry import action
from .texts import TEXTS

if TYPE_CHECKING:
    from .turn import Turn

TEXTS.update({
    "representatives_which": _("Who represents you: in your home ward (ward %(home_ward)s) "
                                   "or somewhere else?"),
    "representatives_home": _("My home ward"),
    "representatives_elsewhere": _("Another place"),
    "representatives_where": _("Where do you live? Pick your area, or type its name."),
    "representatives_where_gps": _("Where do you live? Share your location, or type your "
                                       "area's name."),
    "representatives_found": _("Ward %(ward)s councillor: %(councillor)s. "
                                   "%(traditional)s"),
    "representatives_none": _("Ward %(ward)s has no councillor on record yet. "
                                  "%(traditional)s"),
})
TRADITIONAL = _("Traditional council: %(council)s.")


@action("representatives_start")
def representatives_start(turn: Turn):
    """The resident's home ward when known; else their municipality, the only one served,
    or a question. Looking up registers no one."""
    citizen = turn.citizen
    if citizen is not None and citizen.ward_id:
        ward = Ward.objects.defer("boundary").get(pk=citizen.ward_id)
        turn.answers["municipality"] = ward.municipality_id
        return "home", {"home_ward": ward.number}
    if turn.answers.get("municipality"):
        return "known", {}
    served = config_cache.get("conversation_municipalities", municipalities_served)
    if len(served) == 1:
        turn.answers["municipality"] = served[0].pk
        return "known", {}
    return "ask", {}


@action("representatives_home")
def representatives_home(turn: Turn):
    found = representatives_for(ward=int(turn.answers["home_ward"]),
                                municipality=turn.municipality())
    return answer_values(turn, found)


@action("representatives_find")
def representatives_find(turn: Turn):
    """Who represents the place the resident gave: a point, or a suburb's ward."""
    place = turn.answers.get("place") or {}
    if place.get("lat") is not None and place.get("lon") is not None:
        found = representatives_for(lat=place["lat"], lon=place["lon"])
    elif place.get("ward"):
        found = representatives_for(ward=int(place["ward"]), municipality=turn.municipality())
    else:
        raise ImbizoError("place_unknown", _("We do not know that place. Pick your area from "
                                             "the list, or share your location."))
    return answer_values(turn, found)


def answer_values(turn: Turn, found: Representation):
    """The answer's values, the richest that fits the channel's screen: the council's
    leader and phone, then the councillor's party, are left out before anything is cut."""
    key = "representatives_found" if found.councillor else "representatives_none"
    room = turn.caps.screen_chars
    values = {}
    for rich in ((True, True, True), (False, True, True), (False, False, True),
                 (False, False, False)):
        values = {"ward": found.ward.number,
                  "councillor": _councillor(found.councillor, party=rich[2]),
                  "traditional": _traditional(found, leader=rich[0], phone=rich[1])}
        if len(str(TEXTS[key]) % values) <= room:
            break
    return ("found" if found.councillor else "none"), values


def _councillor(person: Representative | None, *, party: bool) -> str:
    if person is None:
        return ""
    name = " ".join(filter(None, [person.title, person.name]))
    if party and person.party:
        name = f"{name} ({person.party})"
    return ", ".join(filter(None, [name, dialled(person.phone)]))


def _traditional(found: Representation, *, leader: bool, phone: bool) -> str:
    if not found.authority:
        return ""
    council = found.council
    parts = [council.display_name if council else found.authority["name"]]
    if leader and found.leader:
        parts[0] += f" ({' '.join(filter(None, [found.leader.title, found.leader.name]))})"
    if phone and council and council.phone:
        parts.append(dialled(council.phone))
    return TRADITIONAL % {"council": ", ".join(parts)}
