"""The nearest-facility benchmark's section of docs/performance.md, in markdown."""

from _common import verdict
from _harness import measured_on

START, END = "<!-- facilities:start -->", "<!-- facilities:end -->"
GOAL_IN_PROCESS = 20_000  # look-ups a second
GOAL_HTTP_RATIO = 0.70  # of the bare endpoint


def render(r: dict) -> str:
    v, a, http = r["versions"], r["args"], r["http"]
    health, nearest = http["health"], http["nearest"]
    ratio = nearest["per_second"] / health["per_second"] if health["per_second"] else 0.0
    slowest = min(found["per_second"] for found in r["in_process"].values())
    grids_mib = sum(g["bytes"] for g in r["build"]["grids"].values()) / 2**20
    police = r["build"]["grids"]["police"]
    lines = [
        START, "## Nearest facility (`bench/facilities.py`)", "",
        f"Measured {r['date']} with `.venv/bin/python bench/facilities.py` "
        f"({r['runtime']:.0f} s in all) {measured_on(r)}. Python {v['python']}, Django "
        f"{v['django']}, numpy {v['numpy']}, granian {v['granian']}.", "",
    ]
    if r["busy"] > 0.2:
        lines += ["**Taken on a busy machine** (other work was running on the same cores): "
                  "rates are low and noisy; rerun on an idle machine.", ""]
    if a["points"] < 100_000 or a["seconds"] < 10:
        lines += [f"**A smaller run than the default** ({a['points']:,} points, "
                  f"{a['seconds']:g} s of HTTP load): a check that the bench works, not a "
                  "measure.", ""]
    lines += [
        "### Method",
        "- A fresh SQLite database with the 2020 national boundaries and the national sets "
        "imported by `facilities_import` as `imbizo import-facilities` does (`--skip-invalid` "
        "for the hospital file's one broken longitude; the first import's time includes "
        "building the ward index that places the points):",
        "",
        "| set | kind | loaded | skipped | snapped to a ward | outside every ward | import s |",
        "|---|---|---:|---:|---:|---:|---:|",
        *[f"| {i['file']} | {i['kind']} | {i['loaded']:,} | {i['skipped']} | {i['snapped']} | "
          f"{i['unplaced']} | {i['seconds']:.2f} |" for i in r["load"]["imports"]],
        "",
        f"- The index (`facilities/index.py`: a grid of precomputed candidates per kind, "
        f"`facilities/nearest.py`) builds in {r['build']['seconds']:.2f} s (best of "
        f"{a['runs']}); its arrays hold {grids_mib:.1f} MiB (`police`: "
        f"{police['candidates']:,} candidates over {police['cells']:,} cells, at most "
        f"{police['most_in_a_cell']} in one).",
        f"- Points drawn inside random wards; `facilities_nearest(limit={3})` with the "
        "directions text in English, one thread, best of "
        f"{a['runs']} runs of {a['points']:,} look-ups per kind.",
        f"- HTTP: `imbizo serve` (granian, 2 workers x 2 threads, DEBUG off) on the same "
        f"database, {http['clients']} keep-alive clients (`bench/_load.py`, on the same "
        f"machine), {http['seconds']:g} s each of `/api/v1/health` (the bare endpoint) and "
        "`/api/v1/facilities/nearest?kind=police&limit=3` at 5,000 of the points, after a "
        "warm-up.",
        "",
        "### Results",
        "| measure | rate | p50 ms | p99 ms | server CPU µs an answer | errors |",
        "|---|---:|---:|---:|---:|---:|",
        *[f"| in process, `{kind}` | **{found['per_second']:,.0f}/s** "
          f"({1e6 / found['per_second']:.1f} µs each) | | | | |"
          for kind, found in r["in_process"].items()],
        f"| HTTP `/api/v1/health` | **{health['per_second']:,.0f}/s** | "
        f"{health['p50_ms']:.2f} | {health['p99_ms']:.2f} | {health['server_cpu_us']:.0f} | "
        f"{health['errors']} |",
        f"| HTTP `/api/v1/facilities/nearest` | **{nearest['per_second']:,.0f}/s** | "
        f"{nearest['p50_ms']:.2f} | {nearest['p99_ms']:.2f} | "
        f"{nearest['server_cpu_us']:.0f} | {nearest['errors']} |",
        f"| HTTP: nearest / health | **{ratio:.2f}** | | | "
        f"{health['server_cpu_us'] / max(nearest['server_cpu_us'], 1):.2f} | |",
        "",
        "Checked against ranking every active facility of the kind by haversine distance: "
        + ", ".join(f"`{kind}` {c['same']:,} of {c['points']:,} the same, in the same order"
                    for kind, c in r["check"].items()) + ".",
        "",
        "### Goals",
        "| goal | measured | |",
        "|---|---|---|",
        f"| at least {GOAL_IN_PROCESS:,} look-ups/s in process over the national sets | "
        f"{slowest:,.0f}/s (the slowest kind) | {verdict(slowest >= GOAL_IN_PROCESS)} |",
        f"| over HTTP at least {GOAL_HTTP_RATIO:.0%} of the bare endpoint | {ratio:.2f} | "
        f"{verdict(ratio >= GOAL_HTTP_RATIO)} |",
        "", END, "",
    ]
    return "\n".join(lines)
