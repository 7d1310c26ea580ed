"""The ward index against PostGIS on the same points: the same ward WKB in a PostGIS
table, single and batched look-ups alternating between the two, and where they disagree."""

import gc
import time

import numpy as np
import shapely
from _postgres import connect, copy_binary, recreate_database
from geo_config import PG_DB
from geo_index import index_single_pass

SINGLE_SQL = ("SELECT code FROM wards WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint(%s, %s), "
              "4326)) LIMIT 1")
# Wards outside, the points' GiST index inside: each ward polygon is tested against the
# points in its box one after the other, so PostGIS reuses its prepared form.
BATCH_SQL = ("SELECT p.id, w.code FROM wards w CROSS JOIN LATERAL "
             "(SELECT id FROM pts p WHERE ST_Contains(w.geom, p.geom) OFFSET 0) p")
# The same join as the planner plans it by itself: points outside, one probe of the
# wards' GiST index per point.
PLAIN_BATCH_SQL = "SELECT p.id, w.code FROM pts p JOIN wards w ON ST_Contains(w.geom, p.geom)"


# --- the wards in PostGIS ------------------------------------------------------------------
def postgis_setup(codes: list[str], wkbs: list[bytes]) -> tuple:
    recreate_database(PG_DB)
    conn = connect(PG_DB, autocommit=True)
    conn.execute("CREATE EXTENSION postgis")
    conn.execute("CREATE TABLE wards (id serial PRIMARY KEY, code text NOT NULL, "
                 "geom geometry(Geometry, 4326) NOT NULL)")
    start = time.perf_counter()
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO wards (code, geom) VALUES (%s, ST_GeomFromWKB(%s, 4326))",
                        list(zip(codes, wkbs, strict=True)))
    conn.execute("CREATE INDEX wards_geom ON wards USING gist (geom)")
    conn.execute("ANALYZE wards")
    seconds = time.perf_counter() - start
    count = conn.execute("SELECT count(*) FROM wards").fetchone()[0]
    assert count == len(codes), (count, len(codes))
    versions = conn.execute("SELECT current_setting('server_version'), postgis_lib_version(), "
                            "postgis_geos_version()").fetchone()
    return conn, seconds, versions


def copy_points(conn, lats: np.ndarray, lons: np.ndarray) -> None:
    """COPY (binary) id, lon, lat into pts; the point geometry is a stored generated column."""
    copy_binary(conn, "pts (id, lon, lat)",
                [("id", ">i4", np.arange(len(lats))), ("lon", ">f8", lons), ("lat", ">f8", lats)])


# --- single look-ups -----------------------------------------------------------------------
def postgis_single_pass(cur, pairs: list[tuple[float, float]], sql: str) -> tuple[list, float]:
    found = []
    start = time.perf_counter()
    for lat, lon in pairs:
        cur.execute(sql, (lon, lat), prepare=True)
        row = cur.fetchone()
        found.append(row[0] if row else None)
    return found, time.perf_counter() - start


def single_lookups(conn, lats: np.ndarray, lons: np.ndarray, runs: int) -> dict:
    """`runs` rounds of: a pass of the index, a pass of PostGIS, and as many prepared
    `SELECT 1` (the round trip under any query), so that all three see the same state of
    the machine; the best pass of each is kept. 1,000 warm-up look-ups of each first."""
    pairs = list(zip(lats.tolist(), lons.tolist(), strict=True))
    rtt_sql = "SELECT 1 WHERE %s::float8 IS NOT NULL AND %s::float8 IS NOT NULL"
    best = {"index": float("inf"), "postgis": float("inf"), "rtt": float("inf")}
    with conn.cursor() as cur:
        index_single_pass(pairs[:1000])
        postgis_single_pass(cur, pairs[:1000], SINGLE_SQL)  # also prepares server-side
        postgis_single_pass(cur, pairs[:1000], rtt_sql)
        for _ in range(runs):
            ours, seconds = index_single_pass(pairs)
            best["index"] = min(best["index"], seconds)
            theirs, seconds = postgis_single_pass(cur, pairs, SINGLE_SQL)
            best["postgis"] = min(best["postgis"], seconds)
            best["rtt"] = min(best["rtt"], postgis_single_pass(cur, pairs, rtt_sql)[1])
    return {"index_s": best["index"], "postgis_s": best["postgis"], "rtt_s": best["rtt"],
            "index_found": ours, "postgis_found": theirs}


