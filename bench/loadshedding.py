"""Load-shedding schedule look-up: in process, and over HTTP beside a bare endpoint.

    .venv/bin/python bench/loadshedding.py                                   # every area
    .venv/bin/python bench/loadshedding.py --areas 20 --seconds 3 --no-doc   # a quick check

Issue #16: a schedule look-up at least 70% of the bare endpoint of the same server.

- A SQLite database of its own in /tmp/imbizo-bench-loadshedding, migrated; the real area
  schedules of /work/shared/data/loadshedding/eskom-calendar (or the first --areas files)
  imported through `loadshedding_import` (timed, then timed again: nothing to write), the
  national stage history through `stages_import`, and national stage 4 set, so that every
  look-up returns slots.
- In process: --lookups calls of `area_schedule` (a random area, seven days from today),
  with the memo warm (every area read once before) and cold (the memo dropped before each
  call: the area's row, its slots and the stage changes read).
- Over HTTP: `imbizo serve --no-worker` (2 workers x 2 threads, DEBUG off) on
  127.0.0.1:8775; `GET /api/v1/health` (the bare endpoint) and `GET
  /api/v1/loadshedding/schedule?area=..&from=..&to=..` (random areas, seven days) from
  --clients persistent connections for --seconds each, after a warm-up.
Prints a table and rewrites its section of docs/performance.md (--no-doc to skip). Every
connection it makes goes to 127.0.0.1.
"""

import argparse
import datetime as dt
import itertools
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _load
from _common import say
from _harness import (
    begin_run,
    django_env,
    django_setup,
    load_average,
    machine,
    measured_on,
    versions,
    write_doc,
)
from _server import HOST, port_taken, serving

WORK = Path("/tmp/imbizo-bench-loadshedding")
DATA = Path("/work/shared/data/loadshedding")
PORT = 8775
START, END = "<!-- loadshedding-schedule:start -->", "<!-- loadshedding-schedule:end -->"
GOAL_RATIO = 0.70
SEED = 20260616
DAYS = 7
STAGE = 4


def bench_env() -> dict[str, str]:
    env = django_env(f"sqlite:///{WORK / 'bench.sqlite3'}", WORK)
    env.pop("DEBUG", None)
    return env


