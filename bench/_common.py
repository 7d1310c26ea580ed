"""Helpers both benchmarks share: progress lines, how busy the machine is, and the
processes a server left behind."""

import os
import sys
import time
from pathlib import Path


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


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"

