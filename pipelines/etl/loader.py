"""Ingest event-log files into the warehouse: exactly, transactionally, with a report.

``ingest_log(paths, log=..., store=...)`` reads every file (CSV, XES, Parquet), maps its columns,
parses timestamps, keeps rejected rows with their reasons, orders events by (timestamp, event_seq),
materialises what mining needs (next event, case summary, variants), checks data quality, and
swaps the result into the warehouse in one transaction. See :class:`IngestReport` for what it says.

Semantics
---------
* ``mode="create"`` (default): a new log. If the log exists with the same files (sha256) and
  options, nothing happens (status ``unchanged``); with other content it is refused.
* ``mode="replace"``: swaps the log's content atomically (a no-op when nothing changed).
* ``mode="append"``: adds only the events not already in the log (case, activity, timestamp,
  resource and lifecycle compared as a multiset, so repeated identical events are counted).
* Any failure, anywhere, leaves the warehouse exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
from tqdm import tqdm

from pipelines import schema
from pipelines.etl import quality as quality_checks
from pipelines.etl.errors import IngestError
from pipelines.etl.mapping import ColumnMapping, ColumnProfile, choose_mapping, normalise
from pipelines.etl.sniff import detect_format
from pipelines.etl.sources import RawSource
from pipelines.etl.staging import Staging
from pipelines.etl.timestamps import (
    TimestampOptions,
    TimestampPlan,
    check_timezone,
    numeric_share,
    plan_timestamps,
    timestamp_share,
)
from pipelines.etl.transforms import TransformStats, transform_batch
from pipelines.mining.definitions import CLOSE_WORDS, RESOLVE_WORDS, TERMINAL_WORDS
from pipelines.store import Store, quote_ident, quote_literal, sql_text

INGEST_VERSION = "1"
Mode = Literal["create", "replace", "append"]
MODES: tuple[str, ...] = ("create", "replace", "append")
ProgressFn = Callable[[str, float], None]

SAMPLE_ROWS = 50_000
PROFILE_SAMPLE = 500
CLOSING_COVERAGE = 0.5  # recognised closing activities must end more than this share of cases
CLOSING_WORDS = RESOLVE_WORDS + CLOSE_WORDS + TERMINAL_WORDS
"""Activities that end a case (pipelines.mining.definitions: status words; "completed"/"finished" are
left out on purpose, they name steps such as "Repair completed")."""


@dataclass(frozen=True)
class IngestOptions:
    """How to read the files; every field has a CLI flag of the same name.

    Role overrides (``case_id`` ... ``customer``) name source columns; ``None`` = detect.
    """

    case_id: str | None = None
    activity: str | None = None
    timestamp: str | None = None
    resource: str | None = None
    lifecycle: str | None = None
    team: str | None = None
    priority: str | None = None
    channel: str | None = None
    category: str | None = None
    customer: str | None = None
    timestamp_format: str | None = None
    dayfirst: bool | None = None
    timezone: str = "UTC"
    null_tokens: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    end_activities: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        check_timezone(self.timezone)

    def overrides(self) -> dict[str, str]:
        return {r: getattr(self, r) for r in schema.ROLES if getattr(self, r)}

    def fingerprint(self) -> dict:
        d = asdict(self)
        d["null_tokens"] = list(self.null_tokens)
        d["end_activities"] = list(self.end_activities) if self.end_activities is not None else None
        return d


@dataclass(frozen=True)
class IngestReport:
    """What an ingest did. ``status`` is ``loaded``, ``replaced``, ``appended`` or ``unchanged``."""

    log: str
    status: str
    files: tuple[str, ...]
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    blank_rows: int = 0
    events_added: int = 0
    n_cases: int = 0
    n_events: int = 0
    n_activities: int = 0
    n_variants: int = 0
    mapping: dict = field(default_factory=dict)
    timezone: str = "UTC"
    end_activities: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    quality: tuple[dict, ...] = ()
    seconds: float = 0.0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["files"] = list(self.files)
        return d

    def summary_lines(self) -> list[str]:
        """The human summary printed by ``deskmine ingest``."""
        if self.status == "unchanged":
            return [f"log {self.log!r}: unchanged (same files, sha256, and options already ingested); nothing to do"]
        lines = [
            f"log {self.log!r} {self.status}: {self.n_events:,} events in {self.n_cases:,} cases, "
            f"{self.n_activities:,} activities, {self.n_variants:,} variants ({self.seconds:.1f} s)",
            f"rows read {self.rows_read:,}; loaded {self.rows_loaded:,}; rejected {self.rows_rejected:,}"
            + (f"; blank rows skipped {self.blank_rows:,}" if self.blank_rows else "")
            + (f"; events added {self.events_added:,}" if self.status == "appended" else ""),
            "mapping:",
        ]
        for role, info in self.mapping.items():
            lines.append(f"  {role:<10} <- {info['column']!r} ({info['reason']})")
        lines.append(f"zone-less timestamps are read as {self.timezone}")
        if self.end_activities:
            lines.append("cases count as closed when they end with: " + ", ".join(repr(a) for a in self.end_activities))
        for w in self.warnings:
            lines.append(f"warning: {w}")
        issues = [q for q in self.quality if q["severity"] != "ok"]
        if issues:
            lines.append("quality: " + "; ".join(f"{q['title'].lower()}: {q['count']:,} {q['unit']}" for q in issues))
        if self.rows_rejected:
            lines.append(f"see the rejected rows with: deskmine rejects --log {self.log}")
        return lines


def check_log_name(name: str) -> None:
    """Log names are snake_case (``^[a-z][a-z0-9_]{0,62}$``)."""
    if not re.match(schema.LOG_NAME_PATTERN, name or ""):
        raise IngestError(f"invalid log name {name!r}", hint="use lowercase letters, digits and _ (e.g. helpdesk_2024)")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def ingest_log(
    paths: str | Path | Sequence[str | Path],
    *,
    log: str,
    store: Store | str | Path | None = None,
    mode: Mode = "create",
    options: IngestOptions | None = None,
    progress: bool | ProgressFn = False,
    temp_dir: str | None = None,
) -> IngestReport:
    """Load ``paths`` into ``store`` as the log ``log`` (see the module docstring).

    Raises :class:`IngestError` for bad input (the warehouse is then unchanged).

    Example
    -------
    >>> store = Store(":memory:")
    >>> report = ingest_log("sample_logs/before.csv.gz", log="before", store=store)  # doctest: +SKIP
    >>> report.status  # doctest: +SKIP
    'loaded'
    """
    started = time.monotonic()
    schema.check_choice("mode", mode, MODES)
    check_log_name(log)
    options = options or IngestOptions()
    files = [Path(p) for p in ([paths] if isinstance(paths, str | Path) else paths)]
    if not files:
        raise IngestError("no files given")
    for f in files:
        if not f.is_file():
            raise IngestError("no such file", file=f)
    store = store if isinstance(store, Store) else Store(store, read_only=True)
    shas = [file_sha256(f) for f in files]
    existing = _existing_log(store, log)
    unchanged = _unchanged(existing, mode, shas, options)
    if unchanged:
        return IngestReport(log=log, status="unchanged", files=tuple(map(str, files)), timezone=options.timezone,
                            seconds=time.monotonic() - started)
    if existing is not None and mode == "create":
        raise IngestError(f"log {log!r} already exists with other content", file=files[0],
                          hint="pass --replace to swap it, --append to add new events, or choose another --log")
    report_progress = _progress_fn(progress)
    with Staging(temp_dir) as stg:
        prepared = _prepare(stg, files, log, options, existing if mode == "append" else None, store, report_progress)
        report_progress("saving", 0.95)
        _swap_in(store, stg, log, mode, existing, prepared, shas, files, options)
    report_progress("done", 1.0)
    status = {"create": "loaded", "replace": "replaced" if existing is not None else "loaded",
              "append": "appended" if existing is not None else "loaded"}[mode]
    return IngestReport(
        log=log, status=status, files=tuple(map(str, files)), seconds=round(time.monotonic() - started, 3),
        **prepared["report"],
    )


# -- phase 1: everything in staging --------------------------------------------------------------

@dataclass
class _ReadResult:
    """What the readers saw: warnings, blank rows and the records they could not split into fields."""

    warnings: list[str] = field(default_factory=list)
    blank_rows: int = 0
    rejects: list[tuple[int, object]] = field(default_factory=list)  # (file index, RawReject)


def _prepare(stg: Staging, files, log, options, existing, store, report_progress) -> dict:
    """Phase 1: read, map, check and order everything in staging; return what phase 2 stores."""
    read = _read_sources(stg, files, options, report_progress)
    mapping = _map_columns(stg, files, options)
    plan = _plan_timestamps(stg, mapping, options, files)
    seq = (existing["max_event_seq"] + 1) if existing is not None else 0
    report_progress("checking rows", 0.5)
    stats = _check_rows(stg, mapping, plan, options, seq)
    n_good, n_bad, n_bad_ts = stg.run("ingest/parsed_counts").fetchone()
    if n_good == 0:
        _refuse_all_rejected(stg, files, mapping, n_bad_ts, n_bad)
    levels = _attribute_levels(stg, mapping)
    file_offset = len(existing["source_files"]) if existing is not None else 0
    _stage_events(stg, levels, log, existing, store, file_offset, frozenset(options.null_tokens))
    _stage_rejects(stg, log, read.rejects, files, existing, store)
    report_progress("ordering events", 0.7)
    end_activities, end_note = _build_tables(stg, log, options)
    n_cases, n_events, n_activities, n_variants, start_time, end_time = stg.run("ingest/log_stats").fetchone()
    report_progress("checking quality", 0.85)
    quality = quality_checks.quality_report(stg.con, n_events, n_cases)
    warnings = read.warnings + list(mapping.notes) + list(plan.notes) + stats.timestamps.notes(options.timezone)
    warnings += [f"surrounding spaces removed from {n:,} {role} values" for role, n in stats.trimmed.items()]
    warnings += [end_note] if end_note else []
    rows_read = stg.raw_rows() + len(read.rejects) + (existing["rows_read"] if existing is not None else 0)
    rows_rejected = n_bad + len(read.rejects) + (existing["rows_rejected"] if existing is not None else 0)
    case_attrs = {name for name, _, level in levels if level == "case"}
    event_attrs = {name for name, _, level in levels if level == "event"}
    if existing is not None:
        case_attrs |= set(existing["case_attributes"])
        event_attrs |= set(existing["event_attributes"])
    return {
        "report": dict(
            rows_read=rows_read, rows_loaded=n_good, rows_rejected=rows_rejected, blank_rows=read.blank_rows,
            events_added=n_events - (existing["n_events"] if existing is not None else 0), n_cases=n_cases,
            n_events=n_events, n_activities=n_activities, n_variants=n_variants, mapping=mapping.to_dict(),
            timezone=options.timezone, end_activities=tuple(end_activities), warnings=tuple(warnings),
            quality=tuple(quality),
        ),
        "start_time": start_time, "end_time": end_time,
        "case_attributes": sorted(case_attrs), "event_attributes": sorted(event_attrs),
        "rows_read": rows_read, "rows_rejected": rows_rejected,
    }


def _read_sources(stg: Staging, files, options, report_progress) -> _ReadResult:
    """Stream every file's raw rows into staging (refuses when not one row could be read)."""
    read = _ReadResult()
    for idx, path in enumerate(files):
        stg.add_file(idx, str(path))
        source = _open(path, options)
        for batch in _with_progress(source, path, report_progress, idx, len(files)):
            stg.add_raw_batch(idx, batch)
        read.warnings += [f"{path.name}: {w}" for w in source.warnings]
        read.blank_rows += source.blank_rows
        read.rejects += [(idx, r) for r in source.rejects]
    if stg.raw_rows() == 0:
        first = read.rejects[0][1].reason if read.rejects else "no data rows"
        raise IngestError(f"no row could be read ({len(read.rejects):,} malformed; first: {first})", file=files[0])
    return read


