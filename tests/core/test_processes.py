"""`imbizo serve`'s processes: one that dies is started again while the others keep
running; a web worker that dies is replaced by granian while the other keeps serving."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from imbizo.cli import main
from imbizo.core import processes
from imbizo.core.processes import run_together, web_command

# A child that appends its pid to the file it is given, then sleeps, or ends with the
# code it is given on its first run only.
CHILD = """
import os, sys, time
path, first_exit = sys.argv[1], int(sys.argv[2])
with open(path, "a") as f:
    f.write(f"{os.getpid()}\\n")
if first_exit and len(open(path).read().split()) == 1:
    raise SystemExit(first_exit)
time.sleep(60)
"""


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def wait_for(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def quick_restarts(monkeypatch):
    monkeypatch.setattr(processes, "RESTART_DELAY", 0.1)


def terminate_when(condition) -> threading.Thread:
    """SIGTERM this process (run_together's Ctrl-C) once ``condition`` holds, or after
    30 s whatever happens, so that a test never hangs."""
    def watch() -> None:
        wait_for(condition)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_a_process_that_ends_is_started_again_while_the_others_keep_running(
        tmp_path, quick_restarts):
    steady, crashing = tmp_path / "steady", tmp_path / "crashing"
    watcher = terminate_when(lambda: len(lines(crashing)) == 2 and len(lines(steady)) == 1)
    code = run_together([[sys.executable, "-c", CHILD, str(steady), "0"],
                         [sys.executable, "-c", CHILD, str(crashing), "3"]])
    watcher.join()
    assert code == 0  # stopped by SIGTERM, as by Ctrl-C
    assert len(lines(steady)) == 1  # never restarted
    first, second = lines(crashing)  # ended with 3, started again
    assert first != second
    assert not any(alive(int(pid)) for pid in lines(steady) + lines(crashing))


def test_a_process_that_cannot_start_stops_everything_with_its_code(tmp_path, quick_restarts):
    steady = tmp_path / "steady"
    code = run_together([[sys.executable, "-c", CHILD, str(steady), "0"],
                         [sys.executable, "-c", "raise SystemExit(3)"]])
    assert code == 3
    assert len(lines(steady)) == 1 and not alive(int(lines(steady)[0]))


PID_APP = """
import os

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def workers_of(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(stat.parent.name))
    return found


def answer(port: int, tries: int = 1) -> int | None:
    """The pid of the worker that answered a request on a new connection (sent again
    on a connection error, up to ``tries`` times in all), or None."""
    for _ in range(tries):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                return int(response.read())
        except OSError:
            continue
    return None


def test_a_web_worker_killed_is_replaced_while_the_other_keeps_serving(
        tmp_path, monkeypatch, settings):
    (tmp_path / "pidapp.py").write_text(PID_APP)
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    monkeypatch.setenv("WEB_WORKERS", "2")
    port = free_port()
    server = subprocess.Popen(web_command("127.0.0.1", port, app="pidapp:app"), cwd=tmp_path,
                              process_group=0, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: len(workers_of(server.pid)) == 2 and answer(port))
        workers = workers_of(server.pid)
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        # A request the kernel had queued on the dead worker's socket is reset; sent
        # again, as any client does after a reset, it is answered by a live worker.
        answers = [answer(port, tries=2) for _ in range(20)]
        assert None not in answers
        assert victim not in answers
        assert wait_for(lambda: len(workers_of(server.pid)) == 2
                        and victim not in workers_of(server.pid))
        assert server.poll() is None
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # granian 2.8 can hang stopping after a respawn
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_dashed_command_names_reach_djangos_commands(db, capsys):
    main(["imbizo", "verify-audit"])
    assert "Audit chain intact: 0 entries." in capsys.readouterr().out
