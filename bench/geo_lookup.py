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
import contextlib
import datetime as dt
import gc
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import tracemalloc
import urllib.request
from pathlib import Path

import numpy as np
import shapely
from _common import alive, busy_cores, children_of, say, verdict

REPO = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/imbizo-bench")
DB_FILE = WORK / "bench.sqlite3"
DATA = Path("/work/shared/data/boundaries")
LEVELS = (
    ("province", "za-2020/Provinces_2020.geojson"),
    ("district", "za-2020/Districts_2020.geojson"),
    ("municipality", "za-2020/Muni_2020.geojson"),
    ("ward", "za-2020/Wards_2020.geojson"),
)
CAPE_TOWN_FILE = "cape-town-2021/wards-2021.geojson"
PG_DSN = "host=127.0.0.1 port=5432 user=postgres"
PG_DB = "imbizo_bench_postgis"
HOST, PORT = "127.0.0.1", 8765
SEED = 20200803
DOC = REPO / "docs" / "performance.md"
START, END = "<!-- geo-lookup:start -->", "<!-- geo-lookup:end -->"

SINGLE_SQL = ("SELECT code FROM wards WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint(%s, %s), "
              "4326)) LIMIT 1")
# Wards outside, the points' GiST index inside: each ward polygon is tested against the
# points in its box one after the other, so PostGIS reuses its prepared form.
BATCH_SQL = ("SELECT p.id, w.code FROM wards w CROSS JOIN LATERAL "
             "(SELECT id FROM pts p WHERE ST_Contains(w.geom, p.geom) OFFSET 0) p")
# The same join as the planner plans it by itself: points outside, one probe of the
# wards' GiST index per point.
PLAIN_BATCH_SQL = "SELECT p.id, w.code FROM pts p JOIN wards w ON ST_Contains(w.geom, p.geom)"


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=f"sqlite:///{DB_FILE}", IMBIZO_VAR_DIR=str(WORK),
               DJANGO_SETTINGS_MODULE="imbizo.settings")
    return env


def django_setup() -> None:
    os.environ.update(bench_env())
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


# --- interference ---------------------------------------------------------------------------
# PostgreSQL's own processes, busy on behalf of whoever wrote or queried last.
PG_SHARED = ("parallel worker", "checkpointer", "background writer", "walwriter",
             "autovacuum")


def child_monitor(parent: int, out: Path) -> None:
    """Run in a process of its own (--child-monitor): once a second, write how many cores'
    worth of CPU processes other than the benchmark's used (the benchmark: its process
    tree and PostgreSQL backends of its database; PostgreSQL's shared processes and
    kernel threads are left out)."""
    tick = os.sysconf("SC_CLK_TCK")
    cmdlines: dict[int, str] = {}
    previous: dict[int, int] = {}
    last = time.monotonic()
    with out.open("w") as fh:
        while Path(f"/proc/{parent}").exists():
            time.sleep(1.0)
            procs = {}
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    name_end = stat.read_text().rsplit(")", 1)
                    fields = name_end[1].split()
                    pid = int(stat.parent.name)
                    if pid not in cmdlines:
                        cmdlines[pid] = (stat.parent / "cmdline").read_bytes().replace(
                            b"\0", b" ").decode(errors="replace")
                except (OSError, IndexError, ValueError):
                    continue
                procs[pid] = (int(fields[1]), int(fields[11]) + int(fields[12]))
            children: dict[int, list[int]] = {}
            for pid, (ppid, _) in procs.items():
                children.setdefault(ppid, []).append(pid)
            mine, todo = set(), [parent, os.getpid()]
            while todo:
                pid = todo.pop()
                mine.add(pid)
                todo.extend(children.get(pid, []))
            now = time.monotonic()
            foreign, heaviest = 0, (0, "")
            for pid, (ppid, ticks) in procs.items():
                used = ticks - previous.get(pid, ticks)
                previous[pid] = ticks
                cmd = cmdlines.get(pid, "")
                if pid in mine or ppid == 2 or pid == 2 or PG_DB in cmd \
                        or any(aux in cmd for aux in PG_SHARED):
                    continue
                foreign += used
                heaviest = max(heaviest, (used, cmd[:60]))
            cores = foreign / tick / (now - last)
            last = now
            fh.write(json.dumps({"t": time.time(), "cores": round(cores, 3),
                                 "top": heaviest[1]}) + "\n")
            fh.flush()


