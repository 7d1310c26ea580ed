"""Starting the web server and task worker as child processes, and stopping them together."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BIN = Path(sys.executable).parent


def web_command(host: str, port: int) -> list[str]:
    """granian serving Django over WSGI: one worker per core, a few threads each
    (its default of hundreds of threads exhausts database connections)."""
    workers = os.environ.get("WEB_WORKERS") or str(os.cpu_count() or 1)
    threads = os.environ.get("WEB_THREADS", "2")
    return [
        str(BIN / "granian"), "--interface", "wsgi", "--host", host, "--port", str(port),
        "--workers", workers, "--blocking-threads", threads, "--no-ws",
        "--static-path-route", settings.STATIC_URL.rstrip("/"),
        "--static-path-mount", str(settings.STATIC_ROOT),
        "imbizo.wsgi:application",
    ]


def worker_command() -> list[str]:
    if settings.REDIS_URL:
        return [sys.executable, "-m", "imbizo.cli", "rqworker",
                "--job-class", "django_tasks_rq.Job", "default"]
    return [sys.executable, "-m", "imbizo.cli", "db_worker"]


def clock_command() -> list[str]:
    return [sys.executable, "-m", "imbizo.cli", "clock"]


def run_together(commands: list[list[str]]) -> int:
    """Run the commands side by side; when one ends, Ctrl-C or SIGTERM arrives, stop them all.

    Children get process groups of their own so that a Ctrl-C reaches them once, from
    here: granian abandons its graceful shutdown when it is interrupted twice.
    """
    children = [subprocess.Popen(cmd, process_group=0) for cmd in commands]
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    while not stopping and all(child.poll() is None for child in children):
        try:
            children[0].wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            continue
    stop()
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    for sig, handler in previous.items():
        signal.signal(sig, handler)
    return max((child.returncode or 0) for child in children)