def _check_rows(stg: Staging, mapping, plan, options, seq: int) -> TransformStats:
    """Canonical values or a reject reason for every raw row, batch by batch (``parsed``)."""
    stats = TransformStats()
    ts_options = TimestampOptions(options.timestamp_format, options.dayfirst, options.timezone)
    nulls = frozenset(options.null_tokens)
    stg.run("ingest/create_parsed")
    for frame in stg.raw_batches():
        parts = [g for _, g in frame.groupby("__file", sort=True)] if frame["__file"].nunique() > 1 else [frame]
        for part in parts:
            out = transform_batch(part, mapping, plan, ts_options, file_index=int(part["__file"].iloc[0]),
                                  seq_start=seq, null_tokens=nulls, stats=stats)
            seq += len(part)
            stg.add_parsed(out)
    return stats


def _build_tables(stg: Staging, log: str, options) -> tuple[tuple[str, ...], str | None]:
    """Events in case order with next-event columns, variants, and cases (with their closed flag)."""
    stg.run("ingest/build_events", {"log": log})
    stg.run("ingest/build_variants", {"log": log})
    end_activities, end_note = _end_activities(stg, options)
    stg.run("ingest/build_cases", {"log": log, "end_activities": list(end_activities)})
    return end_activities, end_note


def _open(path: Path, options: IngestOptions) -> RawSource:
    fmt = detect_format(path)
    if fmt == "csv":
        from pipelines.etl.csv_reader import read_csv

        return read_csv(path, encoding=options.encoding, delimiter=options.delimiter)
    if fmt == "xes":
        from pipelines.etl.xes_reader import read_xes

        return read_xes(path)
    from pipelines.etl.parquet_reader import read_parquet

    return read_parquet(path)


