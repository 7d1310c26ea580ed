"""Where the ward look-up benchmark runs and on what: its work folder and SQLite database,
the boundary files, its PostGIS database, its server's port, its seed, and the environment
its child processes and server get."""

from pathlib import Path

from _harness import django_env

WORK = Path("/tmp/imbizo-bench")
DB_FILE = WORK / "bench.sqlite3"
DATA = Path("/work/shared/data/boundaries")
LEVELS = (
    ("province", "za-2020/Provinces_2020.geojson"),
    ("district", "za-2020/Districts_2020.geojson"),
    ("municipality", "za-2020/Muni_2020.geojson"),
    ("ward", "za-2020/Wards_2020.geojson"),
)
CAPE_TOWN_FILE = "cape-town-2021/wards-2021.geojson"
PG_DB = "imbizo_bench_postgis"
PORT = 8765
SEED = 20200803


def bench_env() -> dict[str, str]:
    return django_env(f"sqlite:///{DB_FILE}", WORK)