def agreement(ours: list, theirs: list) -> dict:
    same = sum(1 for a, b in zip(ours, theirs, strict=True) if a is not None and a == b)
    outside = sum(1 for a, b in zip(ours, theirs, strict=True) if a is None and b is None)
    differ = [(i, a, b) for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]
    return {"points": len(ours), "inside": len(ours) - outside, "same": same,
            "both_outside": outside, "differ": len(differ), "examples": differ[:10]}


def explain_differences(geoms: np.ndarray, codes: list[str], lats, lons, check: dict) -> list:
    """For each disagreeing point: metres (roughly) to the nearer ward's edge, and whether
    the point lies in both wards (the two polygons overlap there)."""
    by_code = dict(zip(codes, geoms, strict=True))
    out = []
    for i, a, b in check["examples"]:
        point = shapely.Point(lons[i], lats[i])
        wards = [by_code[code] for code in (a, b) if code is not None]
        metres = min(float(shapely.distance(shapely.boundary(w), point)) for w in wards) \
            * 111_000
        out.append({"point": (round(float(lats[i]), 6), round(float(lons[i]), 6)),
                    "index": a, "postgis": b, "edge_m": round(metres, 2),
                    "in_both": len(wards) == 2 and all(w.covers(point) for w in wards)})
    return out


# --- batched look-ups ----------------------------------------------------------------------
def postgis_batch_once(conn, lats: np.ndarray, lons: np.ndarray) -> tuple[dict, list]:
    conn.execute("DROP TABLE IF EXISTS pts")
    # UNLOGGED rather than TEMP: a temporary table's 1M rows overflow temp_buffers (8 MB).
    conn.execute("CREATE UNLOGGED TABLE pts (id int NOT NULL, lon float8 NOT NULL, "
                 "lat float8 NOT NULL, geom geometry(Point, 4326) GENERATED ALWAYS AS "
                 "(ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED)")
    phases = {}
    start = time.perf_counter()
    copy_points(conn, lats, lons)
    phases["copy"] = time.perf_counter() - start
    mark = time.perf_counter()
    conn.execute("CREATE INDEX pts_geom ON pts USING gist (geom)")
    phases["gist"] = time.perf_counter() - mark
    mark = time.perf_counter()
    conn.execute("ANALYZE pts")
    phases["analyze"] = time.perf_counter() - mark
    mark = time.perf_counter()
    rows = conn.execute(BATCH_SQL).fetchall()
    phases["join"] = time.perf_counter() - mark
    phases["total"] = time.perf_counter() - start
    return phases, rows


def batched_lookups(conn, lats: np.ndarray, lons: np.ndarray, runs: int,
                    plain_join: bool) -> dict:
    """`runs` rounds of one `locate_many` and one PostGIS batch (loading the points afresh);
    the best of each is kept (PostGIS: the round with the best total)."""
    from imbizo.geo.index import ward_index

    conn.execute("SET jit = off")  # compiling is pure overhead for a PostGIS-bound join
    index_s, best, ours, rows = float("inf"), None, [], []
    for _ in range(runs):
        ours = rows = None
        gc.collect()
        start = time.perf_counter()
        ours = ward_index.locate_many(lats, lons)
        index_s = min(index_s, time.perf_counter() - start)
        gc.collect()
        phases, rows = postgis_batch_once(conn, lats, lons)
        if best is None or phases["total"] < best["total"]:
            best = phases
    theirs: list = [None] * len(lats)
    multi = 0
    for point_id, code in rows:
        multi += theirs[point_id] is not None
        theirs[point_id] = code
    result = {"index_s": index_s, "phases": best, "rows": len(rows), "multi": multi,
              "index_found": [w["code"] if w is not None else None for w in ours],
              "postgis_found": theirs}
    if plain_join:
        plan = conn.execute("EXPLAIN " + PLAIN_BATCH_SQL).fetchall()
        mark = time.perf_counter()
        plain = conn.execute(PLAIN_BATCH_SQL).fetchall()
        result["plain_join"] = time.perf_counter() - mark
        result["plain_plan"] = " / ".join(line.strip() for (line,) in plan[:3])
        assert len(plain) == len(rows), (len(plain), len(rows))
    conn.execute("DROP TABLE pts")
    return result

