"""``deskmine``: the engine on the command line, thin wiring over the Python API.

Exit status 0 on success, 2 on bad input (one line on stderr, the warehouse unchanged), 1 on an
unexpected failure. ``--format table|csv|json`` chooses the output; JSON shapes are contracts.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pipelines import schema
from pipelines.output import FORMATS, render

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(Exception):
    """Raised by command handlers for a one-line, exit-2 failure."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse prints usage + message)
        raise BadInput(f"{self.prog}: {message}")


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str):
    def register(fn):
        COMMANDS[name] = fn
        return fn

    return register


def _common(p: argparse.ArgumentParser, *, log: bool = True, fmt: bool = True, formats=FORMATS) -> None:
    p.add_argument("--db", help="warehouse file (default: $DESKMINE_DB, else data/deskmine.duckdb)")
    if log:
        p.add_argument("--log", required=True, help="log name")
    if fmt:
        p.add_argument("--format", default="table", choices=formats, help="output format (default: table)")


SLA_VIEWS = ("cases", "rates", "drivers", "waits", "resolution", "reopens", "at-risk", "calibration")


def _mining(p: argparse.ArgumentParser, formats=FORMATS) -> None:
    """Options every mining command shares: warehouse, log, output format, filters."""
    from pipelines.cli_filters import add_filter_arguments

    _common(p, formats=formats)
    add_filter_arguments(p)


