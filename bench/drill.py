"""Fault drill: processes killed under load lose nothing and double nothing.

    .venv/bin/python bench/drill.py              # about 4 minutes

A fresh PostgreSQL database (imbizo_bench_drill on 127.0.0.1:5432, dropped and recreated)
with the demo municipality, an API key and a webhook subscription to `case_logged`
pointing at a receiver this script runs on 127.0.0.1 (it answers the first delivery of
one event in ten with a 500, and hangs past the sender's 10 s timeout on one in two
hundred). `imbizo serve` (granian 2 workers x 2 threads, the task worker and the clock,
on short intervals: CLOCK_SECONDS, REDRIVE_GRACE_SECONDS and TASK_LEASE_SECONDS below)
takes 1,000 POST /api/v1/cases, each with a contact phone (so a follower to notify),
from 8 client threads; a client retries a request that failed with its Idempotency-Key.
Meanwhile the drill SIGKILLs one granian worker (granian starts another), the task worker
while it waits on a webhook POST and, later, the task worker again in the middle of
whatever task it is running (`imbizo serve` starts a new one each time, as a supervisor
would). When the load is
over it waits for the work to settle and checks the database and what the receiver saw.

Lost: a case answered 201 and not stored; a case whose `case_logged` event never reached
the receiver with a 2xx answer; a case whose follower was never notified; a task left
RUNNING; an event never relayed. Doubled: a case stored twice, two events (two event ids)
for one case, two messages for one notification. Deliveries are at least once: the
receiver's second receipt of one event id is counted apart (receivers drop them by id).

Prints a table and rewrites its section of docs/performance.md (--no-doc to skip). Every
connection it makes goes to 127.0.0.1.
"""

import argparse
import datetime as dt
import hashlib
import http.client
import itertools
import json
import os
import random
import re
import signal
import sys
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from _common import alive, children_of, say
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
from _postgres import connect, recreate_database
from _postgres import problems as postgres_problems
from _server import HOST, port_taken, serving

WORK = Path("/tmp/imbizo-drill")
PG_DB = "imbizo_bench_drill"
PORT, RECEIVER_PORT = 8767, 8768
SEED = 20261207
START, END = "<!-- drill:start -->", "<!-- drill:end -->"
SHORT = {"CLOCK_SECONDS": "5", "REDRIVE_GRACE_SECONDS": "15", "TASK_LEASE_SECONDS": "30"}
FAIL_PER_1000, HANG_PER_1000 = 100, 5
HANG_SECONDS = 12  # past the sender's 10 s timeout


def drill_env() -> dict[str, str]:
    env = django_env(f"postgres://postgres@127.0.0.1:5432/{PG_DB}", WORK)
    env.pop("DEBUG", None)
    env.update(SHORT)
    return env


def check_prerequisites() -> list[str]:
    return postgres_problems() + port_taken(PORT) + port_taken(RECEIVER_PORT)


# --- in a child process: set-up and checks -------------------------------------------------
def child_prepare(points: int) -> None:
    """Migrate, load the demo, make the API key, the subscription and the points."""
    django_setup(drill_env())
    from cases import ward_points
    from django.core.management import call_command

    from imbizo.api.keys import api_key_create
    from imbizo.core.permissions import system_actor
    from imbizo.demo.seed import demo_seed
    from imbizo.geo.models import Municipality
    from imbizo.webhooks.services import webhook_subscription_create

    call_command("migrate", verbosity=0)
    demo_seed(cases=0)
    dmo = Municipality.objects.get(code="DMO")
    system = system_actor("cli")
    _row, key = api_key_create(actor=system, municipality=dmo, name="drill", role="supervisor")
    webhook_subscription_create(actor=system, municipality=dmo, events=["case_logged"],
                                url=f"http://{HOST}:{RECEIVER_PORT}/hook")
    lats, lons = ward_points(dmo, points, SEED)
    print(json.dumps({"key": key, "points": list(zip(lats, lons, strict=True))}))


