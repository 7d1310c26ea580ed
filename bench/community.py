"""Community meetings and the directory: a meeting announced to 100,000 residents of one
ward, queued (every message in the outbox), and directory searches, on PostgreSQL.

    .venv/bin/python bench/community.py                             # the full size
    .venv/bin/python bench/community.py --residents 5000 --no-doc   # a quick check

- A fresh PostgreSQL database (imbizo_bench_community on 127.0.0.1:5432, dropped and
  recreated), migrated, with the demo municipality DMO (`demo_seed(residents=0, cases=0)`:
  its 32 wards, its staff, its directory).
- --residents fictional residents of ward --ward, written in two SQL statements (not
  timed): a number each, a language of four, a third preferring WhatsApp and the rest SMS
  (both on the development provider), each agreed to news and alerts (`broadcasts`); then
  ANALYZE, as autovacuum would have done on a live database.
- Timed, in this process, as the demo's municipal administrator: `meeting_announce` to
  the ward, then the sending task (`notifications.community.meeting_notice_send`, run here
  batch after batch as a worker would) until the announcement is finished. The quiet hours
  are switched off for the run, so that one at night is not held until 07:00.
  Wall time, this process's CPU and its PostgreSQL backend's, and the statements run.
- Then --searches directory searches (`directory_search`, a word of the demo's entries
  each) one after another in this process: searches a second and the slowest.

Prints a table and rewrites its section of docs/performance.md (--no-doc to skip). Every
connection it makes goes to 127.0.0.1.
"""

import argparse
import datetime as dt
import time
from pathlib import Path

from _common import cpu_between, cpu_seconds, say
from _harness import (
    load_average,
    measured_on,
    versions,
    write_doc,
)
from _residents import demo_ward_ready

WORK = Path("/tmp/imbizo-bench-community")
PG_DB = "imbizo_bench_community"
START, END = "<!-- community:start -->", "<!-- community:end -->"
STAFF = "demo-admin"
WORDS = ("water", "electricity", "rates", "clinic", "switchboard", "faults", "library")


