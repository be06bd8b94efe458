"""The query triage matrix: score each kind of query on complexity, severity and effort, and map
its class to the channel that should handle it (self-service, bot, automation rule, agent).

The dimensions are derived from the log per category (or another case attribute), with the
thresholds, combination rule and channel mapping of a TOML file; the packaged default is
``pipelines/mining/triage_defaults.toml``, whose header documents the format and every metric.

Example
-------
>>> tm = triage_matrix(Store().log("before"), levels=2)  # doctest: +SKIP
>>> tm.matrix[["class", "channel", "categories"]]  # doctest: +SKIP
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from pipelines import schema
from pipelines.log import Log
from pipelines.mining import compare_stats as st
from pipelines.mining._scope import run
from pipelines.mining.clock import case_clocks, load_case_events
from pipelines.mining.definitions import (
    MACHINE_PATTERN,
    check_machine_pattern,
    reopen_activities,
    roles,
)
from pipelines.mining.policy import SlaPolicy, parse_duration, toml_table
from pipelines.store import quote_ident

__all__ = ["CHANNELS", "DEFAULT_CONFIG_PATH", "TriageConfig", "TriageMatrix", "parse_triage_config",
           "read_triage_config", "triage_matrix"]

DEFAULT_CONFIG_PATH = Path(__file__).with_name("triage_defaults.toml")
DIMENSIONS: tuple[str, ...] = ("complexity", "severity", "effort")
METRICS: Mapping[str, tuple[str, ...]] = {
    "complexity": ("variants_per_case", "handoffs_per_case", "escalation_rate"),
    "severity": ("high_priority_share", "breach_rate"),
    "effort": ("customer_wait_s", "reopen_rate", "touches_per_case"),
}
CHANNELS: Mapping[str, str] = {
    "self_service": "self-service / knowledge base",
    "bot": "bot",
    "automation_rule": "automation rule",
    "agent": "agent",
}
"""Channel keys (as in the config) and their labels."""
LEVEL_NAMES: Mapping[int, tuple[str, ...]] = {2: ("low", "high"), 3: ("low", "medium", "high")}
COMBINE: tuple[str, ...] = ("mean", "max")
BY: tuple[str, ...] = (schema.CATEGORY, schema.CHANNEL, schema.PRIORITY, schema.TEAM)
Levels = Literal[2, 3]


@dataclass(frozen=True)
class Metric:
    """Thresholds of one metric: ``two`` (levels=2) and ``three`` (levels=3, ascending)."""

    name: str
    two: float
    three: tuple[float, float]

    def cuts(self, levels: int) -> tuple[float, ...]:
        return (self.two,) if levels == 2 else self.three


@dataclass(frozen=True)
class Dimension:
    name: str
    combine: str
    metrics: tuple[Metric, ...]


@dataclass(frozen=True)
class TriageConfig:
    """A validated triage configuration (see ``triage_defaults.toml`` for the format)."""

    escalation_words: tuple[str, ...]
    reopen_words: tuple[str, ...]
    high_priorities: tuple[str, ...]
    dimensions: tuple[Dimension, ...]
    rules: tuple[tuple[str, str], ...]
    source: str = "<dict>"

    def dimension(self, name: str) -> Dimension:
        return next(d for d in self.dimensions if d.name == name)

    def channel_of(self, cls: str) -> str:
        """The channel key of a class ``"complexity/severity/effort"`` (first matching rule)."""
        parts = cls.split("/")
        for pattern, channel in self.rules:
            if all(p in ("*", x) for p, x in zip(pattern.split("/"), parts, strict=True)):
                return channel
        raise ValueError(f"{self.source}: no rule matches class {cls!r}; end the rules with class = \"*/*/*\"")


@dataclass(frozen=True)
class TriageMatrix:
    """Result of :func:`triage_matrix`.

    Attributes
    ----------
    categories:
        One row per kind of query: ``category`` (the value of ``by``), ``cases``, ``variants``,
        the metrics (``variants_per_case``, ``handoffs_per_case``, ``escalation_rate``,
        ``high_priority_share``, ``breach_rate``, ``customer_wait_s``, ``reopen_rate``,
        ``touches_per_case``; NaN when not computable), ``<metric>_level`` (level name, None when
        the metric is not used), the dimension levels ``complexity``, ``severity``, ``effort``,
        ``class`` (``"low/high/low"``), ``channel`` (key) and ``channel_label``, ``unscored``
        (dimensions without any metric: scored low).
    matrix:
        One row per class in layout order (complexity, then severity, then effort, low first):
        8 rows for ``levels=2``, 27 for ``levels=3``. Columns ``complexity``, ``severity``,
        ``effort``, ``class``, ``channel``, ``channel_label``, ``n_categories``, ``categories``
        (tuple, sorted) and ``cases``.
    levels, by, config:
        The options used.
    """

    categories: pd.DataFrame
    matrix: pd.DataFrame
    levels: int
    by: str
    config: TriageConfig

    def to_dict(self) -> dict:
        """A JSON-ready dict: the matrix cells and each category's class."""
        def clean(v):
            if isinstance(v, tuple):
                return list(v)
            if isinstance(v, float) and math.isnan(v):
                return None
            return v.item() if hasattr(v, "item") else v
        return {
            "levels": self.levels, "by": self.by,
            "matrix": [{k: clean(v) for k, v in r.items()} for r in self.matrix.to_dict("records")],
            "categories": [{k: clean(v) for k, v in r.items()} for r in self.categories.to_dict("records")],
        }