class Phases:
    """Wall-clock spans of the benchmark's phases, matched afterwards to the monitor's log."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, float, float]] = []

    @contextlib.contextmanager
    def __call__(self, name: str):
        say(name)
        start = time.time()
        try:
            yield
        finally:
            self.spans.append((name, start, time.time()))

    def interference(self, log: Path) -> list[dict]:
        if not log.exists():
            return []
        samples = [json.loads(line) for line in log.read_text().splitlines() if line]
        report = []
        for name, start, end in self.spans:
            # a sample covers the second before its time stamp
            inside = [s for s in samples if start < s["t"] <= end + 1.0]
            if not inside:
                continue
            worst = max(inside, key=lambda s: s["cores"])
            report.append({"phase": name, "mean": statistics.mean(s["cores"] for s in inside),
                           "max": worst["cores"], "top": worst["top"]})
        return report


# --- prerequisites -------------------------------------------------------------------------
def check_prerequisites(data: Path) -> list[str]:
    import psycopg

    problems = []
    for _, name in (*LEVELS, ("", CAPE_TOWN_FILE)):
        if not (data / name).is_file():
            problems.append(f"boundary file {data / name} is missing (see --data).")
    if shutil.which("wrk") is None:
        problems.append("wrk is not installed: run `apt-get install -y wrk` (as root).")
    try:
        with psycopg.connect(f"{PG_DSN} dbname=postgres", connect_timeout=5) as conn:
            major = conn.info.server_version // 10000
            row = conn.execute("SELECT default_version FROM pg_available_extensions "
                               "WHERE name = 'postgis'").fetchone()
        if row is None:
            problems.append(f"PostGIS is not installed in PostgreSQL {major}: run "
                            f"`apt-get install -y postgresql-{major}-postgis-3` (as root).")
    except psycopg.OperationalError as exc:
        problems.append(f"PostgreSQL at 127.0.0.1:5432 (user postgres) is not reachable: "
                        f"{str(exc).strip()}")
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # ignore TIME_WAIT
        try:
            sock.bind((HOST, PORT))
        except OSError:
            problems.append(f"port {PORT} on {HOST} is in use; the benchmark serves there.")
    return problems


# --- 1. boundaries into SQLite ---------------------------------------------------------------
def load_boundaries(data: Path) -> list[dict]:
    from django.core.management import call_command

    from imbizo.accounts.permissions import system_actor
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


# --- 2. index build ------------------------------------------------------------------------
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


def child_index_memory() -> None:
    """Run in a fresh process (--child-index-memory): memory of one index build."""
    django_setup()
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


def index_memory() -> dict:
    out = subprocess.run([sys.executable, __file__, "--child-index-memory"], env=bench_env(),
                         capture_output=True, text=True, check=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- points ------------------------------------------------------------------------------
def ward_geometries() -> tuple[list[str], np.ndarray, list[bytes]]:
    """Codes, prepared geometries and WKB of every ward, in the index's own order."""
    from imbizo.geo.models import Ward

    rows = list(Ward.objects.exclude(boundary=None).values_list("code", "boundary"))
    codes = [code for code, _ in rows]
    wkbs = [bytes(blob) for _, blob in rows]
    geoms = shapely.from_wkb(wkbs)
    shapely.prepare(geoms)
    return codes, geoms, wkbs


def points_inside(geoms: np.ndarray, rng: np.random.Generator, n: int) -> tuple:
    """n points strictly inside wards picked uniformly at random (rejection in each box)."""
    picked = rng.integers(len(geoms), size=n)
    box = shapely.bounds(geoms)
    xs, ys = np.empty(n), np.empty(n)
    todo = np.arange(n)
    while todo.size:
        ward = picked[todo]
        x = rng.uniform(box[ward, 0], box[ward, 2])
        y = rng.uniform(box[ward, 1], box[ward, 3])
        ok = shapely.contains_xy(geoms[ward], x, y)
        xs[todo[ok]], ys[todo[ok]] = x[ok], y[ok]
        todo = todo[~ok]
    return xs, ys


