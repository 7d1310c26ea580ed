"""`imbizo serve` for as long as a benchmark loads it: whether its port is free, and the
server started, waited for, and killed with everything it started, however the run ends."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from _common import alive, children_of, cpu_between, cpu_seconds, process_tree

HOST = "127.0.0.1"


def port_taken(port: int) -> list[str]:
    """The prerequisite problem, if any, of serving on `port`."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # ignore TIME_WAIT
        try:
            sock.bind((HOST, port))
        except OSError:
            return [f"port {port} on {HOST} is in use; the benchmark serves there."]
    return []


def settled(pid: int, quiet: float = 0.05, timeout: float = 60) -> None:
    """Wait until the server's processes are idle. The first worker to load answers
    /api/v1/health while the others still load Django and build their indexes; a load
    started then opens every connection on that one worker (granian's workers share one
    listening socket), and the run measures half the server (seen: every request of a
    run served by one of two workers)."""
    deadline = time.monotonic() + timeout
    before = cpu_seconds(process_tree(pid))
    while time.monotonic() < deadline:
        time.sleep(0.5)
        after = cpu_seconds(process_tree(pid))
        if cpu_between(before, after) < quiet and len(after) >= len(before):
            return
        before = after
    raise RuntimeError("the server was still busy a minute after it first answered")


@contextlib.contextmanager
def serving(env: dict[str, str], port: int, workers: str, threads: str, log_path: Path,
            worker: bool = False):
    """`imbizo serve --no-worker` (granian, `workers` x `threads`, DEBUG off; with the task
    worker and the clock if `worker`) in a session of its own, its output in `log_path`;
    the block runs once it answers /api/v1/health, with its pid. When the block ends,
    however it ends: SIGTERM to it (it stops granian, whose process group is its own), then
    SIGKILL to every process group we saw it start, in case anything outlived it."""
    env = dict(env)
    env.pop("DEBUG", None)
    env.update(ALLOWED_HOSTS="127.0.0.1,localhost", WEB_WORKERS=workers, WEB_THREADS=threads)
    log = log_path.open("w")
    server = subprocess.Popen([str(Path(sys.executable).parent / "imbizo"), "serve",
                               *([] if worker else ["--no-worker"]),
                               "--host", HOST, "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    groups: set[int] = {server.pid}
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"imbizo serve exited; see {log_path}")
            with contextlib.suppress(OSError), urllib.request.urlopen(
                    f"http://{HOST}:{port}/api/v1/health", timeout=2) as resp:
                if resp.status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"imbizo serve did not answer in 60 s; see {log_path}")
            time.sleep(0.3)
        for pid in children_of(server.pid):
            groups.add(os.getpgid(pid))
            groups |= {os.getpgid(p) for p in children_of(pid) if alive(p)}
        if not worker:  # the task worker and the clock never go quiet for long
            settled(server.pid)
        yield server.pid
    finally:
        groups |= {os.getpgid(pid) for pid in children_of(server.pid) if alive(pid)}
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        for group in groups - {os.getpgrp()}:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
        log.close()