def _log(args: argparse.Namespace):
    """The --log handle narrowed by the filter flags."""
    from pipelines.cli_filters import filter_from_args
    from pipelines.mining.filters import apply_filter

    log = _store(args).log(args.log)
    flt = filter_from_args(args)
    return log if flt is None else apply_filter(log, flt)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="deskmine", description="Process mining for service desks.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("ingest", help="load event-log files (CSV, XES, Parquet) into the warehouse")
    p.add_argument("paths", nargs="+", metavar="PATH")
    _common(p, fmt=False)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--replace", action="store_true", help="swap the log's content atomically")
    mode.add_argument("--append", action="store_true", help="add only events not already in the log")
    for role in schema.ROLES:
        p.add_argument("--" + role.replace("_", "-"), dest=role, metavar="COL", help=f"source column for {role}")
    p.add_argument("--timestamp-format", metavar="FMT", help="strftime pattern, e.g. '%%d/%%m/%%Y %%H:%%M'")
    p.add_argument("--dayfirst", action="store_true", default=None, help="read NN/NN/YYYY dates as day/month")
    p.add_argument("--timezone", default="UTC", metavar="TZ", help="zone of zone-less timestamps (default UTC)")
    p.add_argument("--null", dest="null_tokens", nargs="+", action="extend", default=[], metavar="TOKEN",
                   help="values that mean 'missing' (besides empty)")
    p.add_argument("--encoding", help="text encoding (default: UTF-8, else Latin-1 with a warning)")
    p.add_argument("--delimiter", help="CSV delimiter (default: detected)")
    p.add_argument("--end-activity", dest="end_activities", action="append", metavar="NAME",
                   help="activity that closes a case (repeatable; default: recognised by name)")
    p.add_argument("--format", default="table", choices=("table", "json"), help="summary format")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("logs", help="list the logs in the warehouse")
    _common(p, log=False)

    p = sub.add_parser("stats", help="a log's size, span and (with --quality) its data-quality report")
    _common(p, formats=("table", "json"))
    p.add_argument("--quality", action="store_true", help="include the data-quality report")

    p = sub.add_parser("rejects", help="rows of a log that were not loaded, with the reason")
    _common(p)
    p.add_argument("--limit", type=int, default=1000)

    p = sub.add_parser("dfg", help="the process map: directly-follows edges with frequency and performance")
    _mining(p)
    p.add_argument("--activities", type=float, default=1.0, help="share of activities kept (0-1], most frequent first")
    p.add_argument("--paths", type=float, default=1.0, help="share of paths kept (0-1], plus those needed to stay connected")

    p = sub.add_parser("variants", help="distinct activity sequences with case counts, shares, durations")
    _mining(p)
    p.add_argument("--top", type=int, default=None, help="only the N most frequent variants")

    p = sub.add_parser("cases", help="the case table: span, duration, size, variant, attributes")
    _mining(p)

    p = sub.add_parser("bottlenecks", help="where waiting and processing time goes")
    _mining(p)
    p.add_argument("--by", default="transition",
                   choices=("transition", "activity", "resource", "team", "source_resource", "source_team"))
    p.add_argument("--top", type=int, default=None)

    p = sub.add_parser("handoffs", help="hand-overs of work between resources or teams, ping-pong, rework")
    _mining(p)
    p.add_argument("--level", default="resource", choices=("resource", "team"))
    p.add_argument("--per-case", action="store_true", help="per-case counts (hand-offs, ping-pongs, rework, self-loops)")

    p = sub.add_parser("discover", help="discover a process model (inductive miner) and export BPMN or PNML")
    _mining(p, formats=("table", "json"))
    p.add_argument("--out", required=True, help="model file: .bpmn or .pnml")
    p.add_argument("--noise", type=float, default=0.2, help="inductive miner noise threshold 0-1 (default 0.2)")
    p.add_argument("--coverage", type=float, default=0.8, help="share of cases whose variants feed the miner")
    p.add_argument("--algorithm", default="imf", choices=("imf", "imd"))
    p.add_argument("--fitness-sample", type=int, default=0, metavar="N",
                   help="also replay N sampled cases on the model and report fitness")

    p = sub.add_parser("sla", help="SLA clocks from the log: per-case first response and resolution vs targets")
    _mining(p)
    p.add_argument("--policy", required=True, help="SLA policy file (TOML; see the README)")
    p.add_argument("--as-of", help="evaluate as of this instant (default: the log's last event)")
    p.add_argument("--view", default="cases", choices=SLA_VIEWS,
                   help="cases (default): one row per case; rates: breach rates --by target|priority|category|"
                        "channel|team|week|month; drivers: where breached cases spent their time --by status|"
                        "transition; waits: customer vs agent wait per status; resolution: naive and Kaplan-Meier "
                        "resolution times and first-contact resolution; reopens; at-risk: open cases ranked by "
                        "breach likelihood; calibration: how well those likelihoods matched history")
    p.add_argument("--by", default=None, help="grouping for --view rates (default target) or drivers (default status)")

    p = sub.add_parser("compare", help="before/after comparison: KPIs with CIs, mix adjustment, segments, map delta")
    _common(p, log=False, formats=("table", "json"))
    p.add_argument("--before", required=True, help="log before the change (or the only log, with --split-date)")
    p.add_argument("--after", help="log after the change")
    p.add_argument("--split-date", help="compare the cases of --before that started before / from this date")
    p.add_argument("--policy", help="SLA policy file: adds SLA KPIs and business-time resolution")
    p.add_argument("--by", action="append", choices=("category", "channel", "priority", "team"),
                   help="segment dimensions (repeatable; default category, channel, team)")
    p.add_argument("--boot", type=int, default=2000, help="bootstrap resamples (default 2000)")
    p.add_argument("--seed", type=int, default=0)

    p = sub.add_parser("automation", help="which steps to automate: ranked candidates, triage matrix, macros")
    _mining(p)
    p.add_argument("--policy", help="SLA policy file: adds each step's contribution to breaches")
    p.add_argument("--view", default="candidates", choices=("candidates", "triage", "macros"))
    p.add_argument("--levels", type=int, default=2, choices=(2, 3), help="triage: low/high (8 classes) or "
                   "low/medium/high (27 classes)")
    p.add_argument("--no-by-category", dest="by_category", action="store_false",
                   help="candidates per activity only (not per category x activity)")

    p = sub.add_parser("whatif", help="predict resolution times and SLA breaches if steps were automated")
    _mining(p, formats=("table", "json"))
    p.add_argument("--activity", action="append", help="step to automate (repeatable)")
    p.add_argument("--scenario", help="TOML file of [[automation]] tables (see docs/whatif_sample.toml)")
    p.add_argument("--mode", default="bot", choices=("remove", "bot", "self_service"))
    p.add_argument("--latency", type=float, default=30.0, help="bot latency in seconds (default 30)")
    p.add_argument("--only", dest="whatif_where", action="append", metavar="KEY=V1,V2",
                   help="automate only in cases with these attributes (repeatable); filter flags such as "
                        "--where still choose the cases replayed")
    p.add_argument("--share", type=float, default=1.0, help="share of those cases that adopt it (0-1)")
    p.add_argument("--policy", help="SLA policy file: business-time clocks and breach rates")
    p.add_argument("--boot", type=int, default=200, help="bootstrap resamples (default 200)")
    p.add_argument("--seed", type=int, default=0)

    p = sub.add_parser("samples", help="load the bundled sample logs into the warehouse (no-op when present)")
    _common(p, log=False, fmt=False)
    p.add_argument("--dir", default=None, help="sample_logs folder (default: the project's)")

    p = sub.add_parser("serve", help="start the web app")
    _common(p, log=False, fmt=False)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8050)
    p.add_argument("--debug", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help()
            return EXIT_BAD_INPUT
        return COMMANDS[args.command](args)
    except BadInput as exc:
        return _fail(str(exc))
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except Exception as exc:  # noqa: BLE001 - classify below
        from pipelines.etl.errors import IngestError
        from pipelines.store import WarehouseError

        if isinstance(exc, IngestError | WarehouseError | ValueError | FileNotFoundError):
            return _fail(str(exc))
        raise


def _fail(message: str) -> int:
    print("deskmine: error: " + " ".join(message.split()), file=sys.stderr)
    return EXIT_BAD_INPUT


def _store(args: argparse.Namespace, read_only: bool = True):
    from pipelines.store import Store

    return Store(args.db, read_only=read_only)


def _print(text: str) -> None:
    sys.stdout.write(text + "\n")


@command("ingest")
def _ingest(args: argparse.Namespace) -> int:
    from pipelines.etl.loader import IngestOptions, ingest_log

    options = IngestOptions(
        **{r: getattr(args, r) for r in schema.ROLES},
        timestamp_format=args.timestamp_format, dayfirst=args.dayfirst, timezone=args.timezone,
        null_tokens=tuple(args.null_tokens), encoding=args.encoding, delimiter=_delimiter(args.delimiter),
        end_activities=tuple(args.end_activities) if args.end_activities else None,
    )
    mode = "replace" if args.replace else "append" if args.append else "create"
    show = not args.quiet and sys.stderr.isatty()
    report = ingest_log(args.paths, log=args.log, store=_store(args), mode=mode, options=options, progress=show)
    if args.format == "json":
        _print(render(report.to_dict(), "json"))
    else:
        _print("\n".join(report.summary_lines()))
    return EXIT_OK


def _delimiter(value: str | None) -> str | None:
    if value is None:
        return None
    return {"\\t": "\t", "tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}.get(value, value)


@command("logs")
def _logs(args: argparse.Namespace) -> int:
    logs = _store(args).logs()
    cols = ["log", "n_cases", "n_events", "n_activities", "n_variants", "start_time", "end_time", "rows_rejected"]
    _print(render(logs[cols], args.format))
    return EXIT_OK


@command("stats")
def _stats(args: argparse.Namespace) -> int:
    from pipelines.stats import log_stats

    stats = log_stats(_store(args).log(args.log), quality=args.quality)
    if args.format == "json":
        _print(render(stats, "json"))
        return EXIT_OK
    rows = {k: v for k, v in stats.items() if k not in ("quality", "mapping", "warnings")}
    _print(render(rows, "table"))
    if args.quality:
        import pandas as pd

        q = pd.DataFrame(stats["quality"])[["severity", "title", "count", "unit", "examples", "advice"]]
        _print("\ndata quality:\n" + render(q, "table"))
    return EXIT_OK


@command("rejects")
def _rejects(args: argparse.Namespace) -> int:
    from pipelines.stats import get_rejects

    _print(render(get_rejects(_store(args).log(args.log), limit=args.limit), args.format))
    return EXIT_OK


@command("dfg")
def _dfg(args: argparse.Namespace) -> int:
    from pipelines.mining.dfg import discover_dfg

    dfg = discover_dfg(_log(args), activities=args.activities, paths=args.paths)
    if args.format == "json":
        _print(render(dfg.to_dict(), "json"))
    else:
        cols = ["source", "target", "frequency", "cases", "mean_s", "median_s", "p90_s", "total_s"]
        _print(render(dfg.edges[cols], args.format))
    return EXIT_OK


@command("variants")
def _variants(args: argparse.Namespace) -> int:
    from pipelines.mining.variants import get_variants

    frame = get_variants(_log(args), top=args.top)
    if args.format == "json":
        rows = [{"variant": list(r.activities), "cases": int(r.cases), "share": float(r.share),
                 "median_duration_s": float(r.median_duration_s)} for r in frame.itertuples()]
        _print(render(rows, "json"))
    else:
        shown = frame.assign(activities=frame["activities"].map(" > ".join))
        _print(render(shown, args.format))
    return EXIT_OK


@command("cases")
def _cases(args: argparse.Namespace) -> int:
    from pipelines.mining.cases import get_cases

    _print(render(get_cases(_log(args)), args.format))
    return EXIT_OK


@command("bottlenecks")
def _bottlenecks(args: argparse.Namespace) -> int:
    from pipelines.mining.bottlenecks import find_bottlenecks

    frame = find_bottlenecks(_log(args), by=args.by)
    _print(render(frame.head(args.top) if args.top else frame, args.format))
    return EXIT_OK


@command("handoffs")
def _handoffs(args: argparse.Namespace) -> int:
    from pipelines.mining.handoffs import get_case_handoff_counts, get_handoffs

    log = _log(args)
    frame = get_case_handoff_counts(log) if args.per_case else get_handoffs(log, level=args.level)
    _print(render(frame, args.format))
    return EXIT_OK


@command("discover")
def _discover(args: argparse.Namespace) -> int:
    from pipelines.mining.discovery import (
        discover_process_model,
        evaluate_fitness,
        export_bpmn,
        export_pnml,
    )

    out = Path(args.out)
    if out.suffix.lower() not in (".bpmn", ".pnml"):
        raise BadInput(f"--out must end in .bpmn or .pnml; got {out.name!r}")
    log = _log(args)
    model = discover_process_model(log, noise=args.noise, variant_coverage=args.coverage, algorithm=args.algorithm)
    (export_bpmn if out.suffix.lower() == ".bpmn" else export_pnml)(model, out)
    summary = {"out": str(out), "algorithm": args.algorithm, "noise": model.noise, "variants_used": model.variants_used,
               "cases_covered": model.cases_covered, "coverage": model.coverage, "sound": model.sound}
    if args.fitness_sample:
        summary["fitness"] = evaluate_fitness(log, model, sample=args.fitness_sample)
    _print(render(summary, args.format))
    return EXIT_OK


@command("sla")
def _sla(args: argparse.Namespace) -> int:
    from pipelines.mining import sla
    from pipelines.mining.policy import read_policy

    if not Path(args.policy).is_file():
        raise BadInput(f"no such policy file: {args.policy} (see the README for the format)")
    policy = read_policy(args.policy)
    log = _log(args)
    as_of = args.as_of
    view = args.view
    if view == "cases":
        frame = sla.evaluate_sla(log, policy, as_of=as_of)
    elif view == "rates":
        frame = sla.sla_breach_rates(log, by=args.by or "target", policy=policy, as_of=as_of)
    elif view == "drivers":
        frame = sla.find_breach_drivers(log, policy, by=args.by or "status", as_of=as_of)
    elif view == "waits":
        frame = sla.get_wait_by_status(log, policy, as_of=as_of)
    elif view == "resolution":
        frame = sla.get_resolution_times(log, policy, as_of=as_of).summary
    elif view == "reopens":
        frame = sla.get_reopens(log, policy, as_of=as_of).summary
    elif view == "at-risk":
        frame = sla.find_at_risk(log, policy, as_of=as_of)
    else:
        frame = sla.calibrate_risk(log, policy).summary
    _print(render(frame, args.format))
    return EXIT_OK


@command("compare")
def _compare(args: argparse.Namespace) -> int:
    from pipelines.mining.compare import compare

    if (args.after is None) == (args.split_date is None):
        raise BadInput("give either --after LOG or --split-date DATE (not both)")
    if args.policy and not Path(args.policy).is_file():
        raise BadInput(f"no such policy file: {args.policy}")
    store = _store(args)
    before = store.log(args.before)
    after = store.log(args.after) if args.after else None
    result = compare(before, after, policy=args.policy, split_date=args.split_date,
                     by=tuple(args.by) if args.by else None, n_boot=args.boot, seed=args.seed)
    _print(render(result.to_dict(), "json") if args.format == "json" else result.describe())
    return EXIT_OK


def _policy(path: str | None):
    from pipelines.mining.policy import read_policy

    if path is None:
        return None
    if not Path(path).is_file():
        raise BadInput(f"no such policy file: {path} (see the README for the format)")
    return read_policy(path)


@command("automation")
def _automation(args: argparse.Namespace) -> int:
    from pipelines.mining import automation

    log, policy = _log(args), _policy(args.policy)
    if args.view == "candidates":
        result = automation.find_automation_candidates(log, policy=policy, by_category=args.by_category)
    elif args.view == "triage":
        matrix = automation.triage_matrix(log, levels=args.levels, policy=policy)
        if args.format == "json":
            _print(render(matrix.to_dict(), "json"))
            return EXIT_OK
        result = matrix.matrix
    else:
        result = automation.find_macro_candidates(log)
    _print(render(result, args.format))
    return EXIT_OK


def _automations(args: argparse.Namespace) -> list:
    import tomllib

    from pipelines.mining.whatif import Automation

    if bool(args.activity) == bool(args.scenario):
        raise BadInput("give --activity NAME (repeatable) or --scenario FILE (not both)")
    if args.scenario:
        if not Path(args.scenario).is_file():
            raise BadInput(f"no such scenario file: {args.scenario}")
        try:
            tables = tomllib.loads(Path(args.scenario).read_text(encoding="utf-8")).get("automation", [])
        except tomllib.TOMLDecodeError as exc:
            raise BadInput(f"{args.scenario}: not valid TOML: {exc}") from exc
        if not tables:
            raise BadInput(f"{args.scenario}: no [[automation]] table")
        return [Automation(**t) for t in tables]
    where: dict[str, list[str]] = {}
    for item in args.whatif_where or []:
        key, sep, values = item.partition("=")
        if not sep or not key or not values:
            raise BadInput(f"--only must be KEY=V1,V2; got {item!r}")
        where[key.strip()] = [v.strip() for v in values.split(",")]
    return [Automation(a, mode=args.mode, bot_latency_s=args.latency, where=where, share=args.share)
            for a in args.activity]


@command("whatif")
def _whatif(args: argparse.Namespace) -> int:
    from pipelines.mining.whatif import simulate_automation

    result = simulate_automation(_log(args), activity=_automations(args), policy=_policy(args.policy),
                                 n_boot=args.boot, seed=args.seed)
    if args.format == "json":
        _print(render(result.to_dict(), "json"))
    else:
        _print(render(result.summary, "table"))
    return EXIT_OK


@command("samples")
def _samples(args: argparse.Namespace) -> int:
    from pipelines.samples import load_sample_logs

    for report in load_sample_logs(_store(args), Path(args.dir) if args.dir else None):
        _print(report.summary_lines()[0])
    return EXIT_OK


@command("serve")
def _serve(args: argparse.Namespace) -> int:
    serve = _plugin("serve")
    return serve(db=args.db, host=args.host, port=args.port, debug=args.debug)


def _plugin(name: str) -> Callable:
    """The command ``name`` that another package registers under the ``deskmine.commands`` entry
    point group (the web app registers ``serve``), so the engine never imports the dashboard."""
    from importlib.metadata import entry_points

    found = entry_points(group="deskmine.commands", name=name)
    if not found:
        raise BadInput(f"'deskmine {name}' is not installed (no 'deskmine.commands' entry point {name!r}); "
                       "install deskmine with its dashboard package, e.g. 'make run' or 'uv sync'")
    return next(iter(found)).load()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_BAD_INPUT"]
