"""Helpers both benchmarks share: progress lines, how busy the machine is, the
processes a server left behind and the CPU they used, points drawn inside polygons."""

import os
import sys
import time
from pathlib import Path

import numpy as np


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def busy_cores(seconds: float = 3.0) -> float:
    """How many cores' worth of CPU the whole machine used over `seconds` (/proc/stat)."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields[:8]) - idle, sum(fields[:8])

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (busy1 - busy0) / max(total1 - total0, 1) * (os.cpu_count() or 1)


def children_of(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    found = [pid]
    for child in children_of(pid):
        found += process_tree(child)
    return found


def named(comm: str) -> list[int]:
    """Every process whose command name is `comm` (say, each PostgreSQL backend)."""
    found = []
    for path in Path("/proc").glob("[0-9]*/comm"):
        try:
            if path.read_text().strip() == comm:
                found.append(int(path.parent.name))
        except OSError:
            continue
    return found


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU each process (of those still alive) has used so far."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two `cpu_seconds` readings by the processes alive at both (one
    that ended in between, say another client's database backend, would count negative)."""
    return sum(after[pid] - before[pid] for pid in before.keys() & after.keys())


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def points_inside(geoms: np.ndarray, which: np.ndarray,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A point strictly inside geoms[i] for each i in `which` (rejection in each one's
    bounding box): their xs and ys."""
    import shapely

    n = len(which)
    box = shapely.bounds(geoms)
    xs, ys, todo = np.empty(n), np.empty(n), np.arange(n)
    while todo.size:
        polygon = which[todo]
        x = rng.uniform(box[polygon, 0], box[polygon, 2])
        y = rng.uniform(box[polygon, 1], box[polygon, 3])
        ok = shapely.contains_xy(geoms[polygon], x, y)
        xs[todo[ok]], ys[todo[ok]] = x[ok], y[ok]
        todo = todo[~ok]
    return xs, ys


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"

