"""``python -m pipelines.simulate {sample,benchmark,population,report}``.

sample      regenerate the committed sample files (byte-identical): logs, truth tables, policy
benchmark   write a large log of exactly --events events (Parquet and/or CSV.gz) and time it
population  estimate before/after KPI population values on --cases cases per side (CSV)
report      print the Markdown tables of sample_logs/README.md (truth counts, population KPIs),
            or rewrite them in place with --update-readme sample_logs/README.md
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from .generate import BENCH_FORMATS, sample_pair, write_benchmark, write_sample
from .report import population_report, sample_report
from .truth import POPULATION_CASES, population_kpis


def _cmd_sample(args: argparse.Namespace) -> int:
    for p in write_sample(args.out):
        print(f"{p}  {p.stat().st_size:,} bytes")
    return 0


def _cmd_benchmark(args: argparse.Namespace) -> int:
    t = write_benchmark(args.events, args.out, fmt=args.format, seed=args.seed)
    print(" ".join(f"{k}={v:.1f}" for k, v in t.items()))
    return 0


def _cmd_population(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    df = population_kpis(args.cases)
    out = Path(args.out) / "population_truth.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out, index=False, float_format="%.6g", lineterminator="\n")
    print(f"{out} ({time.perf_counter() - t0:.1f} s)")
    return 0


def _replace_block(text: str, name: str, body: str) -> str:
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    i, j = text.index(begin) + len(begin), text.index(end)
    return text[:i] + "\n" + body + "\n" + text[j:]


def _cmd_report(args: argparse.Namespace) -> int:
    sample = sample_report(sample_pair())
    pop_path = Path(args.population)
    pop = population_report(pd.read_csv(pop_path)) if pop_path.exists() else ""
    if args.update_readme:
        readme = Path(args.update_readme)
        text = _replace_block(readme.read_text(), "sample-report", sample)
        text = _replace_block(text, "population-report", pop)
        readme.write_text(text)
        print(f"updated {readme}")
    else:
        print(sample)
        print(pop)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipelines.simulate", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sample", help="regenerate the committed sample files")
    p.add_argument("--out", default="sample_logs")
    p.set_defaults(func=_cmd_sample)
    p = sub.add_parser("benchmark", help="write a large log for benchmarks")
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--out", required=True)
    p.add_argument("--format", choices=BENCH_FORMATS, default="parquet")
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(func=_cmd_benchmark)
    p = sub.add_parser("population", help="estimate population KPIs of the before/after pair")
    p.add_argument("--cases", type=int, default=POPULATION_CASES)
    p.add_argument("--out", default="sample_logs")
    p.set_defaults(func=_cmd_population)
    p = sub.add_parser("report", help="print the README tables")
    p.add_argument("--population", default="sample_logs/population_truth.csv")
    p.add_argument("--update-readme", metavar="README", help="rewrite the generated blocks of README")
    p.set_defaults(func=_cmd_report)
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
