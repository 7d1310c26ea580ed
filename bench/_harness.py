"""What both benchmarks do around their measures: the environment of their Django and of
the child processes they re-run themselves in, the start of a run, and the report's account
of the machine and its section of docs/performance.md."""

import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
from _common import busy_cores, say

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "performance.md"
DOC_INTRO = ("# Performance\n\nFigures on this page come from the scripts in `bench/`, run "
             "on this project's 2-core development machine; each script rewrites its own "
             "section between its markers. Rerun them after changing the code they "
             "measure.\n")


def django_env(database_url: str, var_dir: Path) -> dict[str, str]:
    """This process's environment with the benchmark's database and var folder."""
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, IMBIZO_VAR_DIR=str(var_dir),
               DJANGO_SETTINGS_MODULE="imbizo.settings")
    return env


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def run_child(script: str, env: dict[str, str], *args: str, timeout: int) -> dict:
    """Run `script` (the benchmark's entry point) again with `args`, one of its hidden
    --child-* flags first; the JSON of the last line it printed."""
    out = subprocess.run([sys.executable, script, *args], env=env, capture_output=True,
                         text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def begin_run(problems: list[str], work: Path) -> float | None:
    """None, having said why, if there are `problems`; otherwise how many cores were busy
    before the run (with a warning if that is many), `work` emptied."""
    if problems:
        say("Cannot run the benchmark:\n  - " + "\n  - ".join(problems))
        return None
    busy = busy_cores()
    if busy > 0.2:
        say(f"warning: the machine is busy ({busy:.1f} cores in use before the benchmark "
            "starts); its figures will be low and noisy. Run it on an idle machine.")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    return busy


# --- the report ------------------------------------------------------------------------------
def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> dict:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {"nproc": os.cpu_count(), "cpu": model, "mem_gib": mem_kb / 2**20,
            "load": load_average(), "kernel": platform.release()}


def measured_on(r: dict) -> str:
    """The machine as the run found and left it (r: machine(), busy, load_end)."""
    m = r["machine"]
    return (f"on {m['nproc']} cores ({m['cpu']}, {m['mem_gib']:.0f} GiB RAM, Linux "
            f"{m['kernel']}; load average {m['load']} when it started, {r['load_end']} when "
            f"it ended; {r['busy']:.2f} cores busy over the 3 s before it started)")


def versions(**more: str) -> dict:
    """The versions both benchmarks depend on, and `more`."""
    from importlib.metadata import version

    return {"python": platform.python_version(), "django": version("django"),
            "psycopg": version("psycopg"), "granian": version("granian"),
            "numpy": np.__version__, **more}


def write_doc(section: str, start: str, end: str) -> None:
    """Put `section` in place of the one between `start` and `end` in docs/performance.md,
    or at its end if it has none yet."""
    text = DOC.read_text() if DOC.exists() else DOC_INTRO
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + section.rstrip("\n") + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text)
    say(f"wrote {DOC.relative_to(REPO)}")


def rates_table(rows: dict[str, dict], heading: str) -> list[str]:
    """A table of in-process rates: per row its rate, p50, p99 and queries each (None: -)."""
    lines = [f"| {heading} | per second | p50 | p99 | queries each |",
             "|---|---:|---:|---:|---:|"]
    for name, row in rows.items():
        queries = "-" if row["queries"] is None else f"{row['queries']:.1f}"
        lines.append(f"| {name} | {row['rate']:,.0f} | {row['p50_ms']:.3f} ms | "
                     f"{row['p99_ms']:.3f} ms | {queries} |")
    return lines


def in_process_main(args, work: Path, measure, render, start: str, end: str) -> int:
    """The run of a benchmark that measures in this process on a SQLite database of its
    own in ``work``: its section printed and written into docs/performance.md."""
    if begin_run([], work) is None:
        return 2
    django_setup(django_env(f"sqlite:///{work / 'bench.sqlite3'}", work / "var"))
    section = render(measure(args))
    print(section)
    if not args.no_doc:
        write_doc(section, start, end)
    return 0