# -- config ---------------------------------------------------------------------------------------


def read_triage_config(path: str | Path | None = None) -> TriageConfig:
    """Read a triage configuration TOML file (``None``: the packaged default)."""
    p = Path(path) if path is not None else DEFAULT_CONFIG_PATH
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read triage config {p}: {exc.strerror or exc}") from None
    return parse_triage_config(text, source=str(p))


def parse_triage_config(text: str, *, source: str = "<string>") -> TriageConfig:
    """Parse and validate a triage configuration from TOML text."""
    return triage_config_from_dict(toml_table(text, source=source), source=source)


def triage_config_from_dict(data: Mapping[str, Any], *, source: str = "<dict>") -> TriageConfig:
    _keys(source, "the file", data, ("signals", "dimensions", "rules"))
    signals = data.get("signals", {})
    if not isinstance(signals, Mapping):
        raise ValueError(f"{source}: [signals] must be a table")
    _keys(source, "[signals]", signals, ("escalation_words", "reopen_words", "high_priorities"))
    dims_raw = data.get("dimensions")
    if not isinstance(dims_raw, Mapping):
        raise ValueError(f"{source}: [dimensions] must be a table with complexity, severity and effort")
    _keys(source, "[dimensions]", dims_raw, DIMENSIONS)
    dims = tuple(_dimension(source, name, dims_raw.get(name)) for name in DIMENSIONS)
    rules = _rules(source, data.get("rules"))
    return TriageConfig(
        escalation_words=_words(source, "escalation_words", signals.get("escalation_words", [])),
        reopen_words=_words(source, "reopen_words", signals.get("reopen_words", [])),
        high_priorities=_words(source, "high_priorities", signals.get("high_priorities", [])),
        dimensions=dims, rules=rules, source=source,
    )


