"""Case benchmark: logging cases through the REST API, and the filtered queue over a million.

    .venv/bin/python bench/cases.py               # about 4 minutes

a) Creation. A fresh PostgreSQL database (imbizo_bench_cases on 127.0.0.1:5432, dropped
   and recreated), migrated and given the demo municipality with a small case history,
   and an API key (role supervisor); `imbizo serve --no-worker` (granian WSGI, 2 workers x
   4 threads) on 127.0.0.1:8766; then POST /api/v1/cases from concurrent client threads
   at points inside DMO's wards. Afterwards the database must hold one new case per 201
   answer, each with its SLA checkpoint tasks, and the audit chain must verify. The same
   again on SQLite for comparison (--no-sqlite skips it).
b) Queue. A million more cases written into the PostgreSQL database (numpy, binary COPY
   into a staging table, one INSERT ... SELECT), ANALYZE, then the server-side work of one
   50-row page of the queue for each filter the API offers, in process: the selectors,
   the page and the API's output schema; with EXPLAIN ANALYZE of the query.

Prints a table and rewrites its section of docs/performance.md (--no-doc to skip).
Every connection it makes goes to 127.0.0.1.
"""

import argparse
import contextlib
import datetime as dt
import http.client
import itertools
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
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
from _common import alive, busy_cores, children_of, say, verdict

REPO = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/imbizo-bench-cases")
PG_DSN = "host=127.0.0.1 port=5432 user=postgres"
PG_DB = "imbizo_bench_cases"
HOST, PORT = "127.0.0.1", 8766
WEB_WORKERS, WEB_THREADS = "2", "4"
SEED = 20260401
DOC = REPO / "docs" / "performance.md"
START, END = "<!-- cases:start -->", "<!-- cases:end -->"
GOAL_RATE, GOAL_MS = 200, 50


def database_url(backend: str) -> str:
    if backend == "postgres":
        return f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    return f"sqlite:///{WORK / 'bench.sqlite3'}"


def bench_env(backend: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DEBUG", None)
    env.update(DATABASE_URL=database_url(backend), IMBIZO_VAR_DIR=str(WORK),
               DJANGO_SETTINGS_MODULE="imbizo.settings")
    return env


def django_setup(backend: str) -> None:
    os.environ.update(bench_env(backend))
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def check_prerequisites() -> list[str]:
    import psycopg

    problems = []
    try:
        with psycopg.connect(f"{PG_DSN} dbname=postgres", connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        problems.append(f"PostgreSQL at 127.0.0.1:5432 (user postgres) is not reachable: "
                        f"{str(exc).strip()}")
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, PORT))
        except OSError:
            problems.append(f"port {PORT} on {HOST} is in use; the benchmark serves there.")
    return problems


def postgres_recreate() -> str:
    import psycopg

    with psycopg.connect(f"{PG_DSN} dbname=postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {PG_DB}")
        return admin.execute("SELECT current_setting('server_version')").fetchone()[0]


# --- a) in a child process per database: set-up and checks -----------------------------------
def child_prepare(backend: str, seed_cases: int, points: int) -> None:
    """Migrate, load the demo, make the API key and the points; print them as JSON."""
    django_setup(backend)
    from django.core.management import call_command

    from imbizo.accounts.permissions import system_actor
    from imbizo.api.keys import api_key_create
    from imbizo.demo.seed import demo_seed
    from imbizo.geo.models import Municipality

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    report = demo_seed(cases=seed_cases)
    seeded = time.perf_counter()
    dmo = Municipality.objects.get(code="DMO")
    _row, key = api_key_create(actor=system_actor("cli"), municipality=dmo, name="bench",
                               role="supervisor")
    lats, lons = ward_points(dmo, points, SEED)
    print(json.dumps({"key": key, "points": list(zip(lats, lons, strict=True)),
                      "migrate_s": migrated - started, "seed_s": seeded - migrated,
                      "seed_cases": report.cases, "before": snapshot()}))


def ward_points(municipality, n: int, seed: int) -> tuple[list, list]:
    """n points strictly inside the municipality's wards, wards picked uniformly."""
    import shapely

    from imbizo.geo.models import Ward

    geoms = np.array([shapely.from_wkb(bytes(b)) for b in Ward.objects.filter(
        municipality=municipality).order_by("number").values_list("boundary", flat=True)])
    rng = np.random.default_rng(seed)
    picked = rng.integers(len(geoms), size=n)
    box = shapely.bounds(geoms)
    xs, ys, todo = np.empty(n), np.empty(n), np.arange(n)
    while todo.size:
        ward = picked[todo]
        x = rng.uniform(box[ward, 0], box[ward, 2])
        y = rng.uniform(box[ward, 1], box[ward, 3])
        ok = shapely.contains_xy(geoms[ward], x, y)
        xs[todo[ok]], ys[todo[ok]] = x[ok], y[ok]
        todo = todo[~ok]
    return np.round(ys, 6).tolist(), np.round(xs, 6).tolist()


def snapshot() -> dict:
    from imbizo.audit.models import AuditEntry
    from imbizo.cases.models import Case

    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    return {"max_pk": Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
            "cases": Case.objects.count(), "audit_seq": last or 0}


def child_verify(backend: str, before: dict, references: list[str]) -> None:
    """What the load left in the database, as JSON."""
    django_setup(backend)
    from collections import Counter

    from django_tasks_db.models import DBTaskResult

    from imbizo.audit.models import AuditEntry
    from imbizo.audit.services import audit_verify
    from imbizo.cases.escalation import next_checkpoint
    from imbizo.cases.models import Case

    new = Case.objects.filter(pk__gt=before["max_pk"])
    stored = set(new.values_list("reference", flat=True))
    queued: dict[int, list] = {}
    for args, run_after in DBTaskResult.objects.filter(
            task_path__endswith="sla_checkpoint").values_list("args_kwargs", "run_after"):
        queued.setdefault(args["args"][0], []).append(
            (args["args"][1], run_after, dt.datetime.fromisoformat(args["args"][3])))

    def chain_started(case) -> bool:
        """Exactly one checkpoint task: the case's first, in the chain of its deadline."""
        kind, at = next_checkpoint(case)
        return queued.get(case.pk) == [(kind, at, case.resolve_due)]

    first_checkpoints = sum(chain_started(c) for c in new.select_related("category"))
    pks = list(new.values_list("pk", flat=True))
    started = time.perf_counter()
    chain = audit_verify()
    print(json.dumps({
        "new_cases": len(pks), "references_match": stored == set(references),
        "with_first_checkpoint": first_checkpoints,
        "statuses": Counter(new.values_list("status", flat=True)),
        "departments": Counter(new.values_list("department__code", flat=True)),
        "case_log_audits": AuditEntry.objects.filter(action="case.log",
                                                     seq__gt=before["audit_seq"]).count(),
        "audit_ok": chain.ok, "audit_checked": chain.checked, "audit_reason": chain.reason,
        "audit_verify_s": time.perf_counter() - started,
    }))


