"""Channels under load: USSD hops, WhatsApp acknowledgements, outbox delivery, fan-out.

    .venv/bin/python bench/channels.py            # about 6 minutes (3 rounds)

A fresh PostgreSQL database (imbizo_bench_channels on 127.0.0.1:5432, dropped and
recreated) with the demo municipality. `imbizo serve` (granian 2 workers x 2 threads, no
task worker, DEBUG off, the demo's webhook secrets) on 127.0.0.1:8771 takes, each for a
while from 50 connections (bench/_load.py), beside a bare endpoint (`/api/v1/health`) of
the same server in the same run:

- USSD: 50 residents dialling at once, each session driven to its END as a phone would
  (the first option of each menu, a sentence for each question), each session a new
  phone number from a pool; every completed session logs a case.
- WhatsApp: signed text-message notifications in the Cloud API's format, each with a new
  message id, acknowledged once stored (the conversation is handled later by the worker,
  not measured here).

Then, with no web server: a broadcast of 5,000 SMS queued (in batches of 500) to the
Africa's Talking plugin pointed at a stand-in of its send API on 127.0.0.1:8772,
delivered by 2 task workers (`imbizo db_worker`), timed from the workers' start to the
last message sent; and one status
change on a case with 10,000 followers, timed until its 10,000 messages are queued
(the notification task run in-process).

Prints a table and rewrites its section of docs/performance.md (--no-doc to skip).
"""

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import _load
from _common import say
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

WORK = Path("/tmp/imbizo-bench-channels")
PG_DB = "imbizo_bench_channels"
PORT, STANDIN_PORT = 8771, 8772
SECRET = "bench-secret"
START, END = "<!-- channels:start -->", "<!-- channels:end -->"
CLIENTS = 50
THREADS = "2"  # per granian worker (4 measured no better: the server is CPU-bound)
USSD_GOAL, WHATSAPP_GOAL = 400, 2000  # a second: the paced runs offer the goal rates
PHONES = 20_000
NUMBERED = re.compile(r"^\s*(\d+)[.)]", re.MULTILINE)


def bench_env() -> dict[str, str]:
    env = django_env(f"postgres://postgres@127.0.0.1:5432/{PG_DB}", WORK)
    env.update(WHATSAPP_APP_SECRET=SECRET, WHATSAPP_VERIFY_TOKEN=SECRET,
               TELEGRAM_SECRET_TOKEN=SECRET)
    return env


def check_prerequisites() -> list[str]:
    return postgres_problems() + port_taken(PORT) + port_taken(STANDIN_PORT)


# --- children: set-up, queueing, fan-out -----------------------------------------------------
def child_prepare() -> None:
    django_setup(bench_env())
    from django.core.management import call_command

    from imbizo.demo.seed import demo_seed

    call_command("migrate", verbosity=0)
    demo_seed(cases=0)
    print(json.dumps({"ok": True}))


def child_queue(count: int) -> None:
    """A broadcast of ``count`` SMS through the outbox's batched path (the one a fan-out
    and a ward broadcast take: 500 messages and one send task a batch), on a queue
    emptied of what the web phase left (the conversations' replies, not measured here)."""
    django_setup(sms_env())
    from django_tasks_db.models import DBTaskResult

    from imbizo.messaging.models import InboundMessage, OutboundMessage
    from imbizo.messaging.queue_many import Draft, messages_queue_many

    DBTaskResult.objects.all().delete()
    OutboundMessage.objects.all().delete()
    InboundMessage.objects.all().delete()
    drafts = [Draft(to=f"+2782{n:07d}", channel="sms", dedupe_key=f"bench:{n}",
                    body=f"Imbizo: water is back on in ward {n % 40 + 1}. Thank you for "
                         "your patience.") for n in range(count)]
    queued = messages_queue_many(drafts=drafts, purpose="service", municipality=None)
    print(json.dumps({"queued": queued}))