def _with_progress(source: RawSource, path: Path, report_progress, idx: int, n_files: int):
    bar = tqdm(total=source.bytes_total, unit="B", unit_scale=True, delay=2, desc=f"reading {path.name}",
               disable=report_progress is _no_progress, leave=False)
    done = 0
    try:
        for batch in source.batches:
            yield batch
            bar.update(source.bytes_read - done)
            done = source.bytes_read
            share = (idx + (done / source.bytes_total if source.bytes_total else 1)) / n_files
            report_progress(f"reading {path.name}", 0.45 * share)
    finally:
        bar.close()


def _map_columns(stg: Staging, files, options: IngestOptions) -> ColumnMapping:
    rows, prof = stg.profile()
    sample = stg.sample(SAMPLE_ROWS)
    profiles = {}
    for col in stg.columns:
        values = sample[col].dropna().iloc[:PROFILE_SAMPLE] if col in sample else pd.Series(dtype="string")
        profiles[col] = ColumnProfile(col, non_null=prof[col][0], distinct=prof[col][1],
                                      timestamp_share=timestamp_share(values), numeric_share=numeric_share(values))
    mapping = choose_mapping(stg.columns, profiles, rows, sample.astype("string"), overrides=options.overrides(),
                             file=str(files[0]))
    for role in schema.REQUIRED_ROLES:
        col = mapping.column(role)
        if profiles[col].non_null == 0:
            raise IngestError(f"the {role.replace('_', ' ')} column is empty in every row", file=files[0], column=col)
    return mapping


