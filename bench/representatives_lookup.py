"""Who represents me: `representatives_for` by point, ward and suburb, against the bare
ward look-up it starts from, in process, on the demo municipality.

    .venv/bin/python bench/representatives_lookup.py                       # about a minute
    .venv/bin/python bench/representatives_lookup.py --lookups 500 --no-doc  # a quick check

- A SQLite database of its own under /tmp/imbizo-bench-representatives, migrated, with the
  demo municipality DMO (`demo_seed(residents=0, cases=0)`: its 32 wards, the traditional
  authority DMO-TA1 and the demo's representatives, 173 people).
- --lookups seeded points, each inside a DMO ward (a third inside the traditional
  authority's wards, so its council is read too), and the wards and suburbs they fall in.
- Timed one at a time, after --warm warm-up look-ups, best of --runs: `ward_index.locate`
  (the bare ward look-up, no database), and `representatives_for` by `lat`/`lon`, by `ward`
  (code) and by `suburb`, with the configuration memo as served (checked every
  CONFIG_CHECK_SECONDS); look-ups per second, p50 and p99, and the queries each took.

Prints a table and rewrites its section of docs/performance.md (--no-doc to skip). It
connects to nothing but its own SQLite file.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from _common import points_inside, say
from _harness import in_process_main, machine, rates_table, versions

WORK = Path("/tmp/imbizo-bench-representatives")
START, END = "<!-- representatives-lookup:start -->", "<!-- representatives-lookup:end -->"
SEED = 20261207


def prepare(lookups: int) -> list[dict]:
    """The demo loaded; a place (point, ward code, suburb) for each look-up."""
    import shapely
    from django.core.management import call_command

    from imbizo.demo.geography import generate_geography
    from imbizo.demo.seed import demo_seed

    call_command("migrate", verbosity=0)
    say("loading the demo ...")
    demo_seed(residents=0, cases=0)
    geography = generate_geography()
    wards = list(geography.wards)
    polygons = np.array([w.polygon for w in wards], dtype=object)
    shapely.prepare(polygons)
    rng = np.random.default_rng(SEED)
    which = rng.integers(0, len(wards), lookups)
    xs, ys = points_inside(polygons, which, rng)
    return [{"lat": float(y), "lon": float(x), "ward": wards[i].code,
             "suburb": wards[i].suburbs[int(rng.integers(0, len(wards[i].suburbs)))]}
            for i, x, y in zip(which.tolist(), xs, ys, strict=True)]


def timed(call, places: list[dict], warm: int, runs: int) -> dict:
    """Best of ``runs`` passes over ``places``, one call at a time; and queries per call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for place in places[:warm]:
        call(place)
    best: list[float] = []
    for _ in range(runs):
        times = []
        for place in places:
            began = time.perf_counter()
            call(place)
            times.append(time.perf_counter() - began)
        if not best or sum(times) < sum(best):
            best = times
    with CaptureQueriesContext(connection) as queries:
        for place in places[:100]:
            call(place)
    ordered = sorted(best)
    return {"rate": len(best) / sum(best), "p50_ms": statistics.median(best) * 1000,
            "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
            "queries": len(queries) / min(len(places), 100)}


def measure(args: argparse.Namespace) -> dict:
    from imbizo.geo.index import ward_index
    from imbizo.representatives.selectors import representatives_for

    places = prepare(args.lookups)
    say(f"timing {len(places)} look-ups of each kind ...")
    calls = {
        "ward index only (`ward_index.locate`)": lambda p: ward_index.locate(p["lat"], p["lon"]),
        "by point (`lat`, `lon`)": lambda p: representatives_for(lat=p["lat"], lon=p["lon"]),
        "by ward code": lambda p: representatives_for(ward=p["ward"]),
        "by suburb": lambda p: representatives_for(suburb=p["suburb"], municipality="DMO"),
    }
    return {"rows": {name: timed(call, places, args.warm, args.runs)
                     for name, call in calls.items()},
            "lookups": len(places), "machine": machine(), "versions": versions()}


def render(r: dict) -> str:
    m = r["machine"]
    lines = [START, "## Who represents me", "",
             f"`bench/representatives_lookup.py`: {r['lookups']:,} look-ups of each kind in one "
             f"process on the demo (SQLite), one at a time, best of the runs; on {m['nproc']} "
             f"cores ({m['cpu']}), Python {r['versions']['python']}, Django "
             f"{r['versions']['django']}.", "",
             *rates_table(r["rows"], "look-up")]
    return "\n".join([*lines, END, ""])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lookups", type=int, default=5_000)
    parser.add_argument("--warm", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/performance.md")
    return in_process_main(parser.parse_args(), WORK, measure, render, START, END)


if __name__ == "__main__":
    sys.exit(main())