def sent_counts(conn) -> dict[str, int]:
    """The broadcast's messages by status (the outbox's table, read without Django)."""
    rows = dict(conn.execute("SELECT status, count(*) FROM messaging_outboundmessage "
                             "WHERE dedupe_key LIKE 'bench:%%' GROUP BY status").fetchall())
    return {s: rows.get(s, 0) for s in ("queued", "sent", "failed")}


def child_fanout(followers: int) -> None:
    """A case with ``followers`` subscribers changes status; the notification task queues
    one message each. Timed from the task's start to its end (it writes every row)."""
    django_setup(bench_env())
    from django.db import transaction

    from imbizo.accounts.models import Citizen
    from imbizo.cases.lifecycle import case_start
    from imbizo.cases.models import Case, CaseUpdate, Subscription
    from imbizo.cases.services import Location, case_log
    from imbizo.core.permissions import system_actor
    from imbizo.geo.models import Municipality, Ward
    from imbizo.messaging.models import OutboundMessage
    from imbizo.notifications.cases import notify_followers

    dmo = Municipality.objects.get(code="DMO")
    ward = Ward.objects.filter(municipality=dmo).first()
    actor = system_actor("cli")
    with transaction.atomic():
        case = case_log(actor=actor, category="water-leak", description="Burst main",
                        location=Location(ward=ward), municipality=dmo)
        langs = ["en", "zu", "xh", "af", "st", "tn"]
        Citizen.objects.bulk_create(
            [Citizen(phone=f"+2783{n:07d}", language=langs[n % 6], municipality=dmo)
             for n in range(followers)], batch_size=2000)
        ids = Citizen.objects.filter(phone__startswith="+2783").values_list("pk", flat=True)
        Subscription.objects.bulk_create([Subscription(case=case, citizen_id=pk) for pk in ids],
                                         batch_size=2000)
    case = Case.objects.get(pk=case.pk)
    case_start(actor=actor, case=case, note="Crew on the way")
    update = CaseUpdate.objects.filter(case=case).order_by("-pk").first()
    before = OutboundMessage.objects.count()
    started = time.perf_counter()
    notify_followers.call(case.pk, update.pk, "status")
    seconds = time.perf_counter() - started
    queued = OutboundMessage.objects.count() - before
    print(json.dumps({"followers": followers, "queued": queued, "seconds": seconds}))


def sms_env() -> dict[str, str]:
    env = bench_env()
    env.update(AFRICASTALKING_USERNAME="bench", AFRICASTALKING_API_KEY="bench",
               AFRICASTALKING_API_URL=f"http://{HOST}:{STANDIN_PORT}")
    return env


# --- the stand-in of Africa's Talking's SMS API ------------------------------------------------
async def _standin_handle(reader, writer) -> None:
    try:
        while True:
            length = 0
            await reader.readuntil(b"\r\n")
            while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            body = json.dumps({"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: ZAR 0.2",
                               "Recipients": [{"statusCode": 101, "number": "+27820000000",
                                               "status": "Success", "cost": "ZAR 0.2000",
                                               "messageId": f"ATXid_{uuid.uuid4().hex}"}]}})
            writer.write(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                         + f"Content-Length: {len(body)}\r\n\r\n".encode() + body.encode())
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


def standin(stop: threading.Event) -> None:
    async def main() -> None:
        server = await asyncio.start_server(_standin_handle, HOST, STANDIN_PORT)
        async with server:
            while not stop.is_set():
                await asyncio.sleep(0.1)

    asyncio.run(main())


# --- the load --------------------------------------------------------------------------------
def bare(seconds: float) -> dict:
    async def script(conn, going, tally):
        while going():
            await _load.timed(conn, tally, "GET", "/api/v1/health")

    return _load.run(HOST, PORT, CLIENTS, seconds, script)


def _pacer(rate: float | None):
    """With a rate, requests leave on a schedule (one every 1/rate s over all connections),
    so latency is measured at that rate rather than at saturation; without, back to back."""
    started, slots = time.monotonic(), itertools.count()

    async def wait_turn() -> None:
        if rate:
            await asyncio.sleep(max(0.0, started + next(slots) / rate - time.monotonic()))

    return wait_turn


