"""In-memory point-to-ward index: a cell grid over prepared ward polygons (grid.py).

Built once per process from the WKB in the database (4,468 national wards in
about a second) and rebuilt when the boundary version changes: at once in the
process that imported, and within ``WARD_INDEX_CHECK_SECONDS`` in every other.
"""

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.db import connection

from .grid import CellGrid
from .models import BoundaryVersion, TraditionalAuthority, Ward

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Place:
    ward: dict
    municipality: dict
    province: dict
    traditional_authority: dict | None

    def as_dict(self) -> dict:
        return {
            "ward": self.ward,
            "municipality": self.municipality,
            "province": self.province,
            "traditional_authority": self.traditional_authority,
        }


class _Layer:
    """Polygons and their payloads, looked up through a cell grid (see grid.py)."""

    def __init__(self, geometries: list, payloads: list) -> None:
        self.payloads = payloads
        polygons = np.array(geometries, dtype=object)
        shapely.prepare(polygons)
        self.grid = CellGrid(polygons) if payloads else None

    def find(self, lat: float, lon: float) -> object | None:
        if self.grid is None:
            return None
        found = self.grid.find(lon, lat)
        return self.payloads[found] if found >= 0 else None

    def find_many(self, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        """Index of the polygon holding each point, or -1."""
        if self.grid is None:
            return np.full(len(lats), -1, dtype=np.int64)
        return self.grid.find_many(lons, lats)


class WardIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._layers: tuple[_Layer, _Layer] | None = None  # (wards, authorities)
        self._version: int | None = None
        self._checked = 0.0

    # --- building -----------------------------------------------------------------
    def _current_version(self) -> int:
        row = BoundaryVersion.objects.filter(pk=1).values_list("version", flat=True).first()
        return row or 0

    def _build(self, version: int) -> None:
        wards = Ward.objects.select_related("municipality__province").exclude(boundary=None)
        geoms, payloads = [], []
        for ward in wards.iterator(chunk_size=500):
            muni = ward.municipality
            geoms.append(shapely.from_wkb(bytes(ward.boundary)))
            payloads.append((
                {"code": ward.code, "number": ward.number, "name": ward.name},
                {"code": muni.code, "name": muni.name},
                {"code": muni.province.code, "name": muni.province.name},
            ))
        ta_geoms, ta_payloads = [], []
        for ta in TraditionalAuthority.objects.exclude(boundary=None).iterator():
            ta_geoms.append(shapely.from_wkb(bytes(ta.boundary)))
            ta_payloads.append({"code": ta.code, "name": ta.name})
        # One assignment swaps both layers, so a reader never sees half a rebuild.
        self._layers = (_Layer(geoms, payloads), _Layer(ta_geoms, ta_payloads))
        self._version = version

    def _fresh(self) -> tuple[_Layer, _Layer]:
        layers = self._layers
        if layers is not None and 0 <= time.monotonic() - self._checked < \
                settings.WARD_INDEX_CHECK_SECONDS:
            return layers
        with self._lock:
            version = self._current_version()
            if version != self._version or self._layers is None:
                self._build(version)
            self._checked = time.monotonic()
            return self._layers

    def warm_in_background(self) -> threading.Thread:
        """Build the index in a thread of its own, so that a fresh web worker answers at
        once and its first look-up does not pay for the build (seconds for the national
        wards). A failure (say, a database not migrated yet) only leaves the build to the
        first look-up."""
        def build() -> None:
            try:
                self._fresh()
            except Exception:
                logger.exception("The ward index was not built ahead of use")
            finally:
                connection.close()

        thread = threading.Thread(target=build, name="ward-index-warm", daemon=True)
        thread.start()
        return thread

    @property
    def ready(self) -> bool:
        """Whether the index is built, so that no look-up will wait for it."""
        return self._layers is not None

    def invalidate(self) -> None:
        """Rebuild on next use (called after this process changed boundaries)."""
        with self._lock:
            self._layers = None
            self._version = None

    # --- querying -----------------------------------------------------------------
    def locate(self, lat: float, lon: float) -> Place | None:
        wards, authorities = self._fresh()
        hit = wards.find(lat, lon)
        if hit is None:
            return None
        ward, municipality, province = hit
        return Place(ward, municipality, province, authorities.find(lat, lon))

    def authority_at(self, lat: float, lon: float) -> dict | None:
        """The traditional authority whose area holds the point, inside a ward or not."""
        return self._fresh()[1].find(lat, lon)

    def locate_many(self, lats: np.ndarray, lons: np.ndarray) -> list[dict | None]:
        """Ward payloads for many points at once (vectorised; for imports and batch jobs)."""
        wards, _ = self._fresh()
        found = wards.find_many(np.asarray(lats, dtype=float), np.asarray(lons, dtype=float))
        payloads = wards.payloads
        return [payloads[i][0] if i >= 0 else None for i in found.tolist()]

    def describe(self) -> dict | None:
        """The ward layer's cell grid (see CellGrid.describe), or None with no wards."""
        grid = self._fresh()[0].grid
        return grid.describe() if grid else None

    @property
    def size(self) -> int:
        return len(self._fresh()[0].payloads)


ward_index = WardIndex()
