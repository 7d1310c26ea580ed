"""Which other processes used the CPU while each phase of the ward look-up benchmark ran:
a monitor in a process of its own, and the phases matched to its samples afterwards."""

import contextlib
import json
import os
import statistics
import time
from pathlib import Path

from _common import say
from geo_config import PG_DB

# PostgreSQL's own processes, busy on behalf of whoever wrote or queried last.
PG_SHARED = ("parallel worker", "checkpointer", "background writer", "walwriter",
             "autovacuum")


def child_monitor(parent: int, out: Path) -> None:
    """Run in a process of its own (--child-monitor): once a second, write how many cores'
    worth of CPU processes other than the benchmark's used (the benchmark: its process
    tree and PostgreSQL backends of its database; PostgreSQL's shared processes and
    kernel threads are left out)."""
    tick = os.sysconf("SC_CLK_TCK")
    cmdlines: dict[int, str] = {}
    previous: dict[int, int] = {}
    last = time.monotonic()
    with out.open("w") as fh:
        while Path(f"/proc/{parent}").exists():
            time.sleep(1.0)
            procs = {}
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    name_end = stat.read_text().rsplit(")", 1)
                    fields = name_end[1].split()
                    pid = int(stat.parent.name)
                    if pid not in cmdlines:
                        cmdlines[pid] = (stat.parent / "cmdline").read_bytes().replace(
                            b"\0", b" ").decode(errors="replace")
                except (OSError, IndexError, ValueError):
                    continue
                procs[pid] = (int(fields[1]), int(fields[11]) + int(fields[12]))
            children: dict[int, list[int]] = {}
            for pid, (ppid, _) in procs.items():
                children.setdefault(ppid, []).append(pid)
            mine, todo = set(), [parent, os.getpid()]
            while todo:
                pid = todo.pop()
                mine.add(pid)
                todo.extend(children.get(pid, []))
            now = time.monotonic()
            foreign, heaviest = 0, (0, "")
            for pid, (ppid, ticks) in procs.items():
                used = ticks - previous.get(pid, ticks)
                previous[pid] = ticks
                cmd = cmdlines.get(pid, "")
                if pid in mine or ppid == 2 or pid == 2 or PG_DB in cmd \
                        or any(aux in cmd for aux in PG_SHARED):
                    continue
                foreign += used
                heaviest = max(heaviest, (used, cmd[:60]))
            cores = foreign / tick / (now - last)
            last = now
            fh.write(json.dumps({"t": time.time(), "cores": round(cores, 3),
                                 "top": heaviest[1]}) + "\n")
            fh.flush()


class Phases:
    """Wall-clock spans of the benchmark's phases, matched afterwards to the monitor's log."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, float, float]] = []

    @contextlib.contextmanager
    def __call__(self, name: str):
        say(name)
        start = time.time()
        try:
            yield
        finally:
            self.spans.append((name, start, time.time()))

    def interference(self, log: Path) -> list[dict]:
        if not log.exists():
            return []
        samples = [json.loads(line) for line in log.read_text().splitlines() if line]
        report = []
        for name, start, end in self.spans:
            # a sample covers the second before its time stamp
            inside = [s for s in samples if start < s["t"] <= end + 1.0]
            if not inside:
                continue
            worst = max(inside, key=lambda s: s["cores"])
            report.append({"phase": name, "mean": statistics.mean(s["cores"] for s in inside),
                           "max": worst["cores"], "top": worst["top"]})
        return report