def _answer(screen: str, hop: int) -> str:
    """What a resident would type: the first option of a menu, else a sentence."""
    if NUMBERED.search(screen):
        return NUMBERED.search(screen).group(1)
    return "Water pouring from a burst pipe next to the clinic gate"


def ussd(seconds: float, pace: float | None = None) -> dict:
    """Sessions on every connection back to back; with ``pace`` (hops a second in all),
    each phone waits its turn between hops, as residents reading a screen do, so the
    latency is measured at that rate rather than at saturation."""
    rng = random.Random(20261207)
    wait_turn = _pacer(pace)
    sessions = {"completed": 0, "hops_per_session": []}

    async def script(conn, going, tally):
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        # Residents dial independently: each phone starts within the first second, so
        # that the 50 sessions are not in step (all registering, then all logging a case,
        # at the same moment, a burst no population of residents makes).
        await asyncio.sleep(rng.random())
        while going():
            sid, phone, text, hops = f"ATUid_{uuid.uuid4().hex}", \
                f"+2784{rng.randrange(PHONES):07d}", "", 0
            while going():
                await wait_turn()
                body = urlencode({"sessionId": sid, "serviceCode": "*120*4629#",
                                  "phoneNumber": phone, "networkCode": "65501",
                                  "text": text}).encode()
                got = await _load.timed(conn, tally, "POST", "/channels/ussd/africastalking",
                                        body, headers)
                hops += 1
                if got is None or got[0] != 200:
                    break
                reply = got[1].decode()
                if reply.startswith("END") or hops >= 12:
                    sessions["completed"] += reply.startswith("END")
                    sessions["hops_per_session"].append(hops)
                    break
                answer = _answer(reply[4:], hops)
                text = f"{text}*{answer}" if text else answer

    result = _load.run(HOST, PORT, CLIENTS, seconds, script)
    hops = sessions["hops_per_session"]
    result.update(sessions=sessions["completed"],
                  mean_hops=sum(hops) / len(hops) if hops else 0)
    return result


def whatsapp(seconds: float, pace: float | None = None) -> dict:
    rng = random.Random(7)
    wait_turn = _pacer(pace)

    async def script(conn, going, tally):
        while going():
            await wait_turn()
            digits = f"2784{rng.randrange(PHONES):07d}"
            body = json.dumps({"object": "whatsapp_business_account", "entry": [{
                "id": "102290129340398", "changes": [{"field": "messages", "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "27100000000",
                                 "phone_number_id": "106540352242922"},
                    "contacts": [{"profile": {"name": "Resident"}, "wa_id": digits}],
                    "messages": [{"from": digits, "id": f"wamid.{uuid.uuid4().hex}",
                                  "timestamp": str(int(time.time())), "type": "text",
                                  "text": {"body": "Hi"}}]}}]}]}).encode()
            signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            await _load.timed(conn, tally, "POST", "/channels/whatsapp", body,
                              {"Content-Type": "application/json",
                               "X-Hub-Signature-256": f"sha256={signature}"})

    return _load.run(HOST, PORT, CLIENTS, seconds, script)


def outbox(count: int, workers: int) -> dict:
    env = sms_env()
    run_child(__file__, env, "--child-queue", str(count), timeout=600)
    stop = threading.Event()
    server = threading.Thread(target=standin, args=(stop,), daemon=True)
    server.start()
    time.sleep(0.5)
    started = time.monotonic()
    procs = [subprocess.Popen([str(Path(sys.executable).parent / "imbizo"), "db_worker"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True) for _ in range(workers)]
    try:
        # Watched with one query on one connection: a Django child process each look took
        # a second of the CPU the workers were measured on.
        with connect(PG_DB, autocommit=True) as watch:
            while True:
                counts = sent_counts(watch)
                if counts["queued"] == 0 or time.monotonic() - started > 300:
                    break
                time.sleep(0.2)
        seconds = time.monotonic() - started
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)
        stop.set()
    return {"count": count, "workers": workers, "seconds": seconds,
            "per_second": counts["sent"] / seconds, **counts}