def child_verify(answered_path: str, receiver_path: str) -> None:
    """What the drill left in the database and the receiver, as JSON."""
    django_setup(drill_env())
    from django_tasks_db.models import DBTaskResult

    from imbizo.audit.services import audit_verify
    from imbizo.cases.models import Case
    from imbizo.core.models import DomainEvent
    from imbizo.messaging.models import OutboundMessage
    from imbizo.webhooks.models import WebhookDelivery

    answered: dict[str, str] = json.loads(Path(answered_path).read_text())  # key -> ref
    seen = json.loads(Path(receiver_path).read_text())
    cases = {c.idempotency_key.rsplit(":", 1)[1]: c for c in Case.objects.filter(
        idempotency_key__contains=":drill-")}
    by_reference = {c.reference: c for c in cases.values()}
    stored = Counter(Case.objects.filter(reference__in=answered.values())
                     .values_list("reference", flat=True))
    events: dict[str, set[str]] = defaultdict(set)  # reference -> event ids in the database
    undelivered = 0
    for payload, event_id, status in WebhookDelivery.objects.values_list(
            "payload", "event_id", "status"):
        events[json.loads(payload)["data"]["reference"]].add(str(event_id))
        undelivered += status != "succeeded"
    acked: dict[str, set[str]] = defaultdict(set)  # reference -> event ids answered 2xx
    for event_id, reference in seen["acked"].items():
        acked[reference].add(event_id)
    notified = Counter()
    resent = 0
    for key, attempts in OutboundMessage.objects.filter(
            dedupe_key__contains=":logged:").values_list("dedupe_key", "attempts"):
        notified[key.split(":")[1]] += 1
        resent += attempts > 1
    tasks = DBTaskResult.objects
    chain = audit_verify()
    print(json.dumps({
        "answered": len(answered), "stored": len(cases),
        "answered_not_stored": sum(1 for ref in answered.values() if not stored[ref]),
        "stored_twice": sum(1 for n in stored.values() if n > 1),
        "stored_not_answered": len(set(cases) - set(answered)),
        "webhook_lost": sum(1 for ref in by_reference if not acked[ref]),
        "webhook_doubled": sum(1 for ref in by_reference
                               if len(events[ref] | acked[ref]) > 1),
        "deliveries_not_succeeded": undelivered,
        "receiver_posts": seen["posts"], "receiver_redelivered": seen["redelivered"],
        "notification_lost": sum(1 for c in by_reference.values() if not notified[str(c.uuid)]),
        "notification_doubled": sum(1 for n in notified.values() if n > 1),
        "messages_sent_again": resent,
        "tasks_running": tasks.filter(status="RUNNING").count(),
        "tasks_failed": dict(Counter(tasks.filter(status="FAILED")
                                     .values_list("task_path", flat=True))),
        "tasks_reclaimed": sum(1 for ids in tasks.values_list("worker_ids", flat=True)
                               if len(ids) > 1),
        "tasks_total": tasks.count(),
        "events_unrelayed": DomainEvent.objects.filter(relayed_at__isnull=True).count(),
        "audit_ok": chain.ok, "audit_checked": chain.checked,
    }))