def make_points(geoms: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Half uniform in the wards' bounding box, half inside random wards; shuffled."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    half = n // 2
    ux, uy = rng.uniform(minx, maxx, half), rng.uniform(miny, maxy, half)
    ix, iy = points_inside(geoms, rng, n - half)
    order = rng.permutation(n)
    return np.concatenate([uy, iy])[order], np.concatenate([ux, ix])[order]  # lats, lons


# --- 3. PostGIS ----------------------------------------------------------------------------
def postgis_setup(codes: list[str], wkbs: list[bytes]) -> tuple:
    import psycopg

    with psycopg.connect(f"{PG_DSN} dbname=postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {PG_DB}")
    conn = psycopg.connect(f"{PG_DSN} dbname={PG_DB}", autocommit=True)
    conn.execute("CREATE EXTENSION postgis")
    conn.execute("CREATE TABLE wards (id serial PRIMARY KEY, code text NOT NULL, "
                 "geom geometry(Geometry, 4326) NOT NULL)")
    start = time.perf_counter()
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO wards (code, geom) VALUES (%s, ST_GeomFromWKB(%s, 4326))",
                        list(zip(codes, wkbs, strict=True)))
    conn.execute("CREATE INDEX wards_geom ON wards USING gist (geom)")
    conn.execute("ANALYZE wards")
    seconds = time.perf_counter() - start
    count = conn.execute("SELECT count(*) FROM wards").fetchone()[0]
    assert count == len(codes), (count, len(codes))
    versions = conn.execute("SELECT current_setting('server_version'), postgis_lib_version(), "
                            "postgis_geos_version()").fetchone()
    return conn, seconds, versions


def copy_points(conn, lats: np.ndarray, lons: np.ndarray) -> None:
    """COPY (binary) id, lon, lat into pts; the point geometry is a stored generated column."""
    n = len(lats)
    row = np.dtype([("fields", ">i2"), ("id_len", ">i4"), ("id", ">i4"), ("lon_len", ">i4"),
                    ("lon", ">f8"), ("lat_len", ">i4"), ("lat", ">f8")])
    rows = np.empty(n, dtype=row)
    rows["fields"], rows["id_len"], rows["lon_len"], rows["lat_len"] = 3, 4, 8, 8
    rows["id"], rows["lon"], rows["lat"] = np.arange(n), lons, lats
    payload = b"PGCOPY\n\xff\r\n\x00" + bytes(8) + rows.tobytes() + b"\xff\xff"
    with conn.cursor() as cur, cur.copy("COPY pts (id, lon, lat) FROM STDIN (FORMAT BINARY)") \
            as copy:
        copy.write(payload)


# --- 4. single look-ups --------------------------------------------------------------------
def index_single_pass(pairs: list[tuple[float, float]]) -> tuple[list, float]:
    from imbizo.geo.index import ward_index

    locate = ward_index.locate
    found = []
    start = time.perf_counter()
    for lat, lon in pairs:
        place = locate(lat, lon)
        found.append(place.ward["code"] if place is not None else None)
    return found, time.perf_counter() - start


def postgis_single_pass(cur, pairs: list[tuple[float, float]], sql: str) -> tuple[list, float]:
    found = []
    start = time.perf_counter()
    for lat, lon in pairs:
        cur.execute(sql, (lon, lat), prepare=True)
        row = cur.fetchone()
        found.append(row[0] if row else None)
    return found, time.perf_counter() - start


def index_single(lats: np.ndarray, lons: np.ndarray, runs: int) -> tuple[list, float]:
    """Best of `runs` passes over the points, after 1,000 warm-up look-ups."""
    pairs = list(zip(lats.tolist(), lons.tolist(), strict=True))
    index_single_pass(pairs[:1000])
    passes = [index_single_pass(pairs) for _ in range(runs)]
    return passes[-1][0], min(seconds for _, seconds in passes)


def single_lookups(conn, lats: np.ndarray, lons: np.ndarray, runs: int) -> dict:
    """`runs` rounds of: a pass of the index, a pass of PostGIS, and as many prepared
    `SELECT 1` (the round trip under any query), so that all three see the same state of
    the machine; the best pass of each is kept. 1,000 warm-up look-ups of each first."""
    pairs = list(zip(lats.tolist(), lons.tolist(), strict=True))
    rtt_sql = "SELECT 1 WHERE %s::float8 IS NOT NULL AND %s::float8 IS NOT NULL"
    best = {"index": float("inf"), "postgis": float("inf"), "rtt": float("inf")}
    with conn.cursor() as cur:
        index_single_pass(pairs[:1000])
        postgis_single_pass(cur, pairs[:1000], SINGLE_SQL)  # also prepares server-side
        postgis_single_pass(cur, pairs[:1000], rtt_sql)
        for _ in range(runs):
            ours, seconds = index_single_pass(pairs)
            best["index"] = min(best["index"], seconds)
            theirs, seconds = postgis_single_pass(cur, pairs, SINGLE_SQL)
            best["postgis"] = min(best["postgis"], seconds)
            best["rtt"] = min(best["rtt"], postgis_single_pass(cur, pairs, rtt_sql)[1])
    return {"index_s": best["index"], "postgis_s": best["postgis"], "rtt_s": best["rtt"],
            "index_found": ours, "postgis_found": theirs}


