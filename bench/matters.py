"""Matters for the ward councillor: raising one through `matter_raise`, and the reads that
follow it (the ward's public list, the councillor's queue, a resident's own list), against
the bare ward look-up the public list starts from, in process, on the demo municipality.

    .venv/bin/python bench/matters.py                               # about a minute
    .venv/bin/python bench/matters.py --matters 200 --reads 200 --no-doc   # a quick check

- A SQLite database of its own under /tmp/imbizo-bench-matters, migrated, with the demo
  municipality DMO (`demo_seed(residents=0, cases=0)`: its 32 wards and staff, the demo
  councillor of ward 1 among them) and --residents residents of ward 1.
- --matters raised one at a time through `matter_raise` (each a transaction with its
  reference, history row, task, event and audit entry), half public suggestions; timed.
- Then --reads of each read, one at a time, after --warm warm-up reads, best of --runs:
  `ward_by_code` (the memo look-up every public list starts with), one page of the ward's
  public list (`ward_public_matters`), one page of the councillor's queue
  (`matter_queue`), and a resident's own list (`matters_mine`); reads per second, p50,
  p99 and the queries each took.

Prints a table and rewrites its section of docs/performance.md (--no-doc to skip). It
connects to nothing but its own SQLite file.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from _common import say
from _harness import in_process_main, machine, rates_table, versions

WORK = Path("/tmp/imbizo-bench-matters")
START, END = "<!-- matters:start -->", "<!-- matters:end -->"


def prepare(residents: int):
    """The demo loaded, ``residents`` residents of its ward 1, their actors, the ward and
    the demo councillor's actor."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from imbizo.accounts.permissions import citizen_actor, staff_actor
    from imbizo.accounts.services import citizen_register
    from imbizo.core.permissions import system_actor
    from imbizo.demo.seed import demo_seed
    from imbizo.geo.selectors import ward_by_code

    call_command("migrate", verbosity=0)
    say("loading the demo ...")
    demo_seed(residents=0, cases=0)
    councillor = staff_actor(get_user_model().objects.get(username="demo-councillor"),
                             channel="console")
    ward = ward_by_code(councillor.grants[0].ward.code)
    people = [citizen_actor(citizen_register(actor=system_actor("ussd"),
                                             phone=f"+2782{n:07d}", municipality=ward.municipality,
                                             ward=ward), channel="ussd")
              for n in range(residents)]
    return people, ward, councillor


def raising(people, ward, count: int) -> dict:
    from imbizo.matters.services import matter_raise

    times = []
    for n in range(count):
        began = time.perf_counter()
        matter_raise(actor=people[n % len(people)], kind=("issue", "suggestion")[n % 2],
                     ward=ward, text=f"Matter number {n}: the streetlights are off again.")
        times.append(time.perf_counter() - began)
    return _figures(times, queries=None)


def _figures(times: list[float], queries: float | None) -> dict:
    ordered = sorted(times)
    return {"rate": len(times) / sum(times), "p50_ms": statistics.median(times) * 1000,
            "p99_ms": ordered[max(int(len(ordered) * 0.99) - 1, 0)] * 1000,
            "queries": queries}


def timed(call, reads: int, warm: int, runs: int) -> dict:
    """Best of ``runs`` passes of ``reads`` calls, one at a time; and queries per call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warm):
        call()
    best: list[float] = []
    for _ in range(runs):
        times = []
        for _ in range(reads):
            began = time.perf_counter()
            call()
            times.append(time.perf_counter() - began)
        if not best or sum(times) < sum(best):
            best = times
    with CaptureQueriesContext(connection) as queries:
        for _ in range(20):
            call()
    return _figures(best, len(queries) / 20)


def measure(args: argparse.Namespace) -> dict:
    from imbizo.geo.selectors import ward_by_code
    from imbizo.matters.selectors import (
        QueueFilters,
        matter_queue,
        matters_mine,
        ward_public_matters,
    )

    people, ward, councillor = prepare(args.residents)
    say(f"raising {args.matters} matters ...")
    rows = {"raise a matter (`matter_raise`)": raising(people, ward, args.matters)}
    say(f"timing {args.reads} reads of each kind ...")
    calls = {
        "ward look-up only (`ward_by_code`)": lambda: ward_by_code(ward.code),
        "the ward's public list, one page": lambda: ward_public_matters(
            ward=ward_by_code(ward.code)).items,
        "the councillor's queue, one page": lambda: list(matter_queue(
            actor=councillor, filters=QueueFilters())),
        "a resident's own matters": lambda: matters_mine(actor=people[0]),
    }
    rows |= {name: timed(call, args.reads, args.warm, args.runs) for name, call in calls.items()}
    return {"rows": rows, "matters": args.matters, "reads": args.reads, "machine": machine(),
            "versions": versions()}


def render(r: dict) -> str:
    m = r["machine"]
    lines = [START, "## Matters for the ward councillor", "",
             f"`bench/matters.py`: {r['matters']:,} matters raised in one ward of the demo "
             f"(SQLite), then {r['reads']:,} reads of each kind in one process, one at a time, "
             f"best of the runs; on {m['nproc']} cores ({m['cpu']}), Python "
             f"{r['versions']['python']}, Django {r['versions']['django']}.", "",
             *rates_table(r["rows"], "operation")]
    return "\n".join([*lines, END, ""])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--matters", type=int, default=2_000)
    parser.add_argument("--reads", type=int, default=2_000)
    parser.add_argument("--warm", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/performance.md")
    return in_process_main(parser.parse_args(), WORK, measure, render, START, END)


if __name__ == "__main__":
    sys.exit(main())