# --- the webhook receiver --------------------------------------------------------------------
class Receiver:
    """Records each POST by event id; fails or hangs on some first deliveries; can hold
    the next POST open until told (so that the task worker is killed mid-request)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrivals: Counter = Counter()
        self.acked: dict[str, str] = {}  # event id -> case reference, answered 2xx in time
        self.ack_count: Counter = Counter()
        self.hold = threading.Event()
        self.holding = threading.Event()
        self.release = threading.Event()

    @staticmethod
    def fate(event_id: str) -> str:
        draw = int(hashlib.sha256(event_id.encode()).hexdigest()[:8], 16) % 1000
        return "hang" if draw < HANG_PER_1000 else "fail" if draw < HANG_PER_1000 + \
            FAIL_PER_1000 else "ok"

    def answer(self, event_id: str, reference: str) -> tuple[int, float]:
        """The status to answer and how long to wait first; records an answer in time."""
        with self.lock:
            self.arrivals[event_id] += 1
            first = self.arrivals[event_id] == 1
            held = self.hold.is_set() and not self.holding.is_set()
            if held:
                self.holding.set()
        if held:
            self.release.wait(60)
            return 200, 0.0  # the sender was killed meanwhile: nobody reads this
        fate = self.fate(event_id) if first else "ok"
        if fate == "hang":
            return 200, HANG_SECONDS  # the sender has given up by then
        if fate == "fail":
            return 500, 0.0
        with self.lock:
            self.acked[event_id] = reference
            self.ack_count[event_id] += 1
        return 200, 0.0

    def summary(self) -> dict:
        with self.lock:
            return {"acked": dict(self.acked), "posts": sum(self.arrivals.values()),
                    "redelivered": sum(1 for n in self.ack_count.values() if n > 1)}

    def serve(self) -> ThreadingHTTPServer:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                reference = json.loads(body)["data"]["reference"]
                status, wait = receiver.answer(self.headers["X-Imbizo-Delivery"], reference)
                time.sleep(wait)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender is gone

            def log_message(self, *args) -> None:
                pass

        server = ThreadingHTTPServer((HOST, RECEIVER_PORT), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


# --- the load --------------------------------------------------------------------------------
def post_cases(key: str, points: list, total: int, clients: int, rate: float,
               done: Counter) -> dict:
    """`total` POSTs, `rate` a second in all, from `clients` threads on keep-alive
    connections; a request that fails (no answer, or not 201) is sent again with its
    Idempotency-Key, up to ten times."""
    counter = itertools.count()
    answered: dict[str, str] = {}
    failures: Counter = Counter()
    lock = threading.Lock()
    pause = clients / rate

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
        while (i := next(counter)) < total:
            lat, lon = points[i % len(points)]
            body = json.dumps({"category": "pothole", "latitude": lat, "longitude": lon,
                               "description": f"Pothole {i} on the drill road.",
                               "contact": {"phone": f"083{1000000 + i:07d}"}}).encode()
            headers = {"X-API-Key": key, "Content-Type": "application/json",
                       "Idempotency-Key": f"drill-{i}"}
            began = time.monotonic()
            for _try in range(10):
                try:
                    conn.request("POST", "/api/v1/cases", body, headers)
                    response = conn.getresponse()
                    status, data = response.status, response.read()
                except (OSError, http.client.HTTPException) as exc:
                    status, data = type(exc).__name__, b""
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
                if status == 201:
                    with lock:
                        answered[f"drill-{i}"] = json.loads(data)["reference"]
                    break
                with lock:
                    failures[str(status)] += 1
                time.sleep(0.5)
            with lock:
                done["requests"] += 1
            time.sleep(max(0.0, pause - (time.monotonic() - began)))
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"answered": answered, "failures": dict(failures),
            "wall_s": time.monotonic() - started}


# --- the faults ----------------------------------------------------------------------------
def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def child_running(serve: int, word: str) -> int | None:
    """The pid of the child of `imbizo serve` whose command line holds `word`."""
    for pid in children_of(serve):
        if word in cmdline(pid) and alive(pid):
            return pid
    return None


def running_tasks(conn) -> dict[str, str]:
    """Each RUNNING task's id and name."""
    rows = conn.execute("SELECT id, task_path FROM django_tasks_database_dbtaskresult "
                        "WHERE status = 'RUNNING'").fetchall()
    return {str(pk): path.rsplit(".", 1)[1] for pk, path in rows}


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def faults(serve: int, receiver: Receiver, done: Counter, total: int,
           began: float) -> list[dict]:
    """The kills, at a quarter, at 45% and at 70% of the requests answered."""
    log: list[dict] = []
    rng = random.Random(SEED)
    orphaned: set[str] = set()  # tasks left RUNNING by a worker killed before
    conn = connect(PG_DB, autocommit=True)

    def at(share: float) -> None:
        wait_until(lambda: done["requests"] >= share * total, 600)

    def note(what: str, pid: int, **more) -> None:
        log.append({"at_s": round(time.monotonic() - began, 1), "what": what, "pid": pid,
                    "requests_done": done["requests"], **more})
        say(f"   {log[-1]}")

    def kill_worker(what: str) -> bool:
        """SIGKILL the task worker, note the task it left RUNNING (if it was not between
        two), wait for the next worker; whether it was caught in a task."""
        worker = child_running(serve, "db_worker")
        before = {k: v for k, v in running_tasks(conn).items() if k not in orphaned}
        signal_kill(worker)
        wait_until(lambda: not alive(worker), 5)
        left = {k: v for k, v in running_tasks(conn).items() if k in before}
        orphaned.update(left)
        note(what if left else what + " (it was between two tasks)", worker,
             running=sorted(left.values()))
        wait_until(lambda: child_running(serve, "db_worker") not in (None, worker), 30)
        note("a new task worker started by imbizo serve", child_running(serve, "db_worker") or 0)
        return bool(left)

    at(0.25)
    granian = child_running(serve, "granian")
    victim = rng.choice(sorted(children_of(granian)))
    signal_kill(victim)
    note("SIGKILL a web worker (granian)", victim)

    at(0.45)
    receiver.hold.set()
    held = wait_until(receiver.holding.is_set, 120)
    kill_worker("SIGKILL the task worker" + (" during a webhook POST" if held else ""))
    receiver.release.set()

    at(0.70)
    for _try in range(5):  # tasks take milliseconds: a kill may fall between two
        wait_until(lambda: any(k not in orphaned for k in running_tasks(conn)), 30)
        if kill_worker("SIGKILL the task worker in the middle of a task"):
            break
    conn.close()
    return log