def agreement(ours: list, theirs: list) -> dict:
    same = sum(1 for a, b in zip(ours, theirs, strict=True) if a is not None and a == b)
    outside = sum(1 for a, b in zip(ours, theirs, strict=True) if a is None and b is None)
    differ = [(i, a, b) for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]
    return {"points": len(ours), "inside": len(ours) - outside, "same": same,
            "both_outside": outside, "differ": len(differ), "examples": differ[:10]}


def explain_differences(geoms: np.ndarray, codes: list[str], lats, lons, check: dict) -> list:
    """For each disagreeing point: metres (roughly) to the nearer ward's edge, and whether
    the point lies in both wards (the two polygons overlap there)."""
    by_code = dict(zip(codes, geoms, strict=True))
    out = []
    for i, a, b in check["examples"]:
        point = shapely.Point(lons[i], lats[i])
        wards = [by_code[code] for code in (a, b) if code is not None]
        metres = min(float(shapely.distance(shapely.boundary(w), point)) for w in wards) \
            * 111_000
        out.append({"point": (round(float(lats[i]), 6), round(float(lons[i]), 6)),
                    "index": a, "postgis": b, "edge_m": round(metres, 2),
                    "in_both": len(wards) == 2 and all(w.covers(point) for w in wards)})
    return out


# --- 5. batched look-ups -------------------------------------------------------------------
def postgis_batch_once(conn, lats: np.ndarray, lons: np.ndarray) -> tuple[dict, list]:
    conn.execute("DROP TABLE IF EXISTS pts")
    # UNLOGGED rather than TEMP: a temporary table's 1M rows overflow temp_buffers (8 MB).
    conn.execute("CREATE UNLOGGED TABLE pts (id int NOT NULL, lon float8 NOT NULL, "
                 "lat float8 NOT NULL, geom geometry(Point, 4326) GENERATED ALWAYS AS "
                 "(ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED)")
    phases = {}
    start = time.perf_counter()
    copy_points(conn, lats, lons)
    phases["copy"] = time.perf_counter() - start
    mark = time.perf_counter()
    conn.execute("CREATE INDEX pts_geom ON pts USING gist (geom)")
    phases["gist"] = time.perf_counter() - mark
    mark = time.perf_counter()
    conn.execute("ANALYZE pts")
    phases["analyze"] = time.perf_counter() - mark
    mark = time.perf_counter()
    rows = conn.execute(BATCH_SQL).fetchall()
    phases["join"] = time.perf_counter() - mark
    phases["total"] = time.perf_counter() - start
    return phases, rows


def batched_lookups(conn, lats: np.ndarray, lons: np.ndarray, runs: int,
                    plain_join: bool) -> dict:
    """`runs` rounds of one `locate_many` and one PostGIS batch (loading the points afresh);
    the best of each is kept (PostGIS: the round with the best total)."""
    from imbizo.geo.index import ward_index

    conn.execute("SET jit = off")  # compiling is pure overhead for a PostGIS-bound join
    index_s, best, ours, rows = float("inf"), None, [], []
    for _ in range(runs):
        ours = rows = None
        gc.collect()
        start = time.perf_counter()
        ours = ward_index.locate_many(lats, lons)
        index_s = min(index_s, time.perf_counter() - start)
        gc.collect()
        phases, rows = postgis_batch_once(conn, lats, lons)
        if best is None or phases["total"] < best["total"]:
            best = phases
    theirs: list = [None] * len(lats)
    multi = 0
    for point_id, code in rows:
        multi += theirs[point_id] is not None
        theirs[point_id] = code
    result = {"index_s": index_s, "phases": best, "rows": len(rows), "multi": multi,
              "index_found": [w["code"] if w is not None else None for w in ours],
              "postgis_found": theirs}
    if plain_join:
        plan = conn.execute("EXPLAIN " + PLAIN_BATCH_SQL).fetchall()
        mark = time.perf_counter()
        plain = conn.execute(PLAIN_BATCH_SQL).fetchall()
        result["plain_join"] = time.perf_counter() - mark
        result["plain_plan"] = " / ".join(line.strip() for (line,) in plan[:3])
        assert len(plain) == len(rows), (len(plain), len(rows))
    conn.execute("DROP TABLE pts")
    return result