def _keys(source: str, where: str, table: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise ValueError(f"{source}: unknown key(s) {', '.join(map(repr, unknown))} in {where} "
                         f"(allowed: {', '.join(allowed)})")


def _words(source: str, name: str, value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(x, str) and x for x in items):
        raise ValueError(f"{source}: {name} must be a list of non-empty strings")
    return tuple(x.lower() for x in items)


def _dimension(source: str, name: str, value: object) -> Dimension:
    where = f"[dimensions.{name}]"
    if not isinstance(value, Mapping):
        raise ValueError(f"{source}: {where} is missing (a table with combine and metrics)")
    _keys(source, where, value, ("combine", "metrics"))
    combine = value.get("combine", "mean")
    if combine not in COMBINE:
        raise ValueError(f"{source}: {where} combine must be one of {', '.join(map(repr, COMBINE))}; got {combine!r}")
    metrics = value.get("metrics", {})
    if not isinstance(metrics, Mapping):
        raise ValueError(f"{source}: {where} metrics must be a table")
    _keys(source, f"[dimensions.{name}.metrics]", metrics, METRICS[name])
    out = []
    for metric, spec in metrics.items():
        w = f"{where} metric {metric}"
        if not isinstance(spec, Mapping):
            raise ValueError(f"{source}: {w} must be {{ two = T, three = [T1, T2] }}")
        _keys(source, w, spec, ("two", "three"))
        if "two" not in spec or "three" not in spec:
            raise ValueError(f"{source}: {w} needs both two = T and three = [T1, T2]")
        two = _threshold(source, w, metric, spec["two"])
        three = spec["three"]
        if not isinstance(three, list) or len(three) != 2:
            raise ValueError(f"{source}: {w} three must be a list of two thresholds [T1, T2]")
        t1, t2 = (_threshold(source, w, metric, t) for t in three)
        if not t1 < t2:
            raise ValueError(f"{source}: {w} three thresholds must increase; got {three!r}")
        out.append(Metric(metric, two, (t1, t2)))
    return Dimension(name, combine, tuple(out))


def _threshold(source: str, where: str, metric: str, value: object) -> float:
    if metric.endswith("_s") and isinstance(value, str):
        return parse_duration(value, where=f"{source}: {where}")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        kind = "finite numbers or durations like '8h'" if metric.endswith("_s") else "finite numbers"
        raise ValueError(f"{source}: {where} thresholds must be {kind}; got {value!r}")
    return float(value)


def _rules(source: str, value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"{source}: [[rules]] must list at least one class -> channel rule")
    allowed = {"low", "medium", "high", "*"}
    out = []
    for i, rule in enumerate(value, 1):
        where = f"rule {i}"
        if not isinstance(rule, Mapping):
            raise ValueError(f"{source}: {where} must be a table with class and channel")
        _keys(source, where, rule, ("class", "channel"))
        cls, channel = rule.get("class"), rule.get("channel")
        parts = cls.split("/") if isinstance(cls, str) else []
        if len(parts) != 3 or not set(parts) <= allowed:
            raise ValueError(f"{source}: {where} class must be 'complexity/severity/effort' with levels "
                             f"low, medium, high or *; got {cls!r}")
        if channel not in CHANNELS:
            raise ValueError(f"{source}: {where} channel must be one of {', '.join(map(repr, CHANNELS))}; "
                             f"got {channel!r}")
        out.append((cls, channel))
    return tuple(out)


# -- the matrix -----------------------------------------------------------------------------------


def triage_matrix(
    log: Log,
    *,
    levels: Levels = 2,
    config: TriageConfig | str | Path | None = None,
    policy: SlaPolicy | None = None,
    by: str = schema.CATEGORY,
    machine_pattern: str = MACHINE_PATTERN,
) -> TriageMatrix:
    """Classify each kind of query of ``log`` on complexity, severity and effort.

    Parameters
    ----------
    levels:
        2 (low/high: 8 classes) or 3 (low/medium/high: 27 classes).
    config:
        A :class:`TriageConfig`, a path to a TOML file, or None for the packaged default.
    policy:
        SLA policy: adds ``breach_rate`` (severity) and names the resolution and reopen activities
        (without one they are recognised by name, :mod:`pipelines.mining.definitions`). Either
        way ``customer_wait_s`` is the median time from a case's start to its resolution (first
        resolution milestone after its last reopen, as on every page) over its resolved cases,
        and ``reopen_rate`` counts reopens as the SLA engine does (implicit ones, work resumed
        after a resolution, when no reopen activity is named).
    by:
        The case attribute whose values are the kinds of query: ``category`` (default),
        ``channel``, ``priority`` or ``team``.

    Returns
    -------
    :class:`TriageMatrix` (``.categories``, ``.matrix``; see there for the columns).
    """
    if levels not in LEVEL_NAMES or isinstance(levels, bool):
        raise ValueError(f"levels must be one of 2, 3; got {levels!r}")
    schema.check_choice("by", by, BY)
    check_machine_pattern(machine_pattern)
    cfg = config if isinstance(config, TriageConfig) else read_triage_config(config)
    metrics = _triage_metrics(log, cfg, policy, by, machine_pattern)
    if metrics.empty:
        raise ValueError(f"log {log.name!r} has no {by} values (within its filter): the triage matrix "
                         "classifies kinds of query; pass by= another case attribute")
    cats = classify(metrics, cfg, levels)
    return TriageMatrix(categories=cats, matrix=matrix_layout(cats, cfg, levels), levels=levels, by=by,
                        config=cfg)


def _triage_metrics(log: Log, cfg: TriageConfig, policy: SlaPolicy | None, by: str,
                    machine_pattern: str) -> pd.DataFrame:
    params = {
        "escalation_words": list(cfg.escalation_words), "high_priorities": list(cfg.high_priorities),
        "machine_pattern": machine_pattern,
    }
    raw = run(log, "automation/triage_metrics", params, by=quote_ident(by))
    out = pd.DataFrame({schema.CATEGORY: raw["value"].astype(str).to_numpy(dtype=object),
                        "cases": raw["cases"].astype(np.int64), "variants": raw["variants"].astype(np.int64)})
    out["variants_per_case"] = raw["variants"] / raw["cases"]
    out["handoffs_per_case"] = raw["handoffs_per_case"].astype(float)
    out["escalation_rate"] = raw["escalation_rate"].astype(float)
    out["high_priority_share"] = st.ratio(raw["high_priority"], raw["priority_known"])
    out["breach_rate"] = np.nan
    out["customer_wait_s"] = np.nan
    out["reopen_rate"] = np.nan
    out["touches_per_case"] = raw["touches_per_case"].astype(float)
    return _with_clocks(log, cfg, policy, by, out, machine_pattern) if len(out) else out


def _with_clocks(log: Log, cfg: TriageConfig, policy: SlaPolicy | None, by: str, out: pd.DataFrame,
                 machine_pattern: str) -> pd.DataFrame:
    """Reopen rate, customer wait (median start -> resolution of the resolved cases) and, with a
    policy, the resolution breach rate per kind of query, from the one SLA clock core. Reopen
    activities: the policy's and those named with the config's ``reopen_words``."""
    ev = load_case_events(log, policy=policy, machine_pattern=machine_pattern)
    acts = ev.activities.tolist()
    named = set(reopen_activities(acts, policy)) | {a for a in acts if any(w in a.lower() for w in cfg.reopen_words)}
    ck = case_clocks(ev, policy, case_roles=roles(acts, policy, reopened=sorted(named)))
    frame = pd.DataFrame({"key": ev.cases[by].astype(object),
                          "reopened": (ck["reopens"].to_numpy() > 0).astype(float),
                          "breached": ck["resolution_breached"].to_numpy(float),
                          "wait": ck["resolution_calendar_s"].to_numpy(float)})
    frame.loc[pd.isna(ck["status"].to_numpy()), "breached"] = np.nan
    frame = frame[frame["key"].notna()]
    frame["key"] = frame["key"].astype(str)
    g = frame.groupby("key")
    out = out.copy()
    if policy is not None:
        out["breach_rate"] = out[schema.CATEGORY].map(g["breached"].mean()).astype(float)
    out["customer_wait_s"] = out[schema.CATEGORY].map(g["wait"].median()).astype(float)
    out["reopen_rate"] = out[schema.CATEGORY].map(g["reopened"].mean()).astype(float)
    return out


def level_of(values: np.ndarray, cuts: tuple[float, ...]) -> np.ndarray:
    """Level index per value: the number of cuts it reaches (``value >= cut``); -1 for NaN.

    >>> level_of(np.array([0.1, 0.5, 0.9, np.nan]), (0.5,)).tolist()
    [0, 1, 1, -1]
    """
    v = np.asarray(values, dtype=float)
    idx = np.searchsorted(np.asarray(cuts, dtype=float), v, side="right")
    return np.where(np.isnan(v), -1, idx).astype(np.int64)


def classify(metrics: pd.DataFrame, cfg: TriageConfig, levels: int) -> pd.DataFrame:
    """Metric levels, dimension levels, class and channel per category (pure)."""
    names = LEVEL_NAMES[levels]
    out = metrics.copy()
    unscored: list[list[str]] = [[] for _ in range(len(out))]
    for dim in DIMENSIONS:
        d = cfg.dimension(dim)
        used = [m for m in d.metrics if m.name in out.columns]
        lv = np.stack([level_of(out[m.name].to_numpy(float), m.cuts(levels)) for m in used]) if used else (
            np.full((1, len(out)), -1))
        for m, row in zip(used, lv, strict=False):
            out[f"{m.name}_level"] = [names[i] if i >= 0 else None for i in row]
        known = lv >= 0
        with np.errstate(invalid="ignore"):
            if d.combine == "max":
                combined = np.where(known, lv, -1).max(axis=0)
            else:
                mean = np.where(known, lv, 0).sum(axis=0) / np.maximum(known.sum(axis=0), 1)
                combined = np.floor(mean + 0.5).astype(np.int64)
        none = ~known.any(axis=0)
        combined = np.where(none, 0, combined)
        for i in np.flatnonzero(none):
            unscored[i].append(dim)
        out[dim] = [names[i] for i in combined]
    for dim in DIMENSIONS:  # metrics the config does not use have no level
        for metric in METRICS[dim]:
            if f"{metric}_level" not in out.columns:
                out[f"{metric}_level"] = None
    out["class"] = out["complexity"] + "/" + out["severity"] + "/" + out["effort"]
    out["channel"] = [cfg.channel_of(c) for c in out["class"]]
    out["channel_label"] = out["channel"].map(CHANNELS)
    out["unscored"] = [tuple(u) for u in unscored]
    return out.sort_values(schema.CATEGORY, kind="stable").reset_index(drop=True)


def matrix_layout(categories: pd.DataFrame, cfg: TriageConfig, levels: int) -> pd.DataFrame:
    """Every class of the layout (8 or 27 rows, low first) with its channel and categories."""
    names = LEVEL_NAMES[levels]
    rows = []
    for c, s, e in itertools.product(names, repeat=3):
        cls = f"{c}/{s}/{e}"
        members = categories[categories["class"] == cls]
        channel = cfg.channel_of(cls)
        rows.append({"complexity": c, "severity": s, "effort": e, "class": cls, "channel": channel,
                     "channel_label": CHANNELS[channel], "n_categories": len(members),
                     "categories": tuple(sorted(members[schema.CATEGORY].tolist())),
                     "cases": int(members["cases"].sum())})
    return pd.DataFrame(rows)
