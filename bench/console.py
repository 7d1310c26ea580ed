"""Staff console over a million cases: the queue page and the case page against the JSON list.

    .venv/bin/python bench/console.py             # about 8 minutes (4 to fill the table)

Issue #14: with 1,000,000 cases in PostgreSQL, the staff queue page and the case page
render in at most 100 ms of server time, and at at least 70% of the rate at which the
same server answers the bare JSON list of the same 50 rows.

- A fresh PostgreSQL database (imbizo_bench_console on 127.0.0.1:5432, dropped and
  recreated), migrated, with the demo municipality (`demo_seed`, a small case history and
  its staff) and --cases more cases written by `cases_million.fill_million` (numpy,
  binary COPY, one INSERT ... SELECT, VACUUM ANALYZE).
- The staff member is the demo's `demo-supervisor` (supervisor of the water department,
  with a confirmed TOTP device). A child process makes a session that passed both factors
  (django.contrib.auth's login plus django-otp's device key, and the console's own marks)
  and hands its `sessionid` cookie to the load generator (bench/_load.py).
- `imbizo serve --no-worker` (granian, the cases benchmark's workers x threads, DEBUG
  off) on 127.0.0.1:8773. Each page is loaded for --seconds from 1 connection (its
  latency is then the server's time, with no queueing) and from --clients connections
  (its rate): the queue page `/console/cases` unfiltered and with filters, the JSON list
  `GET /api/v1/cases?limit=50` with the same filters as the same session (the API takes
  the console's session: imbizo/api/auth.py StaffSessionAuth), the case page
  `/console/cases/<reference>` over a spread of references, and `/api/v1/health`.
- In a child process, afterwards: each page through Django's test client with
  CaptureQueriesContext (queries and their time), and EXPLAIN (ANALYZE, BUFFERS) of the
  queue's and the list's main query.

Prints a table and rewrites its section of docs/performance.md (--no-doc to skip).
Every connection it makes goes to 127.0.0.1.
"""

import argparse
import datetime as dt
import http.client
import itertools
import json
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import _load
from _common import cpu_between, cpu_seconds, process_tree, say, verdict
from _harness import (
    begin_run,
    django_env,
    django_setup,
    load_average,
    machine,
    measured_on,
    run_child,
    versions,
    write_doc,
)
from _postgres import problems as postgres_problems
from _postgres import recreate_database
from _server import HOST, port_taken, serving
from cases_config import WEB_THREADS, WEB_WORKERS

WORK = Path("/tmp/imbizo-bench-console")
PG_DB = "imbizo_bench_console"
PORT = 8773
START, END = "<!-- console:start -->", "<!-- console:end -->"
STAFF = "demo-supervisor"
GOAL_MS, GOAL_RATIO = 100, 0.70
# (label, the console's query, the API's filters); "open" is every open status to the API.
FILTERS = [
    ("no filter", {}, {}),
    ("status=open", {"status": "open"}, {"status": "open"}),
    ("status=open, department=water", {"status": "open", "department": "water"},
     {"status": "open", "department": "water"}),
]
CASE_REFERENCES = 200  # a spread of case pages, a quarter of them with a history


def bench_env() -> dict[str, str]:
    env = django_env(f"postgres://postgres@127.0.0.1:5432/{PG_DB}", WORK)
    env.pop("DEBUG", None)
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    return env


def check_prerequisites() -> list[str]:
    return postgres_problems() + port_taken(PORT)


# --- children ----------------------------------------------------------------------------------
def child_prepare(seed_cases: int, cases: int) -> None:
    """Migrate, load the demo and write `cases` more cases; print what was done as JSON."""
    django_setup(bench_env())
    import cases_million
    from django.core.management import call_command

    from imbizo.demo.seed import demo_seed

    cases_million.PG_DB = PG_DB  # its COPY connects by name; this benchmark's database
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    report = demo_seed(cases=seed_cases)
    seeded = time.perf_counter()
    fill = cases_million.fill_million(cases) if cases else {}
    print(json.dumps({"migrate_s": migrated - started, "seed_s": seeded - migrated,
                      "seed_cases": report.cases, "fill": fill,
                      "fill_s": time.perf_counter() - seeded}))


def _api_query(filters: dict, open_statuses: list[str]) -> list[tuple[str, str]]:
    pairs = [("limit", "50")]
    for key, value in filters.items():
        if key == "status" and value == "open":
            pairs += [("status", s) for s in open_statuses]
        else:
            pairs.append((key, value))
    return pairs