def check_prerequisites(data: Path) -> list[str]:
    problems = [f"{p} is missing (see --data)" for p in
                (data / "eskom-calendar" / "generated", data / "national-stage-history.csv")
                if not p.exists()]
    return problems + port_taken(PORT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--areas", type=int, default=0, help="import only the first N files")
    parser.add_argument("--lookups", type=int, default=20_000, help="in-process look-ups")
    parser.add_argument("--clients", type=int, default=16, help="HTTP connections")
    parser.add_argument("--seconds", type=float, default=10, help="of each HTTP run")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/performance.md")
    args = parser.parse_args()
    began = time.perf_counter()
    busy = begin_run(check_prerequisites(args.data), WORK)
    if busy is None:
        return 2
    django_setup(bench_env())
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    r = {"date": dt.date.today().isoformat(), "machine": machine(), "busy": busy,
         "args": vars(args) | {"data": str(args.data)}, "versions": versions()}
    r["import"], keys = load(args.data, args.areas)
    r["in_process"] = in_process(keys, args.lookups)
    r["http"] = over_http(keys, args.clients, args.seconds)
    r["load_end"] = load_average()
    r["runtime"] = time.perf_counter() - began
    section = render(r)
    print(section)
    if not args.no_doc:
        write_doc(section, START, END)
    return 0


def load(data: Path, areas: int) -> tuple[dict, list[str]]:
    from django.db import transaction

    from imbizo.core.permissions import system_actor
    from imbizo.loadshedding.importer import loadshedding_import
    from imbizo.loadshedding.models import Area
    from imbizo.loadshedding.services import stage_set, stages_import

    actor = system_actor("cli")
    source = data / "eskom-calendar"
    with tempfile.TemporaryDirectory(prefix="imbizo-bench-ls-") as folder:
        if areas:  # the first N schedule files, with the whole metadata
            subset = Path(folder)
            (subset / "generated").mkdir()
            for path in sorted((source / "generated").glob("*.csv"))[:areas]:
                (subset / "generated" / path.name).symlink_to(path)
            (subset / "area_metadata.yaml").symlink_to(source / "area_metadata.yaml")
            source = subset
        first = loadshedding_import(actor=actor, directory=source)
        again = loadshedding_import(actor=actor, directory=source)
    started = time.perf_counter()
    stages_import(actor=actor, path=data / "national-stage-history.csv")
    stages_seconds = time.perf_counter() - started
    with transaction.atomic():
        stage_set(actor=actor, stage=STAGE)
    keys = list(Area.objects.filter(has_schedule=True).values_list("key", flat=True))
    say(f"imported {len(keys)} areas with schedules in {first.seconds:.1f} s")
    return {"areas": len(keys), "slots": first.slots_written, "first_s": first.seconds,
            "again_s": again.seconds, "stages_s": stages_seconds}, keys


def in_process(keys: list[str], lookups: int) -> dict:
    """Answers kept by the memo (the same area and week asked again), answers worked out
    (areas read, a week not asked before), and a cold memo (reads from the database)."""
    from django.db import connection, reset_queries
    from django.utils import timezone

    from imbizo.loadshedding.memo import schedule_memo
    from imbizo.loadshedding.selectors import area_schedule

    rng = random.Random(SEED)
    today = timezone.localdate()
    week = dt.timedelta(days=DAYS - 1)
    chosen = [rng.choice(keys) for _ in range(lookups)]
    for key in keys:  # every area read, its week answered once
        area_schedule(key=key, first=today, last=today + week)
    kept, slots = _timed(chosen, lambda key: area_schedule(key=key, first=today,
                                                            last=today + week))
    starts = [today + dt.timedelta(days=rng.randrange(3650)) for _ in chosen]
    days = iter(starts)
    worked, _ = _timed(chosen, lambda key: area_schedule(key=key, first=(d := next(days)),
                                                         last=d + week))
    connection.force_debug_cursor = True
    reset_queries()
    cold = []
    for key in chosen[:min(lookups, 500)]:
        schedule_memo.invalidate()
        began = time.perf_counter()
        area_schedule(key=key, first=today, last=today + week)
        cold.append(time.perf_counter() - began)
    queries = len(connection.queries) / len(cold)
    connection.force_debug_cursor = False
    return {"kept_per_s": len(kept) / sum(kept), "kept_p99_us": _pct(kept, 99) * 1e6,
            "worked_per_s": len(worked) / sum(worked), "worked_p50_us": _pct(worked, 50) * 1e6,
            "worked_p99_us": _pct(worked, 99) * 1e6, "cold_p50_ms": _pct(cold, 50) * 1e3,
            "cold_p99_ms": _pct(cold, 99) * 1e3, "cold_queries": queries,
            "slots_mean": statistics.mean(slots)}


def _timed(keys: list[str], ask) -> tuple[list[float], list[int]]:
    times, slots = [], []
    for key in keys:
        began = time.perf_counter()
        found = ask(key)
        times.append(time.perf_counter() - began)
        slots.append(len(found.outages))
    return times, slots


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def over_http(keys: list[str], clients: int, seconds: float) -> dict:
    from django.utils import timezone

    rng = random.Random(SEED + 1)
    today = timezone.localdate()
    last = today + dt.timedelta(days=DAYS - 1)
    paths = [f"/api/v1/loadshedding/schedule?area={rng.choice(keys)}&from={today}&to={last}"
             for _ in range(5000)]

    def runner(choose):
        counter = itertools.count()

        async def script(conn, going, tally):
            while going():
                await _load.timed(conn, tally, "GET", choose(next(counter)))
        return _load.run(HOST, PORT, clients, seconds, script)

    with serving(bench_env(), PORT, "2", "2", WORK / "server.log"):
        runner(lambda n: paths[n % len(paths)])  # warm-up: each worker reads the areas
        health = runner(lambda n: "/api/v1/health")
        schedule = runner(lambda n: paths[n % len(paths)])
    return {"health": health, "schedule": schedule,
            "ratio": schedule["per_second"] / max(health["per_second"], 1e-9)}


def render(r: dict) -> str:
    v, imp, p, h = r["versions"], r["import"], r["in_process"], r["http"]
    a = r["args"]
    ok = h["ratio"] >= GOAL_RATIO
    options = "" if not a["areas"] else f" --areas {a['areas']}"
    lines = [
        START, "## Load-shedding schedule (`bench/loadshedding.py`)", "",
        f"Measured {r['date']} with `.venv/bin/python bench/loadshedding.py{options}` "
        f"({r['runtime']:.0f} s in all) {measured_on(r)}. Python {v['python']}, Django "
        f"{v['django']}, granian {v['granian']}, SQLite.", "",
    ]
    if r["busy"] > 0.2:
        lines += ["**Taken on a busy machine**: the figures are low and noisy.", ""]
    lines += [
        f"Import of {imp['areas']} area schedules ({imp['slots']:,} slots): "
        f"{imp['first_s']:.1f} s; again, nothing to write: {imp['again_s']:.1f} s; the "
        f"stage history: {imp['stages_s']:.1f} s.", "",
        "| measure | result |", "|---|---|",
        f"| in process, answer kept by the memo | {p['kept_per_s']:,.0f} look-ups/s (p99 "
        f"{p['kept_p99_us']:.0f} µs), {p['slots_mean']:.1f} outages a week |",
        f"| in process, answer worked out (areas in memory, a week not asked before) | "
        f"{p['worked_per_s']:,.0f} look-ups/s (p50 {p['worked_p50_us']:.0f} µs, p99 "
        f"{p['worked_p99_us']:.0f} µs) |",
        f"| in process, memo cold (after an import or stage change) | p50 "
        f"{p['cold_p50_ms']:.2f} ms, p99 {p['cold_p99_ms']:.2f} ms, "
        f"{p['cold_queries']:.1f} queries |",
        f"| HTTP `/api/v1/health` | {h['health']['per_second']:,.0f} req/s (p99 "
        f"{h['health']['p99_ms']:.1f} ms) |",
        f"| HTTP `/api/v1/loadshedding/schedule` | {h['schedule']['per_second']:,.0f} req/s "
        f"(p99 {h['schedule']['p99_ms']:.1f} ms, {h['schedule']['errors']} errors) |",
        f"| ratio | **{h['ratio']:.0%}** of the bare endpoint (goal at least "
        f"{GOAL_RATIO:.0%}: {'met' if ok else 'not met'}) |", "",
        f"{a['clients']} connections for {a['seconds']:.0f} s each against `imbizo serve "
        "--no-worker` (2 workers x 2 threads), seven days from today at national stage "
        f"{STAGE}, a random area each request.", END, "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
