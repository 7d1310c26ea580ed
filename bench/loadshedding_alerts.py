"""Load-shedding alerts: a national stage change told to 1,000,000 residents who follow an
area, every alert queued (in the outbox) on PostgreSQL.

    .venv/bin/python bench/loadshedding_alerts.py                              # the goal
    .venv/bin/python bench/loadshedding_alerts.py --residents 20000 --no-doc   # a check

Goal: every alert of a national stage change to 1,000,000 followers queued in at most 60 s.

- A fresh PostgreSQL database (imbizo_bench_alerts on 127.0.0.1:5432, dropped and
  recreated), migrated, with the demo municipality DMO and its four load-shedding areas
  (national stage 2 set, before anyone follows).
- --residents fictional residents of ward 1 written in SQL (not timed, bench/_residents.py):
  a number each, a language of four, a third preferring WhatsApp, the rest SMS (the
  development provider carries both), each with the consent to news and alerts and
  following one of the four areas; ANALYZE.
- Timed: staff set national stage 4 (``stage_set``; its event relayed after the commit
  opens the fan-out's runs, four beyond 20,000 residents), and --workers worker processes
  (2, one a core; started before and polling, as running workers are) take the runs'
  ``alerts_send`` tasks, each skipping those another holds, until every run is finished
  (--workers 1: this process runs them one after another). The quiet hours
  are set aside (a run at night would wait for 07:00). The chains' slot tasks are not run.
  Wall time, the CPU of this process and its workers and of PostgreSQL, the statements
  this process ran.

Prints a table and rewrites its section of docs/performance.md (--no-doc to skip).
"""

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from _common import cpu_between, cpu_seconds, say, verdict
from _harness import (
    django_env,
    django_setup,
    load_average,
    measured_on,
    versions,
    write_doc,
)
from _residents import demo_ward_ready

WORK = Path("/tmp/imbizo-bench-alerts")
PG_DB = "imbizo_bench_alerts"
START, END = "<!-- loadshedding-alerts:start -->", "<!-- loadshedding-alerts:end -->"
GOAL_S, GOAL_RESIDENTS = 60.0, 1_000_000