def signal_kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def outstanding() -> dict[str, int]:
    """Work not yet done, straight from the database."""
    queries = {
        "deliveries pending": "SELECT count(*) FROM webhooks_webhookdelivery "
                              "WHERE status = 'pending'",
        "messages queued": "SELECT count(*) FROM messaging_outboundmessage "
                           "WHERE status = 'queued'",
        "tasks running": "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                         "WHERE status = 'RUNNING'",
        "tasks due": "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = "
                     "'READY' AND (run_after <= now() OR run_after >= '9999-01-01')",
        "events unrelayed": "SELECT count(*) FROM core_domainevent WHERE relayed_at IS NULL",
    }
    with connect(PG_DB) as conn:
        return {name: conn.execute(sql).fetchone()[0] for name, sql in queries.items()}


def settle(seconds: float) -> tuple[float, dict]:
    """Wait until nothing is outstanding (or `seconds` pass); how long it took."""
    started = time.monotonic()
    left: dict = {}
    while time.monotonic() - started < seconds:
        left = outstanding()
        if not any(left.values()):
            break
        time.sleep(2)
    return time.monotonic() - started, left


# --- the report -----------------------------------------------------------------------------
RECOVERIES = {  # what the server's log says the safety nets did
    "events": r"(\d+) of \d+ stranded events relayed",
    "tasks": r"(\d+) task\(s\) whose worker died put back on the queue",
    "messages": r"(\d+) overdue message\(s\) enqueued again",
    "deliveries": r"(\d+) overdue webhook deliveries enqueued again",
    "restarts": r"db_worker ended with code -?\d+; starting it (again)",
    "respawns": r"Respawning (worker)",
}


def recoveries(log: Path) -> dict[str, int]:
    text = log.read_text(errors="replace")
    return {name: sum(int(m) if m.isdigit() else 1 for m in re.findall(pattern, text))
            for name, pattern in RECOVERIES.items()}


