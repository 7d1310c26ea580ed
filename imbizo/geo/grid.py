"""A uniform grid in front of a set of polygons, so most point look-ups are one array read.

The cells are a power-of-two fraction of a degree, fine enough for about
``CELLS_PER_POLYGON`` cells per polygon. Each cell is classified once, coarse to
fine like a quadtree (a whole block is settled at once where it can be):

- *empty*: no polygon touches the cell;
- *inside* polygon i: i is the only polygon touching the cell and it covers it whole;
- *mixed*: anything else, with the sorted list of polygons that touch the cell.

A point in an empty or inside cell is answered from the array alone. A point in a
mixed cell is tested against that cell's few polygons, lowest index first, which
gives exactly the answer of testing every polygon with ``covered_by`` and keeping
the lowest index (the rule for points on a shared edge). On the national ward set
this makes single look-ups several times faster than an STRtree query, and
batched ones faster still (docs/performance.md).
"""

import math
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely

CELLS_PER_POLYGON = 150
FINEST_LEVEL = 12  # 1/4096 of a degree, about 27 m: the finest cells it will use
EMPTY = -1
PARALLEL_FROM = 100_000  # points; fewer are not worth a thread
WORKERS = min(os.cpu_count() or 1, 4)
# Cells are tested a hair larger than they are, so that rounding in the arithmetic
# that puts a point in a cell can never put it in a cell that does not hold it.
SLACK = 1e-9


