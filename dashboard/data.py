"""The app's only data gateway: one read-only Store per app, results cached per filter state.

Callbacks call functions here, never the Store, the mining API or SQL directly. Every result is
cached under ``(warehouse generation, log, filter digest, analysis, options)``, so an ingest (in
this process or another) is picked up on the next request, and two users looking at the same
filtered view share one computation. Failures reach callbacks as :class:`DataError`, whose
message is meant for people (no traceback ever reaches the page).

Adding an analysis for a new page is one call::

    from dashboard import data
    data.register_analysis("sla", lambda log, policy=None: evaluate_sla(log, policy))
    result = data.compute("sla", state, policy="default")   # cached like everything else

Concurrency: the Store (an :class:`AppStore`) hands out a cursor per query. An idle app releases
its read connection after :data:`IDLE_RELEASE_S`, so ``deskmine ingest`` in another process can
take the file's write lock (DuckDB: a read-write connection excludes every other process). An
upload ingested by the app itself (a background thread, see :func:`start_ingest`) writes through
the same Store: its write stops new queries, waits for the running ones, holds the file for the
final copy of the ingest, then reading resumes (new connection, new generation, fresh caches).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard.state import BAR_ATTRIBUTES, FilterState
from pipelines import schema
from pipelines.etl.errors import IngestError
from pipelines.memo import Memo
from pipelines.mining.bottlenecks import find_bottlenecks
from pipelines.mining.cases import get_cases, get_events
from pipelines.mining.clock import log_activities
from pipelines.mining.dfg import discover_dfg
from pipelines.mining.filters import CaseAttribute, Clause, Filter, apply_filter
from pipelines.mining.handoffs import get_handoffs, get_ping_pong, get_rework
from pipelines.mining.kpis import count_cases, get_kpi_trend, get_kpis
from pipelines.mining.variants import get_case_durations, get_variants
from pipelines.stats import get_quality, get_rejects, log_stats
from pipelines.store import Store, WarehouseError

log = logging.getLogger("deskmine.dashboard")

IDLE_RELEASE_S = 2.0
"""Seconds without a query after which the app closes its read connection (lets other processes write)."""
CACHE_SIZE = 128
STASH_SIZE = 64
DEFAULT_MAX_UPLOAD_MB = 200
UPLOAD_ENV = "DESKMINE_MAX_UPLOAD_MB"
UPLOAD_DIR_ENV = "DESKMINE_UPLOAD_DIR"
UPLOAD_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt", ".txt.gz", ".xes", ".xes.gz", ".parquet")
PREVIEW_ROWS = 20_000
VARIANT_OPTIONS = 200


class DataError(RuntimeError):
    """Something the page should say in words (unknown log, bad filter, locked warehouse...)."""


# -- the store -----------------------------------------------------------------------------------

class AppStore(Store):
    """The app's read-only Store, shared with the ingests the app starts itself (uploads).

    Reads and the rare write share it through a writer-preferring gate: a waiting write stops new
    queries from starting, waits for the running ones to finish, then holds the file for its one
    transaction (the final copy of an ingest, seconds at most); queries resume afterwards. Without
    the preference, a busy app (many users, each page several queries) would starve the write.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.last_used = time.monotonic()
        self._gate = threading.Condition(threading.Lock())
        self._readers = 0
        self._writers = 0

    @contextmanager
    def cursor(self):
        with self._gate:
            while self._writers:
                self._gate.wait()
            self._readers += 1
        self.last_used = time.monotonic()
        try:
            with super().cursor() as cur:
                yield cur
        finally:
            self.last_used = time.monotonic()
            with self._gate:
                self._readers -= 1
                self._gate.notify_all()

    @contextmanager
    def write(self, *, staging: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        deadline = time.monotonic() + self.lock_timeout_s
        with self._gate:
            self._writers += 1
            while self._readers:
                left = deadline - time.monotonic()
                if left <= 0 or not self._gate.wait(timeout=left) and self._readers:
                    self._writers -= 1
                    self._gate.notify_all()
                    raise WarehouseError("queries kept the warehouse busy; the ingest could not write: try again")
        try:
            with super().write(staging=staging) as con:
                yield con
        finally:
            with self._gate:
                self._writers -= 1
                self._gate.notify_all()

    def release_if_idle(self, idle_s: float) -> bool:
        if time.monotonic() - self.last_used >= idle_s and self._con is not None:
            self.release()
            return self._con is None
        return False


@dataclasses.dataclass
class Job:
    """A background ingest: progress for the page to poll."""

    id: str
    log: str
    file_name: str
    phase: str = "queued"
    fraction: float = 0.0
    status: str = "running"  # running | done | failed
    message: str = ""
    lines: list[str] = dataclasses.field(default_factory=list)
    started: float = dataclasses.field(default_factory=time.monotonic)

    def to_dict(self) -> dict:
        return {"id": self.id, "log": self.log, "file_name": self.file_name, "phase": self.phase,
                "fraction": round(self.fraction, 4), "status": self.status, "message": self.message,
                "lines": list(self.lines), "seconds": round(time.monotonic() - self.started, 1)}


class Gateway:
    """Everything one app instance holds: its Store, result cache, uploads and ingest jobs."""

    def __init__(self, db_path: str | None, *, max_upload_mb: float | None = None,
                 upload_dir: str | None = None, idle_release_s: float = IDLE_RELEASE_S) -> None:
        self.store = AppStore(db_path, read_only=True)
        self.memo = Memo(CACHE_SIZE)
        self.stash = Memo(STASH_SIZE)  # full frames of long tables, for their CSV export
        mb = max_upload_mb if max_upload_mb is not None else float(os.environ.get(UPLOAD_ENV, DEFAULT_MAX_UPLOAD_MB))
        self.max_upload_bytes = int(mb * 1024 * 1024)
        self.upload_dir = Path(upload_dir or os.environ.get(UPLOAD_DIR_ENV) or tempfile.mkdtemp(prefix="deskmine-uploads-"))
        self.jobs: dict[str, Job] = {}
        self.jobs_lock = threading.Lock()
        self.warm_lock = threading.Lock()  # one warm-up at a time (dashboard.warmup)
        self.after_ingest: Callable[[], Any] | None = None  # dashboard.warmup re-warms the default views
        self._stop = threading.Event()
        self._releaser = threading.Thread(target=self._release_loop, args=(idle_release_s,), daemon=True,
                                          name="deskmine-idle-release")
        self._releaser.start()

    def _release_loop(self, idle_s: float) -> None:
        while not self._stop.wait(min(1.0, idle_s / 2)):
            try:
                self.store.release_if_idle(idle_s)
            except Exception:  # noqa: BLE001 - never let the releaser die
                log.exception("idle release failed")

    def close(self) -> None:
        self._stop.set()
        self.store.close()


EXTENSION_KEY = "deskmine"
_default: Gateway | None = None
_default_lock = threading.Lock()


def configure(db_path: str | None, *, app=None, max_upload_mb: float | None = None,
              upload_dir: str | None = None) -> Gateway:
    """Create the gateway of an app (``create_app`` calls this); without ``app`` it is the process default."""
    global _default
    gw = Gateway(db_path, max_upload_mb=max_upload_mb, upload_dir=upload_dir)
    if app is not None:
        app.server.extensions[EXTENSION_KEY] = gw
    with _default_lock:
        if app is None and _default is not None:
            _default.close()
        if app is None or _default is None:
            _default = gw
    return gw


def gateway() -> Gateway:
    """The gateway of the app serving the current request (or the process default)."""
    from flask import current_app, has_app_context

    if has_app_context():
        gw = current_app.extensions.get(EXTENSION_KEY)
        if gw is not None:
            return gw
    if _default is None:
        return configure(None)
    return _default


def store() -> Store:
    return gateway().store


def generation() -> int:
    return _guard(store().generation)


@contextmanager
def _errors() -> Iterator[None]:
    """Engine errors as :class:`DataError` with a readable message."""
    try:
        yield
    except DataError:
        raise
    except (WarehouseError, IngestError, ValueError, KeyError) as exc:
        raise DataError(_one_line(exc)) from exc
    except duckdb.Error as exc:
        raise DataError(f"the warehouse could not answer: {_one_line(exc)}") from exc


def _guard(fn: Callable[[], Any]) -> Any:
    with _errors():
        return fn()


def _one_line(exc: BaseException) -> str:
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return " ".join(text.split()) or type(exc).__name__


def _memo(key: tuple, compute: Callable[[], Any]) -> Any:
    gw = gateway()
    with _errors():
        return gw.memo.get((gw.store.generation(), *key), compute)


# -- warehouse-level facts ----------------------------------------------------------------------

def logs() -> pd.DataFrame:
    """The warehouse's logs (empty frame when there is no warehouse yet)."""
    s = store()
    if not s.exists():
        return _guard(s.logs)
    return _memo(("logs",), s.logs)


def log_names() -> list[str]:
    return sorted(logs()[schema.LOG].tolist())


def default_log() -> str | None:
    names = log_names()
    return names[0] if names else None


def stats(log_name: str) -> dict:
    return _memo(("stats", log_name), lambda: log_stats(_log(log_name)))


def quality(log_name: str) -> pd.DataFrame:
    return _memo(("quality", log_name), lambda: get_quality(_log(log_name)))


def rejects(log_name: str, limit: int = 1000) -> pd.DataFrame:
    return _memo(("rejects", log_name, limit), lambda: get_rejects(_log(log_name), limit=limit))


def _log(name: str | None):
    if not name:
        raise DataError("no log selected: pick one in the log selector (or load the sample logs: deskmine samples)")
    with _errors():
        return store().log(name)


def resolve_state(state: FilterState) -> FilterState:
    """``state`` with a log: the default log when none is set (the first one, alphabetically)."""
    if state.log:
        return state
    return dataclasses.replace(state, log=default_log())


# -- filter-bar options (once per log) --------------------------------------------------------------

def options(log_name: str) -> dict:
    """Distinct values for the filter bar's dropdowns, from the log's cases (unfiltered).

    Keys: one per :data:`~dashboard.state.BAR_ATTRIBUTES` (sorted values; ``None`` = missing,
    listed last), ``variants`` (``get_variants(top=200)`` frame), ``start`` / ``end`` (first and
    last case start, UTC), ``max_duration_s``.
    """
    def compute() -> dict:
        lg = _log(log_name)
        cases = get_cases(lg)
        out: dict[str, Any] = {}
        for name in BAR_ATTRIBUTES:
            values = cases[name].dropna().astype(str).unique().tolist() if name in cases else []
            out[name] = sorted(values) + ([None] if name in cases and cases[name].isna().any() else [])
        out["variants"] = get_variants(lg, top=VARIANT_OPTIONS)
        out["start"] = cases[schema.START_TIME].min() if len(cases) else None
        out["end"] = cases[schema.START_TIME].max() if len(cases) else None
        out["max_duration_s"] = float(cases[schema.DURATION_S].max()) if len(cases) else 0.0
        return out

    return _memo(("options", log_name), compute)


# -- analyses of the filtered log -------------------------------------------------------------------

ANALYSES: dict[str, Callable[..., Any]] = {
    "cases": get_cases,
    "kpis": get_kpis,
    "case_count": count_cases,
    "activities": log_activities,
    "kpi_trend": get_kpi_trend,
    "case_durations": get_case_durations,
    "dfg": discover_dfg,
    "variants": get_variants,
    "bottlenecks": find_bottlenecks,
    "handoffs": get_handoffs,
    "ping_pong": get_ping_pong,
    "rework": get_rework,
}
"""Analysis name -> ``fn(log, **options)``; every one is cached per filter state."""


def register_analysis(name: str, fn: Callable[..., Any]) -> None:
    """Make ``fn(log, **options)`` available as ``compute(name, state, **options)`` (e.g. SLA, automation)."""
    ANALYSES[name] = fn


def scoped_log(state: FilterState):
    """The mining API's Log for ``state``: ``apply_filter(store.log(name), Filter.from_dict(...))``."""
    state = resolve_state(state)
    with _errors():
        return apply_filter(_log(state.log), state.filter)


def compute(name: str, state: FilterState, **opts) -> Any:
    """``ANALYSES[name](filtered log, **opts)``, cached per (generation, log, filter digest, name, options)."""
    if name not in ANALYSES:
        raise DataError(f"unknown analysis {name!r}; known: {', '.join(sorted(ANALYSES))}")
    state = resolve_state(state)
    key = (state.log, state.digest(), name, tuple(sorted(opts.items())))
    return _memo(key, lambda: ANALYSES[name](scoped_log(state), **opts))


def stash(frame: pd.DataFrame) -> str:
    """Keep a table's full frame on the server (a long table ships only its first rows to the
    browser; its "Export CSV" downloads every row from here). Returns the token :func:`stashed` takes."""
    token = uuid.uuid4().hex
    gateway().stash.put((token,), frame)
    return token


def stashed(token: str | None) -> pd.DataFrame:
    """The frame :func:`stash` kept (DataError when it was dropped: the page must be reloaded)."""
    frame = gateway().stash.find((token,)) if token else None
    if frame is None:
        raise DataError("this table is no longer held by the server (the app restarted, or many tables were opened "
                        "since): reload the page, then export again")
    return frame


def with_clause(state: FilterState, clause: Clause) -> FilterState:
    """``state`` narrowed by one more clause (e.g. "the cases through this node")."""
    return FilterState(state.log, Filter(tuple(state.filter) + (clause,)))


def cases(state: FilterState) -> pd.DataFrame:
    return compute("cases", state)


def n_cases(state: FilterState) -> int:
    """Cases in scope (every page's guard before its analyses: one count, not the KPIs)."""
    return compute("case_count", state)


def activities(state: FilterState) -> list[str]:
    """The activities of the cases in scope, sorted (one grouped query, not the whole DFG)."""
    return compute("activities", state)


def kpis(state: FilterState) -> dict:
    """``get_kpis`` of the filtered log (cases, closed/open, median/p90 duration of closed cases...)."""
    return compute("kpis", state)


def kpi_trend(state: FilterState, period: str = "week") -> pd.DataFrame:
    return compute("kpi_trend", state, period=period)


def dfg(state: FilterState, *, activities: float = 1.0, paths: float = 1.0):
    return compute("dfg", state, activities=float(activities), paths=float(paths))


def variants(state: FilterState) -> pd.DataFrame:
    return compute("variants", state)


def bottlenecks(state: FilterState, by: str = "transition") -> pd.DataFrame:
    return compute("bottlenecks", state, by=by)


def handoffs(state: FilterState, level: str = "team") -> pd.DataFrame:
    return compute("handoffs", state, level=level)


def ping_pong(state: FilterState) -> pd.DataFrame:
    return compute("ping_pong", state)


def rework(state: FilterState) -> pd.DataFrame:
    return compute("rework", state)


def case_detail(log_name: str, case_id: str) -> dict:
    """One case of the whole log: ``case`` (row of get_cases), ``events``, ``variant`` (row of get_variants).

    ``case`` is ``None`` when the log has no such case.
    """
    def compute_detail() -> dict:
        lg = _log(log_name)
        row = get_cases(apply_filter(lg, CaseAttribute(schema.CASE_ID, [case_id])))
        if row.empty:
            return {"case": None, "events": pd.DataFrame(), "variant": None}
        case = row.iloc[0].to_dict()
        events = get_events(lg, case_ids=[case_id])
        all_variants = _memo(("variants", log_name, Filter().digest()), lambda: get_variants(lg))
        match = all_variants[all_variants["variant_id"] == case["variant_id"]]
        variant = match.iloc[0].to_dict() if len(match) else None
        if variant is not None:
            variant["rank"] = int(match.index[0]) + 1
        return {"case": case, "events": events, "variant": variant}

    return _memo(("case", log_name, case_id), compute_detail)


def case_suggestions(state: FilterState, text: str | None, limit: int = 30) -> list[str]:
    """Case ids in scope containing ``text`` (case-insensitive), at most ``limit``; longest cases first when empty."""
    frame = cases(state)
    ids = frame[schema.CASE_ID].astype(str)
    if text:
        ids = ids[ids.str.contains(re.escape(text.strip()), case=False, regex=True)]
        return ids.head(limit).tolist()
    return frame.sort_values(schema.DURATION_S, ascending=False)[schema.CASE_ID].astype(str).head(limit).tolist()


# -- SLA (needs a policy: see dashboard.policies) -----------------------------------------------------

def _sla_analyses() -> dict[str, Callable[..., Any]]:
    from pipelines.mining import sla as m

    return {
        "sla": lambda log, policy: m.evaluate_sla(log, policy),
        "breach_drivers": lambda log, policy, by, milestone: m.find_breach_drivers(log, policy, by=by,
                                                                                   milestone=milestone),
        "wait_by_status": lambda log, policy: m.get_wait_by_status(log, policy),
        "wait_split": lambda log, policy: m.get_wait_split(log, policy),
        "resolution_times": lambda log, policy=None: m.get_resolution_times(log, policy),
        "reopens": lambda log, policy: m.get_reopens(log, policy),
        "at_risk": lambda log, policy: m.find_at_risk(log, policy),
        "risk_calibration": lambda log, policy, milestone: m.calibrate_risk(log, policy, milestone=milestone),
    }


ANALYSES.update(_sla_analyses())


def sla(state: FilterState, policy) -> pd.DataFrame:
    """``evaluate_sla`` of the filtered log under ``policy`` (an SlaPolicy; the cache keys on its content)."""
    return compute("sla", state, policy=policy)


def breach_rates(state: FilterState, policy, by: str = "target") -> pd.DataFrame:
    """``sla_breach_rates(evaluate_sla(...), by=by)``: counts and breach rates per segment or period."""
    from pipelines.mining.sla import sla_breach_rates

    state = resolve_state(state)
    key = (state.log, state.digest(), "breach_rates", policy, by)
    return _memo(key, lambda: sla_breach_rates(sla(state, policy), by=by))


def breach_drivers(state: FilterState, policy, by: str = "status", milestone: str = "resolution") -> pd.DataFrame:
    return compute("breach_drivers", state, policy=policy, by=by, milestone=milestone)


def wait_by_status(state: FilterState, policy) -> pd.DataFrame:
    return compute("wait_by_status", state, policy=policy)


def wait_split(state: FilterState, policy) -> pd.DataFrame:
    return compute("wait_split", state, policy=policy)


def resolution_times(state: FilterState, policy=None):
    """``get_resolution_times`` (Kaplan-Meier and naive median/p90, FCR, trends); ``policy`` may be None."""
    return compute("resolution_times", state, policy=policy)


def reopens(state: FilterState, policy):
    return compute("reopens", state, policy=policy)


def at_risk(state: FilterState, policy) -> pd.DataFrame:
    return compute("at_risk", state, policy=policy)


def risk_calibration(state: FilterState, policy, milestone: str = "resolution"):
    return compute("risk_calibration", state, policy=policy, milestone=milestone)


# -- before/after comparison ---------------------------------------------------------------------------

def comparison(before: FilterState, after: FilterState | None, *, policy=None, split_date: str | None = None,
               by: tuple[str, ...] | None = None, n_boot: int = 1000, seed: int = 0):
    """``compare(before, after | split_date, ...)`` of two filtered logs, cached on both logs' filter
    states, the policy (its content), the split, the segment dimensions and the bootstrap settings.

    Give ``after`` (another log, with its filter) or ``split_date`` (``before`` is split there).
    Takes seconds (the bootstrap); concurrent identical requests compute it once. The KPI tables
    are computed here; segments, map delta and variant shift when first read (``eager=False``),
    so the page draws the KPI table before them.
    """
    from pipelines.mining.compare import compare

    if before.log is None:
        raise DataError("no log selected for the comparison")
    key = ("compare", before.log, before.digest(), after.log if after else None, after.digest() if after else None,
           policy, split_date, tuple(by) if by is not None else None, int(n_boot), int(seed))

    def run():
        log_b = scoped_log(before)
        log_a = scoped_log(after) if after is not None else None
        return compare(log_b, log_a, policy=policy, split_date=split_date, by=by, n_boot=int(n_boot), seed=int(seed),
                       eager=False)

    return _memo(key, run)


# -- automation opportunities and what-if -----------------------------------------------------------

def _automation_analyses() -> dict[str, Callable[..., Any]]:
    from pipelines.mining import automation as m

    return {
        "automation_candidates": lambda log, policy=None: m.find_automation_candidates(log, policy=policy),
        "triage": lambda log, levels, policy=None: m.triage_matrix(log, levels=levels, policy=policy),
        "macros": lambda log: m.find_macro_candidates(log),
        "whatif": lambda log, activities, mode, bot_latency_s, policy=None, n_boot=200: m.simulate_automation(
            log, activity=list(activities), mode=mode, bot_latency_s=bot_latency_s, policy=policy, n_boot=n_boot),
    }


ANALYSES.update(_automation_analyses())


def automation_candidates(state: FilterState, policy=None) -> pd.DataFrame:
    """``find_automation_candidates`` of the filtered log (``policy`` adds the SLA component)."""
    return compute("automation_candidates", state, policy=policy)


def triage(state: FilterState, levels: int = 2, policy=None):
    """``triage_matrix`` (levels 2: 8 classes, 3: 27 classes)."""
    return compute("triage", state, levels=int(levels), policy=policy)


def macros(state: FilterState) -> pd.DataFrame:
    return compute("macros", state)


def whatif(state: FilterState, activities: tuple[str, ...], *, mode: str = "bot", bot_latency_s: float = 30.0,
           policy=None, n_boot: int = 200):
    """``simulate_automation`` of the filtered log, cached on the scenario (steps, mode, latency, policy)."""
    return compute("whatif", state, activities=tuple(activities), mode=mode, bot_latency_s=float(bot_latency_s),
                   policy=policy, n_boot=int(n_boot))


# -- process model (BPMN), when discovery is available -----------------------------------------------

def discovery_available() -> bool:
    try:
        from pipelines.mining import discovery  # noqa: F401
    except ImportError:
        return False
    return hasattr(discovery, "bpmn_xml") and hasattr(discovery, "discover_process_model")


def bpmn(state: FilterState, *, noise: float = 0.2) -> str:
    """The BPMN 2.0 XML of the model discovered on the filtered log (inductive miner, see discovery)."""
    if not discovery_available():
        raise DataError("process discovery is not installed in this build: BPMN export is unavailable")
    from pipelines.mining.discovery import bpmn_xml, discover_process_model

    state = resolve_state(state)
    key = (state.log, state.digest(), "bpmn", noise)
    return _memo(key, lambda: bpmn_xml(discover_process_model(scoped_log(state), noise=noise)))


# -- uploads and background ingest -------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Upload:
    token: str
    path: Path
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def _safe_name(file_name: str) -> str:
    base = Path(str(file_name).replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload"
    return base[:120]


def suggested_log_name(file_name: str) -> str:
    """A snake_case log name from a file name (``Tickets 2024.csv.gz`` -> ``tickets_2024``)."""
    base = _safe_name(file_name).lower()
    for suffix in sorted(UPLOAD_SUFFIXES, key=len, reverse=True):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    name = re.sub(r"[^a-z0-9_]+", "_", base).strip("_")
    if not name or not name[0].isalpha():
        name = "log_" + name
    return name[:63]


def format_size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} GB"


def max_upload_bytes() -> int:
    return gateway().max_upload_bytes


def save_upload(file_name: str, contents: str) -> Upload:
    """Store an uploaded file (``dcc.Upload`` contents: a base64 data URL) for preview and ingest.

    Refuses files over the size limit, of another type than CSV/XES/Parquet, or not base64.
    """
    gw = gateway()
    name = _safe_name(file_name or "upload")
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        raise DataError(f"{name}: only CSV, XES or Parquet files can be uploaded "
                        f"({', '.join(UPLOAD_SUFFIXES)})")
    _, _, payload = (contents or "").partition(",")
    if len(payload) * 3 // 4 > gw.max_upload_bytes + 3:
        raise DataError(too_large_message(name, len(payload) * 3 // 4, gw.max_upload_bytes))
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise DataError(f"{name}: the upload was not received completely (bad encoding); try again") from None
    if len(raw) > gw.max_upload_bytes:
        raise DataError(too_large_message(name, len(raw), gw.max_upload_bytes))
    token = uuid.uuid4().hex[:16]
    folder = gw.upload_dir / token
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(raw)
    return Upload(token, path, len(raw))


def too_large_message(name: str, size: int, limit: int) -> str:
    return (f"{name} is {format_size(size)}: the upload limit is {format_size(limit)}. Ingest it from the "
            f"command line (deskmine ingest FILE --log NAME) or raise the limit with {UPLOAD_ENV}.")


def uploaded(token: str) -> Upload:
    gw = gateway()
    if not re.fullmatch(r"[0-9a-f]{16}", token or ""):
        raise DataError("unknown upload; upload the file again")
    folder = gw.upload_dir / token
    files = list(folder.iterdir()) if folder.is_dir() else []
    if not files:
        raise DataError("the uploaded file is gone (already ingested?); upload it again")
    return Upload(token, files[0], files[0].stat().st_size)


def preview_upload(token: str, overrides: dict[str, str] | None = None) -> dict:
    """What ingesting the upload would do: format, columns, first rows and the column mapping.

    Returns ``{"file", "format", "columns", "sample" (records of the first rows), "rows_sampled",
    "mapping" ({role: {"column", "reason"}}), "notes", "warnings", "problem" (an IngestError
    message when no mapping was possible: the user picks columns), "suggested_log"}``. The mapping
    is decided on the first :data:`PREVIEW_ROWS` rows with the loader's own rules; the ingest
    decides again on the whole file (same rules, so the same result unless later rows differ).
    """
    from pipelines.etl import loader
    from pipelines.etl.loader import IngestOptions
    from pipelines.etl.sniff import detect_format
    from pipelines.etl.staging import Staging

    up = uploaded(token)
    with _errors():
        fmt = detect_format(up.path)
        options = IngestOptions(**{k: v for k, v in (overrides or {}).items() if v})
        with Staging() as stg:
            stg.add_file(0, str(up.path))
            source = loader._open(up.path, options)  # the loader's reader choice, exactly
            rows = 0
            for batch in source.batches:
                stg.add_raw_batch(0, batch)
                rows += batch.num_rows
                if rows >= PREVIEW_ROWS:
                    break
            if rows == 0:
                raise IngestError("no data rows could be read", file=up.name)
            sample = stg.sample(10).drop(columns=["__file", "__row"], errors="ignore")
            problem, mapping, notes = None, {}, []
            try:
                chosen = loader._map_columns(stg, [up.path], options)
                mapping, notes = chosen.to_dict(), list(chosen.notes)
            except IngestError as exc:
                problem = _one_line(exc)
            columns = list(stg.columns)
    return {
        "file": up.name, "size": up.size, "format": fmt, "columns": columns,
        "sample": sample.astype("string").fillna("").to_dict(orient="records"), "rows_sampled": rows,
        "mapping": mapping, "notes": notes, "warnings": list(source.warnings), "problem": problem,
        "suggested_log": suggested_log_name(up.name),
    }


def start_ingest(token: str, log_name: str, overrides: dict[str, str] | None = None, *,
                 replace: bool = False) -> str:
    """Ingest an upload in a background thread; returns the job id to poll with :func:`job`."""
    from pipelines.etl.loader import IngestOptions, check_log_name

    gw = gateway()
    up = uploaded(token)
    with _errors():
        check_log_name(log_name)
        options = IngestOptions(**{k: v for k, v in (overrides or {}).items() if v})
    job_ = Job(id=uuid.uuid4().hex[:12], log=log_name, file_name=up.name)
    with gw.jobs_lock:
        gw.jobs[job_.id] = job_
    thread = threading.Thread(target=_run_ingest, args=(gw, job_, up, options, "replace" if replace else "create"),
                              daemon=True, name=f"deskmine-ingest-{job_.id}")
    thread.start()
    return job_.id


def _run_ingest(gw: Gateway, job_: Job, up: Upload, options, mode: str) -> None:
    from pipelines.etl.loader import ingest_log

    def progress(phase: str, fraction: float) -> None:
        job_.phase, job_.fraction = phase, max(job_.fraction, float(fraction))

    try:
        report = ingest_log(up.path, log=job_.log, store=gw.store, mode=mode, options=options, progress=progress)
        job_.lines = report.summary_lines()
        job_.phase, job_.fraction, job_.status = "done", 1.0, "done"
        job_.message = job_.lines[0] if job_.lines else f"log {job_.log!r} loaded"
        gw.memo.clear()
        if gw.after_ingest is not None:
            gw.after_ingest()
    except (IngestError, WarehouseError, ValueError) as exc:
        job_.status, job_.message = "failed", _one_line(exc)
    except Exception as exc:  # noqa: BLE001 - the page shows one line; the server log has the traceback
        log.exception("ingest of %s failed", up.path)
        job_.status, job_.message = "failed", f"the ingest failed unexpectedly ({type(exc).__name__}: {_one_line(exc)})"
    finally:
        shutil.rmtree(up.path.parent, ignore_errors=True)


def job(job_id: str) -> dict:
    """A job's progress: ``{"status": running|done|failed, "phase", "fraction", "message", "lines", ...}``."""
    gw = gateway()
    with gw.jobs_lock:
        j = gw.jobs.get(job_id or "")
    if j is None:
        raise DataError("unknown ingest job (the app was restarted?)")
    return j.to_dict()
