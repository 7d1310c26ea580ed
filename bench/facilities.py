"""Nearest facility: look-ups over the national sets in process and over HTTP beside a bare
endpoint of the same server (issue #16: at least 20,000 look-ups/s in process, and at least
70% of the bare endpoint's rate over HTTP).

    .venv/bin/python bench/facilities.py                  # the goal's measure (~2 minutes)
    .venv/bin/python bench/facilities.py --points 2000 --seconds 3 --no-doc   # a quick check

Works in /tmp/imbizo-bench-facilities (its own SQLite database): imports the 2020 national
boundaries (so facilities are placed in their wards, as in production) and the real
national sets from /work/shared/data/facilities with `facilities_import` (each import
timed), builds the index, checks it against ranking every facility by great-circle
distance, then measures `facilities_nearest` (limit 3) at points drawn inside random
wards, and `imbizo serve` (2 workers x 2 threads) answering `/api/v1/health` and
`/api/v1/facilities/nearest` to the same number of keep-alive clients (bench/_load.py,
no wrk needed). Prints a table and rewrites its section of docs/performance.md (--no-doc
to skip). Every connection it makes goes to 127.0.0.1.
"""

import argparse
import datetime as dt
import itertools
import random
import sys
import time
from pathlib import Path

import _load
import numpy as np
from _common import cpu_between, cpu_seconds, points_inside, process_tree, say
from _harness import (
    begin_run,
    django_env,
    django_setup,
    load_average,
    machine,
    versions,
    write_doc,
)
from _server import HOST, port_taken, serving
from facilities_report import END, START, render

WORK = Path("/tmp/imbizo-bench-facilities")
DATA = Path("/work/shared/data")
PORT = 8769
SEED = 20231215
BOUNDARIES = (("province", "Provinces_2020.geojson"), ("district", "Districts_2020.geojson"),
              ("municipality", "Muni_2020.geojson"), ("ward", "Wards_2020.geojson"))
NATIONAL = (("chc", "health-dsfsi/CommunityHealthCenters.csv"),
            ("cdc", "health-dsfsi/CommunityDayCentre.csv"),
            ("hospital", "health-dsfsi/health_system_za_hospitals_v1.csv"),
            ("ems", "health-dsfsi/EMS_Stations.csv"),
            ("police", "police-saps/stations.shp"))
KINDS = ("police", "clinic", "hospital")  # measured in process; HTTP asks for police
LIMIT = 3


def env() -> dict[str, str]:
    return django_env(f"sqlite:///{WORK / 'bench.sqlite3'}", WORK)


def check_prerequisites(data: Path) -> list[str]:
    files = [data / "boundaries" / "za-2020" / name for _level, name in BOUNDARIES]
    files += [data / "facilities" / name for _kind, name in NATIONAL]
    return [f"{path} is missing (see --data)." for path in files if not path.is_file()] + \
        port_taken(PORT)


def load(data: Path) -> dict:
    from django.core.management import call_command

    from imbizo.core.permissions import system_actor
    from imbizo.facilities.importer import facilities_import
    from imbizo.geo.services import boundaries_import

    call_command("migrate", verbosity=0)
    actor, found = system_actor("cli"), {"boundaries_s": 0.0, "imports": []}
    for level, name in BOUNDARIES:
        start = time.perf_counter()
        boundaries_import(actor=actor, level=level, path=data / "boundaries" / "za-2020" / name)
        found["boundaries_s"] += time.perf_counter() - start
    say(f"  boundaries imported in {found['boundaries_s']:.1f} s")
    for kind, name in NATIONAL:
        start = time.perf_counter()
        report = facilities_import(actor=actor, kind=kind, path=data / "facilities" / name,
                                   skip_invalid=True)
        seconds = time.perf_counter() - start
        found["imports"].append({"kind": kind, "file": Path(name).name, "seconds": seconds,
                                 "loaded": report.loaded, "skipped": len(report.skipped),
                                 "snapped": len(report.snapped), "unplaced": report.unplaced})
        say(f"  {kind}: {report.loaded} loaded in {seconds:.2f} s")
    return found


def index_build(runs: int) -> dict:
    from imbizo.facilities.index import facility_index

    times = []
    for _ in range(runs):
        facility_index.invalidate()
        start = time.perf_counter()
        grids = facility_index.describe()  # builds
        times.append(time.perf_counter() - start)
    return {"seconds": min(times), "grids": grids}


def points(count: int, seed: int) -> tuple[list[float], list[float]]:
    """Points inside wards drawn at random (so towns, with their many small wards, weigh
    more than the veld, as residents do)."""
    import shapely

    from imbizo.geo.models import Ward

    geoms = np.array(shapely.from_wkb([bytes(b) for b in Ward.objects.exclude(
        boundary=None).order_by("code").values_list("boundary", flat=True)]))
    rng = np.random.default_rng(seed)
    xs, ys = points_inside(geoms, rng.integers(0, len(geoms), count), rng)
    return ys.tolist(), xs.tolist()


