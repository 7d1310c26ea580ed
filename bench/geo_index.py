"""The ward index on its own: the boundaries imported into SQLite, its build time and
memory, the benchmark's points, single look-ups, and Cape Town at full resolution."""

import gc
import json
import time
import tracemalloc
from pathlib import Path

import numpy as np
import shapely
from _common import points_inside, say
from _harness import django_setup, run_child
from geo_config import CAPE_TOWN_FILE, LEVELS, SEED, bench_env


# --- boundaries into SQLite ----------------------------------------------------------------
def load_boundaries(data: Path) -> list[dict]:
    from django.core.management import call_command

    from imbizo.core.permissions import system_actor
    from imbizo.geo.services import boundaries_import

    call_command("migrate", verbosity=0)
    timings = []
    for level, name in LEVELS:
        start = time.perf_counter()
        result = boundaries_import(actor=system_actor("cli"), level=level, path=data / name)
        seconds = time.perf_counter() - start
        timings.append({"level": level, "file": Path(name).name, "seconds": seconds,
                        "created": result.created, "updated": result.updated,
                        "repaired": len(result.repaired)})
        say(f"  imported {level}: {result.created} created, {result.updated} updated "
            f"in {seconds:.2f} s")
    return timings


# --- index build ---------------------------------------------------------------------------
def index_build_seconds(runs: int = 3) -> list[float]:
    from imbizo.geo.index import ward_index

    times = []
    for _ in range(runs):
        ward_index.invalidate()
        gc.collect()
        start = time.perf_counter()
        size = ward_index.size  # builds
        times.append(time.perf_counter() - start)
    assert size > 0
    return times


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def child_index_memory() -> None:
    """Run in a fresh process (--child-index-memory): memory of one index build."""
    django_setup(bench_env())
    from imbizo.geo.index import ward_index
    from imbizo.geo.models import Ward

    Ward.objects.count()  # open the connection, load the ORM's machinery
    gc.collect()
    before = rss_bytes()
    ward_index.size  # noqa: B018 (builds)
    gc.collect()
    rss_delta = rss_bytes() - before
    ward_index.invalidate()
    gc.collect()
    tracemalloc.start()
    ward_index.size  # noqa: B018
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({"rss_delta": rss_delta, "tracemalloc_peak": peak}))


def index_memory(script: str) -> dict:
    """child_index_memory's figures, from `script` (geo_lookup.py) run again."""
    return run_child(script, bench_env(), "--child-index-memory", timeout=300)


# --- points --------------------------------------------------------------------------------
def ward_geometries() -> tuple[list[str], np.ndarray, list[bytes]]:
    """Codes, prepared geometries and WKB of every ward, in the index's own order."""
    from imbizo.geo.models import Ward

    rows = list(Ward.objects.exclude(boundary=None).values_list("code", "boundary"))
    codes = [code for code, _ in rows]
    wkbs = [bytes(blob) for _, blob in rows]
    geoms = shapely.from_wkb(wkbs)
    shapely.prepare(geoms)
    return codes, geoms, wkbs


def make_points(geoms: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Half uniform in the wards' bounding box, half inside random wards; shuffled."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    half = n // 2
    ux, uy = rng.uniform(minx, maxx, half), rng.uniform(miny, maxy, half)
    ix, iy = points_inside(geoms, rng.integers(len(geoms), size=n - half), rng)
    order = rng.permutation(n)
    return np.concatenate([uy, iy])[order], np.concatenate([ux, ix])[order]  # lats, lons


# --- single look-ups -----------------------------------------------------------------------
def index_single_pass(pairs: list[tuple[float, float]]) -> tuple[list, float]:
    from imbizo.geo.index import ward_index

    locate = ward_index.locate
    found = []
    start = time.perf_counter()
    for lat, lon in pairs:
        place = locate(lat, lon)
        found.append(place.ward["code"] if place is not None else None)
    return found, time.perf_counter() - start


def index_single(lats: np.ndarray, lons: np.ndarray, runs: int) -> tuple[list, float]:
    """Best of `runs` passes over the points, after 1,000 warm-up look-ups."""
    pairs = list(zip(lats.tolist(), lons.tolist(), strict=True))
    index_single_pass(pairs[:1000])
    passes = [index_single_pass(pairs) for _ in range(runs)]
    return passes[-1][0], min(seconds for _, seconds in passes)


# --- Cape Town at full resolution ----------------------------------------------------------
def cape_town(data: Path, n: int, runs: int) -> dict:
    from imbizo.geo.index import _Layer
    from imbizo.geo.models import Ward

    features = json.loads((data / CAPE_TOWN_FILE).read_text())["features"]
    fine = [shapely.from_geojson(json.dumps(f["geometry"])) for f in features]
    fine = [g if g.is_valid else shapely.make_valid(g) for g in fine]
    fine_numbers = [int(f["properties"]["WARD_NAME"]) for f in features]
    fine_layer = _Layer(fine, fine_numbers)
    national = list(Ward.objects.filter(municipality__code="CPT").exclude(boundary=None)
                    .values_list("number", "boundary"))
    coarse = [shapely.from_wkb(bytes(blob)) for _, blob in national]
    coarse_layer = _Layer(coarse, [number for number, _ in national])

    rng = np.random.default_rng(SEED + 7)
    city = shapely.union_all(fine)
    shapely.prepare(city)
    minx, miny, maxx, maxy = city.bounds
    xs, ys = [], []
    while sum(len(x) for x in xs) < n:
        x, y = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
        ok = shapely.contains_xy(city, x, y)
        xs.append(x[ok])
        ys.append(y[ok])
    lons, lats = np.concatenate(xs)[:n], np.concatenate(ys)[:n]

    def single(layer) -> tuple[list, float]:
        pairs = list(zip(lons.tolist(), lats.tolist(), strict=True))
        for lon, lat in pairs[:500]:
            layer.find(lat, lon)
        best = float("inf")
        for _ in range(runs):
            start = time.perf_counter()
            found = [layer.find(lat, lon) for lon, lat in pairs]
            best = min(best, time.perf_counter() - start)
        return found, best

    fine_found, fine_s = single(fine_layer)
    coarse_found, coarse_s = single(coarse_layer)
    full_s = index_single(lats, lons, runs)[1]
    same = sum(1 for a, b in zip(fine_found, coarse_found, strict=True)
               if a is not None and a == b)
    return {"points": n, "fine_wards": len(fine), "coarse_wards": len(coarse),
            "fine_vertices": int(shapely.get_num_coordinates(fine).sum()),
            "coarse_vertices": int(shapely.get_num_coordinates(coarse).sum()),
            "fine_rate": n / fine_s, "coarse_rate": n / coarse_s, "full_rate": n / full_s,
            "same": same,
            "coarse_none": sum(1 for b in coarse_found if b is None),
            "fine_none": sum(1 for a in fine_found if a is None)}