def run_child(backend: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], env=bench_env(backend),
                         capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- a) the server and the clients ------------------------------------------------------------
@contextlib.contextmanager
def serving(backend: str):
    """`imbizo serve --no-worker` in a session of its own; its process groups (granian's
    is separate) are killed when the block ends, however it ends."""
    env = bench_env(backend)
    env.update(ALLOWED_HOSTS="127.0.0.1,localhost", WEB_WORKERS=WEB_WORKERS,
               WEB_THREADS=WEB_THREADS)
    log_path = WORK / f"server-{backend}.log"
    log = log_path.open("w")
    server = subprocess.Popen([str(Path(sys.executable).parent / "imbizo"), "serve",
                               "--no-worker", "--host", HOST, "--port", str(PORT)],
                              env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    groups: set[int] = {server.pid}
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"imbizo serve exited; see {log_path}")
            with contextlib.suppress(OSError), urllib.request.urlopen(
                    f"http://{HOST}:{PORT}/api/v1/health", timeout=2) as resp:
                if resp.status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"imbizo serve did not answer in 60 s; see {log_path}")
            time.sleep(0.3)
        for pid in children_of(server.pid):
            groups.add(os.getpgid(pid))
            groups |= {os.getpgid(p) for p in children_of(pid) if alive(p)}
        yield
    finally:
        groups |= {os.getpgid(pid) for pid in children_of(server.pid) if alive(pid)}
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        for group in groups - {os.getpgrp()}:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
        log.close()


def post_cases(key: str, points: list, total: int, clients: int, offset: int = 0) -> dict:
    """`total` POSTs from `clients` threads, each on its own keep-alive connection."""
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    bodies = [json.dumps({"category": "pothole", "latitude": lat, "longitude": lon,
                          "description": f"Pothole {offset + i} on the bench road."}).encode()
              for i, (lat, lon) in enumerate(points)]
    counter = itertools.count()
    results: list[tuple] = []
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
        mine = []
        while (i := next(counter)) < total:
            body = bodies[(offset + i) % len(bodies)]
            start = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/cases", body, headers)
                response = conn.getresponse()
                status, data = response.status, response.read()
            except (OSError, http.client.HTTPException) as exc:
                status, data = type(exc).__name__, b""
                conn.close()
                conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
            mine.append((status, time.perf_counter() - start, data))
        conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    ok = [r for r in results if r[0] == 201]
    errors = [r for r in results if r[0] != 201]
    latencies = sorted(r[1] for r in results)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return {"requests": len(results), "ok": len(ok), "errors": len(errors),
            "error_sample": [(str(s), d[:300].decode(errors="replace")) for s, _, d in
                             errors[:3]],
            "wall_s": wall, "rate": len(ok) / wall, "p50_ms": pct(50), "p95_ms": pct(95),
            "p99_ms": pct(99), "max_ms": latencies[-1] * 1000,
            "references": [json.loads(d)["reference"] for _, _, d in ok]}


def creation(backend: str, args: argparse.Namespace) -> tuple[str, dict]:
    """The API key made and the figures."""
    say(f"a) {backend}: migrate, demo ({args.seed_cases} cases), API key")
    prepared = run_child(backend, "--child-prepare", backend, str(args.seed_cases),
                         str(args.points))
    with serving(backend):
        say(f"a) {backend}: {args.warmup} warm-up and {args.requests} timed POST /api/v1/cases "
            f"from {args.clients} clients")
        warm = post_cases(prepared["key"], prepared["points"], args.warmup, args.clients)
        load = post_cases(prepared["key"], prepared["points"], args.requests, args.clients,
                          offset=args.warmup)
    say(f"a) {backend}: {load['rate']:.0f} cases/s; checking the database")
    references = warm.pop("references") + load.pop("references")
    reference_file = WORK / f"references-{backend}.json"
    reference_file.write_text(json.dumps(references))
    checked = run_child(backend, "--child-verify", backend, json.dumps(prepared["before"]),
                        str(reference_file))
    say(f"a) {backend}: where one request's time goes (in process, one thread)")
    breakdown = run_child(backend, "--child-breakdown", backend, "200")
    return prepared["key"], {
        "prepared": {k: v for k, v in prepared.items() if k not in ("key", "points")},
        "warmup": warm, "load": load, "ok_total": warm["ok"] + load["ok"], "check": checked,
        "breakdown": breakdown}


# --- a) where one request's time goes ----------------------------------------------------------
def child_breakdown(backend: str, requests: int) -> None:
    """POST /api/v1/cases in process (Django's test client, one thread), timing the parts of
    `create_case` by wrapping the functions it calls; print the mean ms of each as JSON."""
    django_setup(backend)
    import functools

    from django.test import Client

    from imbizo.accounts.permissions import system_actor
    from imbizo.api.keys import api_key_create
    from imbizo.cases import api, services
    from imbizo.geo.models import Municipality

    spent: dict[str, float] = {}

    def timed(module, name: str, label: str) -> None:
        original = getattr(module, name)

        @functools.wraps(original)
        def wrapper(*a, **k):
            mark = time.perf_counter()
            try:
                return original(*a, **k)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - mark

        setattr(module, name, wrapper)

    for module, name, label in (
            (api, "case_log", "case_log (all of it, commit and on-commit tasks included)"),
            (services, "_place", "  ward look-up and Ward row"),
            (services, "_category", "  category row"), (services, "route_case", "  routing"),
            (services, "reference_issue", "  reference"),
            (services, "audit_record", "  audit entry"),
            (services, "sla_schedule", "  SLA checkpoint times"),
            (api, "_load", "reading the case back for the answer (access_case, _load)")):
        timed(module, name, label)
    dmo = Municipality.objects.get(code="DMO")
    _row, key = api_key_create(actor=system_actor("cli"), municipality=dmo, name="breakdown",
                               role="supervisor")
    lats, lons = ward_points(dmo, 50, SEED + 1)
    client = Client(SERVER_NAME="127.0.0.1")

    def post(i: int) -> None:
        body = json.dumps({"category": "pothole", "description": "Breakdown.",
                           "latitude": lats[i % 50], "longitude": lons[i % 50]})
        answer = client.post("/api/v1/cases", body, content_type="application/json",
                             headers={"X-API-Key": key}, secure=True)
        assert answer.status_code == 201, answer.content

    for i in range(10):
        post(i)
    spent.clear()
    mark = time.perf_counter()
    for i in range(requests):
        post(i)
    total = time.perf_counter() - mark
    parts = {label: seconds / requests * 1000 for label, seconds in spent.items()}
    parts["the whole request, in process"] = total / requests * 1000
    print(json.dumps(parts))


