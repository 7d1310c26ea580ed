"""The ward look-up benchmark's section of docs/performance.md, in markdown: method,
results and goals, from the figures `measure` gathers."""

import re
import statistics

from _common import verdict
from _harness import measured_on
from geo_config import PG_DB, SEED
from geo_postgis import SINGLE_SQL

START, END = "<!-- geo-lookup:start -->", "<!-- geo-lookup:end -->"


def render(r: dict) -> str:
    v, a = r["versions"], r["args"]
    imp = r["imports"]
    build = r["build"]
    mem = r["memory"]
    g = r["grid"]
    single, batch, http = r["single"], r["batch"], r["http"]
    ph = batch["phases"]
    n_single, n_batch = a["single"], a["batch"]
    idx_single = n_single / single["index_s"]
    pg_single = n_single / single["postgis_s"]
    idx_batch = n_batch / batch["index_s"]
    pg_batch_total = n_batch / ph["total"]
    pg_batch_join = n_batch / ph["join"]
    health, locate = http["health"]["rps"], http["locate"]["rps"]
    sc, bc = single["check"], batch["check"]
    lines = [
        START,
        "## Ward look-up (`bench/geo_lookup.py`)",
        "",
        f"Measured {r['date']} with `.venv/bin/python bench/geo_lookup.py` (`make bench`; "
        f"{r['runtime']:.0f} s in all) {measured_on(r)}. "
        f"Python {v['python']}, Django {v['django']}, shapely {v['shapely']} "
        f"(GEOS {v['geos']}), numpy {v['numpy']}, psycopg {v['psycopg']}, "
        f"granian {v['granian']}, PostgreSQL {v['postgresql']}, PostGIS {v['postgis']} "
        f"(GEOS {v['postgis_geos']}), wrk {v['wrk']}.",
        "",
        "### Method",
        "- Boundaries: the Demarcation Board's 2020 national files (provinces, districts, "
        "municipalities, 4,468 wards) imported with `boundaries_import` into a fresh SQLite "
        "database under `/tmp/imbizo-bench`. The index is built from that database; PostGIS "
        f"gets the very same ward WKB (table `wards` in database `{PG_DB}`, SRID 4326, GiST "
        "index, `ANALYZE`).",
        f"- Points (seed {SEED}): half uniform in the wards' bounding box "
        f"({sc['both_outside'] / (n_single // 2):.0%} of those fall in no ward: sea, "
        "Lesotho, Eswatini, neighbouring countries), half strictly inside "
        "wards picked uniformly at random (so small urban wards are well represented); "
        "shuffled.",
        f"- Every in-process and PostGIS figure is the best of {a['runs']} timed runs; the "
        "index and PostGIS runs alternate, so both see the same state of the machine.",
        f"- Single: {n_single:,} points, one look-up at a time after 1,000 warm-up look-ups. "
        "Index: `ward_index.locate(lat, lon)` (a cell grid over prepared polygons: one array "
        "read, and in cells a ward edge crosses a `intersects_xy` test of the few wards "
        "touching the cell; plus the empty traditional-authority layer). PostGIS: `"
        + SINGLE_SQL.replace("%s", "?") + "`, one query per point over one persistent "
        "psycopg connection on 127.0.0.1 (TCP), server-side prepared statement (`prepare=True`).",
        f"- Batched: {n_batch:,} points. Index: one `ward_index.locate_many(lats, lons)` call "
        "(from float arrays to a list of ward dicts). PostGIS: binary `COPY` of (id, lon, lat) "
        "into an UNLOGGED table with a stored generated point column, a GiST index on it, "
        "`ANALYZE`, then one join with the wards outside and the points' index inside "
        "(`CROSS JOIN LATERAL`), fetching every (point id, ward code) row into Python; "
        "`jit = off`. That was the fastest approach tried: the plain `JOIN` the planner "
        "picks by itself probes the wards' index once per point and is several times slower "
        "(measured below); in trial runs a TEMP table made the join 3.9 s instead of 2.0 s "
        "(its rows overflow `temp_buffers`) and joining `wards` to `unnest` of two float "
        "arrays, without a points table, took 18 s.",
        f"- HTTP: `imbizo serve --no-worker` (granian WSGI, {2} workers x {2} blocking "
        "threads, DEBUG off) on the benchmark database, loaded by wrk on 127.0.0.1 with "
        f"`-t2 -c16 -d{a['duration']}s` after a 3 s warm-up on `locate` (each worker builds "
        f"its own index on first use). `locate` cycles through {a['http_points']} points "
        "inside wards with a Lua script. wrk shares the 2 cores with the server.",
        "- Cape Town: the city's own 2021 ward file at full resolution, read with shapely "
        "(not imported), in an index layer of its own (the class `ward_index` uses), against "
        "a layer of the national file's CPT wards, on the same points drawn uniformly inside "
        "the city; a point agrees when both give the same ward number (national code's last "
        "three digits).",
        "",
        "### Results",
        "",
        "| what | figure |",
        "|---|---|",
    ]
    for row in imp:
        lines.append(f"| import {row['level']} (`{row['file']}`, {row['created']} created, "
                     f"{row['updated']} updated, {row['repaired']} repaired) "
                     f"| {row['seconds']:.2f} s |")
    lines += [
        f"| import, all four levels | {sum(x['seconds'] for x in imp):.1f} s |",
        f"| index build, 4,468 wards from the database (median of {len(build)}) "
        f"| {statistics.median(build):.2f} s |",
        f"| index memory: RSS growth of a fresh process over one build (GEOS included) "
        f"| {mem['rss_delta'] / 2**20:.0f} MiB |",
        f"| index memory: tracemalloc peak during a build (Python objects only) "
        f"| {mem['tracemalloc_peak'] / 2**20:.0f} MiB |",
        f"| index grid: {g['cells']:,} cells of 1/{1 / g['cell_degrees']:.0f}° "
        f"({g['inside']:,} inside one ward, {g['empty']:,} in none, {g['mixed']:,} crossed by "
        f"an edge with {g['candidates']:,} candidate wards in all) | "
        f"{g['bytes'] / 2**20:.1f} MiB |",
        f"| PostGIS table load (4,468 WKB rows, GiST, ANALYZE) | {r['pg_load']:.2f} s |",
        f"| single look-ups, index | **{idx_single:,.0f}/s** "
        f"({single['index_s'] / n_single * 1e6:.1f} µs each) |",
        f"| single look-ups, PostGIS | **{pg_single:,.0f}/s** "
        f"({single['postgis_s'] / n_single * 1e6:.0f} µs each) |",
        "| PostgreSQL round trip alone: same connection, same two parameters, prepared "
        f"`SELECT 1` | {n_single / single['rtt_s']:,.0f}/s "
        f"({single['rtt_s'] / n_single * 1e6:.0f} µs each) |",
        f"| single: index / PostGIS | **{idx_single / pg_single:.2f}x** |",
        f"| single: same answer | {sc['same']:,} of {sc['inside']:,} points inside a ward "
        f"({sc['both_outside']:,} outside both); {sc['differ']} differ |",
        f"| batched, index (`locate_many`) | **{idx_batch:,.0f}/s** "
        f"({batch['index_s']:.2f} s) |",
        f"| batched, PostGIS including loading the points | **{pg_batch_total:,.0f}/s** "
        f"({ph['total']:.2f} s: COPY {ph['copy']:.2f}, GiST {ph['gist']:.2f}, "
        f"ANALYZE {ph['analyze']:.2f}, join {ph['join']:.2f}) |",
        f"| batched, PostGIS join alone | {pg_batch_join:,.0f}/s ({ph['join']:.2f} s) |",
    ]
    if "plain_join" in batch:
        workers = re.search(r"Workers Planned: (\d+)", batch["plain_plan"])
        lines.append(f"| batched, PostGIS plain `JOIN` as planned (points outside"
                     f"{f', parallel, {workers.group(1)} workers' if workers else ''}) "
                     f"| {n_batch / batch['plain_join']:,.0f}/s "
                     f"({batch['plain_join']:.2f} s) |")
    lines += [
        f"| batched: index / PostGIS (with loading; join alone) "
        f"| **{idx_batch / pg_batch_total:.1f}x**; {idx_batch / pg_batch_join:.1f}x |",
        f"| batched: same answer | {bc['same']:,} of {bc['inside']:,} points inside a ward; "
        f"{bc['differ']} differ ({batch['multi']} points in two wards "
        "per PostGIS) |",
        f"| HTTP `/api/v1/health` | **{health:,.0f} req/s** "
        f"(p50 {http['health']['p50']}, p99 {http['health']['p99']}) |",
        f"| HTTP `/api/v1/geo/locate` | **{locate:,.0f} req/s** "
        f"(p50 {http['locate']['p50']}, p99 {http['locate']['p99']}; "
        f"{http['locate']['non_2xx']} non-2xx) |",
        f"| HTTP: locate / health | **{locate / health:.2f}** |",
    ]
    if r.get("cape_town"):
        ct = r["cape_town"]
        lines += [
            f"| Cape Town, {ct['points']:,} points inside the city: city's own 2021 file "
            f"({ct['fine_wards']} wards, {ct['fine_vertices']:,} vertices) "
            f"| {ct['fine_rate']:,.0f}/s |",
            f"| Cape Town, same points: national CPT wards ({ct['coarse_wards']} wards, "
            f"{ct['coarse_vertices']:,} vertices) | {ct['coarse_rate']:,.0f}/s |",
            f"| Cape Town, same points: the whole national index (`ward_index.locate`) "
            f"| {ct['full_rate']:,.0f}/s |",
            f"| Cape Town: same ward number in both | {ct['same'] / ct['points']:.1%} "
            f"({ct['same']:,} of {ct['points']:,}; {ct['coarse_none']} in no national "
            "CPT ward) |",
        ]
    lines += [
        "",
        "Single and Cape Town rates are one thread in one process. Disagreements between "
        "index and PostGIS can only come from points on or next to a ward edge: the index "
        "tests `covered_by` (edges included, lowest index wins), the SQL `ST_Contains` "
        "(edges excluded, any one row). Each PostGIS single look-up includes one loopback "
        "round trip (the `SELECT 1` row); on this virtual machine that round trip ranged "
        "from about 30 to about 115 µs across trial runs, shortest when the other vCPU was "
        "busy (an idle vCPU has to be woken), so the single ratio moves between runs much "
        "more than the index's own time per look-up does."
        + "".join(f" {name.capitalize()}: {c['differ']} disagreement(s): " + "; ".join(
            f"{d['point']} index {d['index']}, PostGIS {d['postgis']}, {d['edge_m']} m from "
            f"an edge{', inside both wards (they overlap)' if d['in_both'] else ''}"
            for d in c["details"]) + "."
            for name, c in (("single", sc), ("batched", bc)) if c["differ"]),
        "",
        "Other processes' CPU while each phase ran (cores, mean / max of 1 s samples; "
        "near 0 means the figures are undisturbed): " + "; ".join(
            f"{p['phase']} {p['mean']:.2f} / {p['max']:.2f}" for p in r["interference"]) + ".",
        "",
        "### Goals",
        "",
        "| goal | measured | |",
        "|---|---|---|",
        f"| single look-ups at least 10x PostGIS | {idx_single / pg_single:.2f}x "
        f"| {verdict(idx_single >= 10 * pg_single)} |",
        f"| batched look-ups at least 5x PostGIS (PostGIS timed with loading its points) "
        f"| {idx_batch / pg_batch_total:.1f}x (join alone: {idx_batch / pg_batch_join:.1f}x) "
        f"| {verdict(idx_batch >= 5 * pg_batch_total)} |",
        f"| `/api/v1/geo/locate` at least a third of `/api/v1/health` | "
        f"{locate:,.0f} vs {health:,.0f} req/s ({locate / health:.2f}) "
        f"| {verdict(locate >= health / 3)} |",
        f"| national files load in minutes, not hours | "
        f"{sum(x['seconds'] for x in imp):.1f} s | "
        f"{verdict(sum(x['seconds'] for x in imp) < 600)} |",
        END,
    ]
    return "\n".join(lines) + "\n"

