"""Ward look-up benchmark: the in-memory ward index against PostGIS, in bulk and over HTTP.

    .venv/bin/python bench/geo_lookup.py          # or: make bench (about 1.5 minutes)

Loads the national 2020 boundaries into a SQLite database of its own under
/tmp/imbizo-bench, builds the ward index, copies the same ward WKB into a PostGIS
database (imbizo_bench_postgis on 127.0.0.1:5432), then measures, on the same seeded
points: single look-ups, batched look-ups, and HTTP through `imbizo serve` under wrk.
Prints a table and rewrites its section of docs/performance.md (--no-doc to skip).
Every connection it makes goes to 127.0.0.1.
"""

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import shapely
from _common import say
from _harness import begin_run, django_setup, load_average, machine, versions, write_doc
from _postgres import connect, unreachable
from _server import port_taken
from geo_config import CAPE_TOWN_FILE, DATA, LEVELS, PORT, SEED, WORK, bench_env
from geo_http import http_bench, wrk_version
from geo_index import (
    cape_town,
    child_index_memory,
    index_build_seconds,
    index_memory,
    load_boundaries,
    make_points,
    ward_geometries,
)
from geo_interference import Phases, child_monitor
from geo_postgis import (
    agreement,
    batched_lookups,
    explain_differences,
    postgis_setup,
    single_lookups,
)
from geo_report import END, START, render


def check_prerequisites(data: Path) -> list[str]:
    import psycopg

    problems = []
    for _, name in (*LEVELS, ("", CAPE_TOWN_FILE)):
        if not (data / name).is_file():
            problems.append(f"boundary file {data / name} is missing (see --data).")
    if shutil.which("wrk") is None:
        problems.append("wrk is not installed: run `apt-get install -y wrk` (as root).")
    try:
        with connect(connect_timeout=5) as conn:
            major = conn.info.server_version // 10000
            row = conn.execute("SELECT default_version FROM pg_available_extensions "
                               "WHERE name = 'postgis'").fetchone()
        if row is None:
            problems.append(f"PostGIS is not installed in PostgreSQL {major}: run "
                            f"`apt-get install -y postgresql-{major}-postgis-3` (as root).")
    except psycopg.OperationalError as exc:
        problems.append(unreachable(exc))
    return problems + port_taken(PORT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DATA,
                        help="folder holding za-2020/ and cape-town-2021/ (default %(default)s)")
    parser.add_argument("--single", type=int, default=20_000, help="points looked up one by one")
    parser.add_argument("--batch", type=int, default=1_000_000, help="points looked up at once")
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--http-points", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3,
                        help="timed runs of each in-process and PostGIS measure; best kept")
    parser.add_argument("--no-plain-join", action="store_true",
                        help="skip timing PostGIS's own plan for the batch join (~15 s)")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/performance.md")
    parser.add_argument("--child-index-memory", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-monitor", type=int, metavar="PID", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_index_memory:
        child_index_memory()
        return 0
    if args.child_monitor:
        child_monitor(args.child_monitor, WORK / "monitor.jsonl")
        return 0

    began = time.perf_counter()
    busy = begin_run(check_prerequisites(args.data), WORK)
    if busy is None:
        return 2
    monitor = subprocess.Popen([sys.executable, __file__, "--child-monitor", str(os.getpid())])
    try:
        r = measure(args, busy)
    finally:
        monitor.terminate()
        monitor.wait()
    r["interference"] = r.pop("phases").interference(WORK / "monitor.jsonl")
    r["runtime"] = time.perf_counter() - began
    section = render(r)
    print(section)
    disturbed = [p for p in r["interference"] if p["mean"] > 0.05]
    for p in disturbed:
        say(f"warning: other processes used {p['mean']:.2f} cores on average (up to "
            f"{p['max']:.2f}, e.g. {p['top']!r}) during '{p['phase']}'; its figures are "
            "disturbed.")
    if not args.no_doc:
        write_doc(section, START, END)
    return 0


def measure(args: argparse.Namespace, busy: float) -> dict:
    phase = Phases()
    django_setup(bench_env())
    r: dict = {"args": {"single": args.single, "batch": args.batch,
                        "duration": args.duration, "http_points": args.http_points,
                        "runs": args.runs},
               "date": dt.date.today().isoformat(), "machine": machine(), "busy": busy,
               "phases": phase}
    with phase("import of the national boundaries into SQLite"):
        r["imports"] = load_boundaries(args.data)
    with phase("index build"):
        r["build"] = index_build_seconds()
        from imbizo.geo.index import ward_index
        r["grid"] = ward_index.describe()
        r["memory"] = index_memory(__file__)
    codes, geoms, wkbs = ward_geometries()
    with phase("PostGIS load"):
        conn, r["pg_load"], pg_versions = postgis_setup(codes, wkbs)
    r["versions"] = versions(
        shapely=shapely.__version__, geos=shapely.geos_version_string,
        postgresql=pg_versions[0], postgis=pg_versions[1], postgis_geos=pg_versions[2],
        wrk=wrk_version())

    lats, lons = make_points(geoms, args.single, SEED)
    with phase("single look-ups"):
        single = single_lookups(conn, lats, lons, args.runs)
    ours = single.pop("index_found")
    single["check"] = agreement(ours, single.pop("postgis_found"))
    single["check"]["details"] = explain_differences(geoms, codes, lats, lons,
                                                     single["check"])
    r["single"] = single
    http_idx = np.array([i for i, code in enumerate(ours) if code is not None]
                        [:args.http_points])

    blats, blons = make_points(geoms, args.batch, SEED + 1)
    with phase("batched look-ups"):
        batch = batched_lookups(conn, blats, blons, args.runs, not args.no_plain_join)
    batch["check"] = agreement(batch.pop("index_found"), batch.pop("postgis_found"))
    batch["check"]["details"] = explain_differences(geoms, codes, blats, blons,
                                                    batch["check"])
    r["batch"] = batch
    conn.close()
    del batch, blats, blons

    with phase("HTTP under wrk"):
        r["http"] = http_bench(lats[http_idx], lons[http_idx], args.duration)
    with phase("Cape Town at full resolution"):
        r["cape_town"] = cape_town(args.data, args.single, args.runs)
    r["load_end"] = load_average()
    return r


if __name__ == "__main__":
    sys.exit(main())