def _plan_timestamps(stg: Staging, mapping: ColumnMapping, options: IngestOptions, files) -> TimestampPlan:
    col = mapping.column(schema.TIMESTAMP)
    raw_type = stg.raw_type(col)
    if raw_type is not None and str(raw_type).startswith("timestamp"):
        return TimestampPlan("native")
    sample = stg.distinct_sample(col)
    first_max, second_max = stg.date_fields_max(col) if raw_type is None or str(raw_type) == "string" else (None, None)
    try:
        return plan_timestamps(sample.astype("string") if sample.dtype == object else sample,
                               TimestampOptions(options.timestamp_format, options.dayfirst, options.timezone),
                               first_field_max=first_max, second_field_max=second_max)
    except ValueError as exc:
        raise IngestError(f"every timestamp is unparseable: {exc}", file=files[0], column=col,
                          hint="pass --timestamp-format (strftime, e.g. '%d/%m/%Y %H:%M')") from exc


def _refuse_all_rejected(stg: Staging, files, mapping: ColumnMapping, n_bad_ts: int, n_bad: int) -> None:
    row, reason = stg.run("ingest/first_reject").fetchone()
    if n_bad_ts == n_bad:
        raise IngestError("every timestamp is unparseable", file=files[0], row=row,
                          column=mapping.column(schema.TIMESTAMP),
                          hint=f"first: {reason}; pass --timestamp-format (strftime)")
    raise IngestError(f"every row is rejected (first: {reason})", file=files[0], row=row)


