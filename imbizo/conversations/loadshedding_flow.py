"""Load-shedding in conversations (flows/loadshedding.yaml): find the resident's area (the
municipality's areas off a list, a suburb's name typed, or, where the channel shares one,
a location), then today's and tomorrow's outages at the stage in force, in one screen,
with "Alert me" (or "Stop alerts" when the resident follows it). The area is kept in the
session's answers (``loadshedding_area``), so the next time the flow offers it first.
Over the selectors the API and the site use; nobody is registered for looking, only for
asking to be alerted (``loadshedding.subscriptions``, as on the API and the site)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from imbizo.core.config_cache import config_cache
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.geo.selectors import municipalities_served
from imbizo.loadshedding.cycle import local_midnight
from imbizo.loadshedding.finding import AreaHit, areas_at_point, areas_in_municipality, areas_search
from imbizo.loadshedding.selectors import area_get, schedule_between
from imbizo.loadshedding.subscription_selectors import subscribed, subscriptions_for
from imbizo.loadshedding.subscriptions import loadshedding_subscribe, loadshedding_unsubscribe

from .loadshedding_alert_texts import ALERT_TEXTS
from .loadshedding_texts import LOADSHEDDING_TEXTS, NEXT_CHANGE, NO_AREAS, NO_TIMES, NOT_FOUND
from .registry import action, source

if TYPE_CHECKING:
    from .turn import Turn

AREA = "loadshedding_area"  # kept from one conversation to the next (engine_begin)
FOUND = "loadshedding_found"
LISTED = 100  # areas offered on a list
NAME_ROOM = 28  # an area's name, shortened to fit a USSD screen


@action("loadshedding_remembered")
def loadshedding_remembered(turn: Turn):
    """The area the resident looked at last time, if it still exists."""
    key = turn.answers.get(AREA)
    if key:
        try:
            area, _timeline = area_get(key)
        except ImbizoError:
            turn.answers.pop(AREA, None)
        else:
            return "remembered", {"loadshedding_area_name": area.name}
    return "find", {}


@source("loadshedding_ways")
def loadshedding_ways(turn: Turn) -> list[tuple[str, str]]:
    ways = [("list", LOADSHEDDING_TEXTS["loadshedding_way_list"]),
            ("suburb", LOADSHEDDING_TEXTS["loadshedding_way_suburb"])]
    if turn.caps.shares_location:
        ways.append(("location", LOADSHEDDING_TEXTS["loadshedding_way_location"]))
    return [(value, str(label)) for value, label in ways]


def _municipality_id(turn: Turn) -> int | None:
    """The municipality asked about: the one picked, the resident's, or the only one."""
    if turn.answers.get("municipality"):
        return int(turn.answers["municipality"])
    if turn.citizen is not None and turn.citizen.municipality_id:
        return turn.citizen.municipality_id
    served = config_cache.get("conversation_municipalities", municipalities_served)
    return served[0].pk if len(served) == 1 else None


@action("loadshedding_way")
def loadshedding_way(turn: Turn):
    """Where the resident's choice leads; a list or a location needs the municipality
    first (asked, then back here); a municipality without areas is said, and the suburb's
    name asked instead."""
    way = turn.answers.get("loadshedding_way", "suburb")
    if way == "suburb":
        return "suburb", {}
    municipality_id = _municipality_id(turn)
    if municipality_id is None:
        return "ask", {}
    turn.answers["municipality"] = municipality_id
    if way == "list" and not _areas(turn):
        raise ImbizoError("no_areas", NO_AREAS % {"municipality": turn.municipality().name})
    return way, {}


def _areas(turn: Turn) -> list[AreaHit]:
    return areas_in_municipality(municipality=turn.municipality())[:LISTED]


@source("loadshedding_areas")
def loadshedding_areas(turn: Turn) -> list[tuple[str, str]]:
    if not turn.answers.get("municipality"):
        return []
    return [(hit.key, hit.name) for hit in _areas(turn)]


@source("loadshedding_found")
def loadshedding_found(turn: Turn) -> list[tuple[str, str]]:
    return [(key, label) for key, label in turn.answers.get(FOUND) or []]


def _found(turn: Turn, hits: list[AreaHit], words: str):
    """One area: shown; several: the resident picks; none: said, and asked again."""
    if not hits:
        raise NotFound("no_area_found", NOT_FOUND % {"words": words[:40]})
    if len(hits) == 1:
        turn.answers[AREA] = hits[0].key
        return "one", {}
    turn.answers[FOUND] = [[h.key, f"{h.name} ({h.suburb})" if h.suburb else h.name]
                           for h in hits]
    return "many", {}