# --- b) a million cases -----------------------------------------------------------------------
STATUSES = ("assigned", "in_progress", "on_hold", "resolved", "closed", "rejected", "cancelled")
A, IP, OH, RS, CL, RJ, CN = range(len(STATUSES))
STAGING = [  # column, PostgreSQL type, numpy type (big-endian, for binary COPY)
    ("seq", "int4", ">i4"), ("category", "int2", ">i2"), ("ward", "int2", ">i2"),
    ("department", "int2", ">i2"), ("status", "int2", ">i2"), ("channel", "int2", ">i2"),
    ("period", "int4", ">i4"), ("number", "int4", ">i4"), ("check_digit", "int2", ">i2"),
    ("version", "int4", ">i4"), ("escalation", "int2", ">i2"), ("affected", "int4", ">i4"),
    ("rating", "int2", ">i2"), ("ack_breached", "bool", "u1"),
    ("resolve_breached", "bool", "u1"), ("latitude", "float8", ">f8"),
    ("longitude", "float8", ">f8"), ("created", "float8", ">f8"), ("updated", "float8", ">f8"),
    ("ack_due", "float8", ">f8"), ("resolve_due", "float8", ">f8"),
    ("acknowledged", "float8", ">f8"), ("paused", "float8", ">f8"),
    ("resolved", "float8", ">f8"), ("closed", "float8", ">f8"),
]


