"""Starting the web server, task worker and clock as child processes: restarting one that
dies, stopping them all together."""

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

BIN = Path(sys.executable).parent
logger = logging.getLogger(__name__)


def web_command(host: str, port: int, app: str = "imbizo.wsgi:application") -> list[str]:
    """granian serving Django over WSGI: one worker per core, a few threads each
    (its default of hundreds of threads exhausts database connections). A worker that
    dies is started again at once while the others keep serving; only the requests it
    held, or that the kernel had queued on its socket, are cut off (set the sysctl
    ``net.ipv4.tcp_migrate_req=1`` to hand the queued ones to the other workers)."""
    workers = os.environ.get("WEB_WORKERS") or str(os.cpu_count() or 1)
    threads = os.environ.get("WEB_THREADS", "2")
    return [
        str(BIN / "granian"), "--interface", "wsgi", "--host", host, "--port", str(port),
        "--workers", workers, "--blocking-threads", threads, "--no-ws",
        "--respawn-failed-workers",
        "--static-path-route", settings.STATIC_URL.rstrip("/"),
        "--static-path-mount", str(settings.STATIC_ROOT),
        app,
    ]


def worker_command() -> list[str]:
    if settings.REDIS_URL:
        return [sys.executable, "-m", "imbizo.cli", "rqworker",
                "--job-class", "django_tasks_rq.Job", "default"]
    return [sys.executable, "-m", "imbizo.cli", "db_worker"]


def clock_command() -> list[str]:
    return [sys.executable, "-m", "imbizo.cli", "clock"]


RESTART_DELAY = 1.0  # seconds before a process that ended is started again
QUICK_EXIT = 10.0  # a process ending this soon after it started ...
QUICK_EXITS = 3  # ... this many times in a row is broken (a port in use, a bad setting)


def run_together(commands: list[list[str]]) -> int:
    """Run the commands side by side until Ctrl-C or SIGTERM, then stop them all.

    A process that ends is started again after ``RESTART_DELAY`` (a task worker killed by
    the OOM killer, a clock that crashed) while the others keep running. One that ends
    ``QUICK_EXITS`` times in a row within ``QUICK_EXIT`` seconds of starting cannot start
    at all: everything is stopped and its exit code returned. Processes ended by the
    stop itself (their SIGTERM) count as a clean exit.

    Children get process groups of their own so that a Ctrl-C reaches them once, from
    here: granian abandons its graceful shutdown when it is interrupted twice.
    """
    processes = [subprocess.Popen(cmd, process_group=0) for cmd in commands]
    started = [time.monotonic()] * len(commands)
    quick = [0] * len(commands)
    stopping = False
    failed = 0

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stopping:
            time.sleep(0.2)
            for i, process in enumerate(processes):
                if stopping or process.poll() is None:
                    continue
                quick[i] = quick[i] + 1 if time.monotonic() - started[i] < QUICK_EXIT else 0
                name = " ".join(" ".join([Path(commands[i][0]).name, *commands[i][1:]])
                                .split())[:60]
                if quick[i] >= QUICK_EXITS:
                    logger.error("%s ended with code %s %d times as it started; stopping",
                                 name, process.returncode, quick[i])
                    failed, stopping = process.returncode or 1, True
                    break
                logger.warning("%s ended with code %s; starting it again", name,
                               process.returncode)
                time.sleep(RESTART_DELAY)
                if not stopping:
                    processes[i] = subprocess.Popen(commands[i], process_group=0)
                    started[i] = time.monotonic()
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:  # with whatever it started (granian's workers)
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return failed or max(max(process.returncode, 0) for process in processes)