def areas_followed() -> None:
    """Every resident follows one of the demo's four areas."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO loadshedding_subscription (citizen_id, area_id, created) "
            "SELECT c.id, a.id, now() FROM accounts_citizen c JOIN loadshedding_area a "
            "ON a.key = 'demo-area-' || (1 + c.id % 4)")
        cursor.execute("ANALYZE")


def run_tasks(stop_when_idle: float) -> int:
    """Take the oldest ready ``alerts_send`` task (skipping those another worker holds)
    and run it, as a worker does, until none has been ready for ``stop_when_idle`` s
    after the first; how many were run."""
    from django.db import transaction
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from imbizo.notifications.loadshedding_fanout import alerts_send

    tasks, idle_since, begun = 0, None, time.monotonic()
    while True:
        with transaction.atomic():
            row = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
                status=TaskResultStatus.READY, task_path__endswith="alerts_send") \
                .order_by("enqueued_at").first()
            if row is not None:
                DBTaskResult.objects.filter(pk=row.pk).update(
                    status=TaskResultStatus.SUCCESSFUL)
        if row is None:
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= stop_when_idle and (
                    tasks or time.monotonic() - begun > 20):  # or another took them all
                return tasks
            time.sleep(0.02)
            continue
        idle_since = None
        alerts_send.call(*row.args_kwargs["args"])
        tasks += 1


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child_worker() -> None:
    """A worker process: runs alert tasks until they are done; prints when it finished."""
    django_setup(django_env(f"postgres://postgres@127.0.0.1:5432/{PG_DB}", WORK))
    from imbizo.notifications import loadshedding as stage_alerts

    stage_alerts.quiet_until = lambda now: None
    tasks = run_tasks(stop_when_idle=0.5)
    finished = time.time() - 0.5
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    # Its backend ends with it: the CPU it used (polling included) is told here.
    print(json.dumps({"tasks": tasks, "finished": finished,
                      "postgres_cpu_s": sum(cpu_seconds([backend]).values())}))


def stage_change(residents: int, workers: int) -> dict:
    from django.db import connection

    from imbizo.core.permissions import system_actor
    from imbizo.loadshedding.models import AlertRun
    from imbizo.loadshedding.services import stage_set
    from imbizo.messaging.models import OutboundMessage
    from imbizo.notifications import loadshedding as stage_alerts

    stage_alerts.quiet_until = lambda now: None  # a night run is not held until 07:00
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    children = [subprocess.Popen([sys.executable, __file__, "--child-worker"],
                                 stdout=subprocess.PIPE, text=True, env=dict(os.environ))
                for _ in range(workers if workers > 1 else 0)]
    if children:
        time.sleep(3)  # the workers' Django set up and polling, as a running worker's is
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = [cursor.fetchone()[0]]
    pg_before, mine, theirs = cpu_seconds(backend), time.process_time(), _children_cpu()
    began = time.time()
    with connection.execute_wrapper(count):
        change = stage_set(actor=system_actor("cli"), stage=4)
        announced = time.time()
        if children:
            done = [json.loads(c.communicate(timeout=900)[0].strip().splitlines()[-1])
                    for c in children]
            finished, tasks = max(d["finished"] for d in done), sum(d["tasks"] for d in done)
        else:
            tasks, finished, done = run_tasks(stop_when_idle=0.0), time.time(), []
    seconds = finished - began
    cpu = time.process_time() - mine + _children_cpu() - theirs
    pg_cpu = cpu_between(pg_before, cpu_seconds(backend)) + sum(
        d["postgres_cpu_s"] for d in done)
    runs = AlertRun.objects.filter(change=change)
    queued = OutboundMessage.objects.filter(
        dedupe_key__startswith=f"ls-stage:{change.pk}:").count()
    return {"residents": residents, "queued": sum(r.queued for r in runs),
            "in_outbox": queued, "skipped": sum(r.skipped for r in runs),
            "runs": runs.count(), "seconds": seconds, "announce_s": announced - began,
            "tasks": tasks, "statements": len(statements), "workers": max(workers, 1),
            "cpu_s": cpu, "postgres_cpu_s": pg_cpu}


def render(r: dict, args) -> str:
    b, v = r["alerts"], r["versions"]
    per_second = b["queued"] / b["seconds"] if b["seconds"] else 0
    full = args.residents == GOAL_RESIDENTS
    lines = [
        START, "## Load-shedding alerts (`bench/loadshedding_alerts.py`)", "",
        f"Measured {r['date']} with `.venv/bin/python bench/loadshedding_alerts.py"
        f"{'' if full else f' --residents {args.residents}'}` {measured_on(r)}. Python "
        f"{v['python']}, Django {v['django']}, psycopg {v['psycopg']}, PostgreSQL "
        f"{v['postgresql']}.", ""]
    lines += [
        "### Method",
        f"- A fresh database (`{PG_DB}`) with the demo municipality DMO, its four load-shedding "
        f"areas (national stage 2) and {b['residents']:,} fictional residents, each agreed "
        "to news and alerts and following one of the areas; a third prefer WhatsApp, the "
        "rest SMS (the development provider carries both).",
        "- Timed from staff setting national stage 4 (`stage_set`; its event, relayed after "
        "the commit, opens the fan-out's runs: four beyond 20,000 residents) until every "
        f"alert is in the outbox, the runs' tasks taken by {b['workers']} worker "
        "process(es) started beforehand, each skipping a task another holds. Python CPU is "
        "this process's and the workers' (their start-up included); PostgreSQL CPU is that "
        "of every backend they used.", "", "### Results", ""]
    if r["busy"] > 0.2:
        lines += ["**Taken on a busy machine**: times are high and noisy.", ""]
    if not full:
        lines += [f"**A smaller run than the goal's** ({args.residents:,} residents).", ""]
    lines += [
        "| residents | queued | skipped | workers | runs | tasks | wall s | statements here "
        "| Python CPU s | PostgreSQL CPU s | alerts/s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {b['residents']:,} | {b['queued']:,} | {b['skipped']:,} | {b['workers']} "
        f"| {b['runs']} "
        f"| {b['tasks']} | {b['seconds']:.1f} | {b['statements']:,} | {b['cpu_s']:.1f} "
        f"| {b['postgres_cpu_s']:.1f} | {per_second:,.0f} |", "",
        f"Goal: a national stage change told to 1,000,000 followers in at most "
        f"{GOAL_S:.0f} s: " + (f"{verdict(b['seconds'] <= GOAL_S)}." if full
                               else "not settled by a smaller run."), END, ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=GOAL_RESIDENTS)
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes taking the fan-out's runs (1: this process)")
    parser.add_argument("--no-doc", action="store_true", help="leave docs/performance.md")
    parser.add_argument("--child-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_worker:
        return child_worker()
    ready = demo_ward_ready(work=WORK, database=PG_DB, ward_number=1,
                            residents=args.residents, phone_prefix="+2783")
    if ready is None:
        raise SystemExit(1)
    found, postgresql, _ward = ready
    from imbizo.core.permissions import system_actor
    from imbizo.demo import loadshedding as demo_loadshedding
    from imbizo.geo.models import Municipality

    say("the demo's load-shedding areas, each resident following one ...")
    demo_loadshedding.seed(actor=system_actor("cli"), seed=0, data=WORK / "no-real-data",
                           municipality=Municipality.objects.defer("boundary").get(code="DMO"))
    areas_followed()
    say("national stage 4 ...")
    found["alerts"] = result = stage_change(args.residents, args.workers)
    found |= {"versions": versions(postgresql=postgresql), "load_end": load_average(),
              "date": dt.date.today().isoformat(), "runtime": time.monotonic() - found.pop("begun")}
    say(f"{result['queued']:,} queued ({result['in_outbox']:,} in the outbox), "
        f"{result['skipped']:,} skipped, in {result['seconds']:.2f} s ({result['runs']} "
        f"run(s), {result['tasks']} task(s), {result['statements']:,} statements; CPU: "
        f"Python {result['cpu_s']:.1f} s, PostgreSQL {result['postgres_cpu_s']:.1f} s)")
    if not args.no_doc:
        write_doc(render(found, args), START, END)


if __name__ == "__main__":
    main()