def damm_digits(period: np.ndarray, number: np.ndarray) -> np.ndarray:
    """Check digits of `reference_format` for arrays of YYMM periods and sequences."""
    from imbizo.cases.reference import _DAMM

    table = np.array(_DAMM)
    interim = np.zeros(len(period), dtype=np.int64)
    for power in (1000, 100, 10, 1):
        interim = table[interim, (period // power) % 10]
    width = np.maximum(4, np.floor(np.log10(np.maximum(number, 1))).astype(int) + 1)
    for position in range(int(width.max()) - 1, -1, -1):
        digit = (number // 10 ** position) % 10
        interim = np.where(position < width, table[interim, digit], interim)
    return interim


def million_arrays(n: int, seed: int, now: dt.datetime) -> tuple[dict, dict]:
    """The generated columns (numpy) and the lookup lists the INSERT maps them with. The
    same seasons, hours, wards and service levels as the demo's history (imbizo/demo/cases.py),
    with each case's life drawn as whole arrays in calendar time."""
    import holidays
    import shapely
    from django.conf import settings

    from imbizo.accounts.models import Department
    from imbizo.cases.calendar import SAST
    from imbizo.cases.models import Category, ReferenceCounter, RoutingRule
    from imbizo.cases.sla import hours_for
    from imbizo.demo import cases as demo
    from imbizo.demo.geography import TOWN_WARDS
    from imbizo.geo.models import Municipality, Ward

    rng = np.random.default_rng(seed)
    dmo = Municipality.objects.get(code="DMO")
    cats = list(Category.objects.filter(municipality=dmo, department__isnull=False)
                .select_related("department").order_by("code"))
    codes = [c.code for c in cats]
    wards = list(Ward.objects.filter(municipality=dmo).order_by("number"))
    departments = list(Department.objects.filter(municipality=dmo).order_by("code"))
    dept_index = {d.pk: i for i, d in enumerate(departments)}
    first = now.astimezone(SAST).date() - dt.timedelta(days=demo.HISTORY_DAYS)
    za = holidays.country_holidays("ZA", years=range(first.year - 1, now.year + 1))
    weights = np.array([[demo.category_day_weight(code, first + dt.timedelta(days=d), za)
                         for code in codes] for d in range(demo.HISTORY_DAYS)])
    cell = rng.choice(weights.size, size=n, p=(weights / weights.sum()).ravel())
    day, cat = np.divmod(cell, len(codes))
    hour, ward = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    busy = rng.uniform(0.7, 1.3, len(wards))
    town = np.array([w.number <= TOWN_WARDS for w in wards])
    for k, code in enumerate(codes):
        mask = cat == k
        profile = demo.profile_for(code)
        hours = np.array(profile.hours)
        hour[mask] = rng.choice(24, size=mask.sum(), p=hours / hours.sum())
        wp = busy * np.where(town, profile.town, 1.0)
        ward[mask] = rng.choice(len(wards), size=mask.sum(), p=wp / wp.sum())
    midnight = dt.datetime.combine(first, dt.time(0), SAST).timestamp()
    created = midnight + day * 86400.0 + hour * 3600.0 + rng.uniform(0, 3600, n)
    order = np.argsort(created, kind="stable")
    created, cat, ward = created[order], cat[order], ward[order]
    department = np.array([dept_index[c.department_id] for c in cats])[cat]
    rule = RoutingRule.objects.filter(municipality=dmo, ward__isnull=False).first()
    if rule is not None:
        ward_ids = [w.pk for w in wards]
        hit = (cat == codes.index(rule.category.code)) & (ward == ward_ids.index(rule.ward_id))
        department[hit] = dept_index[rule.department_id]
    # Points: rejection sampling inside each case's ward.
    geoms = np.array([shapely.from_wkb(bytes(w.boundary)) for w in wards])
    box = shapely.bounds(geoms)
    lon, lat, todo = np.empty(n), np.empty(n), np.arange(n)
    while todo.size:
        w = ward[todo]
        x, y = rng.uniform(box[w, 0], box[w, 2]), rng.uniform(box[w, 1], box[w, 3])
        ok = shapely.contains_xy(geoms[w], x, y)
        lon[todo[ok]], lat[todo[ok]] = x[ok], y[ok]
        todo = todo[~ok]
    channels = np.array(list(demo.CHANNELS.values()), dtype=float)
    channel = rng.choice(len(channels), size=n, p=channels / channels.sum())
    # A life per case, in calendar time: working-hour spans are stretched by 168/45.
    stretch = np.array([1.0 if hours_for(c) is None else 168 / 45 for c in cats])[cat]
    ack_span = np.array([float(c.ack_hours) for c in cats])[cat] * 3600 * stretch
    res_span = np.array([float(c.resolve_hours) for c in cats])[cat] * 3600 * stretch
    emergency = np.array([c.priority == "emergency" for c in cats])[cat]
    met_rate = np.array([demo.MET.get(d.code, 0.75) for d in departments])[department]
    local = (created + 7200).astype(np.int64).astype("datetime64[s]")  # SAST, no DST
    months = local.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    month = months % 12 + 1
    water = department == [d.code for d in departments].index("water")
    met_rate = np.where(water & np.isin(month, (6, 7, 8)),
                        met_rate - demo.WINTER_WATER_PENALTY, met_rate)
    ack_at = created + ack_span * np.where(rng.random(n) < demo.ACK_MET,
                                           rng.uniform(0.05, 0.95, n),
                                           1.05 + rng.exponential(1.0, n))
    res_at = np.maximum(created + res_span * np.where(rng.random(n) < met_rate,
                                                      rng.uniform(0.15, 0.97, n),
                                                      1.03 + rng.exponential(0.9, n)),
                        ack_at + 600)
    hold = (rng.random(n) < demo.HOLD) & ~emergency
    hold_len = np.where(rng.random(n) < 0.8, rng.uniform(0.5, 10, n),
                        rng.uniform(20, 120, n)) * 86400
    paused_at = ack_at + (res_at - ack_at) * rng.uniform(0.1, 0.9, n)
    resumed_at = paused_at + hold_len
    res_at = np.where(hold, res_at + hold_len, res_at)
    close_at = res_at + np.where(rng.random(n) < demo.RESIDENT_CLOSES,
                                 rng.uniform(0.1, 6, n) * 86400,
                                 settings.CASE_AUTOCLOSE_DAYS * 86400.0)
    fate = rng.random(n)
    rejected, cancelled = fate < demo.REJECTED, \
        (fate >= demo.REJECTED) & (fate < demo.REJECTED + demo.CANCELLED)
    reject_at = created + ack_span * rng.uniform(0.1, 1.2, n)
    cancel_at = created + (res_at - created) * rng.uniform(0.05, 0.7, n)
    t = now.timestamp()
    status = np.select(
        [rejected & (reject_at <= t), cancelled & (cancel_at <= t), rejected | (ack_at > t),
         hold & (paused_at <= t) & (resumed_at > t), res_at > t, close_at > t],
        [RJ, CN, A, OH, IP, RS], default=CL)
    resolve_due = created + res_span
    resolve_due = np.where(hold & (resumed_at <= t) & (status != OH), resolve_due + hold_len,
                           resolve_due)
    ack_due = created + ack_span
    done = np.isin(status, (RS, CL))
    acked = (ack_at <= t) & (status != RJ) & ~((status == CN) & (ack_at > cancel_at))
    stop = np.select([done, status == RJ, status == CN, status == OH],
                     [res_at, reject_at, cancel_at, paused_at], default=t)
    resolve_breached = stop > resolve_due
    late = stop - resolve_due
    escalation = np.where(resolve_breached, 1 + (late >= 86400) + (late >= 3 * 86400), 0)
    rate = (status == CL) & (rng.random(n) < demo.RATES * 0.8)
    rating = np.where(resolve_breached, rng.choice(5, n, p=np.array(demo.RATINGS_LATE) / 100),
                      rng.choice(5, n, p=np.array(demo.RATINGS_MET) / 100)) + 1
    share = np.array([demo.profile_for(c).followers[0] for c in codes])[cat]
    most = np.array([demo.profile_for(c).followers[1] for c in codes])[cat]
    affected = 1 + np.where((rng.random(n) < share) & (status != RJ),
                            rng.integers(1, most + 1), 0)
    version = np.array([1, 2, 3, 3, 4, 2, 2])[status] + np.where(
        hold & (status != OH) & (resumed_at <= t), 2, 0)
    nan = np.full(n, np.nan)
    acknowledged = np.where(acked, ack_at, nan)
    ended = np.select([status == CL, done, status == OH], [close_at, res_at, paused_at],
                      default=np.where(acked, ack_at, created))
    # References continue each month's counter, in order of logging.
    period = (1970 + months // 12) % 100 * 100 + months % 12 + 1
    counters = dict(ReferenceCounter.objects.filter(municipality=dmo)
                    .values_list("period", "last"))
    starts = np.r_[0, np.flatnonzero(np.diff(period)) + 1]
    base = np.array([counters.get(f"{p:04d}", 0) for p in period[starts]])
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, n]))
    number = np.arange(n) - starts[group] + 1 + base[group]
    columns = {
        "seq": np.arange(n), "category": cat, "ward": ward, "department": department,
        "status": status, "channel": channel, "period": period, "number": number,
        "check_digit": damm_digits(period, number), "version": version,
        "escalation": escalation, "affected": affected, "rating": np.where(rate, rating, 0),
        "ack_breached": np.where(acked, ack_at, stop) > ack_due,
        "resolve_breached": resolve_breached, "latitude": np.round(lat, 6),
        "longitude": np.round(lon, 6), "created": created,
        "updated": np.minimum(np.maximum(ended, created), t), "ack_due": ack_due,
        "resolve_due": resolve_due, "acknowledged": acknowledged,
        "paused": np.where(status == OH, paused_at, nan),
        "resolved": np.where(done, res_at, nan), "closed": np.where(status == CL, close_at, nan),
    }
    suburbs = [(w.suburbs.splitlines() or [w.name])[0] for w in wards]
    lookups = {
        "municipality": dmo.pk, "category_ids": [c.pk for c in cats],
        "priorities": [c.priority for c in cats], "public": [c.public for c in cats],
        "ward_ids": [w.pk for w in wards], "department_ids": [d.pk for d in departments],
        "channels": list(demo.CHANNELS), "statuses": list(STATUSES),
        "descriptions": [demo.profile_for(c.code).descriptions[0].format(
            suburb=s, street="Main Road", number=12) for c in cats for s in suburbs],
        "wards": len(wards), "suburbs": suburbs,
        "counters": {f"{p:04d}": int(number[e - 1]) for p, e in
                     zip(period[starts], np.r_[starts[1:], n], strict=True)},
    }
    return columns, lookups


def copy_staging(conn, columns: dict) -> None:
    n = len(columns["seq"])
    parts = [("fields", ">i2")]
    for name, _pg, kind in STAGING:
        parts += [(f"{name}_len", ">i4"), (name, kind)]
    rows = np.empty(n, dtype=np.dtype(parts))
    rows["fields"] = len(STAGING)
    for name, _pg, kind in STAGING:
        rows[f"{name}_len"] = np.dtype(kind).itemsize
        rows[name] = columns[name]
    payload = b"PGCOPY\n\xff\r\n\x00" + bytes(8) + rows.tobytes() + b"\xff\xff"
    conn.execute("DROP TABLE IF EXISTS bench_staging")
    conn.execute("CREATE UNLOGGED TABLE bench_staging (" + ", ".join(
        f"{name} {pg} NOT NULL" for name, pg, _ in STAGING) + ")")
    with conn.cursor() as cur, cur.copy("COPY bench_staging FROM STDIN (FORMAT BINARY)") as cp:
        cp.write(payload)


def insert_sql(lookups: dict) -> tuple[str, dict]:
    """INSERT INTO cases_case ... SELECT from the staging table, one column per model field;
    a field this script does not know gets its model default."""
    from django.db import connection

    from imbizo.cases.models import Case

    def stamp(column: str) -> str:
        return f"CASE WHEN s.{column} = 'NaN' THEN NULL ELSE to_timestamp(s.{column}) END"

    known = {
        "uuid": "md5('imbizo-bench-' || s.seq)::uuid", "created": "to_timestamp(s.created)",
        "updated": "to_timestamp(s.updated)", "municipality_id": "%(municipality)s",
        "reference": "'DMO-' || lpad(s.period::text, 4, '0') || '-' "
                     "|| lpad(s.number::text, greatest(4, length(s.number::text)), '0') "
                     "|| '-' || s.check_digit",  # lpad alone cuts 10000 to 1000
        "category_id": "(%(category_ids)s::bigint[])[s.category + 1]",
        "description": "(%(descriptions)s::text[])[s.category * %(wards)s + s.ward + 1]",
        "extra": "'{}'::jsonb", "latitude": "s.latitude", "longitude": "s.longitude",
        "address": "'12 Main Road, ' || (%(suburbs)s::text[])[s.ward + 1]",
        "ward_id": "(%(ward_ids)s::bigint[])[s.ward + 1]", "reporter_id": "NULL",
        "contact_name": "''", "contact_phone": "''", "contact_email": "''",
        "channel": "(%(channels)s::text[])[s.channel + 1]",
        "priority": "(%(priorities)s::text[])[s.category + 1]",
        "status": "(%(statuses)s::text[])[s.status + 1]",
        "department_id": "(%(department_ids)s::bigint[])[s.department + 1]",
        "team_id": "NULL", "assignee_id": "NULL", "version": "s.version",
        "public": "(%(public)s::boolean[])[s.category + 1]",
        "ack_due": "to_timestamp(s.ack_due)", "resolve_due": "to_timestamp(s.resolve_due)",
        "acknowledged": stamp("acknowledged"), "paused": stamp("paused"),
        "resolved": stamp("resolved"), "closed": stamp("closed"),
        "ack_breached": "s.ack_breached", "resolve_breached": "s.resolve_breached",
        "escalation_level": "s.escalation", "affected_count": "s.affected",
        "merged_into_id": "NULL",
        "rejection_reason": f"CASE WHEN s.status = {RJ} THEN 'duplicate' ELSE '' END",
        "rating": "NULLIF(s.rating, 0)", "feedback": "''", "idempotency_key": "NULL",
    }
    params = {k: v for k, v in lookups.items() if k != "counters"}
    names, values = [], []
    for field in Case._meta.concrete_fields:
        if field.primary_key:
            continue
        names.append(connection.ops.quote_name(field.column))
        if field.column in known:
            values.append(known[field.column])
        elif field.has_default() or field.null:
            params[f"default_{field.column}"] = field.get_db_prep_save(
                field.get_default(), connection)
            values.append(f"%(default_{field.column})s")
        else:
            raise RuntimeError(f"cases_case.{field.column} is new to bench/cases.py: give it a "
                               "value in insert_sql()")
    sql = (f"INSERT INTO cases_case ({', '.join(names)}) SELECT {', '.join(values)} "
           "FROM bench_staging s ORDER BY s.seq")
    return sql, params


def fill_million(n: int) -> dict:
    import psycopg
    from django.utils import timezone

    from imbizo.cases.models import Case, ReferenceCounter
    from imbizo.cases.reference import reference_parse
    from imbizo.geo.models import Municipality

    phases = {}
    mark = time.perf_counter()
    columns, lookups = million_arrays(n, SEED, timezone.now())
    phases["generate"] = time.perf_counter() - mark
    sql, params = insert_sql(lookups)
    with psycopg.connect(f"{PG_DSN} dbname={PG_DB}", autocommit=True) as conn:
        mark = time.perf_counter()
        copy_staging(conn, columns)
        phases["copy"] = time.perf_counter() - mark
        mark = time.perf_counter()
        with conn.transaction():
            conn.execute("SET LOCAL synchronous_commit = off")
            conn.execute(sql, params)
        phases["insert"] = time.perf_counter() - mark
        conn.execute("DROP TABLE bench_staging")
        mark = time.perf_counter()
        conn.execute("VACUUM ANALYZE cases_case")
        phases["analyze"] = time.perf_counter() - mark
        size = conn.execute("SELECT pg_size_pretty(pg_total_relation_size('cases_case'))") \
            .fetchone()[0]
    dmo = Municipality.objects.get(code="DMO")
    for period, last in lookups["counters"].items():
        ReferenceCounter.objects.update_or_create(municipality=dmo, period=period,
                                                  defaults={"last": last})
    sample = Case.objects.order_by("?").values_list("reference", flat=True)[:200]
    assert all(reference_parse(r) == r for r in sample), "bad reference in the bulk rows"
    statuses = dict(zip(*np.unique(np.array(STATUSES)[columns["status"]], return_counts=True),
                        strict=True))
    return {"phases": phases, "size": size, "total": Case.objects.count(),
            "statuses": {k: int(v) for k, v in statuses.items()},
            "open_overdue": int(np.sum(np.isin(columns["status"], (A, IP, OH))
                                       & (columns["resolve_due"] < time.time())))}


# --- b) the queue -----------------------------------------------------------------------------
def queue_filters() -> list[tuple[str, dict, int, str]]:
    """(label, CaseFilters arguments, rows to skip with the cursor, actor)."""
    from django.utils import timezone

    from imbizo.cases.models import OPEN_STATUSES

    now = timezone.now()
    return [
        ("no filter", {}, 0, "key"),
        ("status=assigned", {"status": ["assigned"]}, 0, "key"),
        ("department=water, status open", {"department": "water",
                                           "status": [str(s) for s in OPEN_STATUSES]}, 0, "key"),
        ("ward=29901003 (town)", {"ward": "29901003"}, 0, "key"),
        ("ward=29901030 (rural)", {"ward": "29901030"}, 0, "key"),
        ("category=pothole", {"category": "pothole"}, 0, "key"),
        ("category=fire (rare)", {"category": "fire"}, 0, "key"),
        ("overdue=true", {"overdue": True}, 0, "key"),
        ("created: one month, 2-3 months ago", {"created_from": now - dt.timedelta(days=90),
                                                "created_to": now - dt.timedelta(days=60)},
         0, "key"),
        ("cursor 10,000 rows deep", {}, 10_000, "key"),
        ("cursor 500,000 rows deep", {}, 500_000, "key"),
        ("no filter, water supervisor (department scope)", {}, 0, "supervisor"),
    ]


def index_columns() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases_case'")
        return {name: re.sub(r" WHERE .*", " WHERE status is open" if "'reopened'" in definition
                             else " WHERE …", re.sub(r"^.*USING \w+ ", "", definition))
                for name, definition in cur}


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cur.fetchall()]


