"""Repeating safety nets, run by ``imbizo clock`` (``imbizo serve`` starts one).

Django Tasks runs one-off work at a set time (``run_after``) but nothing on a
schedule. The clock runs the few jobs that must repeat, most every ``CLOCK_SECONDS``:
they resume work a dead process stranded (a crash between commit and
enqueue, a worker killed mid-task or mid-attempt, Redis down for a while). One runs every
quarter second: the inbound pump, which hands the messages residents sent to the workers
(conversations/pump.py). The jobs are idempotent, so a second clock does no harm.
"""

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    path: str  # a function taking no arguments and returning how many things it did
    every: float = settings.CLOCK_SECONDS
    logged: bool = True  # say in the log what it did (not the pump: it runs all the time)


JOBS = (
    Job("imbizo.core.task_reclaim.tasks_reclaim"),
    Job("imbizo.messaging.services.message_dispatch_due"),
    Job("imbizo.webhooks.services.webhook_dispatch_due"),
    Job("imbizo.conversations.pump.inbound_pump", settings.INBOUND_PUMP_SECONDS, logged=False),
    Job("imbizo.core.events.events_relay_due"),
    Job("imbizo.core.events.events_prune", 3600),
    Job("imbizo.core.task_reclaim.tasks_prune", 3600),
    Job("imbizo.accounts.otp.otp_prune", 3600),
    Job("imbizo.billing.arrangements.arrangements_check_due", 3600),
)


def clock_tick(now: float, last_run: dict[str, float], jobs=JOBS) -> dict[str, int]:
    """Run each job whose interval has passed since ``last_run`` (updated in place);
    returns what each job that ran reported. A failing job is logged and retried next
    interval; it never stops the others."""
    done = {}
    for job in jobs:
        if now - last_run.get(job.path, float("-inf")) < job.every:
            continue
        last_run[job.path] = now
        try:
            done[job.path] = import_string(job.path)()
        except Exception:
            logger.exception("clock job %s failed", job.path)
    return done


def clock_run(stop: threading.Event, jobs=JOBS) -> None:
    """Tick as often as the most frequent job wants (the inbound pump: a quarter second)."""
    poll = min(job.every for job in jobs)
    logged = {job.path for job in jobs if job.logged}
    last_run: dict[str, float] = {}
    while not stop.is_set():
        close_old_connections()  # a long-lived process: drop connections past their age
        for path, count in clock_tick(time.monotonic(), last_run, jobs).items():
            if count and path in logged:
                logger.info("clock job %s: %s", path, count)
        stop.wait(poll)