# --- the report ------------------------------------------------------------------------------
ANALYSIS = """**What changed on 2026-12-08.** On 2026-12-07 a WhatsApp acknowledgement answered
at 0.31 of the bare endpoint and a USSD hop at 0.08. Since then:

- A provider's webhook is served by a handler of its own (`core/wsgi.py`), without the
  site's middleware (sessions, language, CSRF, login, two factors, lockouts). The
  URLconf resolves `channels/` before the site's catch-all prefix.
- The PostgreSQL health check looks at the idle connection's socket instead of sending
  `SELECT 1` at the first query of every request (`core/db/postgresql`).
- A USSD hop reads and writes its session with SQL written once, not compiled by the
  ORM on every hop (about 1 ms of a 2.5 ms hop), and reads the resident only when the
  hop needs them. A first session is one `INSERT ... ON CONFLICT DO NOTHING`. A
  resident registered on their first report gets their municipality in the same write.
  Phone numbers are parsed once per process. `case_log`'s idempotency look-up reads the
  id alone.
- The harness waits until every server process is idle before loading it. Before, the
  first worker to load answered the readiness check, and a load started at once opened
  all 50 connections on it (granian's workers share one listening socket). A run then
  measured half the server: seen in one run, every request served by one of the two
  workers. The bench's USSD phones now start within a second of each other rather than
  all at once, so that 50 sessions do not register and log their cases in step.

**Where the goals stand.** The outbox, the fan-out and USSD back to back meet theirs.
WhatsApp acknowledgements come within a few per cent of 2,000/s but not over it in this
run (each round's rate is listed above; an exploratory run answered 2,106/s back to back
and 1,997/s paced with a p99 of 31.9 ms). At that rate their p99 is over 30 ms. The paced
USSD p99 is not met. In an exploratory run with a timing log inside the server, a paced
hop's p99 in the server was 37 ms (the hops that log a case) and its median under 3 ms.
The rest of the client's p99 is the wait for one of the four server threads while the
cores are nearly full: the server's Python about 1.4 cores, PostgreSQL 0.35, the load
generator 0.1.
Every bench session is a new resident, registered (about 4 ms of CPU) and logging a case
(about 9 ms: reference, case, history, subscription, deadlines, event and audit entry).
p99 falls when the cores have room, with the load generator on another machine or more
cores, not by tuning the hop further."""


LOADS = ("bare", "ussd", "ussd_paced", "whatsapp", "whatsapp_paced")