def agreement(lats: list[float], lons: list[float]) -> dict:
    """How often the look-up names the same facilities, in the same order, as ranking every
    active facility of the kind by haversine distance."""
    from imbizo.facilities.kinds import KINDS as ALL
    from imbizo.facilities.models import Facility
    from imbizo.facilities.selectors import facilities_nearest
    from imbizo.facilities.sphere import haversine_km

    found = {}
    for kind in KINDS:
        rows = list(Facility.objects.filter(active=True, kind__in=ALL[kind].searched)
                    .order_by("pk").values_list("uuid", "latitude", "longitude"))
        same = 0
        for lat, lon in zip(lats, lons, strict=True):
            ranked = sorted(rows, key=lambda r: haversine_km(lat, lon, r[1], r[2]))[:LIMIT]
            got = [n.facility.id for n in facilities_nearest(
                lat=lat, lon=lon, kind=kind, limit=LIMIT).facilities]
            same += got == [str(r[0]) for r in ranked]
        found[kind] = {"points": len(lats), "same": same}
    return found


def in_process(lats: list[float], lons: list[float], runs: int) -> dict:
    from django.utils import translation

    from imbizo.facilities.selectors import facilities_nearest

    translation.activate("en")
    found = {}
    for kind in KINDS:
        facilities_nearest(lat=lats[0], lon=lons[0], kind=kind, limit=LIMIT)  # built
        best = float("inf")
        for _ in range(runs):
            start = time.perf_counter()
            for lat, lon in zip(lats, lons, strict=True):
                facilities_nearest(lat=lat, lon=lon, kind=kind, limit=LIMIT)
            best = min(best, time.perf_counter() - start)
        found[kind] = {"points": len(lats), "seconds": best, "per_second": len(lats) / best}
        say(f"  {kind}: {len(lats) / best:,.0f} look-ups/s")
    return found


def over_http(lats: list[float], lons: list[float], clients: int, seconds: float) -> dict:
    nearest = [f"/api/v1/facilities/nearest?lat={lat:.6f}&lon={lon:.6f}&kind=police"
               f"&limit={LIMIT}" for lat, lon in zip(lats, lons, strict=True)]

    def load(server: int, paths: list[str], duration: float) -> dict:
        """The load's rates, and the server's CPU time per answer (what the rate would be
        bounded by on a machine of its own)."""
        counter = itertools.count()

        async def script(conn, going, tally):
            while going():
                await _load.timed(conn, tally, "GET", paths[next(counter) % len(paths)])

        web = process_tree(server)
        before = cpu_seconds(web)
        result = _load.run(HOST, PORT, clients, duration, script)
        result["server_cpu_us"] = cpu_between(before, cpu_seconds(web)) * 1e6 / max(
            result["requests"], 1)
        return result

    with serving(env(), PORT, "2", "2", WORK / "server.log") as server:
        load(server, nearest, 3)  # warm-up: the workers' indexes are built as they start
        load(server, ["/api/v1/health"], 1)
        health = load(server, ["/api/v1/health"], seconds)
        found = load(server, nearest, seconds)
    return {"health": health, "nearest": found, "clients": clients, "seconds": seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DATA,
                        help="folder holding boundaries/za-2020 and facilities/ (default "
                             "%(default)s)")
    parser.add_argument("--points", type=int, default=100_000,
                        help="look-ups in process, per kind and run")
    parser.add_argument("--check", type=int, default=2_000,
                        help="points checked against ranking every facility")
    parser.add_argument("--runs", type=int, default=3, help="timed runs in process; best kept")
    parser.add_argument("--seconds", type=float, default=10, help="of each HTTP load")
    parser.add_argument("--clients", type=int, default=16, help="keep-alive HTTP clients")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/performance.md")
    args = parser.parse_args()

    began = time.perf_counter()
    busy = begin_run(check_prerequisites(args.data), WORK)
    if busy is None:
        return 2
    django_setup(env())
    r: dict = {"args": vars(args) | {"data": str(args.data)}, "date": dt.date.today().isoformat(),
               "machine": machine(), "busy": busy, "versions": versions()}
    say("importing the boundaries and the national sets")
    r["load"] = load(args.data)
    say("building the index")
    r["build"] = index_build(args.runs)
    lats, lons = points(args.points, SEED)
    say("checking against ranking every facility")
    r["check"] = agreement(lats[:args.check], lons[:args.check])
    say("look-ups in process")
    r["in_process"] = in_process(lats, lons, args.runs)
    say("look-ups over HTTP")
    rng = random.Random(SEED)
    sample = rng.sample(range(len(lats)), min(len(lats), 5_000))
    r["http"] = over_http([lats[i] for i in sample], [lons[i] for i in sample], args.clients,
                          args.seconds)
    r["runtime"] = time.perf_counter() - began
    r["load_end"] = load_average()
    section = render(r)
    print(section)
    if not args.no_doc:
        write_doc(section, START, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
