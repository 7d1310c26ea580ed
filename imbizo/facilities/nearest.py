"""The nearest points to a point, exactly, with a cell grid of precomputed candidates.

South Africa's box is cut into cells of a quarter of a degree. For each cell, with ``c``
its centre and ``h`` the farthest any of its points lies from ``c``, and ``d`` the
distance from ``c`` to its ``most``-th nearest point: any point ``p`` of the cell has
``most`` points within ``d + h``, so its ``most`` nearest all lie within ``d + h`` of
``p``, hence within ``d + 2h`` of ``c`` (great-circle distance obeys the triangle
inequality). Those are the cell's candidates, worked out once. A look-up reads its cell's
candidates (one slice), ranks them by dot product with the point's unit vector, and keeps
the first ``k``: the same answer as ranking every point, ties in index order.
"""

import math
from functools import cache

import numpy as np

from .sphere import EARTH_KM, SOUTH_AFRICA, km_from_dot, km_to_dot, unit_vector, unit_vectors

PER_DEGREE = 4
X0, Y0 = math.floor(SOUTH_AFRICA[0]), math.floor(SOUTH_AFRICA[1])
NX = (math.ceil(SOUTH_AFRICA[2]) - X0) * PER_DEGREE
NY = (math.ceil(SOUTH_AFRICA[3]) - Y0) * PER_DEGREE
CHUNK = 512  # cells ranked against every point at once while building
MARGIN = 1.01  # on a cell's reach, against rounding


@cache
def _cells() -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors of the cells' centres, and each cell's reach (km) from its centre: the
    same for every grid, worked out once a process."""
    iy, ix = np.mgrid[0:NY, 0:NX]
    size = 1 / PER_DEGREE
    lon0, lat0 = X0 + ix.ravel() * size, Y0 + iy.ravel() * size
    centres = unit_vectors(lat0 + size / 2, lon0 + size / 2)
    reach = np.zeros(len(centres))
    for dx, dy in ((0, 0), (1, 0), (0, 1), (1, 1)):
        corner = unit_vectors(lat0 + dy * size, lon0 + dx * size)
        dots = np.clip(np.einsum("ij,ij->i", centres, corner), -1.0, 1.0)
        reach = np.maximum(reach, 2 * EARTH_KM * np.arcsin(np.sqrt((1 - dots) / 2)))
    return centres, reach * MARGIN + 0.001


class NearestGrid:
    """Indexes into the points given, nearest first, for points inside the box."""

    def __init__(self, lats: np.ndarray, lons: np.ndarray, most: int) -> None:
        self.size = len(lats)
        self.most = min(most, self.size)
        self.vectors = unit_vectors(lats, lons)
        self.offsets, self.candidates = self._candidates()
        # Each cell's candidates' vectors side by side: a look-up slices, never gathers.
        self.candidate_vectors = np.ascontiguousarray(self.vectors[self.candidates])
        # A plain list: reading a Python int is several times cheaper than a numpy scalar.
        self._bounds = self.offsets.tolist()

    def _candidates(self) -> tuple[np.ndarray, np.ndarray]:
        cells = NX * NY
        if self.size == 0:
            return np.zeros(cells + 1, dtype=np.int64), np.zeros(0, dtype=np.int64)
        centres, reach = _cells()
        counts, found = np.zeros(cells, dtype=np.int64), []
        for start in range(0, cells, CHUNK):
            dots = centres[start:start + CHUNK] @ self.vectors.T  # (chunk, points)
            kth = -np.partition(-dots, self.most - 1, axis=1)[:, self.most - 1]
            kth_km = 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip((1 - kth) / 2, 0, 1)))
            threshold = km_to_dot(kth_km + 2 * reach[start:start + CHUNK])
            rows, points = np.nonzero(dots >= threshold[:, None])  # by cell, then point
            counts[start:start + CHUNK] = np.bincount(rows, minlength=len(dots))
            found.append(points)
        offsets = np.concatenate([[0], np.cumsum(counts)])
        return offsets, np.concatenate(found).astype(np.int64)

    def nearest(self, lat: float, lon: float, k: int) -> list[tuple[int, float]]:
        """(point index, km) of the ``k`` nearest points (at most ``most``), nearest
        first. The point must lie in South Africa's box (sphere.in_south_africa)."""
        if self.size == 0:
            return []
        ix = min(max(int((lon - X0) * PER_DEGREE), 0), NX - 1)
        iy = min(max(int((lat - Y0) * PER_DEGREE), 0), NY - 1)
        cell = iy * NX + ix
        start, end = self._bounds[cell], self._bounds[cell + 1]
        dots = (self.candidate_vectors[start:end] @ unit_vector(lat, lon)).tolist()
        # Python's sort is stable with reverse=True too: ties stay in index order.
        order = sorted(range(len(dots)), key=dots.__getitem__, reverse=True)[:min(k, self.most)]
        candidates = self.candidates
        return [(int(candidates[start + i]), km_from_dot(dots[i])) for i in order]

    def describe(self) -> dict:
        """The grid's shape, for benchmarks and operators."""
        per_cell = np.diff(self.offsets)
        return {"points": self.size, "cells": int(len(per_cell)),
                "candidates": int(len(self.candidates)),
                "most_in_a_cell": int(per_cell.max()) if len(per_cell) else 0,
                "bytes": int(self.offsets.nbytes + self.candidates.nbytes
                             + self.candidate_vectors.nbytes + self.vectors.nbytes)}