def median_rounds(rounds: dict[str, list[dict]]) -> dict[str, dict]:
    """Each load's median round by rate, with its ratio to the bare endpoint of the same
    round: this machine's speed drifts from minute to minute, and a ratio taken within one
    round compares like with like."""
    chosen = {}
    for name in LOADS:
        ranked = sorted(range(len(rounds[name])), key=lambda i: rounds[name][i]["per_second"])
        i = ranked[len(ranked) // 2]
        chosen[name] = {**rounds[name][i], "ratio": rounds[name][i]["per_second"]
                        / rounds["bare"][i]["per_second"]}
    return chosen


def report(r: dict) -> str:
    b, u, w = r["bare"], r["ussd"], r["whatsapp"]
    o, f = r["outbox"], r["fanout"]

    def row(name, x, goal):
        return (f"| {name} | {x['per_second']:,.0f} | {x['p50_ms']:.1f} | {x['p99_ms']:.1f} | "
                f"{x['ratio']:.2f} | {x['errors']} | {goal} |")

    def each(name):
        return " / ".join(f"{x['per_second']:,.0f}" for x in r["rounds"][name])

    return "\n".join([
        START, "## Channels", "",
        f"`bench/channels.py`, {r['when']}, {measured_on(r)}; PostgreSQL {r['pg']}, "
        f"Python {r['versions']['python']}, Django {r['versions']['django']}, granian "
        f"{r['versions']['granian']} (2 workers x {THREADS} threads). {CLIENTS} connections "
        f"each. {len(r['rounds']['bare'])} rounds, one after the other, of every load; the "
        "table shows each load's median round, its ratio taken to the bare endpoint of the "
        "same round.", "",
        "| load | per second | p50 ms | p99 ms | ratio to bare | errors | goal |",
        "|---|---:|---:|---:|---:|---:|---|",
        row("bare endpoint (`/api/v1/health`)", b, ""),
        row("USSD hops (Africa's Talking callback), back to back", u, f"≥ {USSD_GOAL}/s"),
        row(f"USSD hops paced at {USSD_GOAL}/s offered", r["ussd_paced"],
            f"{USSD_GOAL}/s answered, p99 ≤ 50 ms"),
        row("WhatsApp webhooks acknowledged, back to back", w, f"≥ {WHATSAPP_GOAL:,}/s"),
        row(f"WhatsApp webhooks paced at {WHATSAPP_GOAL:,}/s offered", r["whatsapp_paced"],
            f"{WHATSAPP_GOAL:,}/s answered, p99 ≤ 30 ms"), "",
        f"Each round's rate a second: bare {each('bare')}; USSD back to back {each('ussd')}, "
        f"paced {each('ussd_paced')}; WhatsApp back to back {each('whatsapp')}, paced "
        f"{each('whatsapp_paced')}.", "",
        f"USSD: {u['sessions']:,} sessions driven to their END in {r['seconds']['ussd']} s, "
        f"{u['mean_hops']:.1f} hops each on average (each logs a case). Back to back, the "
        f"{CLIENTS} connections send their next request as soon as the last is answered, "
        "which measures the most the server answers; their latency is then "
        f"{CLIENTS} / throughput by construction (Little's law), so the latency goals are "
        "read off the paced runs, where each request leaves on a schedule at the goal rate "
        "(as residents reading a screen send theirs) over the same connections.", "",
        f"Outbox: {o['sent']:,} of a broadcast of {o['count']:,} SMS (queued in batches of "
        f"500, one send task each) handed to a stand-in of Africa's "
        f"Talking's send API on loopback in {o['seconds']:.1f} s by {o['workers']} task "
        f"workers: **{o['per_second']:,.0f} messages/s** (goal ≥ 500/s); {o['failed']} failed.",
        "",
        f"Fan-out: one status change on a case with {f['followers']:,} followers queued "
        f"{f['queued']:,} messages in **{f['seconds']:.1f} s** (goal ≤ 10 s).", "",
        ANALYSIS, "", END, ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--no-doc", action="store_true")
    parser.add_argument("--child-prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-queue", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-fanout", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_prepare:
        return child_prepare()
    if args.child_queue:
        return child_queue(args.child_queue)
    if args.child_fanout:
        return child_fanout(args.child_fanout)

    busy = begin_run(check_prerequisites(), WORK)
    if busy is None:
        sys.exit(1)
    r = {"machine": machine(), "busy": busy, "versions": versions(),
         "when": time.strftime("%Y-%m-%d"), "seconds": {"ussd": args.seconds}}
    r["pg"] = recreate_database(PG_DB)
    env = bench_env()
    run_child(__file__, env, "--child-prepare", timeout=600)
    rounds: dict[str, list[dict]] = {name: [] for name in LOADS}
    with serving(env, PORT, "2", THREADS, WORK / "server.log"):
        for number in range(1, args.rounds + 1):
            say(f"round {number} of {args.rounds}: bare endpoint, USSD, WhatsApp ...")
            rounds["bare"].append(bare(10))
            rounds["ussd"].append(ussd(args.seconds))
            rounds["ussd_paced"].append(ussd(args.seconds, USSD_GOAL))
            rounds["whatsapp"].append(whatsapp(10))
            rounds["whatsapp_paced"].append(whatsapp(10, WHATSAPP_GOAL))
    r["rounds"] = rounds
    r.update(median_rounds(rounds))
    say("outbox delivery ...")
    r["outbox"] = outbox(args.messages, 2)
    say("fan-out ...")
    r["fanout"] = run_child(__file__, env, "--child-fanout", str(args.followers), timeout=900)
    r["load_end"] = load_average()
    print(json.dumps(r, indent=1, default=str))
    text = report(r)
    print(text)
    if not args.no_doc:
        write_doc(text, START, END)


if __name__ == "__main__":
    main()
