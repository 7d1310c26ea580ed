"""Where the cases benchmark runs: its work folder, its PostgreSQL database, the port and
shape of its server, its seed, and the environment its child processes and server get."""

from pathlib import Path

from _harness import django_env

WORK = Path("/tmp/imbizo-bench-cases")
PG_DB = "imbizo_bench_cases"
PORT = 8766
# What `imbizo serve` runs on this machine by default (a worker per core, WEB_THREADS=2).
# Measured 2026-12-01: 4 threads a worker gave 297 cases/s against 372 for 2, as the
# threads of one worker then mostly wait for its GIL.
WEB_WORKERS, WEB_THREADS = "2", "2"
SEED = 20260401


def database_url(backend: str) -> str:
    if backend == "postgres":
        return f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    return f"sqlite:///{WORK / 'bench.sqlite3'}"


def bench_env(backend: str) -> dict[str, str]:
    env = django_env(database_url(backend), WORK)
    env.pop("DEBUG", None)
    return env