def _attribute_levels(stg: Staging, mapping: ColumnMapping) -> list[tuple[str, str, str]]:
    """``(attribute name, source column, "case"|"event")`` for each non-role column."""
    attrs = list(mapping.attributes)
    if not attrs:
        return []
    per_case = ", ".join(f"count(distinct r.{quote_ident(c)}) as m{i}" for i, c in enumerate(attrs))
    maxima = ", ".join(f"max(m{i})" for i in range(len(attrs)))
    row = stg.run("ingest/attribute_levels", maxima=maxima, per_case=per_case).fetchone()
    out = []
    taken = set(schema.ROLES)
    for col, most in zip(attrs, row, strict=True):
        is_case = col.startswith(schema.CASE_ATTRIBUTE_PREFIX) or (most or 0) <= 1
        name = col[len(schema.CASE_ATTRIBUTE_PREFIX):] if col.startswith(schema.CASE_ATTRIBUTE_PREFIX) else col
        if name in taken or normalise(name) == "conceptname" and col != name:
            name = col
        taken.add(name)
        out.append((name, col, "case" if is_case else "event"))
    return out


def _entries(levels, level: str) -> str:
    items = [
        f"{{'k': {quote_literal(name)}, 'v': {_attr_value(col)}}}"
        for name, col, lvl in levels if lvl == level
    ]
    return "[" + ", ".join(items) + "]" if items else "[]::struct(k varchar, v varchar)[]"


def _attr_value(col: str) -> str:
    q = f"r.{quote_ident(col)}"
    return (f"case when trim(cast({q} as varchar)) = '' or list_contains($nulls, trim(cast({q} as varchar))) "
            f"then null else cast({q} as varchar) end")


def _stage_events(stg: Staging, levels, log, existing, store: Store, file_offset: int, nulls) -> None:
    """Accepted rows into ``staged``; when appending, the log's events plus only the new ones."""
    stg.run("ingest/create_staged")
    params = {"file_offset": file_offset, "nulls": list(nulls)}
    stg.run("ingest/insert_staged", params, event_entries=_entries(levels, "event"), case_entries=_entries(levels, "case"))
    if existing is None:
        return
    stg.run("ingest/rename_staged_new")
    stg.run("ingest/create_staged")
    old = store.query("ingest/existing_events", {"log": log})
    stg.con.register("_old", old)
    try:
        stg.run("ingest/insert_existing")
    finally:
        stg.con.unregister("_old")
    stg.run("ingest/append_new_only")


def _stage_rejects(stg, log, reader_rejects, files, existing, store: Store) -> None:
    stg.run("ingest/create_rejects")
    raw_struct = "{" + ", ".join(f"{quote_literal(c)}: r.{quote_ident(c)}" for c in stg.columns) + "}"
    stg.run("ingest/insert_rejects", {"log": log}, raw_struct=raw_struct)
    rows = [
        {"log": log, "source_file": str(files[idx]), "source_row": r.row, "column_name": None, "raw": r.raw,
         "reason": r.reason}
        for idx, r in reader_rejects
    ]
    if rows:
        frame = pd.DataFrame(rows, columns=["log", "source_file", "source_row", "column_name", "raw", "reason"])
        frame["source_row"] = frame["source_row"].astype("Int64")
        stg.con.register("_rr", frame)
        try:
            stg.run("ingest/insert_reader_rejects")
        finally:
            stg.con.unregister("_rr")
    if existing is not None:
        old = store.query("ingest/existing_rejects", {"log": log})
        stg.con.register("_rr", old)
        try:
            stg.run("ingest/insert_reader_rejects")
        finally:
            stg.con.unregister("_rr")


def _end_activities(stg: Staging, options: IngestOptions) -> tuple[tuple[str, ...], str | None]:
    """Activities that close a case: given, or those ending cases whose names say 'closed'."""
    last = stg.run("ingest/last_activities").fetchall()
    if options.end_activities is not None:
        return tuple(options.end_activities), None
    total = sum(n for _, n in last) or 1
    words = set(CLOSING_WORDS)
    chosen = tuple(a for a, _ in last if words & set(re.split(r"[^a-z]+", a.lower())))
    covered = sum(n for a, n in last if a in chosen)
    if not chosen or covered / total <= CLOSING_COVERAGE:
        return (), ("no closing activity recognised among the last activities of cases: every case is treated "
                    "as closed (pass --end-activity NAME to mark open cases)")
    return chosen, None