def plan_summary(plan: list[str], indexes: dict[str, str]) -> dict:
    """The cases_case indexes the plan uses, how many of its rows it read (kept and
    filtered out), whether it scans or sorts the table, and the server's time."""
    used, read, scanning = [], 0, False
    for line in plan:
        for name in re.findall(r"Index (?:Only )?Scan (?:Backward )?using (\S+) on cases_case\b"
                               r"|Bitmap Index Scan on (\S+)", line):
            name = next(n for n in name if n) if isinstance(name, tuple) else name
            if name in indexes and not name.endswith("_pkey") and \
                    f"`{indexes[name]}`" not in used:
                used.append(f"`{indexes[name]}`")
        node = re.search(r"(?:Scan|Bitmap Heap Scan).* on cases_case(?: cases_case)?"
                         r" +\(.*actual time=[\d.]+\.\.[\d.]+ rows=(\d+) loops=(\d+)", line)
        if node and not re.search(r"on cases_case t\d", line):
            read += int(node.group(1)) * int(node.group(2))
            scanning = True
        elif "->" in line:
            scanning = False
        elif scanning and (removed := re.search(r"Rows Removed by (?:Filter|Index Recheck): "
                                                r"(\d+)", line)):
            read += int(removed.group(1))
    text = "\n".join(plan)
    sort = ("incremental sort" if "Incremental Sort" in text else
            "top-N sort" if "top-N heapsort" in text else
            "sort on disk" if "external" in text else "sort" if "Sort Method" in text else "")
    execution = re.search(r"Execution Time: ([\d.]+) ms", text)
    planning = re.search(r"Planning Time: ([\d.]+) ms", text)
    return {"indexes": used, "rows_read": read, "sort": sort,
            "seq_scan": bool(re.search(r"Seq Scan on cases_case(?! t\d)", text)),
            "execution_ms": float(execution.group(1)) if execution else None,
            "planning_ms": float(planning.group(1)) if planning else None}