def child_session() -> None:
    """A two-factor session of the staff member, the pages to load and case references
    they may open (a spread: random ones, and some with a history); as JSON."""
    django_setup(bench_env())
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from imbizo.accounts.permissions import staff_actor
    from imbizo.cases.models import OPEN_STATUSES
    from imbizo.cases.selectors import case_list
    from imbizo.console.middleware import console_session_open

    user = get_user_model().objects.get(username=STAFF)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id

    class SignIn:  # what console_session_open reads from a request
        pass

    request = SignIn()
    request.session = session
    console_session_open(request)
    session.save()
    visible = case_list(actor=staff_actor(user))
    spread = list(visible.order_by("?").values_list("reference", flat=True)
                  [:CASE_REFERENCES * 3 // 4])
    spread += list(visible.filter(updates__isnull=False).distinct().order_by("?")
                   .values_list("reference", flat=True)[:CASE_REFERENCES - len(spread)])
    print(json.dumps({"cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
                      "session_key": session.session_key, "references": spread,
                      "pages": json.loads(child_session_pages()), "visible": visible.count(),
                      "visible_open": visible.filter(status__in=OPEN_STATUSES).count()}))


def _in_process(client, path: str, runs: int) -> dict:
    """One GET through Django (no HTTP): its queries, their time, and its median time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        assert client.get(path).status_code == 200, path
    times = []
    for _ in range(runs):
        mark = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - mark) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    queries = captured.captured_queries
    return {"median_ms": statistics.median(times), "queries": len(queries),
            "sql_ms": sum(float(q["time"]) for q in queries) * 1000,
            "main": next((q["sql"] for q in queries if 'FROM "cases_case"' in q["sql"]
                          and "LIMIT 51" in q["sql"]), None),
            "body": response.content.decode()}


def child_inspect(session_key: str, references: list[str], runs: int) -> None:
    """Each page in process: queries, SQL time, median time; EXPLAIN of the main query;
    and that the queue page and the JSON list show the same rows."""
    django_setup(bench_env())
    from cases_queue import explain, index_columns, plan_summary
    from django.conf import settings
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    indexes = index_columns()
    pages = json.loads(child_session_pages())
    out: dict = {"filters": [], "case": {}}
    for page in pages:
        row = {"label": page["label"]}
        for kind in ("console", "api"):
            got = _in_process(client, page[kind], runs)
            body = got.pop("body")
            refs = (re.findall(r'name="cases" value="([^"]+)"', body) if kind == "console"
                    else [i["reference"] for i in json.loads(body)["items"]])
            got["references"] = refs
            main = got.pop("main")
            if main:
                plan = explain(main)
                got.update(sql=main, plan=plan, **plan_summary(plan, indexes))
            row[kind] = got
        row["same_rows"] = row["console"]["references"] == row["api"]["references"]
        row["rows"] = len(row["console"]["references"])
        for kind in ("console", "api"):
            row[kind].pop("references")
        out["filters"].append(row)
        say(f"   {page['label']}: queue {row['console']['median_ms']:.1f} ms "
            f"({row['console']['queries']} queries), list {row['api']['median_ms']:.1f} ms "
            f"({row['api']['queries']} queries); same rows: {row['same_rows']}")
    sample = references[:: max(1, len(references) // 20)]
    pages_seen = [_in_process(client, f"/console/cases/{r}", max(1, runs // 3)) for r in sample]
    out["case"] = {"pages": len(sample),
                   "median_ms": statistics.median(p["median_ms"] for p in pages_seen),
                   "max_ms": max(p["median_ms"] for p in pages_seen),
                   "queries_min": min(p["queries"] for p in pages_seen),
                   "queries_max": max(p["queries"] for p in pages_seen),
                   "sql_ms": statistics.median(p["sql_ms"] for p in pages_seen)}
    out["empty"] = {}  # the same pages with no row: what a page costs before its rows
    for kind, path in (("console", "/console/cases?q=NOSUCHCASE"),
                       ("api", "/api/v1/cases?limit=50&created_from=2100-01-01T00:00:00Z")):
        got = _in_process(client, path, runs)
        out["empty"][kind] = {"median_ms": got["median_ms"], "queries": got["queries"]}
    health = _in_process(client, "/api/v1/health", runs)
    out["health"] = {"median_ms": health["median_ms"], "queries": health["queries"]}
    print(json.dumps(out))


def child_session_pages() -> str:
    from imbizo.cases.models import OPEN_STATUSES

    opens = [str(s) for s in OPEN_STATUSES]
    return json.dumps([{"label": label,
                        "console": "/console/cases" + (f"?{urlencode(q)}" if q else ""),
                        "api": "/api/v1/cases?" + urlencode(_api_query(a, opens))}
                       for label, q, a in FILTERS])


# --- the load ----------------------------------------------------------------------------------
def check_pages(cookie: str, session: dict) -> None:
    """Each page answers 200 with 50 rows to this session before it is timed (a redirect
    to the sign-in page would otherwise be timed as a success)."""
    conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
    for page in session["pages"]:
        for kind in ("console", "api"):
            conn.request("GET", page[kind], headers={"Cookie": cookie})
            answer = conn.getresponse()
            body = answer.read().decode()
            rows = (body.count('name="cases"') if kind == "console"
                    else len(json.loads(body).get("items", [])) if answer.status == 200 else 0)
            if answer.status != 200 or rows != 50:
                raise RuntimeError(f"{page[kind]}: {answer.status}, {rows} rows:\n{body[:500]}")
    conn.request("GET", f"/console/cases/{session['references'][0]}",
                 headers={"Cookie": cookie})
    answer = conn.getresponse()
    body = answer.read().decode()
    if answer.status != 200 or session["references"][0] not in body:
        raise RuntimeError(f"case page: {answer.status}:\n{body[:500]}")
    conn.close()


def measure(server: int, paths: list[str], headers: dict, clients: int,
            seconds: float) -> dict:
    """GET the paths in turn from `clients` connections for `seconds`; the load's figures
    and the web server's CPU per answered request."""
    counter = itertools.count()

    async def script(conn, going, tally):
        while going():
            await _load.timed(conn, tally, "GET", paths[next(counter) % len(paths)],
                              headers=headers)

    web = process_tree(server)
    before = cpu_seconds(web)
    result = _load.run(HOST, PORT, clients, seconds, script)
    used = cpu_between(before, cpu_seconds(web))
    result["web_cpu_ms"] = used * 1000 / max(result["requests"], 1)
    result["non_200"] = sum(n for s, n in result["statuses"].items() if s != 200)
    return result


def load_all(server: int, cookie: str, session: dict, args) -> dict:
    headers = {"Cookie": cookie}
    cases = [f"/console/cases/{r}" for r in session["references"]]
    runs: dict = {"filters": []}

    def both(label: str, paths: list[str], auth: bool = True) -> dict:
        got = {}
        for clients in (1, args.clients):
            say(f"   {label}, {clients} connection{'s' if clients > 1 else ''} ...")
            got[clients] = measure(server, paths, headers if auth else {}, clients,
                                   args.seconds)
        return {"one": got[1], "many": got[args.clients]}

    runs["health"] = both("/api/v1/health", ["/api/v1/health"], auth=False)
    for page in session["pages"]:
        runs["filters"].append({"label": page["label"], "console": page["console"],
                                "api": page["api"],
                                "queue": both(f"queue page, {page['label']}", [page["console"]]),
                                "list": both(f"JSON list, {page['label']}", [page["api"]])})
    runs["case"] = both(f"case page ({len(cases)} references in turn)", cases)
    return runs


# --- the report --------------------------------------------------------------------------------
def render(r: dict, args) -> str:
    v, s, p = r["versions"], r["session"], r["prepared"]
    fill, inspect, runs = p.get("fill") or {}, r["inspect"], r["runs"]
    n = args.clients

    def row(name: str, x: dict, ratio: str = "", goal: str = "") -> str:
        one, many = x["one"], x["many"]
        return (f"| {name} | {one['p50_ms']:.1f} | {one['p99_ms']:.1f} "
                f"| {many['per_second']:,.0f} | {many['p50_ms']:.0f} | {many['p99_ms']:.0f} "
                f"| {many['web_cpu_ms']:.1f} | {ratio} | {one['non_200'] + many['non_200']} "
                f"| {goal} |")

    lines = [
        START, "## Staff console over a million cases (`bench/console.py`)", "",
        f"Measured {r['date']} with `.venv/bin/python bench/console.py"
        f"{'' if args.cases == 1_000_000 else f' --cases {args.cases}'}` "
        f"({r['runtime']:.0f} s in all) {measured_on(r)}. Python {v['python']}, Django "
        f"{v['django']}, psycopg {v['psycopg']}, granian {v['granian']}, PostgreSQL "
        f"{v['postgresql']}.", "",
    ]
    if r["busy"] > 0.2:
        lines += ["**Taken on a busy machine** (other work was running on the same 2 cores): "
                  "rates are low and latencies noisy; rerun on an idle machine.", ""]
    lines += [
        "### Method",
        f"- A fresh database (`{PG_DB}`), the demo (`demo_seed(cases={args.seed_cases})`) and "
        f"{fill.get('total', 0):,} cases in all (`cases_million.fill_million`, "
        f"{fill.get('size', '?')} with its indexes). The staff member is `{STAFF}` "
        f"(supervisor, water department: {s['visible']:,} cases in scope, "
        f"{s['visible_open']:,} of them open), with a confirmed TOTP device; its session "
        "passed both factors (made in a child process) and its `sessionid` cookie is sent "
        "with every request.",
        f"- `imbizo serve --no-worker` (granian WSGI, {WEB_WORKERS} workers x {WEB_THREADS} "
        f"threads, DEBUG off) on {HOST}:{PORT}; the load generator `bench/_load.py` "
        f"(asyncio, keep-alive) GETs one page back to back for {args.seconds:.0f} s from 1 "
        f"connection (the latency is then the server's time: nothing queues) and from {n} "
        "connections (the rate). The JSON list is `GET /api/v1/cases?limit=50` with the "
        "same filters, as the same session (the API accepts a staff session: "
        "`StaffSessionAuth`); before timing, each page must answer 200 with 50 rows, and "
        "in process the queue page and the list show the same 50 references. The case page "
        f"cycles through {len(s['references'])} references in scope (a quarter with a "
        "history of updates; the bulk-written cases have none). Web CPU is the server's "
        "processes' user + system time per request over the run.", "",
        "### Results", "",
        f"| page | p50 ms, 1 conn | p99 ms, 1 conn | per second, {n} conns "
        f"| p50 ms, {n} conns | p99 ms, {n} conns | web CPU ms/request "
        "| rate ÷ JSON list | non-200 | goal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        row("`/api/v1/health` (bare, for reference)", runs["health"]),
    ]
    for f in runs["filters"]:
        ratio = f["queue"]["many"]["per_second"] / max(f["list"]["many"]["per_second"], 1e-9)
        f["ratio"] = ratio
        lines.append(row(f"JSON list, {f['label']}", f["list"]))
        lines.append(row(f"**queue page, {f['label']}**", f["queue"], f"**{ratio:.2f}**",
                         f"≤ {GOAL_MS} ms, ≥ {GOAL_RATIO:.2f}"))
    lines.append(row("**case page**", runs["case"], "", f"≤ {GOAL_MS} ms"))
    lines += ["", "In process (Django's test client, no HTTP, one thread), after the load: "
              "median time of a page, its queries and their time, and the plan of its main "
              "`cases_case` query (EXPLAIN ANALYZE, BUFFERS):", "",
              "| page | median ms | queries | SQL ms | main query: planning + execution "
              "| index | rows read |", "|---|---:|---:|---:|---|---|---:|"]
    for f in inspect["filters"]:
        for kind, name in (("console", "queue page"), ("api", "JSON list")):
            x = f[kind]
            how = ", ".join(x.get("indexes") or []) or "no index"
            if x.get("seq_scan"):
                how += ", **sequential scan**"
            if x.get("sort"):
                how += f", {x['sort']}"
            lines.append(f"| {name}, {f['label']} | {x['median_ms']:.1f} | {x['queries']} "
                         f"| {x['sql_ms']:.1f} | {x.get('planning_ms') or 0:.1f} + "
                         f"{x.get('execution_ms') or 0:.1f} ms | {how} "
                         f"| {x.get('rows_read', 0):,} |")
    c = inspect["case"]
    lines.append(f"| case page ({c['pages']} references) | {c['median_ms']:.1f} "
                 f"(worst {c['max_ms']:.1f}) | {c['queries_min']}-{c['queries_max']} "
                 f"| {c['sql_ms']:.1f} | | | |")
    lines.append(f"| `/api/v1/health` | {inspect['health']['median_ms']:.1f} "
                 f"| {inspect['health']['queries']} | | | | |")
    lines += ["", "### Goals", "", "| goal | measured | |", "|---|---|---|"]
    worst = max(max(f["queue"]["one"]["p50_ms"] for f in runs["filters"]),
                runs["case"]["one"]["p50_ms"])
    worst99 = max(max(f["queue"]["one"]["p99_ms"] for f in runs["filters"]),
                  runs["case"]["one"]["p99_ms"])
    low = min(f["ratio"] for f in runs["filters"])
    lines += [f"| queue page and case page in ≤ {GOAL_MS} ms of server time (1 connection, "
              f"p50) | {worst:.1f} ms at worst (p99 {worst99:.1f} ms) "
              f"| {verdict(worst <= GOAL_MS)} |",
              f"| queue page at ≥ {GOAL_RATIO:.0%} of the JSON list's rate, same rows, same "
              f"server, {n} connections | {low:.2f} at worst | {verdict(low >= GOAL_RATIO)} |",
              "", "### Where the time goes", "", where_time_goes(r), "", END, ""]
    return "\n".join(lines)


def where_time_goes(r: dict) -> str:
    """A note from the figures: in-process time split into SQL and Python, per page."""
    inspect, runs = r["inspect"], r["runs"]
    parts = []
    for f, g in zip(inspect["filters"], runs["filters"], strict=True):
        q, a = f["console"], f["api"]
        parts.append(
            f"{f['label']}: the queue page takes {q['median_ms']:.1f} ms in process "
            f"({q['queries']} queries, {q['sql_ms']:.1f} ms of SQL, the main query "
            f"{q.get('execution_ms') or 0:.1f} ms to run), the list {a['median_ms']:.1f} ms "
            f"({a['queries']} queries, {a['sql_ms']:.1f} ms of SQL); over HTTP the queue "
            f"page costs {g['queue']['many']['web_cpu_ms']:.1f} ms of web CPU against "
            f"{g['list']['many']['web_cpu_ms']:.1f} for the list.")
    c = inspect["case"]
    parts.append(f"The case page: {c['median_ms']:.1f} ms in process ({c['queries_min']}-"
                 f"{c['queries_max']} queries, {c['sql_ms']:.1f} ms of SQL).")
    e = inspect["empty"]
    parts.append(f"The same pages with no rows (a reference that matches nothing) take "
                 f"{e['console']['median_ms']:.1f} ms ({e['console']['queries']} queries) for "
                 f"the queue and {e['api']['median_ms']:.1f} ms for the list: what a page "
                 "costs before its rows (middleware, session and OTP device, the actor, the "
                 "filter and assign forms and their choices, the page around the table). "
                 "What is not SQL is Python: the forms, the template and the middleware; "
                 "the list's Python is its schema.")
    return " ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="bulk cases written")
    parser.add_argument("--seed-cases", type=int, default=1000,
                        help="the demo's case history (with updates) before the bulk")
    parser.add_argument("--seconds", type=float, default=10, help="per load run")
    parser.add_argument("--clients", type=int, default=50, help="connections of the rate runs")
    parser.add_argument("--runs", type=int, default=9, help="in-process runs per page")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/performance.md")
    parser.add_argument("--child-prepare", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-session", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-inspect", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_prepare:
        child_prepare(*args.child_prepare)
        return 0
    if args.child_session:
        child_session()
        return 0
    if args.child_inspect:
        key, references, runs = args.child_inspect
        child_inspect(key, json.loads(Path(references).read_text()), int(runs))
        return 0

    began = time.perf_counter()
    busy = begin_run(check_prerequisites(), WORK)
    if busy is None:
        return 2
    r: dict = {"date": dt.date.today().isoformat(), "machine": machine(), "busy": busy}
    r["versions"] = versions(postgresql=recreate_database(PG_DB))
    env = bench_env()
    say(f"migrate, demo ({args.seed_cases} cases), {args.cases:,} bulk cases")
    r["prepared"] = run_child(__file__, env, "--child-prepare", str(args.seed_cases),
                              str(args.cases), timeout=3600)
    say("a two-factor session for " + STAFF)
    r["session"] = session = run_child(__file__, env, "--child-session", timeout=300)
    with serving(env, PORT, WEB_WORKERS, WEB_THREADS, WORK / "server.log") as server:
        check_pages(session["cookie"], session)
        r["runs"] = load_all(server, session["cookie"], session, args)
    say("in process: queries, their time, EXPLAIN")
    references = WORK / "references.json"
    references.write_text(json.dumps(session["references"]))
    r["inspect"] = run_child(__file__, env, "--child-inspect", session["session_key"],
                             str(references), str(args.runs), timeout=900)
    r["runtime"] = time.perf_counter() - began
    r["load_end"] = load_average()
    (WORK / "results.json").write_text(json.dumps(r, indent=1, default=str))
    section = render(r, args)
    print(section)
    for f in r["inspect"]["filters"]:
        for kind in ("console", "api"):
            if f[kind].get("plan"):
                print(f"\n-- {kind}, {f['label']}\n{f[kind]['sql']}\n" + "\n".join(f[kind]["plan"]))
    if not args.no_doc:
        write_doc(section, START, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