# -- phase 2: one transaction in the warehouse ---------------------------------------------------

def _existing_log(store: Store, log: str) -> dict | None:
    if not store.exists():
        return None
    try:
        rows = store.query("store/log_row", {"log": log})
    except Exception as exc:  # noqa: BLE001 - a corrupt/foreign file is reported as such
        raise IngestError(f"cannot read the warehouse: {exc}", file=store.path) from exc
    if rows.empty:
        return None
    row = rows.iloc[0].to_dict()
    row["source_files"] = list(row["source_files"])
    row["source_sha256"] = list(row["source_sha256"])
    row["case_attributes"] = list(row["case_attributes"])
    row["event_attributes"] = list(row["event_attributes"])
    row["options"] = json.loads(row["options"])
    row["max_event_seq"] = int(store.query_rows("ingest/max_event_seq", {"log": log})[0][0] or -1)
    return row


def _unchanged(existing: dict | None, mode: str, shas: list[str], options: IngestOptions) -> bool:
    if existing is None:
        return False
    same_options = existing["options"] == options.fingerprint()
    if mode == "append":
        return all(s in existing["source_sha256"] for s in shas)
    return same_options and existing["source_sha256"] == shas


def _after_step(step: str) -> None:
    """Called after each step of the warehouse transaction (tests inject failures here)."""


def _swap_in(store: Store, stg: Staging, log, mode, existing, prepared, shas, files, options) -> None:
    stg.con.execute("checkpoint")
    source_files = [str(f) for f in files]
    if mode == "append" and existing is not None:
        source_files = existing["source_files"] + source_files
        shas = existing["source_sha256"] + shas
    rep = prepared["report"]
    params = {
        "log": log, "source_files": source_files, "source_sha256": shas, "ingest_version": INGEST_VERSION,
        "mapping": json.dumps(rep["mapping"]), "options": json.dumps(options.fingerprint()),
        "source_timezone": options.timezone, "rows_read": prepared["rows_read"],
        "rows_loaded": rep["n_events"], "rows_rejected": prepared["rows_rejected"],
        "n_cases": rep["n_cases"], "n_events": rep["n_events"], "n_activities": rep["n_activities"],
        "n_variants": rep["n_variants"], "start_time": prepared["start_time"], "end_time": prepared["end_time"],
        "case_attributes": prepared["case_attributes"], "event_attributes": prepared["event_attributes"],
        "warnings": json.dumps(list(rep["warnings"])), "quality": json.dumps(list(rep["quality"])),
    }
    stg.con.close()
    try:
        with store.write(staging=str(stg.path)) as con:
            _check_not_changed(con, log, existing)
            for table in ("events", "cases", "variants", "rejects", "logs"):
                con.execute(sql_text(f"store/delete_log_{table}"), {"log": log})
            _after_step("deleted")
            for step in ("events", "cases", "variants", "rejects"):
                con.execute(sql_text(f"store/copy_{step}"))
                _after_step(step)
            con.execute(sql_text("store/insert_log"), params)
            _after_step("logs")
    finally:
        stg.con = _reopen(stg)


def _reopen(stg: Staging):
    import duckdb

    return duckdb.connect(str(stg.path))


def _check_not_changed(con, log: str, existing: dict | None) -> None:
    rows = con.execute(sql_text("store/log_generation"), {"log": log}).fetchall()
    now = rows[0][0] if rows else None
    before = existing["generation"] if existing is not None else None
    if now != before:
        raise IngestError(f"log {log!r} was changed by another process during this ingest", hint="run the ingest again")


def _no_progress(phase: str, fraction: float) -> None:
    return None


def _progress_fn(progress: bool | ProgressFn) -> ProgressFn:
    if callable(progress):
        return progress
    return _console_progress if progress else _no_progress


def _console_progress(phase: str, fraction: float) -> None:
    return None  # the console shows tqdm bars for long reads; phases are quick
