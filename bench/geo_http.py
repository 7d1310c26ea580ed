"""The ward look-up over HTTP: `imbizo serve` on the benchmark's database under wrk,
`/api/v1/health` against `/api/v1/geo/locate`."""

import json
import re
import subprocess
import urllib.request
from pathlib import Path

import numpy as np
from _server import HOST, serving
from geo_config import PORT, WORK, bench_env


def wrk_script(lats: np.ndarray, lons: np.ndarray) -> Path:
    paths = ",\n".join(f'  "/api/v1/geo/locate?lat={lat!r}&lon={lon!r}"'
                       for lat, lon in zip(lats.tolist(), lons.tolist(), strict=True))
    script = WORK / "locate.lua"
    script.write_text(
        "-- Cycles through real points inside wards (written by bench/geo_lookup.py).\n"
        f"local paths = {{\n{paths}\n}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        "  return wrk.format(\"GET\", paths[i])\n"
        "end\n")
    return script


def run_wrk(path: str, seconds: int, threads: int, connections: int,
            script: Path | None = None) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        cmd += ["-s", str(script)]
    cmd.append(f"http://{HOST}:{PORT}{path}")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True,
                         timeout=seconds + 60).stdout

    def grab(pattern: str, default: str = "0") -> str:
        match = re.search(pattern, out, re.MULTILINE)
        return match.group(1) if match else default

    return {"rps": float(grab(r"Requests/sec:\s+([\d.]+)")),
            "requests": int(grab(r"(\d+) requests in")),
            "non_2xx": int(grab(r"Non-2xx or 3xx responses:\s+(\d+)")),
            "errors": grab(r"Socket errors:\s+(.*)", ""),
            "p50": grab(r"^\s+50%\s+(\S+)", "?"), "p99": grab(r"^\s+99%\s+(\S+)", "?"),
            "command": " ".join(cmd[:-1] + [path if script is None else "…/locate?…"])}


def http_bench(lats: np.ndarray, lons: np.ndarray, seconds: int) -> dict:
    with serving(bench_env(), PORT, "2", "2", WORK / "server.log"):
        sample = f"http://{HOST}:{PORT}/api/v1/geo/locate?lat={lats[0]:.6f}&lon={lons[0]:.6f}"
        with urllib.request.urlopen(sample, timeout=10) as resp:
            body = json.loads(resp.read())
        script = wrk_script(lats, lons)
        # Warm-up: every worker builds its ward index on its first look-up.
        run_wrk("/api/v1/geo/locate", 3, 2, 16, script)
        health = run_wrk("/api/v1/health", seconds, 2, 16)
        locate = run_wrk("/api/v1/geo/locate", seconds, 2, 16, script)
        return {"health": health, "locate": locate, "sample": body}


def wrk_version() -> str:
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    found = re.search(r"wrk (\S+)", wrk.stdout + wrk.stderr)
    return found.group(1) if found else "?"