# --- 6. HTTP -------------------------------------------------------------------------------
def wrk_script(lats: np.ndarray, lons: np.ndarray) -> Path:
    paths = ",\n".join(f'  "/api/v1/geo/locate?lat={lat!r}&lon={lon!r}"'
                       for lat, lon in zip(lats.tolist(), lons.tolist(), strict=True))
    script = WORK / "locate.lua"
    script.write_text(
        "-- Cycles through real points inside wards (written by bench/geo_lookup.py).\n"
        f"local paths = {{\n{paths}\n}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        "  return wrk.format(\"GET\", paths[i])\n"
        "end\n")
    return script


def run_wrk(path: str, seconds: int, threads: int, connections: int,
            script: Path | None = None) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        cmd += ["-s", str(script)]
    cmd.append(f"http://{HOST}:{PORT}{path}")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True,
                         timeout=seconds + 60).stdout

    def grab(pattern: str, default: str = "0") -> str:
        match = re.search(pattern, out, re.MULTILINE)
        return match.group(1) if match else default

    return {"rps": float(grab(r"Requests/sec:\s+([\d.]+)")),
            "requests": int(grab(r"(\d+) requests in")),
            "non_2xx": int(grab(r"Non-2xx or 3xx responses:\s+(\d+)")),
            "errors": grab(r"Socket errors:\s+(.*)", ""),
            "p50": grab(r"^\s+50%\s+(\S+)", "?"), "p99": grab(r"^\s+99%\s+(\S+)", "?"),
            "command": " ".join(cmd[:-1] + [path if script is None else "…/locate?…"])}


def stop_server(server: subprocess.Popen, groups: set[int]) -> None:
    """SIGTERM to `imbizo serve` (it stops granian, whose process group is its own); then
    SIGKILL to every process group we saw it start, in case anything outlived it."""
    groups |= {os.getpgid(pid) for pid in children_of(server.pid) if alive(pid)}
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    for group in groups - {os.getpgrp()}:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


def http_bench(lats: np.ndarray, lons: np.ndarray, seconds: int) -> dict:
    env = bench_env()
    env.pop("DEBUG", None)
    env.update(ALLOWED_HOSTS="127.0.0.1,localhost", WEB_WORKERS="2", WEB_THREADS="2")
    log = (WORK / "server.log").open("w")
    server = subprocess.Popen([str(Path(sys.executable).parent / "imbizo"), "serve",
                               "--no-worker", "--host", HOST, "--port", str(PORT)],
                              env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    groups: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"imbizo serve exited; see {WORK / 'server.log'}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{PORT}/api/v1/health",
                                            timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"imbizo serve did not answer in 60 s; see "
                                   f"{WORK / 'server.log'}")
            time.sleep(0.3)
        groups |= {os.getpgid(pid) for pid in children_of(server.pid) if alive(pid)}
        sample = f"http://{HOST}:{PORT}/api/v1/geo/locate?lat={lats[0]:.6f}&lon={lons[0]:.6f}"
        with urllib.request.urlopen(sample, timeout=10) as resp:
            body = json.loads(resp.read())
        script = wrk_script(lats, lons)
        # Warm-up: every worker builds its ward index on its first look-up.
        run_wrk("/api/v1/geo/locate", 3, 2, 16, script)
        health = run_wrk("/api/v1/health", seconds, 2, 16)
        locate = run_wrk("/api/v1/geo/locate", seconds, 2, 16, script)
        return {"health": health, "locate": locate, "sample": body}
    finally:
        stop_server(server, groups)
        log.close()


# --- 7. Cape Town at full resolution ---------------------------------------------------------
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


# --- report --------------------------------------------------------------------------------
def machine() -> dict:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return {"nproc": nproc, "cpu": model, "mem_gib": mem_kb / 2**20, "load": load,
            "kernel": platform.release()}


def versions(pg: tuple) -> dict:
    from importlib.metadata import version

    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    wrk_version = re.search(r"wrk (\S+)", wrk.stdout + wrk.stderr)
    return {"python": platform.python_version(), "django": version("django"),
            "shapely": shapely.__version__, "geos": shapely.geos_version_string,
            "numpy": np.__version__, "psycopg": version("psycopg"),
            "granian": version("granian"), "postgresql": pg[0], "postgis": pg[1],
            "postgis_geos": pg[2], "wrk": wrk_version.group(1) if wrk_version else "?"}


