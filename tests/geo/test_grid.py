"""The cell grid must give exactly what testing every polygon gives (lowest index on ties)."""

import json

import numpy as np
import pytest
import shapely

from imbizo.geo.grid import CellGrid
from tests.conftest import ZA_2020


def brute_force(polygons: np.ndarray, xs, ys) -> list[int]:
    answers = []
    for x, y in zip(xs, ys, strict=True):
        hits = np.flatnonzero(shapely.intersects_xy(polygons, x, y))
        answers.append(int(hits.min()) if len(hits) else -1)
    return answers


def prepared(geometries) -> np.ndarray:
    polygons = np.array(geometries, dtype=object)
    shapely.prepare(polygons)
    return polygons


def awkward_polygons() -> np.ndarray:
    """Shared edges, an enclave in a hole, an overlap, a two-part ward and slivers."""
    outer = shapely.Polygon([(0, 0), (2, 0), (2, 2), (0, 2)], [[(0.5, 0.5), (1, 0.5), (1, 1),
                                                               (0.5, 1)]])
    return prepared([
        outer,
        shapely.box(0.5, 0.5, 1, 1),  # the enclave filling the hole
        shapely.box(2, 0, 3.3, 2),  # shares an edge with the first
        shapely.box(2.9, 1.5, 3.7, 2.6),  # overlaps the third
        shapely.MultiPolygon([shapely.box(4, 0, 4.5, 0.5), shapely.box(5, 1, 5.25, 1.25)]),
        shapely.Polygon([(0, 2), (3.3, 2), (0, 2.0001)]),  # a sliver along an edge
    ])


def test_random_points_get_the_brute_force_answer():
    polygons = awkward_polygons()
    grid = CellGrid(polygons)
    rng = np.random.default_rng(7)
    xs, ys = rng.uniform(-0.5, 6, 4000), rng.uniform(-0.5, 3, 4000)
    expected = brute_force(polygons, xs, ys)
    assert grid.find_many(xs, ys).tolist() == expected
    assert [grid.find(x, y) for x, y in zip(xs, ys, strict=True)] == expected
    assert {-1, 0, 1, 2, 3, 4} <= set(expected)  # every case but the sliver (edges test it)


def test_points_on_edges_vertices_and_cell_lines_get_the_brute_force_answer():
    polygons = awkward_polygons()
    grid = CellGrid(polygons)
    vertices = shapely.get_coordinates(shapely.boundary(polygons))
    cell = 1 / grid.per_degree
    lines = np.arange(-1, 7, cell)
    xs = np.concatenate([vertices[:, 0], lines[:, None].repeat(3, 1).ravel(), [3.3, 2.0, 7.0]])
    ys = np.concatenate([vertices[:, 1], np.tile([0.5, 1.0, 2.0], len(lines)), [2.0, 1.0, 1.0]])
    expected = brute_force(polygons, xs, ys)
    assert grid.find_many(xs, ys).tolist() == expected
    assert [grid.find(x, y) for x, y in zip(xs, ys, strict=True)] == expected


def test_most_of_the_area_is_settled_without_testing_a_polygon():
    polygons = awkward_polygons()
    grid = CellGrid(polygons)
    inside = np.count_nonzero(grid.cells >= 0)
    mixed = np.count_nonzero(grid.cells < -1)
    assert inside > mixed > 0
    assert grid.offsets[-1] == len(grid.candidates)


@pytest.mark.skipif(not ZA_2020.exists(), reason="shared/data boundaries not present")
def test_the_national_ward_set_agrees_with_an_strtree_everywhere():
    with open(ZA_2020 / "Wards_2020.geojson") as f:
        features = json.load(f)["features"]
    polygons = prepared([shapely.make_valid(shapely.geometry.shape(f["geometry"]))
                         for f in features])
    grid = CellGrid(polygons)
    rng = np.random.default_rng(11)
    x0, y0, x1, y1 = shapely.total_bounds(polygons)
    xs, ys = rng.uniform(x0, x1, 100_000), rng.uniform(y0, y1, 100_000)
    point_idx, poly_idx = shapely.STRtree(polygons).query(shapely.points(xs, ys),
                                                          predicate="covered_by")
    expected = np.full(len(xs), -1)
    expected[point_idx[::-1]] = poly_idx[::-1]
    assert (grid.find_many(xs, ys) == expected).all()
    assert [grid.find(x, y) for x, y in zip(xs[:5000], ys[:5000], strict=True)] == \
        expected[:5000].tolist()


def test_large_batches_split_over_threads_give_the_same_answer(monkeypatch):
    polygons = awkward_polygons()
    grid = CellGrid(polygons)
    rng = np.random.default_rng(3)
    xs, ys = rng.uniform(-0.5, 6, 3001), rng.uniform(-0.5, 3, 3001)
    monkeypatch.setattr("imbizo.geo.grid.PARALLEL_FROM", 1000)
    monkeypatch.setattr("imbizo.geo.grid.WORKERS", 3)
    assert grid.find_many(xs, ys).tolist() == brute_force(polygons, xs, ys)
