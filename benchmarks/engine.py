"""Engine benchmark workers: one tool, one log size, one process (so peak memory is its own).

Operations (the same question asked of each tool, on the same events):

``dfg``            directly-follows counts with start/end activities
``perf_dfg``       the performance DFG (mean/median per edge)
``variants``       every variant with its case count
``case_durations`` every case's duration
``kpis``           deskmine's overview numbers (cases, open, median/p90 duration) — deskmine only
``filtered_dfg``   DFG of the cases with priority P1 or P2
``discovery``      inductive miner on the variants covering 80% of cases — deskmine only

Run ``python -m benchmarks`` (see ``benchmarks/__main__.py``), not this module directly.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")

DATA = Path(__file__).resolve().parent / "data"
LOG = "bench"
FILTER_VALUES = ["P1", "P2"]
PM4PY_KEYS = {"case_id_key": "case:concept:name", "activity_key": "concept:name", "timestamp_key": "time:timestamp"}
RENAME = {"Ticket ID": "case:concept:name", "Activity": "concept:name", "Timestamp": "time:timestamp",
          "Agent": "org:resource"}


def parquet_path(size: int) -> Path:
    return DATA / f"bench_{size}.parquet"


def warehouse_path(size: int) -> Path:
    return DATA / f"bench_{size}.duckdb"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(fn, repeat: int) -> dict:
    """Cold first run, then ``repeat`` warm runs; the median of the warm runs is the result.
    "Warm" is the machine's and DuckDB's buffers: deskmine's result cache is emptied before every
    run, so each run computes its answer."""
    from pipelines.mining.clock import SHARED

    SHARED.clear()
    start = time.perf_counter()
    fn()
    cold = time.perf_counter() - start
    runs = []
    for _ in range(repeat):
        SHARED.clear()
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return {"median_s": statistics.median(runs), "cold_s": cold, "runs_s": runs}


# -- deskmine ---------------------------------------------------------------------------------------

def deskmine_ingest(size: int) -> dict:
    from pipelines.etl.loader import ingest_log
    from pipelines.store import Store

    target = warehouse_path(size)
    target.unlink(missing_ok=True)
    start = time.perf_counter()
    report = ingest_log(parquet_path(size), log=LOG, store=Store(target))
    return {"ingest_s": time.perf_counter() - start, "events": report.n_events, "cases": report.n_cases,
            "variants": report.n_variants, "warehouse_mb": target.stat().st_size / 2**20}


def deskmine_queries(size: int, repeat: int) -> dict:
    from pipelines.mining.dfg import discover_dfg
    from pipelines.mining.filters import filter_case_attribute
    from pipelines.mining.kpis import get_kpis
    from pipelines.mining.variants import get_case_durations, get_variants
    from pipelines.store import Store

    start = time.perf_counter()
    log = Store(warehouse_path(size)).log(LOG)
    load = time.perf_counter() - start
    filtered = filter_case_attribute(log, "priority", FILTER_VALUES)
    ops = {
        "dfg": lambda: discover_dfg(log, performance=False),
        "perf_dfg": lambda: discover_dfg(log),
        "variants": lambda: get_variants(log),
        "case_durations": lambda: get_case_durations(log),
        "kpis": lambda: get_kpis(log),
        "filtered_dfg": lambda: discover_dfg(filtered, performance=False),
    }
    return {"load_s": load, "ops": {name: timed(fn, repeat) for name, fn in ops.items()}}


def deskmine_discovery(size: int, repeat: int) -> dict:
    from pipelines.mining.discovery import discover_process_model
    from pipelines.store import Store

    log = Store(warehouse_path(size)).log(LOG)
    model = discover_process_model(log, noise=0.2, variant_coverage=0.8)
    result = timed(lambda: discover_process_model(log, noise=0.2, variant_coverage=0.8), repeat)
    result.update({"variants_used": model.variants_used, "coverage": model.coverage, "sound": model.sound})
    return {"ops": {"discovery": result}}


# -- pm4py ------------------------------------------------------------------------------------------

def pm4py_pandas(size: int, repeat: int) -> dict:
    import pandas as pd
    import pm4py

    start = time.perf_counter()
    df = pd.read_parquet(parquet_path(size)).rename(columns=RENAME)
    for col in df.columns:  # pm4py wants string columns, not pandas categoricals
        if isinstance(df[col].dtype, pd.CategoricalDtype):
            df[col] = df[col].astype("string")
    load = time.perf_counter() - start
    case = PM4PY_KEYS["case_id_key"]

    def filtered_dfg():
        kept = pm4py.filter_event_attribute_values(df, "Priority", FILTER_VALUES, level="case", retain=True,
                                                   case_id_key=case)
        return pm4py.discover_dfg(kept, **PM4PY_KEYS)

    ops = {
        "dfg": lambda: pm4py.discover_dfg(df, **PM4PY_KEYS),
        "perf_dfg": lambda: pm4py.discover_performance_dfg(df, **PM4PY_KEYS),
        "variants": lambda: pm4py.get_variants(df, **PM4PY_KEYS),
        "case_durations": lambda: pm4py.get_all_case_durations(df, **PM4PY_KEYS),
        "filtered_dfg": filtered_dfg,
    }
    return {"load_s": load, "ops": {name: timed(fn, repeat) for name, fn in ops.items()}}


def pm4py_polars(size: int, repeat: int) -> dict:
    import pm4py
    import polars as pl

    start = time.perf_counter()
    # in memory, like the pandas frame: a lazy scan_parquet would re-read the file in every operation
    lf = pl.read_parquet(parquet_path(size)).rename(RENAME).lazy()
    load = time.perf_counter() - start

    def filtered_dfg():
        return pm4py.discover_dfg(lf.filter(pl.col("Priority").is_in(FILTER_VALUES)), **PM4PY_KEYS)

    ops = {
        "dfg": lambda: pm4py.discover_dfg(lf, **PM4PY_KEYS),
        "perf_dfg": lambda: pm4py.discover_performance_dfg(lf, **PM4PY_KEYS),
        "variants": lambda: pm4py.get_variants(lf, **PM4PY_KEYS),
        "case_durations": lambda: pm4py.get_all_case_durations(lf, **PM4PY_KEYS),
        "filtered_dfg": filtered_dfg,
    }
    out = {"load_s": load, "ops": {}}
    for name, fn in ops.items():
        try:
            out["ops"][name] = timed(fn, repeat)
        except Exception as exc:  # noqa: BLE001 - a path pm4py lacks is reported, not fatal
            out["ops"][name] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    return out


WORKERS = {
    "deskmine-ingest": lambda size, repeat: deskmine_ingest(size),
    "deskmine": deskmine_queries,
    "deskmine-discovery": deskmine_discovery,
    "pm4py-pandas": pm4py_pandas,
    "pm4py-polars": pm4py_polars,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tool", choices=sorted(WORKERS))
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    result = WORKERS[args.tool](args.size, args.repeat)
    result["peak_rss_mb"] = peak_rss_mb()
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