def page_once(actor, filters, cursor: str | None) -> tuple[str, object]:
    """One page of the queue as `GET /api/v1/cases` builds it (imbizo/cases/api.py)."""
    from imbizo.cases.api import CaseOut, CasePageOut
    from imbizo.cases.selectors import case_filter, case_list, case_page

    qs = case_filter(case_list(actor=actor).select_related("merged_into"), filters)
    page = case_page(qs, cursor=cursor, limit=50)
    body = {"items": [CaseOut.from_case(c) for c in page.items], "next_cursor": page.next_cursor}
    return CasePageOut.model_validate(body).model_dump_json(), page


def queue_bench(key: str, runs: int) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from imbizo.accounts.permissions import staff_actor
    from imbizo.api.keys import api_key_actor
    from imbizo.cases.models import Case
    from imbizo.cases.selectors import CaseFilters, _cursor_encode, case_filter, case_list

    actors = {"key": api_key_actor(key),
              "supervisor": staff_actor(get_user_model().objects.get(username="demo-supervisor"))}
    indexes = index_columns()
    results = []
    for label, arguments, depth, who in queue_filters():
        actor, filters = actors[who], CaseFilters(**arguments)
        cursor = None
        if depth:
            qs = case_filter(case_list(actor=actor), filters).order_by("-created", "-pk")
            found = list(qs.values_list("created", "pk")[depth - 1:depth])
            if not found:
                continue  # a smaller run than the default
            cursor = _cursor_encode(Case(created=found[0][0], pk=found[0][1]))
        page_once(actor, filters, cursor)
        page_once(actor, filters, cursor)
        times = []
        for _ in range(runs):
            mark = time.perf_counter()
            page_once(actor, filters, cursor)
            times.append((time.perf_counter() - mark) * 1000)
        with CaptureQueriesContext(connection) as captured:
            _json, page = page_once(actor, filters, cursor)
        sql = [q["sql"] for q in captured.captured_queries if 'FROM "cases_case"' in q["sql"]]
        plan = explain(sql[-1])
        results.append({"label": label, "median_ms": statistics.median(times),
                        "max_ms": max(times), "rows": len(page.items),
                        "queries": len(captured.captured_queries), "sql": sql[-1],
                        "plan": plan, **plan_summary(plan, indexes)})
        say(f"   {label}: {results[-1]['median_ms']:.1f} ms ({results[-1]['rows']} rows)")
    return results


