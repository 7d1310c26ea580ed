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
import datetime as dt
import functools
import http.client
import itertools
import json
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
from _common import cpu_between, cpu_seconds, named, points_inside, process_tree, say
from _harness import begin_run, django_setup, load_average, machine, run_child, versions, write_doc
from _postgres import connect, recreate_database, unreachable
from _server import HOST, port_taken, serving
from cases_config import PG_DB, PORT, SEED, WEB_THREADS, WEB_WORKERS, WORK, bench_env
from cases_million import fill_million
from cases_queue import queue_bench
from cases_report import END, START, render


def check_prerequisites() -> list[str]:
    import psycopg

    problems = []
    try:
        with connect(connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        problems.append(unreachable(exc))
    return problems + port_taken(PORT)


# --- a) in a child process per database: set-up and checks -----------------------------------
def child_prepare(backend: str, seed_cases: int, points: int) -> None:
    """Migrate, load the demo, make the API key and the points; print them as JSON."""
    django_setup(bench_env(backend))
    from django.core.management import call_command

    from imbizo.api.keys import api_key_create
    from imbizo.core.permissions import system_actor
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
    xs, ys = points_inside(geoms, rng.integers(len(geoms), size=n), rng)
    return np.round(ys, 6).tolist(), np.round(xs, 6).tolist()


def snapshot() -> dict:
    from imbizo.audit.models import AuditEntry
    from imbizo.cases.models import Case

    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    return {"max_pk": Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
            "cases": Case.objects.count(), "audit_seq": last or 0}


def child_verify(backend: str, before: dict, references: list[str]) -> None:
    """What the load left in the database, as JSON."""
    django_setup(bench_env(backend))
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


# --- a) the server and the clients ------------------------------------------------------------
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
    child = functools.partial(run_child, __file__, bench_env(backend), timeout=900)
    prepared = child("--child-prepare", backend, str(args.seed_cases), str(args.points))
    with serving(bench_env(backend), PORT, WEB_WORKERS, WEB_THREADS,
                 WORK / f"server-{backend}.log") as server:
        say(f"a) {backend}: {args.warmup} warm-up and {args.requests} timed POST /api/v1/cases "
            f"from {args.clients} clients")
        warm = post_cases(prepared["key"], prepared["points"], args.warmup, args.clients)
        web, database = process_tree(server), named("postgres") if backend == "postgres" else []
        before = cpu_seconds(web), cpu_seconds(database), {0: sum(os.times()[:2])}
        load = post_cases(prepared["key"], prepared["points"], args.requests, args.clients,
                          offset=args.warmup)
        after = cpu_seconds(web), cpu_seconds(database), {0: sum(os.times()[:2])}
        load["cpu_ms"] = {part: cpu_between(a, b) * 1000 / max(load["ok"], 1) for part, a, b
                          in zip(("web", "database", "clients"), before, after, strict=True)}
    say(f"a) {backend}: {load['rate']:.0f} cases/s; checking the database")
    references = warm.pop("references") + load.pop("references")
    reference_file = WORK / f"references-{backend}.json"
    reference_file.write_text(json.dumps(references))
    checked = child("--child-verify", backend, json.dumps(prepared["before"]),
                    str(reference_file))
    say(f"a) {backend}: where one request's time goes (in process, one thread)")
    breakdown = child("--child-breakdown", backend, "200")
    return prepared["key"], {
        "prepared": {k: v for k, v in prepared.items() if k not in ("key", "points")},
        "warmup": warm, "load": load, "ok_total": warm["ok"] + load["ok"], "check": checked,
        "breakdown": breakdown}


# --- a) where one request's time goes ----------------------------------------------------------
def child_breakdown(backend: str, requests: int) -> None:
    """POST /api/v1/cases in process (Django's test client, one thread), timing the parts of
    `create_case` by wrapping the functions it calls; print the mean ms of each as JSON."""
    django_setup(bench_env(backend))
    from django.test import Client

    from imbizo.api import cases as api
    from imbizo.api.keys import api_key_create
    from imbizo.cases import services
    from imbizo.core.permissions import system_actor
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
            (services, "_place", "  place: ward index and the ward (memo)"),
            (services, "_category", "  category (memo)"),
            (services, "route_case", "  routing (rules from the memo)"),
            (services, "reference_issue", "  reference (in its own transaction)"),
            (services, "audit_record", "  audit entry"),
            (services, "sla_schedule", "  first SLA checkpoint as a task")):
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
    busy = begin_run(check_prerequisites(), WORK)
    if busy is None:
        return 2
    r: dict = {"date": dt.date.today().isoformat(), "machine": machine(), "busy": busy,
               "creation": {}}
    r["versions"] = versions(postgresql=recreate_database(PG_DB))
    key, r["creation"]["postgres"] = creation("postgres", args)
    if not args.no_sqlite:
        _key, r["creation"]["sqlite"] = creation("sqlite", args)
    if not args.no_queue:
        django_setup(bench_env("postgres"))
        say(f"b) writing {args.queue_cases:,} cases into PostgreSQL")
        fill = fill_million(args.queue_cases)
        say("b) timing the queue")
        r["queue"] = {"fill": fill, "filters": queue_bench(key, args.runs)}
    r["runtime"] = time.perf_counter() - began
    r["load_end"] = load_average()
    (WORK / "results.json").write_text(json.dumps(r, indent=1, default=str))
    section = render(r, args)
    print(section)
    for row in r.get("queue", {}).get("filters", []):
        print(f"\n-- {row['label']}\n" + "\n".join(row["plan"]))
    if not args.no_doc:
        write_doc(section, START, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