@action("loadshedding_search")
def loadshedding_search(turn: Turn):
    words = turn.answers.get("loadshedding_suburb", "")
    return _found(turn, areas_search(q=words), words)


@action("loadshedding_located")
def loadshedding_located(turn: Turn):
    """A shared point: its municipality's areas, those listing its ward's suburbs first;
    words typed instead are searched as a suburb's name."""
    place = turn.answers.get("loadshedding_place") or {}
    if place.get("lat") is not None:
        _place, hits = areas_at_point(lat=place["lat"], lon=place["lon"])
        return _found(turn, hits, "")
    words = place.get("suburb") or place.get("landmark") or ""
    return _found(turn, areas_search(q=words), words)


@action("loadshedding_show")
def loadshedding_show(turn: Turn):
    """Today's and tomorrow's outages at the stage in force (a change announced for those
    days applies from its time), fitted to the channel's screen."""
    start = local_midnight(timezone.localdate())
    end = start + timedelta(days=2)
    found = schedule_between(key=turn.answers.get(AREA, ""), start=start, end=end)
    turn.answers[AREA] = found.area.key
    days = [[o for o in found.outages if o.start.date() == (start + timedelta(days=n)).date()]
            for n in range(2)]
    values = {"loadshedding_area_name": found.area.name,
              "loadshedding_stage": found.stage.stage, "loadshedding_next": ""}
    for at, stage in found.stage.upcoming[:1]:
        if at < end:
            when = f"{at:%H:%M}" if at.date() == start.date() else f"{at:%d/%m %H:%M}"
            values["loadshedding_next"] = " " + NEXT_CHANGE % {"stage": stage, "when": when}
    if not any(days):
        return "none", _fitted(turn, "loadshedding_none", values, [])
    return "shown", _fitted(turn, "loadshedding_times", values, days)


def _times(outages, shown: int) -> str:
    listed = [f"{o.start:%H:%M}-{o.end:%H:%M}" for o in outages[:shown]]
    if shown < len(outages):
        listed.append("…")
    return ", ".join(listed) or str(NO_TIMES)


def _fitted(turn: Turn, template: str, values: dict, days: list) -> dict:
    """The values, with the area's name shortened and then the lists of times cut (the
    longer first) until the screen fits the channel: on a numbered one, the two thirds
    the renderer leaves beside the "Alert me" option."""
    caps = turn.caps
    room = caps.screen_chars * 2 // 3 if caps.choice_style == "numbered" else caps.screen_chars
    text = str(LOADSHEDDING_TEXTS[template])
    name = values["loadshedding_area_name"]
    short = name if len(name) <= NAME_ROOM else name[:NAME_ROOM - 1] + "…"
    counts = [len(day) for day in days]
    for shown_name in (name, short):
        while True:
            filled = {**values, "loadshedding_area_name": shown_name}
            if days:
                filled["loadshedding_today"] = _times(days[0], counts[0])
                filled["loadshedding_tomorrow"] = _times(days[1], counts[1])
            if len(text % filled) <= room:
                return filled
            if shown_name is name or not any(counts):
                break
            counts[counts.index(max(counts))] -= 1
    return filled


@source("loadshedding_alert_choice")
def loadshedding_alert_choice(turn: Turn) -> list[tuple[str, str]]:
    """"Stop alerts" for an area the resident follows, else "Alert me"."""
    if subscribed(turn.citizen, turn.answers.get(AREA, "")):
        return [("stop", str(ALERT_TEXTS["loadshedding_alert_stop"]))]
    return [("follow", str(ALERT_TEXTS["loadshedding_alert_me"]))]


@action("loadshedding_alert")
def loadshedding_alert(turn: Turn):
    """Follow the area shown, or stop (the resident registered now if new)."""
    key = turn.answers.get(AREA, "")
    area, _timeline = area_get(key)
    values = {"loadshedding_area_name": area.name}
    if turn.answers.get("loadshedding_alert") == "stop":
        if turn.citizen is not None:
            loadshedding_unsubscribe(actor=turn.actor(), citizen=turn.citizen, key=key)
        return "stopped", values
    citizen = turn.resident()
    loadshedding_subscribe(actor=turn.actor(), citizen=citizen, key=key)
    return "following", values


def loadshedding_alerts_stop(turn: Turn) -> str:
    """STOP LS, sent at any time on a channel that has words (keywords.py): the resident
    follows no area any more; what to tell them."""
    if turn.citizen is not None:
        for followed in subscriptions_for(turn.citizen):
            loadshedding_unsubscribe(actor=turn.actor(), citizen=turn.citizen,
                                     key=followed.key)
    return str(ALERT_TEXTS["loadshedding_alerts_all_off"])