def render(r: dict) -> str:
    c, lo, rec = r["check"], r["load"], r["recoveries"]
    lost = (c["answered_not_stored"] + c["webhook_lost"] + c["notification_lost"]
            + c["tasks_running"] + c["events_unrelayed"])
    doubled = c["stored_twice"] + c["webhook_doubled"] + c["notification_doubled"]
    lines = [
        START,
        "## Fault drill",
        "",
        f"`bench/drill.py`, run {r['date']} {measured_on(r)}, on PostgreSQL "
        f"{r['versions']['postgresql']}: `imbizo serve` (granian {r['versions']['granian']}, "
        "2 workers x 2 threads, the task worker and the clock with "
        + ", ".join(f"`{k}={v}`" for k, v in SHORT.items()) + ") took "
        f"{r['requests']:,} `POST /api/v1/cases` (each with a contact phone, so a follower "
        f"to notify) from {r['clients']} clients at about {r['rate']:.0f} a second, in "
        f"{lo['wall_s']:.0f} s. A webhook subscription to `case_logged` pointed at a "
        f"receiver on 127.0.0.1 that answered {FAIL_PER_1000 / 10:.0f}% of first deliveries "
        f"with a 500 and hung past the 10 s timeout on {HANG_PER_1000 / 10:.1f}%. A client "
        "whose request failed sent it again with its `Idempotency-Key`.",
        "",
        "| when | what was killed or started | pid | tasks running in it |",
        "|---|---|---|---|",
    ]
    for f in r["faults"]:
        lines.append(f"| {f['at_s']:.0f} s ({f['requests_done']} requests answered) | "
                     f"{f['what']} | {f['pid']} | {', '.join(f.get('running', [])) or '-'} |")
    failures = ", ".join(f"{n} {s}" for s, n in sorted(lo["failures"].items())) or "none"
    lines += [
        "",
        f"The load ended; everything outstanding was done {r['settle_s']:.0f} s later"
        + ("" if not any(r["left"].values()) else f" (still outstanding: {r['left']})")
        + f". Requests that failed and were sent again: {failures}. What the safety nets "
        f"did, from the server's log: the clock relayed {rec['events']} stranded event(s), "
        f"put {rec['tasks']} task(s) whose worker died back on the queue and enqueued again "
        f"{rec['messages']} message(s) and {rec['deliveries']} webhook delivery(ies); "
        f"`imbizo serve` restarted the task worker {rec['restarts']} time(s) and granian "
        f"respawned {rec['respawns']} web worker(s).",
        "",
        "| check | figure |",
        "|---|---|",
        f"| cases answered 201 / stored | {c['answered']:,} / {c['stored']:,} |",
        f"| answered and not stored (lost) | {c['answered_not_stored']} |",
        f"| stored twice (doubled) | {c['stored_twice']} |",
        f"| stored, never answered 201 | {c['stored_not_answered']} |",
        f"| `case_logged` never acknowledged by the receiver (lost) | {c['webhook_lost']} |",
        f"| two events for one case (doubled) | {c['webhook_doubled']} |",
        f"| receiver: POSTs / events acknowledged twice (at-least-once) | "
        f"{c['receiver_posts']:,} / {c['receiver_redelivered']} |",
        f"| follower never notified (lost) | {c['notification_lost']} |",
        f"| two messages for one notification (doubled) | {c['notification_doubled']} |",
        f"| messages handed to the provider more than once | {c['messages_sent_again']} |",
        f"| tasks left RUNNING / events never relayed (lost) | {c['tasks_running']} / "
        f"{c['events_unrelayed']} |",
        f"| tasks run again after their worker died | {c['tasks_reclaimed']} of "
        f"{c['tasks_total']:,} |",
        f"| tasks failed | {c['tasks_failed'] or 0} |",
        f"| audit chain | {'intact' if c['audit_ok'] else 'BROKEN'}, "
        f"{c['audit_checked']:,} entries |",
        "",
        f"**{lost} lost, {doubled} doubled.** The drill took {r['runtime']:.0f} s in all.",
        "",
        "What resumes what: a request cut off with its web worker is sent again by its "
        "client with the same `Idempotency-Key` and answered with the case stored the first "
        "time (or stored now); an event committed by a web worker that died before relaying "
        "it is relayed by the clock (`events_relay_due`); a task left RUNNING by a killed "
        "worker is put back on the queue once `TASK_LEASE_SECONDS` have passed "
        "(`core/task_reclaim.py`) and runs again, harmlessly (notifications are deduplicated "
        "on their key, attempts are claimed on their row); a webhook delivery or message "
        "whose attempt was cut off is enqueued again once its 30 s claim and "
        "`REDRIVE_GRACE_SECONDS` have passed. With the defaults (`CLOCK_SECONDS=20`, "
        "`REDRIVE_GRACE_SECONDS=30`, `TASK_LEASE_SECONDS=40`) each of these is resumed "
        "within a minute and a half (an event or a task left RUNNING within a minute), "
        "where it used to wait up to fifteen, or for ever for a task left RUNNING.",
        END,
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rate", type=float, default=25.0, help="requests a second, in all")
    parser.add_argument("--settle", type=float, default=300.0,
                        help="seconds to wait for the work to be done after the load")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/performance.md")
    parser.add_argument("--child-prepare", nargs=1, help=argparse.SUPPRESS)
    parser.add_argument("--child-verify", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_prepare:
        child_prepare(int(args.child_prepare[0]))
        return 0
    if args.child_verify:
        child_verify(*args.child_verify)
        return 0

    began = time.monotonic()
    busy = begin_run(check_prerequisites(), WORK)
    if busy is None:
        return 2
    r: dict = {"date": dt.date.today().isoformat(), "machine": machine(), "busy": busy,
               "requests": args.requests, "clients": args.clients, "rate": args.rate}
    r["versions"] = versions(postgresql=recreate_database(PG_DB))
    say("drill: migrate, demo, API key, webhook subscription")
    prepared = run_child(__file__, drill_env(), "--child-prepare", "500", timeout=900)
    receiver = Receiver()
    http_server = receiver.serve()
    done: Counter = Counter()
    try:
        with serving(drill_env(), PORT, "2", "2", WORK / "server.log", worker=True) as serve:
            say(f"drill: {args.requests} cases from {args.clients} clients; faults on the way")
            result: dict = {}
            load = threading.Thread(target=lambda: result.update(post_cases(
                prepared["key"], prepared["points"], args.requests, args.clients, args.rate,
                done)))
            load_began = time.monotonic()
            load.start()
            r["faults"] = faults(serve, receiver, done, args.requests, load_began)
            load.join()
            r["load"] = result
            say("drill: load over; waiting for the work to settle")
            r["settle_s"], r["left"] = settle(args.settle)
    finally:
        http_server.shutdown()
    answered = WORK / "answered.json"
    answered.write_text(json.dumps(r["load"].pop("answered")))
    seen = WORK / "receiver.json"
    seen.write_text(json.dumps(receiver.summary()))
    say("drill: checking the database and the receiver")
    r["check"] = run_child(__file__, drill_env(), "--child-verify", str(answered), str(seen),
                           timeout=600)
    r["recoveries"] = recoveries(WORK / "server.log")
    r["runtime"] = time.monotonic() - began
    r["load_end"] = load_average()
    (WORK / "results.json").write_text(json.dumps(r, indent=1, default=str))
    section = render(r)
    print(section)
    if not args.no_doc:
        write_doc(section, START, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
