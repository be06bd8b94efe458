"""Analytics benchmark: SLA clocks, automation candidates, what-if and comparison on a 1e6-event log.

Uses the engine benchmark's warehouse (``benchmarks/data/bench_<N>.duckdb``; ``python -m benchmarks``
makes it) and the sample SLA policy, which fits the simulator's logs. Each function: median of
``--repeat`` warm runs after one cold run, wall seconds, in one process. Results:
``benchmarks/results/analytics.json`` / ``.md``.

    python -m benchmarks.analytics [--size 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks.engine import LOG, peak_rss_mb, timed, warehouse_path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
POLICY = ROOT / "sample_logs" / "sla_policy.toml"
SCENARIO = ROOT / "docs" / "whatif_sample.toml"


def operations(log, policy) -> dict:
    import tomllib

    from pipelines.mining import automation, sla
    from pipelines.mining.compare import compare
    from pipelines.mining.whatif import Automation
    from pipelines.stats import log_stats

    scenario = [Automation(**t) for t in tomllib.loads(SCENARIO.read_text())["automation"]]
    stats = log_stats(log)
    middle = stats["start"] + (stats["end"] - stats["start"]) / 2
    return {
        "sla: evaluate_sla (deskmine sla)": lambda: sla.evaluate_sla(log, policy),
        "sla: breach rates by week": lambda: sla.sla_breach_rates(log, by="week", policy=policy),
        "sla: breach drivers": lambda: sla.find_breach_drivers(log, policy),
        "sla: resolution times (Kaplan-Meier)": lambda: sla.get_resolution_times(log, policy),
        "sla: at-risk queue": lambda: sla.find_at_risk(log, policy),
        "automation: candidates": lambda: automation.find_automation_candidates(log, policy=policy),
        "automation: triage matrix (27)": lambda: automation.triage_matrix(log, levels=3, policy=policy),
        "automation: macros": lambda: automation.find_macro_candidates(log),
        "what-if: sample scenario, 200 bootstrap": lambda: automation.simulate_automation(
            log, activity=scenario, policy=policy, n_boot=200),
        "compare: split at the middle, 2000 bootstrap": lambda: compare(
            log, split_date=middle, policy=policy, n_boot=2000),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    from benchmarks.__main__ import machine
    from pipelines.mining.policy import read_policy
    from pipelines.store import Store

    db = warehouse_path(args.size)
    if not db.exists():
        raise SystemExit(f"no warehouse {db}: run `python -m benchmarks --sizes {args.size}` first")
    log = Store(db).log(LOG)
    results = {}
    for name, fn in operations(log, read_policy(POLICY)).items():
        results[name] = timed(fn, args.repeat)
        print(f"  {name}: {results[name]['median_s']:.2f} s", file=sys.stderr, flush=True)
    m = machine()
    out = {"size": args.size, "repeat": args.repeat, "machine": m, "peak_rss_mb": peak_rss_mb(), "ops": results}
    target = Path(args.out)
    target.mkdir(parents=True, exist_ok=True)
    (target / "analytics.json").write_text(json.dumps(out, indent=2, default=str))
    lines = [f"# Analytics benchmark: {args.size:,} events", "",
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; load average at start "
             f"{', '.join(f'{x:.2f}' for x in m['load_average_at_start'])}. Median of {args.repeat} warm runs "
             f"(cold run in brackets), seconds; peak memory {out['peak_rss_mb']:.0f} MiB.", "",
             "| operation | seconds |", "|---|---|"]
    lines += [f"| {name} | {r['median_s']:.2f} ({r['cold_s']:.2f}) |" for name, r in results.items()]
    (target / "analytics.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