def render(r: dict) -> str:
    m, v, a = r["machine"], r["versions"], r["args"]
    imp = r["imports"]
    build = r["build"]
    mem = r["memory"]
    g = r["grid"]
    single, batch, http = r["single"], r["batch"], r["http"]
    ph = batch["phases"]
    n_single, n_batch = a["single"], a["batch"]
    idx_single = n_single / single["index_s"]
    pg_single = n_single / single["postgis_s"]
    idx_batch = n_batch / batch["index_s"]
    pg_batch_total = n_batch / ph["total"]
    pg_batch_join = n_batch / ph["join"]
    health, locate = http["health"]["rps"], http["locate"]["rps"]
    sc, bc = single["check"], batch["check"]
    lines = [
        START,
        "## Ward look-up (`bench/geo_lookup.py`)",
        "",
        f"Measured {r['date']} with `.venv/bin/python bench/geo_lookup.py` (`make bench`; "
        f"{r['runtime']:.0f} s in all) on {m['nproc']} cores "
        f"({m['cpu']}, {m['mem_gib']:.0f} GiB RAM, Linux {m['kernel']}; load average "
        f"{m['load']} when it started, {r['load_end']} when it ended; "
        f"{r['busy']:.2f} cores busy over the 3 s before it started). "
        f"Python {v['python']}, Django {v['django']}, shapely {v['shapely']} "
        f"(GEOS {v['geos']}), numpy {v['numpy']}, psycopg {v['psycopg']}, "
        f"granian {v['granian']}, PostgreSQL {v['postgresql']}, PostGIS {v['postgis']} "
        f"(GEOS {v['postgis_geos']}), wrk {v['wrk']}.",
        "",
        "### Method",
        "- Boundaries: the Demarcation Board's 2020 national files (provinces, districts, "
        "municipalities, 4,468 wards) imported with `boundaries_import` into a fresh SQLite "
        "database under `/tmp/imbizo-bench`. The index is built from that database; PostGIS "
        f"gets the very same ward WKB (table `wards` in database `{PG_DB}`, SRID 4326, GiST "
        "index, `ANALYZE`).",
        f"- Points (seed {SEED}): half uniform in the wards' bounding box "
        f"({sc['both_outside'] / (n_single // 2):.0%} of those fall in no ward: sea, "
        "Lesotho, Eswatini, neighbouring countries), half strictly inside "
        "wards picked uniformly at random (so small urban wards are well represented); "
        "shuffled.",
        f"- Every in-process and PostGIS figure is the best of {a['runs']} timed runs; the "
        "index and PostGIS runs alternate, so both see the same state of the machine.",
        f"- Single: {n_single:,} points, one look-up at a time after 1,000 warm-up look-ups. "
        "Index: `ward_index.locate(lat, lon)` (a cell grid over prepared polygons: one array "
        "read, and in cells a ward edge crosses a `intersects_xy` test of the few wards "
        "touching the cell; plus the empty traditional-authority layer). PostGIS: `"
        + SINGLE_SQL.replace("%s", "?") + "`, one query per point over one persistent "
        "psycopg connection on 127.0.0.1 (TCP), server-side prepared statement (`prepare=True`).",
        f"- Batched: {n_batch:,} points. Index: one `ward_index.locate_many(lats, lons)` call "
        "(from float arrays to a list of ward dicts). PostGIS: binary `COPY` of (id, lon, lat) "
        "into an UNLOGGED table with a stored generated point column, a GiST index on it, "
        "`ANALYZE`, then one join with the wards outside and the points' index inside "
        "(`CROSS JOIN LATERAL`), fetching every (point id, ward code) row into Python; "
        "`jit = off`. That was the fastest approach tried: the plain `JOIN` the planner "
        "picks by itself probes the wards' index once per point and is several times slower "
        "(measured below); in trial runs a TEMP table made the join 3.9 s instead of 2.0 s "
        "(its rows overflow `temp_buffers`) and joining `wards` to `unnest` of two float "
        "arrays, without a points table, took 18 s.",
        f"- HTTP: `imbizo serve --no-worker` (granian WSGI, {2} workers x {2} blocking "
        "threads, DEBUG off) on the benchmark database, loaded by wrk on 127.0.0.1 with "
        f"`-t2 -c16 -d{a['duration']}s` after a 3 s warm-up on `locate` (each worker builds "
        f"its own index on first use). `locate` cycles through {a['http_points']} points "
        "inside wards with a Lua script. wrk shares the 2 cores with the server.",
        "- Cape Town: the city's own 2021 ward file at full resolution, read with shapely "
        "(not imported), in an index layer of its own (the class `ward_index` uses), against "
        "a layer of the national file's CPT wards, on the same points drawn uniformly inside "
        "the city; a point agrees when both give the same ward number (national code's last "
        "three digits).",
        "",
        "### Results",
        "",
        "| what | figure |",
        "|---|---|",
    ]
    for row in imp:
        lines.append(f"| import {row['level']} (`{row['file']}`, {row['created']} created, "
                     f"{row['updated']} updated, {row['repaired']} repaired) "
                     f"| {row['seconds']:.2f} s |")
    lines += [
        f"| import, all four levels | {sum(x['seconds'] for x in imp):.1f} s |",
        f"| index build, 4,468 wards from the database (median of {len(build)}) "
        f"| {statistics.median(build):.2f} s |",
        f"| index memory: RSS growth of a fresh process over one build (GEOS included) "
        f"| {mem['rss_delta'] / 2**20:.0f} MiB |",
        f"| index memory: tracemalloc peak during a build (Python objects only) "
        f"| {mem['tracemalloc_peak'] / 2**20:.0f} MiB |",
        f"| index grid: {g['cells']:,} cells of 1/{1 / g['cell_degrees']:.0f}° "
        f"({g['inside']:,} inside one ward, {g['empty']:,} in none, {g['mixed']:,} crossed by "
        f"an edge with {g['candidates']:,} candidate wards in all) | "
        f"{g['bytes'] / 2**20:.1f} MiB |",
        f"| PostGIS table load (4,468 WKB rows, GiST, ANALYZE) | {r['pg_load']:.2f} s |",
        f"| single look-ups, index | **{idx_single:,.0f}/s** "
        f"({single['index_s'] / n_single * 1e6:.1f} µs each) |",
        f"| single look-ups, PostGIS | **{pg_single:,.0f}/s** "
        f"({single['postgis_s'] / n_single * 1e6:.0f} µs each) |",
        "| PostgreSQL round trip alone: same connection, same two parameters, prepared "
        f"`SELECT 1` | {n_single / single['rtt_s']:,.0f}/s "
        f"({single['rtt_s'] / n_single * 1e6:.0f} µs each) |",
        f"| single: index / PostGIS | **{idx_single / pg_single:.2f}x** |",
        f"| single: same answer | {sc['same']:,} of {sc['inside']:,} points inside a ward "
        f"({sc['both_outside']:,} outside both); {sc['differ']} differ |",
        f"| batched, index (`locate_many`) | **{idx_batch:,.0f}/s** "
        f"({batch['index_s']:.2f} s) |",
        f"| batched, PostGIS including loading the points | **{pg_batch_total:,.0f}/s** "
        f"({ph['total']:.2f} s: COPY {ph['copy']:.2f}, GiST {ph['gist']:.2f}, "
        f"ANALYZE {ph['analyze']:.2f}, join {ph['join']:.2f}) |",
        f"| batched, PostGIS join alone | {pg_batch_join:,.0f}/s ({ph['join']:.2f} s) |",
    ]
    if "plain_join" in batch:
        workers = re.search(r"Workers Planned: (\d+)", batch["plain_plan"])
        lines.append(f"| batched, PostGIS plain `JOIN` as planned (points outside"
                     f"{f', parallel, {workers.group(1)} workers' if workers else ''}) "
                     f"| {n_batch / batch['plain_join']:,.0f}/s "
                     f"({batch['plain_join']:.2f} s) |")
    lines += [
        f"| batched: index / PostGIS (with loading; join alone) "
        f"| **{idx_batch / pg_batch_total:.1f}x**; {idx_batch / pg_batch_join:.1f}x |",
        f"| batched: same answer | {bc['same']:,} of {bc['inside']:,} points inside a ward; "
        f"{bc['differ']} differ ({batch['multi']} points in two wards "
        "per PostGIS) |",
        f"| HTTP `/api/v1/health` | **{health:,.0f} req/s** "
        f"(p50 {http['health']['p50']}, p99 {http['health']['p99']}) |",
        f"| HTTP `/api/v1/geo/locate` | **{locate:,.0f} req/s** "
        f"(p50 {http['locate']['p50']}, p99 {http['locate']['p99']}; "
        f"{http['locate']['non_2xx']} non-2xx) |",
        f"| HTTP: locate / health | **{locate / health:.2f}** |",
    ]
    if r.get("cape_town"):
        ct = r["cape_town"]
        lines += [
            f"| Cape Town, {ct['points']:,} points inside the city: city's own 2021 file "
            f"({ct['fine_wards']} wards, {ct['fine_vertices']:,} vertices) "
            f"| {ct['fine_rate']:,.0f}/s |",
            f"| Cape Town, same points: national CPT wards ({ct['coarse_wards']} wards, "
            f"{ct['coarse_vertices']:,} vertices) | {ct['coarse_rate']:,.0f}/s |",
            f"| Cape Town, same points: the whole national index (`ward_index.locate`) "
            f"| {ct['full_rate']:,.0f}/s |",
            f"| Cape Town: same ward number in both | {ct['same'] / ct['points']:.1%} "
            f"({ct['same']:,} of {ct['points']:,}; {ct['coarse_none']} in no national "
            "CPT ward) |",
        ]
    lines += [
        "",
        "Single and Cape Town rates are one thread in one process. Disagreements between "
        "index and PostGIS can only come from points on or next to a ward edge: the index "
        "tests `covered_by` (edges included, lowest index wins), the SQL `ST_Contains` "
        "(edges excluded, any one row). Each PostGIS single look-up includes one loopback "
        "round trip (the `SELECT 1` row); on this virtual machine that round trip ranged "
        "from about 30 to about 115 µs across trial runs, shortest when the other vCPU was "
        "busy (an idle vCPU has to be woken), so the single ratio moves between runs much "
        "more than the index's own time per look-up does."
        + "".join(f" {name.capitalize()}: {c['differ']} disagreement(s): " + "; ".join(
            f"{d['point']} index {d['index']}, PostGIS {d['postgis']}, {d['edge_m']} m from "
            f"an edge{', inside both wards (they overlap)' if d['in_both'] else ''}"
            for d in c["details"]) + "."
            for name, c in (("single", sc), ("batched", bc)) if c["differ"]),
        "",
        "Other processes' CPU while each phase ran (cores, mean / max of 1 s samples; "
        "near 0 means the figures are undisturbed): " + "; ".join(
            f"{p['phase']} {p['mean']:.2f} / {p['max']:.2f}" for p in r["interference"]) + ".",
        "",
        "### Goals",
        "",
        "| goal | measured | |",
        "|---|---|---|",
        f"| single look-ups at least 10x PostGIS | {idx_single / pg_single:.2f}x "
        f"| {verdict(idx_single >= 10 * pg_single)} |",
        f"| batched look-ups at least 5x PostGIS (PostGIS timed with loading its points) "
        f"| {idx_batch / pg_batch_total:.1f}x (join alone: {idx_batch / pg_batch_join:.1f}x) "
        f"| {verdict(idx_batch >= 5 * pg_batch_total)} |",
        f"| `/api/v1/geo/locate` at least a third of `/api/v1/health` | "
        f"{locate:,.0f} vs {health:,.0f} req/s ({locate / health:.2f}) "
        f"| {verdict(locate >= health / 3)} |",
        f"| national files load in minutes, not hours | "
        f"{sum(x['seconds'] for x in imp):.1f} s | "
        f"{verdict(sum(x['seconds'] for x in imp) < 600)} |",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_doc(section: str) -> None:
    if DOC.exists():
        text = DOC.read_text()
    else:
        text = ("# Performance\n\nFigures on this page come from the scripts in `bench/`, run "
                "on this project's 2-core development machine; each script rewrites its own "
                "section between its markers. Rerun them after changing the code they "
                "measure.\n")
    if START in text and END in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        text = head + section.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text)


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
    problems = check_prerequisites(args.data)
    if problems:
        say("Cannot run the benchmark:\n  - " + "\n  - ".join(problems))
        return 2
    busy = busy_cores()
    if busy > 0.2:
        say(f"warning: the machine is busy ({busy:.1f} cores in use before the benchmark "
            "starts); its figures will be low and noisy. Run it on an idle machine.")
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
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
        write_doc(section)
        say(f"wrote {DOC.relative_to(REPO)}")
    return 0


def measure(args: argparse.Namespace, busy: float) -> dict:
    phase = Phases()
    django_setup()
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
        r["memory"] = index_memory()
    codes, geoms, wkbs = ward_geometries()
    with phase("PostGIS load"):
        conn, r["pg_load"], pg_versions = postgis_setup(codes, wkbs)
    r["versions"] = versions(pg_versions)

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
    r["load_end"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return r


if __name__ == "__main__":
    sys.exit(main())
