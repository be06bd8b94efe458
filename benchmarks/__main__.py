"""``make bench``: deskmine against pm4py (pandas and polars paths) on simulated service-desk logs.

Logs of each size are generated with deskmine's seeded simulator (``pipelines.simulate``) into
``benchmarks/data/`` (not committed; reused when present). Every (tool, size) runs in its own
process; each operation reports the median of ``--repeat`` warm runs after one cold run, and the
process's peak resident memory. Results: ``benchmarks/results/engine.json`` and ``engine.md``.

    python -m benchmarks                      # 1e5, 1e6, 1e7 events
    python -m benchmarks --sizes 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.engine import DATA, parquet_path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TOOLS = ("deskmine-ingest", "deskmine", "deskmine-discovery", "pm4py-pandas", "pm4py-polars")
OPS = ("dfg", "perf_dfg", "variants", "case_durations", "kpis", "filtered_dfg", "discovery")


def machine() -> dict:
    import duckdb
    import pandas
    import pm4py
    import polars

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
    except (OSError, StopIteration):
        mem_kb = 0
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kb / 2**20, 1),
            "os": platform.platform(), "python": platform.python_version(), "duckdb": duckdb.__version__,
            "pandas": pandas.__version__, "pm4py": pm4py.__version__, "polars": polars.__version__,
            "load_average_at_start": os.getloadavg()}


def ensure_log(size: int) -> float | None:
    path = parquet_path(size)
    if path.exists():
        return None
    from pipelines.simulate.generate import write_benchmark

    print(f"generating {size:,} events with the simulator...", file=sys.stderr, flush=True)
    timings = write_benchmark(size, DATA, fmt="parquet")
    return timings["simulate_s"]


def run_worker(tool: str, size: int, repeat: int) -> dict:
    print(f"  {tool} @ {size:,}...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "benchmarks.engine", tool, "--size", str(size), "--repeat", str(repeat)],
                          capture_output=True, text=True, env={**os.environ, "PM4PY_SHOW_PROGRESS_BAR": "False"})
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    return result


def ingest_once(size: int, repeat: int) -> dict:
    """Ingest the log into its benchmark warehouse unless done before (the result is kept beside it)."""
    record = DATA / f"bench_{size}.ingest.json"
    if record.exists() and (DATA / f"bench_{size}.duckdb").exists():
        return json.loads(record.read_text())
    result = run_worker("deskmine-ingest", size, repeat)
    if "error" not in result:
        record.write_text(json.dumps(result))
    return result


def summarise(results: dict) -> str:
    m = results["machine"]
    lines = [
        "# Engine benchmark: deskmine vs pm4py",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; {m['os']}; Python {m['python']}, "
        f"DuckDB {m['duckdb']}, pandas {m['pandas']}, pm4py {m['pm4py']}, polars {m['polars']}. "
        f"Load average at start: {', '.join(f'{x:.2f}' for x in m['load_average_at_start'])}."
        + (f" Updated run: {m['updated']}." if m.get("updated") else ""),
        "",
        "Median of warm runs, seconds (speed-up of deskmine in brackets). deskmine queries a warehouse",
        "ingested once (ingest time listed separately); pm4py works on the log loaded into memory (load",
        "time listed separately).",
        "",
    ]
    for size, tools in results["sizes"].items():
        d, pd_, pl = tools.get("deskmine", {}), tools.get("pm4py-pandas", {}), tools.get("pm4py-polars", {})
        disc = tools.get("deskmine-discovery", {})
        ing = tools.get("deskmine-ingest", {})
        lines += [f"## {int(size):,} events", "",
                  "| operation | deskmine | pm4py pandas | pm4py polars |", "|---|---|---|---|"]
        for op in OPS:
            dv = (d.get("ops", {}) | disc.get("ops", {})).get(op, {}).get("median_s")
            if dv is None:
                continue
            cells = [f"{dv:.3f}"]
            for other in (pd_, pl):
                ov = other.get("ops", {}).get(op, {})
                if "median_s" in ov:
                    cells.append(f"{ov['median_s']:.3f} ({ov['median_s'] / dv:.0f}x)")
                elif "error" in ov:
                    cells.append("no polars path" if "polars" in ov["error"].lower() else "failed")
                else:
                    cells.append("—")
            lines.append(f"| {op} | " + " | ".join(cells) + " |")
        lines.append(f"| peak memory (MiB) | {d.get('peak_rss_mb', 0):.0f} | {pd_.get('peak_rss_mb', 0):.0f} | "
                     f"{pl.get('peak_rss_mb', 0):.0f} |")
        lines.append(f"| load (s) | {d.get('load_s', 0):.3f} (open warehouse) | {pd_.get('load_s', 0):.2f} (read_parquet) | "
                     f"{pl.get('load_s', 0):.2f} (read_parquet, then lazy) |")
        if ing:
            lines.append(f"| ingest (s, once) | {ing.get('ingest_s', 0):.1f} ({ing.get('peak_rss_mb', 0):.0f} MiB peak, "
                         f"{ing.get('warehouse_mb', 0):.0f} MiB file) | — | — |")
        if disc.get("ops", {}).get("discovery"):
            dd = disc["ops"]["discovery"]
            lines.append("")
            lines.append(f"Discovery: inductive miner (noise 0.2) on {dd['variants_used']:,} variants covering "
                         f"{dd['coverage']:.1%} of cases, sound model: {dd['sound']}.")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--update", action="store_true",
                        help="keep the other results in engine.json; replace only the (size, tool) runs made now")
    args = parser.parse_args(argv)
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    tools = args.tools.split(",")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    DATA.mkdir(parents=True, exist_ok=True)
    results = {"machine": machine(), "repeat": args.repeat, "sizes": {}}
    previous = out / "engine.json"
    if args.update and previous.is_file():
        results["sizes"] = json.loads(previous.read_text())["sizes"]
        results["machine"]["updated"] = f"sizes {args.sizes}, tools {args.tools} rerun; other rows kept"
    for size in sizes:
        generated = ensure_log(size)
        entry = results["sizes"].setdefault(str(size), {})
        if generated is not None:
            entry["simulate_s"] = generated
        for tool in tools:
            if tool.startswith("deskmine"):
                entry["deskmine-ingest"] = ingest_once(size, args.repeat)
            if tool != "deskmine-ingest":
                entry[tool] = run_worker(tool, size, args.repeat)
        (out / "engine.json").write_text(json.dumps(results, indent=2))
        (out / "engine.md").write_text(summarise(results))
    print(summarise(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
