"""A per-process memo of the schedules and stage changes every look-up reads.

A schedule look-up reads an area's cycle (up to a few hundred slots) and the stage
history; both change a few times a day at most. Each process keeps the cycles it was
asked for (at most ``MAX_AREAS``, least recently used dropped first) and the stage
timelines, and drops everything when the one ``ScheduleVersion`` row moved: every
import and stage change bumps it in its own transaction. The row is read at most every
``CONFIG_CHECK_SECONDS`` (1 s), so a change reaches every process within that time, and
the process that made it at once (``invalidate`` after its commit). A warm look-up runs
no query.

Memoised values are shared by every thread of the process: read them, never change them.
"""

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.conf import settings
from django.db.models import F

from .cycle import SOUTH_AFRICA, AreaCycle, Timeline
from .models import Area, ScheduleVersion, Slot, StageChange

MAX_AREAS = 2000
MAX_DERIVED = 4096  # answers worked out from both, least recently used dropped first


class ScheduleMemo:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: int | None = None
        self._checked = float("-inf")
        self._areas: OrderedDict[str, AreaCycle] = OrderedDict()
        self._timelines: dict[int | None, Timeline] | None = None
        self._derived: OrderedDict[Hashable, object] = OrderedDict()

    # --- freshness ----------------------------------------------------------------------
    def _fresh(self) -> None:
        now = time.monotonic()
        if 0 <= now - self._checked < settings.CONFIG_CHECK_SECONDS:  # see config_cache
            return
        version = ScheduleVersion.objects.filter(pk=1).values_list("version", flat=True) \
            .first() or 0
        with self._lock:
            if version != self._version:
                self._areas, self._timelines, self._derived = OrderedDict(), None, OrderedDict()
                self._version = version
            self._checked = now

    def invalidate(self) -> None:
        """Reload on next use (this process changed schedules or stages)."""
        with self._lock:
            self._version, self._checked = None, float("-inf")
            self._areas, self._timelines, self._derived = OrderedDict(), None, OrderedDict()

    # --- areas --------------------------------------------------------------------------
    def lookup(self, key: str) -> tuple[AreaCycle | None, Timeline]:
        """The area's cycle (None for an unknown key, which is not memoised) and the
        timeline of its stage: one freshness check for both."""
        self._fresh()
        area = self._area(key)
        return area, self._timeline(area.municipality_id if area else None)

    def _area(self, key: str) -> AreaCycle | None:
        found = self._areas.get(key)
        if found is not None:
            with contextlib.suppress(KeyError):  # dropped by another thread meanwhile
                self._areas.move_to_end(key)
            return found
        found = _area_load(key)
        if found is not None:
            with self._lock:
                self._areas[key] = found
                while len(self._areas) > MAX_AREAS:
                    self._areas.popitem(last=False)
        return found

    # --- stages -------------------------------------------------------------------------
    def timeline(self, municipality_id: int | None) -> Timeline:
        """The changes that decide the stage of areas run by ``municipality_id`` (theirs
        and the national ones; at the same moment theirs wins), or the national ones."""
        self._fresh()
        return self._timeline(municipality_id)

    def _timeline(self, municipality_id: int | None) -> Timeline:
        timelines = self._timelines
        if timelines is None:
            timelines = _timelines_load()
            with self._lock:
                self._timelines = timelines
        if municipality_id in timelines:
            return timelines[municipality_id]
        return timelines[None]

    # --- answers worked out from both (a schedule, hours lost of a past year) -----------
    def derived(self, key: Hashable, load: Callable[[], object]) -> object:
        """``load()``'s value, kept until schedules or stages change. Call it within a
        look-up that began with ``lookup`` or ``timeline`` (they checked freshness)."""
        try:
            value = self._derived[key]
        except KeyError:
            pass
        else:
            with contextlib.suppress(KeyError):
                self._derived.move_to_end(key)
            return value
        value = load()
        with self._lock:
            self._derived[key] = value
            while len(self._derived) > MAX_DERIVED:
                self._derived.popitem(last=False)
        return value


def _area_load(key: str) -> AreaCycle | None:
    area = Area.objects.filter(key=key).values(
        "pk", "key", "name", "provider", "municipality_id", "cycle", "cycle_days",
        "cycle_start", "has_schedule", municipality_code=F("municipality__code")).first()
    if area is None:
        return None
    area["municipality_code"] = area["municipality_code"] or ""
    days: dict[int, list[tuple[int, int, int]]] = {}
    for day, start, end, stage in Slot.objects.filter(area_id=area["pk"]) \
            .order_by("day", "start").values_list("day", "start", "end", "stage"):
        days.setdefault(day, []).append((start, end, stage))
    return AreaCycle(days={day: tuple(slots) for day, slots in days.items()}, **area)


def _timelines_load() -> dict[int | None, Timeline]:
    """National changes, and for each municipality with changes of its own, both merged."""
    rows = StageChange.objects.order_by("at").values_list("municipality_id", "at", "stage")
    national: list[tuple] = []
    own: dict[int, list[tuple]] = {}
    for municipality_id, at, stage in rows:
        local = at.astimezone(SOUTH_AFRICA)
        if municipality_id is None:
            national.append((local, 0, stage))
        else:
            own.setdefault(municipality_id, []).append((local, 1, stage))
    timelines = {None: _timeline(national)}
    for municipality_id, changes in own.items():
        timelines[municipality_id] = _timeline(sorted(national + changes))
    return timelines


def _timeline(changes: list[tuple]) -> Timeline:
    """Changes sorted by (moment, national first): at one moment the last, the
    municipality's own, wins."""
    kept: dict = {}
    for at, rank, stage in changes:
        kept[at] = (stage, bool(rank))
    return Timeline.of([(at, stage, own) for at, (stage, own) in kept.items()])


schedule_memo = ScheduleMemo()