# --- report -----------------------------------------------------------------------------------
def machine() -> dict:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {"nproc": os.cpu_count(), "cpu": model, "mem_gib": mem_kb / 2**20,
            "load": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
            "kernel": platform.release()}


def versions(pg: str) -> dict:
    from importlib.metadata import version

    return {"python": platform.python_version(), "django": version("django"),
            "psycopg": version("psycopg"), "granian": version("granian"),
            "numpy": np.__version__, "postgresql": pg}


def creation_ok(a: dict) -> bool:
    c = a["check"]
    return (a["load"]["errors"] == 0 and a["warmup"]["errors"] == 0
            and c["new_cases"] == a["ok_total"] and c["references_match"]
            and c["with_first_checkpoint"] == c["new_cases"] and c["audit_ok"])


def render(r: dict, args: argparse.Namespace) -> str:
    m, v = r["machine"], r["versions"]
    lines = [
        START,
        "## Cases: creation over the API, and the queue (`bench/cases.py`)",
        "",
        f"Measured {r['date']} with `.venv/bin/python bench/cases.py` ({r['runtime']:.0f} s "
        f"in all) on {m['nproc']} cores ({m['cpu']}, {m['mem_gib']:.0f} GiB RAM, Linux "
        f"{m['kernel']}; load average {m['load']} when it started, {r['load_end']} when it "
        f"ended; {r['busy']:.2f} cores busy over the 3 s before it started). Python "
        f"{v['python']}, Django {v['django']}, psycopg {v['psycopg']}, granian {v['granian']}, "
        f"numpy {v['numpy']}, PostgreSQL {v['postgresql']}.",
        "",
        "### Method",
        f"- Creation: a fresh database (PostgreSQL `{PG_DB}`, dropped and recreated; SQLite "
        f"under `{WORK}`), migrated, with the demo (`demo_seed(cases={args.seed_cases})`) and "
        "an API key (`api_key_create`, role supervisor). `imbizo serve --no-worker` "
        f"(granian WSGI, {WEB_WORKERS} workers x {WEB_THREADS} blocking threads, DEBUG off) "
        f"on {HOST}:{PORT}; {args.clients} client threads in one process (`http.client`, one "
        f"keep-alive connection each) send {args.warmup} warm-up and then {args.requests:,} "
        "timed `POST /api/v1/cases` with `X-API-Key` and `{\"category\": \"pothole\", "
        "\"description\": ..., \"latitude\": ..., \"longitude\": ...}` at points inside DMO's "
        "wards (seeded); each goes through `case_log` (ward look-up, routing, reference, "
        "history row, audit row, the first SLA checkpoint as a task) and answers the case's "
        "detail. Rate = 201 answers / wall time of the timed run; latencies are per request "
        "as the client saw them. The clients share the 2 cores with the server and the "
        "database. Checked afterwards in the database: one new case per 201 (the references "
        "answered are exactly those stored), each with exactly one `sla_checkpoint` task in "
        "`django_tasks_db`, its first checkpoint at the right time in the chain of its "
        "deadline (each checkpoint schedules the next), one `case.log` audit entry each, and "
        "`audit_verify()` over the whole chain.",
        f"- Queue: {args.queue_cases:,} more cases in the PostgreSQL database, drawn with "
        "numpy from the demo history's model (seasons, hours, wards, channels, service "
        "levels met by department, holds, rejections, ratings; lives in calendar time), "
        "numbered on from each month's reference counter (valid check digits), binary "
        "`COPY` into a staging table and one `INSERT ... SELECT` into `cases_case`, then "
        "`VACUUM ANALYZE`. Each filter below is one 50-row page as `GET /api/v1/cases` "
        "builds it, in process: `case_filter(case_list(actor=...), CaseFilters(...))`, "
        "`case_page(...)`, `CaseOut.from_case` per row and the `CasePageOut` schema "
        f"(validation and JSON); median of {args.runs} runs after 2 warm-up runs; the actor "
        "is the benchmark's API key (supervisor, all of DMO) unless said. `EXPLAIN (ANALYZE, "
        "BUFFERS)` of the page's query, as captured, shows the index used.",
        "",
        "### Results: creation",
        "",
        "| database | cases/s | p50 | p95 | p99 | errors | new cases = 201s | first SLA task "
        "| audit chain |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for backend, a in r["creation"].items():
        load, c = a["load"], a["check"]
        lines.append(
            f"| {backend} | **{load['rate']:,.0f}** | {load['p50_ms']:.0f} ms "
            f"| {load['p95_ms']:.0f} ms | {load['p99_ms']:.0f} ms "
            f"| {load['errors'] + a['warmup']['errors']} "
            f"| {c['new_cases']:,} = {a['ok_total']:,} "
            f"{'(references match)' if c['references_match'] else '(references DIFFER)'} "
            f"| {c['with_first_checkpoint']:,} of {c['new_cases']:,} "
            f"| {'verifies' if c['audit_ok'] else 'BROKEN: ' + c['audit_reason']} "
            f"({c['audit_checked']:,} entries) |")
    lines += ["", "Where one request's time goes: the same POST in process (Django's test "
              "client, one thread, no HTTP, no concurrency), mean of 200, after the checks "
              "above (so on a few thousand cases):", "",
              "| part of `create_case` | " + " | ".join(r["creation"]) + " |",
              "|---|" + "---|" * len(r["creation"])]
    labels = list(next(iter(r["creation"].values()))["breakdown"])
    for label in labels[-1:] + labels[:-1]:
        lines.append(f"| {label.replace('  ', '&nbsp;&nbsp;')} | " + " | ".join(
            f"{a['breakdown'].get(label, 0):.2f} ms" for a in r["creation"].values()) + " |")
    lines.append("")
    for backend, a in r["creation"].items():
        p = a["prepared"]
        lines.append(f"Set-up on {backend}: migrate {p['migrate_s']:.1f} s, demo with "
                     f"{p['seed_cases']:,} cases {p['seed_s']:.1f} s. ")
    if r.get("queue"):
        q = r["queue"]
        ph = q["fill"]["phases"]
        lines += [
            "",
            "### Results: the queue over a million cases",
            "",
            f"{q['fill']['total']:,} cases in `cases_case` ({q['fill']['size']} with its "
            f"indexes); the bulk rows: {ph['generate']:.0f} s to draw, COPY "
            f"{ph['copy']:.1f} s, INSERT {ph['insert']:.0f} s, VACUUM ANALYZE "
            f"{ph['analyze']:.0f} s. Statuses: " + ", ".join(
                f"{k} {v:,}" for k, v in sorted(q["fill"]["statuses"].items(),
                                                key=lambda kv: -kv[1]))
            + f"; {q['fill']['open_overdue']:,} open and overdue.",
            "",
            "| filter | median | max | its SQL: planning + execution (EXPLAIN ANALYZE) "
            "| cases_case index used | cases_case rows read | |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in q["filters"]:
            how = ", ".join(row["indexes"]) or "no index"
            if row["seq_scan"]:
                how += ", **sequential scan**"
            if row["sort"]:
                how += f", {row['sort']}"
            lines.append(f"| {row['label']} | {row['median_ms']:.1f} ms | {row['max_ms']:.1f} ms "
                         f"| {row['planning_ms']:.1f} + {row['execution_ms']:.1f} ms | {how} "
                         f"| {row['rows_read']:,} | {verdict(row['median_ms'] <= GOAL_MS)} |")
        rows = q["filters"]
        plan = statistics.median(x["planning_ms"] for x in rows)
        run = statistics.median(x["execution_ms"] for x in rows)
        whole = statistics.median(x["median_ms"] for x in rows)
        joined = re.findall(r'JOIN "(\w+)"', rows[0]["sql"])
        lines += ["", f"Medians over the filters: a page takes {whole:.1f} ms in process, of which "
                  f"PostgreSQL spends {plan:.1f} ms planning the page's query (`cases_case` "
                  f"joined with {len(joined)} tables: {', '.join(f'`{t}`' for t in joined)}) "
                  f"and {run:.1f} ms running it; the rest is Python (the rows' model "
                  "instances, `CaseOut`, the schema). EXPLAIN plans the SQL afresh; the "
                  "server's connections prepare a statement they have run twice, so the "
                  "same page again skips most of that planning."]
    lines += ["", "### Goals", "", "| goal | measured | |", "|---|---|---|"]
    pg = r["creation"].get("postgres")
    if pg:
        lines.append(f"| at least {GOAL_RATE} cases/s through the API on PostgreSQL, routing and "
                     f"SLA scheduling included | {pg['load']['rate']:,.0f}/s "
                     f"| {verdict(pg['load']['rate'] >= GOAL_RATE)} |")
    for backend, a in r["creation"].items():
        lines.append(f"| {backend}: no errors; every 201 stored once with its SLA tasks; "
                     f"audit chain whole | {a['load']['errors']} errors; "
                     f"{a['check']['new_cases']:,} stored for {a['ok_total']:,} 201s "
                     f"| {verdict(creation_ok(a))} |")
    if r.get("queue"):
        rows = r["queue"]["filters"]
        slow = [x["label"] for x in rows if x["median_ms"] > GOAL_MS]
        lines.append(f"| every queue page within {GOAL_MS} ms over a million cases "
                     f"| {max(x['median_ms'] for x in rows):.1f} ms at worst"
                     f"{' (' + '; '.join(slow) + ')' if slow else ''} "
                     f"| {verdict(not slow)} |")
    lines.append(END)
    return "\n".join(lines) + "\n"


def write_doc(section: str) -> None:
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section.rstrip("\n") + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=3000, help="timed POSTs per database")
    parser.add_argument("--warmup", type=int, default=60, help="untimed POSTs first")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads")
    parser.add_argument("--points", type=int, default=500, help="distinct points posted")
    parser.add_argument("--seed-cases", type=int, default=1000,
                        help="case history of the demo before the run")
    parser.add_argument("--queue-cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9, help="timed runs per queue filter")
    parser.add_argument("--no-sqlite", action="store_true", help="creation on PostgreSQL only")
    parser.add_argument("--no-queue", action="store_true", help="skip the million-case queue")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/performance.md")
    parser.add_argument("--child-prepare", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--child-verify", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--child-breakdown", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_prepare:
        backend, seed_cases, points = args.child_prepare
        child_prepare(backend, int(seed_cases), int(points))
        return 0
    if args.child_breakdown:
        child_breakdown(args.child_breakdown[0], int(args.child_breakdown[1]))
        return 0
    if args.child_verify:
        backend, before, references = args.child_verify
        child_verify(backend, json.loads(before), json.loads(Path(references).read_text()))
        return 0

    began = time.perf_counter()
    problems = check_prerequisites()
    if problems:
        say("Cannot run the benchmark:\n  - " + "\n  - ".join(problems))
        return 2
    busy = busy_cores()
    if busy > 0.2:
        say(f"warning: the machine is busy ({busy:.1f} cores in use before the benchmark "
            "starts); its figures will be low and noisy. Run it on an idle machine.")
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    r: dict = {"date": dt.date.today().isoformat(), "machine": machine(), "busy": busy,
               "creation": {}}
    r["versions"] = versions(postgres_recreate())
    key, r["creation"]["postgres"] = creation("postgres", args)
    if not args.no_sqlite:
        _key, r["creation"]["sqlite"] = creation("sqlite", args)
    if not args.no_queue:
        django_setup("postgres")
        say(f"b) writing {args.queue_cases:,} cases into PostgreSQL")
        fill = fill_million(args.queue_cases)
        say("b) timing the queue")
        r["queue"] = {"fill": fill, "filters": queue_bench(key, args.runs)}
    r["runtime"] = time.perf_counter() - began
    r["load_end"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    (WORK / "results.json").write_text(json.dumps(r, indent=1, default=str))
    section = render(r, args)
    print(section)
    for row in r.get("queue", {}).get("filters", []):
        print(f"\n-- {row['label']}\n" + "\n".join(row["plan"]))
    if not args.no_doc:
        write_doc(section)
        say(f"wrote {DOC.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
