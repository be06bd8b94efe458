"""Benchmark of the SLA engine on a simulated log (not part of the test suite: no timed asserts).

    .venv/bin/python -m benchmarks.bench_sla --events 1000000 [--work DIR] [--repeat 3]

Simulates a 52-week log of exactly ``--events`` events with the seeded simulator
(``pipelines.simulate.generate.write_benchmark``, Parquet: the same ``bench_<N>.parquet`` that
``make bench`` uses in ``benchmarks/data/``, not committed), ingests it into its own warehouse
``sla_bench_<N>.duckdb`` there (both are reused when present), then times each SLA function with the sample policy
(``sample_logs/sla_policy.toml``) and prints wall and process-CPU seconds (best of ``--repeat``).
CPU time is what an idle machine needs; wall time includes waiting for other jobs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.etl.loader import ingest_log  # noqa: E402
from pipelines.mining.sla import (  # noqa: E402
    calibrate_risk,
    evaluate_sla,
    find_at_risk,
    find_breach_drivers,
    get_reopens,
    get_resolution_times,
    get_wait_by_status,
    get_wait_split,
    read_policy,
    sla_breach_rates,
)
from pipelines.simulate.generate import write_benchmark  # noqa: E402
from pipelines.store import Store  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, float, object]:
    best_wall, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        best_wall = min(best_wall, time.perf_counter() - w)
        best_cpu = min(best_cpu, time.process_time() - c)
    return best_wall, best_cpu, result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "data")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    source = args.work / f"bench_{args.events}.parquet"
    if not source.exists():
        t = write_benchmark(args.events, args.work, fmt="parquet")
        print(f"simulated {args.events:,} events in {t['simulate_s']:.1f} s")
    db = args.work / f"sla_bench_{args.events}.duckdb"
    store = Store(db, read_only=False)
    w = time.perf_counter()
    report = ingest_log(source, log="bench", store=store)
    if report.status != "unchanged":
        print(f"ingested {report.n_events:,} events, {report.n_cases:,} cases in {time.perf_counter() - w:.1f} s")
    log = store.log("bench")
    policy = read_policy(ROOT / "sample_logs" / "sla_policy.toml")
    sla = evaluate_sla(log, policy)
    steps = [
        ("evaluate_sla", lambda: evaluate_sla(log, policy)),
        ("sla_breach_rates(frame, by=week)", lambda: sla_breach_rates(sla, by="week")),
        ("find_breach_drivers", lambda: find_breach_drivers(log, policy)),
        ("get_wait_split", lambda: get_wait_split(log, policy)),
        ("get_wait_by_status", lambda: get_wait_by_status(log, policy)),
        ("get_resolution_times", lambda: get_resolution_times(log, policy)),
        ("get_reopens", lambda: get_reopens(log, policy)),
        ("find_at_risk", lambda: find_at_risk(log, policy)),
        ("calibrate_risk (4 cut-offs)", lambda: calibrate_risk(log, policy)),
    ]
    print(f"{len(sla):,} cases; best of {args.repeat}")
    print(f"{'step':<34} {'wall s':>8} {'cpu s':>8}")
    for name, fn in steps:
        wall, cpu, _ = timed(fn, args.repeat if "calibrate" not in name else 1)
        print(f"{name:<34} {wall:>8.2f} {cpu:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
