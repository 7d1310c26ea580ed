"""In-memory nearest-facility index: for each kind a search can ask for, a grid of the
active facilities it finds (nearest.py), and each facility as the answers show it.

Built once per process from the database (the national sets in a few tenths of a
second) and rebuilt when ``FacilityVersion`` moves: at once in the process that wrote
(the ``facilities_changed`` hook), within ``FACILITY_INDEX_CHECK_SECONDS`` in every
other. A look-up runs no query.
"""

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection

from .kinds import KINDS
from .models import Facility, FacilitySource, FacilityVersion
from .nearest import NearestGrid

MOST = 10  # the most facilities one look-up returns
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Listed:
    """A facility as the answers show it (public data only)."""

    id: str
    kind: str
    name: str
    latitude: float
    longitude: float
    address: str
    phone: str
    hours: str
    municipality: dict | None  # {"code", "name"}
    ward: dict | None  # {"code", "number"}
    details: dict
    source: str | None  # a FacilitySource key; None: the municipality's own entry


@dataclass(frozen=True, slots=True)
class _Built:
    grids: dict  # search kind -> (NearestGrid, [Listed])
    sources: dict  # key -> its public record
    version: int


_FIELDS = ("uuid", "kind", "name", "latitude", "longitude", "address", "phone", "hours",
           "details", "municipality__code", "municipality__name", "ward__code",
           "ward__number", "source__key")


def _listed(row: tuple) -> Listed:
    (uuid, kind, name, lat, lon, address, phone, hours, details, m_code, m_name, w_code,
     w_number, source) = row
    return Listed(str(uuid), kind, name, lat, lon, address, phone, hours,
                  {"code": m_code, "name": m_name} if m_code else None,
                  {"code": w_code, "number": w_number} if w_code else None,
                  details or {}, source)


def source_public(source: FacilitySource) -> dict:
    return {"key": source.key, "name": source.name, "licence": source.licence,
            "licence_url": source.licence_url, "attribution": source.attribution,
            "credit": source.credit, "url": source.url}


class FacilityIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built: _Built | None = None
        self._checked = 0.0
        self._interval = 0.0  # FACILITY_INDEX_CHECK_SECONDS, read at each check, not each look-up

    def _current_version(self) -> int:
        row = FacilityVersion.objects.filter(pk=1).values_list("version", flat=True).first()
        return row or 0

    def _build(self, version: int) -> _Built:
        rows = Facility.objects.filter(active=True).order_by("pk").values_list(*_FIELDS)
        listed = [_listed(row) for row in rows.iterator(chunk_size=2000)]
        grids = {}
        for kind in KINDS.values():
            chosen = [f for f in listed if f.kind in kind.searched]
            lats = np.array([f.latitude for f in chosen], dtype=float)
            lons = np.array([f.longitude for f in chosen], dtype=float)
            grids[kind.code] = (NearestGrid(lats, lons, MOST), chosen)
        sources = {s.key: source_public(s) for s in FacilitySource.objects.all()}
        return _Built(grids, sources, version)

    def _fresh(self) -> _Built:
        built = self._built
        if built is not None and 0 <= time.monotonic() - self._checked < self._interval:
            return built
        with self._lock:
            version = self._current_version()
            if self._built is None or self._built.version != version:
                self._built = self._build(version)
            self._interval = settings.FACILITY_INDEX_CHECK_SECONDS
            self._checked = time.monotonic()
            return self._built

    def warm_in_background(self) -> threading.Thread:
        """Build in a thread of its own, so that a fresh web worker's first look-up does
        not wait for it (about a second for the national sets). A failure (a database not
        migrated yet) only leaves the build to the first look-up."""
        def build() -> None:
            try:
                self._fresh()
            except Exception:
                logger.exception("The facility index was not built ahead of use")
            finally:
                connection.close()

        thread = threading.Thread(target=build, name="facility-index-warm", daemon=True)
        thread.start()
        return thread

    def invalidate(self) -> None:
        """Rebuild on next use (called after this process changed facilities)."""
        with self._lock:
            self._built = None

    def nearest(self, kind: str, lat: float, lon: float,
                k: int) -> tuple[list[tuple[Listed, float]], dict]:
        """The ``k`` nearest active facilities a search for ``kind`` finds, with their
        great-circle kilometres, nearest first (ties in the order they were added); and
        the public records of the sources, by key."""
        built = self._fresh()
        grid, listed = built.grids[kind]
        return [(listed[i], km) for i, km in grid.nearest(lat, lon, k)], built.sources

    def describe(self) -> dict:
        return {kind: grid.describe() for kind, (grid, _listed) in self._fresh().grids.items()}


facility_index = FacilityIndex()