def announce(ward_number: int, residents: int) -> dict:
    """Announce the meeting and queue every message; timings and counts."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone

    from imbizo.accounts.permissions import staff_actor
    from imbizo.community.meeting_models import MeetingNotice
    from imbizo.community.meetings import meeting_announce
    from imbizo.geo.models import Municipality
    from imbizo.messaging.models import OutboundMessage
    from imbizo.notifications.community import meeting_notice_send

    actor = staff_actor(get_user_model().objects.get(username=STAFF), channel="console")
    reverse("web:meetings")  # the URLconf loaded, as in a worker that has run a task before
    municipality = Municipality.objects.defer("boundary").get(code="DMO")
    starts = timezone.now() + dt.timedelta(days=7)
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    cpu_before, pg_before = time.process_time(), cpu_seconds([backend])
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        meeting = meeting_announce(
            actor=actor, municipality=municipality, wards=[ward_number],
            title="Ward meeting: water and roads", venue="Community Hall",
            starts=starts, ends=starts + dt.timedelta(hours=2),
            agenda="1. Water interruptions\n2. Potholes\n3. Questions")
        announced = time.perf_counter()
        notice = MeetingNotice.objects.get(meeting=meeting, kind="announce")
        tasks = 0
        while notice.finished is None:
            meeting_notice_send.call(notice.pk, notice.cursor)
            tasks += 1
            notice.refresh_from_db()
    seconds = time.perf_counter() - started
    pg_cpu = cpu_between(pg_before, cpu_seconds([backend]))
    in_outbox = OutboundMessage.objects.filter(
        dedupe_key__startswith=f"community:meeting:{meeting.uuid}:").count()
    return {"residents": residents, "queued": notice.queued, "in_outbox": in_outbox,
            "seconds": seconds, "announce_s": announced - started, "tasks": tasks,
            "statements": len(statements), "cpu_s": time.process_time() - cpu_before,
            "postgres_cpu_s": pg_cpu}


def searches(count: int) -> dict:
    """``count`` directory searches one after another: per second, and the slowest."""
    from imbizo.community.directory_selectors import directory_search
    from imbizo.geo.models import Municipality

    municipality = Municipality.objects.defer("boundary").get(code="DMO")
    found, slowest = 0, 0.0
    started = time.perf_counter()
    for n in range(count):
        one = time.perf_counter()
        found += len(directory_search(municipality=municipality, q=WORDS[n % len(WORDS)]))
        slowest = max(slowest, time.perf_counter() - one)
    seconds = time.perf_counter() - started
    return {"searches": count, "per_second": count / seconds if seconds else 0.0,
            "slowest_ms": slowest * 1000, "found": found}


def render(r: dict, args) -> str:
    a, s, v = r["announce"], r["search"], r["versions"]
    per_second = a["queued"] / a["seconds"] if a["seconds"] else 0
    lines = [
        START, "## Community meetings and the directory (`bench/community.py`)", "",
        f"Measured {r['date']} with `.venv/bin/python bench/community.py"
        f"{'' if args.residents == 100_000 else f' --residents {args.residents}'}` "
        f"{measured_on(r)}. Python {v['python']}, Django {v['django']}, psycopg "
        f"{v['psycopg']}, PostgreSQL {v['postgresql']}.", ""]
    if r["busy"] > 0.2:
        lines += ["**Taken on a busy machine** (other work was running on the same cores): "
                  "times are high and noisy; rerun on an idle machine.", ""]
    lines += [
        "### Method",
        f"- A fresh database (`{PG_DB}`) with the demo municipality DMO and "
        f"{a['residents']:,} fictional residents of its ward {args.ward}, each agreed to "
        "news and alerts; a third prefer WhatsApp, the rest SMS (the development "
        "provider carries both).",
        f"- Timed: the demo's municipal administrator (`{STAFF}`) announces a meeting to "
        "the ward, and the sending task runs, batch after batch as a worker would, until "
        "every message is in the outbox. CPU is this process's and that of its "
        "PostgreSQL backend.",
        f"- Then {s['searches']:,} directory searches of the demo's entries, one after "
        "another in this process.", "",
        "### Results", "",
        "| residents | queued | wall s | announce s | tasks | statements | Python CPU s "
        "| PostgreSQL CPU s | messages/s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {a['residents']:,} | {a['queued']:,} | {a['seconds']:.1f} | "
        f"{a['announce_s']:.2f} | {a['tasks']} | {a['statements']:,} | {a['cpu_s']:.1f} "
        f"| {a['postgres_cpu_s']:.1f} | {per_second:,.0f} |", "",
        "| directory searches | per second | slowest ms |", "|---:|---:|---:|",
        f"| {s['searches']:,} | {s['per_second']:,.0f} | {s['slowest_ms']:.1f} |", END, ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--ward", type=int, default=5, help="the demo ward they live in")
    parser.add_argument("--searches", type=int, default=5_000)
    parser.add_argument("--no-doc", action="store_true", help="leave docs/performance.md")
    args = parser.parse_args()
    ready = demo_ward_ready(work=WORK, database=PG_DB, ward_number=args.ward,
                            residents=args.residents, phone_prefix="+2784")
    if ready is None:
        raise SystemExit(1)
    found, postgresql, _ward = ready
    say("announcing ...")
    from imbizo.notifications import community as sending

    sending.quiet_until = lambda now: None  # a run at night is not held until 07:00
    found["announce"] = result = announce(args.ward, args.residents)
    say(f"{result['queued']:,} queued ({result['in_outbox']:,} in the outbox) in "
        f"{result['seconds']:.2f} s (announce {result['announce_s']:.2f} s, "
        f"{result['tasks']} task(s), {result['statements']:,} statements)")
    say("searching the directory ...")
    found["search"] = search = searches(args.searches)
    say(f"{search['per_second']:,.0f} searches/s, slowest {search['slowest_ms']:.1f} ms")
    found |= {"versions": versions(postgresql=postgresql), "load_end": load_average(),
              "date": dt.date.today().isoformat(), "runtime": time.monotonic() - found.pop("begun")}
    if not args.no_doc:
        write_doc(render(found, args), START, END)


if __name__ == "__main__":
    main()
