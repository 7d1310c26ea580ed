"""The cases benchmark's section of docs/performance.md, in markdown: method, results
and goals, from the figures `main` gathers."""

import argparse
import re
import statistics

from _common import verdict
from _harness import measured_on
from _server import HOST
from cases_config import PG_DB, PORT, WEB_THREADS, WEB_WORKERS, WORK

START, END = "<!-- cases:start -->", "<!-- cases:end -->"
GOAL_RATE, GOAL_MS = 200, 50


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
        f"in all) {measured_on(r)}. Python {v['python']}, Django {v['django']}, psycopg "
        f"{v['psycopg']}, granian {v['granian']}, numpy {v['numpy']}, PostgreSQL "
        f"{v['postgresql']}.",
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
    lines += ["", "CPU per case over the timed run (user + system, from `/proc`): the web "
              "server's processes, PostgreSQL's backends (SQLite runs inside the web server), "
              "the client threads; and the rate the 2 cores would allow were CPU the only "
              "limit:", "", "| database | web server | database | clients | all | "
              "CPU-bound rate |", "|---|---|---|---|---|---|"]
    for backend, a in r["creation"].items():
        cpu = a["load"]["cpu_ms"]
        total = sum(cpu.values())
        lines.append(f"| {backend} | {cpu['web']:.2f} ms | {cpu['database']:.2f} ms "
                     f"| {cpu['clients']:.2f} ms | {total:.2f} ms "
                     f"| {m['nproc'] * 1000 / total:,.0f}/s |")
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