class CellGrid:
    """Indexes of the polygons (prepared, in a numpy object array) holding points."""

    def __init__(self, geometries: np.ndarray) -> None:
        self.geometries = geometries
        x0, y0, x1, y1 = shapely.total_bounds(geometries)
        self.x0, self.y0 = math.floor(x0), math.floor(y0)
        degrees_x, degrees_y = math.floor(x1 - self.x0) + 1, math.floor(y1 - self.y0) + 1
        level = 0
        wanted = CELLS_PER_POLYGON * len(geometries)
        while level < FINEST_LEVEL and degrees_x * degrees_y * 4 ** level < wanted:
            level += 1
        self.per_degree = 2 ** level
        self.nx, self.ny = degrees_x * self.per_degree, degrees_y * self.per_degree
        self.cells = np.full((self.ny, self.nx), EMPTY, dtype=np.int32)
        self.offsets, self.candidates = self._classify(shapely.STRtree(geometries))

    def _boxes(self, ix: np.ndarray, iy: np.ndarray, step: int) -> np.ndarray:
        size = 1 / self.per_degree
        return shapely.box(self.x0 + ix * size - SLACK, self.y0 + iy * size - SLACK,
                           self.x0 + (ix + step) * size + SLACK,
                           self.y0 + (iy + step) * size + SLACK)

    def _fill(self, ix: np.ndarray, iy: np.ndarray, step: int, values: np.ndarray) -> None:
        span = np.arange(step)
        rows = (iy[:, None] + span)[:, :, None]
        cols = (ix[:, None] + span)[:, None, :]
        self.cells[rows, cols] = values[:, None, None]

    def _classify(self, tree: shapely.STRtree) -> tuple[np.ndarray, np.ndarray]:
        step = self.per_degree  # start from one-degree cells
        iy, ix = np.mgrid[0:self.ny:step, 0:self.nx:step]
        ix, iy = ix.ravel(), iy.ravel()
        while True:
            boxes = self._boxes(ix, iy, step)
            box_idx, poly_idx = tree.query(boxes, predicate="intersects")
            touching = np.bincount(box_idx, minlength=len(boxes))
            only = np.full(len(boxes), -1, dtype=np.int64)
            only[box_idx] = poly_idx
            inside = np.zeros(len(boxes), dtype=bool)
            single = np.flatnonzero(touching == 1)
            inside[single] = shapely.covers(self.geometries[only[single]], boxes[single])
            self._fill(ix[inside], iy[inside], step, only[inside])
            mixed = np.flatnonzero((touching > 0) & ~inside)
            if step == 1:
                return self._mixed_cells(ix[mixed], iy[mixed], mixed, box_idx, poly_idx)
            step //= 2
            ix = np.concatenate([ix[mixed], ix[mixed] + step, ix[mixed], ix[mixed] + step])
            iy = np.concatenate([iy[mixed], iy[mixed], iy[mixed] + step, iy[mixed] + step])

    def _mixed_cells(self, ix, iy, mixed, box_idx, poly_idx) -> tuple[np.ndarray, np.ndarray]:
        """Number the finest mixed cells and list each one's polygons, in index order."""
        keep = np.isin(box_idx, mixed)
        box_idx, poly_idx = box_idx[keep], poly_idx[keep]
        order = np.lexsort((poly_idx, box_idx))
        box_idx, poly_idx = box_idx[order], poly_idx[order]
        self.cells[iy, ix] = -2 - np.arange(len(mixed), dtype=np.int32)
        offsets = np.append(np.searchsorted(box_idx, mixed), len(poly_idx))
        return offsets, poly_idx

    # --- look-ups -------------------------------------------------------------------
    def find(self, x: float, y: float) -> int:
        """Index of the polygon covering (x, y), or -1."""
        ix = math.floor((x - self.x0) * self.per_degree)
        iy = math.floor((y - self.y0) * self.per_degree)
        if not (0 <= ix < self.nx and 0 <= iy < self.ny):
            return EMPTY
        code = int(self.cells[iy, ix])
        if code >= EMPTY:
            return code
        cell = -2 - code
        for i in self.candidates[self.offsets[cell]:self.offsets[cell + 1]].tolist():
            if shapely.intersects_xy(self.geometries[i], x, y):
                return i
        return EMPTY

    def find_many(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Index of the polygon covering each point, or -1 (vectorised; large arrays are
        split over the cores, as GEOS runs without the GIL)."""
        if len(xs) < PARALLEL_FROM or WORKERS < 2:
            return self._find_many(xs, ys)
        chunks = np.array_split(np.arange(len(xs)), WORKERS)
        with ThreadPoolExecutor(WORKERS) as pool:
            parts = pool.map(lambda c: self._find_many(xs[c[0]:c[-1] + 1], ys[c[0]:c[-1] + 1]),
                             chunks)
            return np.concatenate(list(parts))

    def _find_many(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        ix = np.floor((xs - self.x0) * self.per_degree)
        iy = np.floor((ys - self.y0) * self.per_degree)
        on_grid = (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        found = np.full(len(xs), EMPTY, dtype=np.int64)
        found[on_grid] = self.cells[iy[on_grid].astype(np.int64), ix[on_grid].astype(np.int64)]
        points = np.flatnonzero(found < EMPTY)
        found[points] = self._test_candidates(points, -2 - found[points], xs, ys)
        return found

    def _test_candidates(self, points, cells, xs, ys) -> np.ndarray:
        """For points in mixed cells: the lowest-index candidate covering each, or -1.
        Round k tests the k-th candidate of the points still unanswered, so a point
        stops at its first hit."""
        answer = np.full(len(points), EMPTY, dtype=np.int64)
        next_candidate, end = self.offsets[cells], self.offsets[cells + 1]
        pending = np.arange(len(points))
        while len(pending):
            polygon = self.candidates[next_candidate[pending]]
            at = points[pending]
            hit = shapely.intersects_xy(self.geometries[polygon], xs[at], ys[at])
            answer[pending[hit]] = polygon[hit]
            next_candidate[pending] += 1
            pending = pending[~hit & (next_candidate[pending] < end[pending])]
        return answer

    def describe(self) -> dict:
        """The grid's shape, for benchmarks and operators."""
        inside = int(np.count_nonzero(self.cells >= 0))
        empty = int(np.count_nonzero(self.cells == EMPTY))
        return {"cell_degrees": 1 / self.per_degree, "cells": int(self.cells.size),
                "inside": inside, "empty": empty, "mixed": int(self.cells.size) - inside - empty,
                "candidates": len(self.candidates),
                "bytes": self.cells.nbytes + self.offsets.nbytes + self.candidates.nbytes}
