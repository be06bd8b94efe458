"""Before/after comparison: did a change (an automation, a new routing rule) move the KPIs, and
was it the change or a different ticket mix?

:func:`compare` takes two logs, or one log split at a date or by a case attribute, and returns a
:class:`ComparisonResult` (modelled on lifelines' ``StatisticalResult``): effect sizes, bootstrap
confidence intervals and corrected p-values for every KPI, the same KPIs adjusted to a common
category x priority mix, the comparison per segment, the process-map delta and the variant shift.

The KPI definitions (resolution, reopen, first-contact resolution, hand-off, human touch) are in
:mod:`pipelines.mining.compare_kpis`; the tests, bootstrap and corrections in
:mod:`pipelines.mining.compare_stats`; the map delta and variant shift in
:mod:`pipelines.mining.compare_maps`.

Statistics in one paragraph
---------------------------
Differences are ``after - before``. Confidence intervals (level ``1 - alpha``, not adjusted for
multiplicity) are percentile intervals of ``n_boot`` bootstrap resamples of each side's cases,
drawn independently per side and seeded (``seed``): the same call gives the same numbers.
p-values: Mann-Whitney U for median times, Mood's quantile test for the p90, the two-proportion
z-test for rates (Fisher's exact test when an expected count is below 5), Welch's t-test for
means of per-case counts, an exact conditional test of two Poisson rates for cases per week, a
bootstrap z-test for mix-adjusted KPIs. Each table is one family for the multiple-testing
correction (``correction``: Holm by default, which bounds the chance of *any* false "changed" in
the table at ``alpha``; ``"bh"`` bounds the expected share of false discoveries instead).
``significant`` is ``p_adjusted < alpha``.

Reading the table
-----------------
``before``/``after`` are the KPI on each side, ``delta`` their difference with its CI; ``test``
names the test behind ``p_value``. For the median resolution time the test is Mann-Whitney U,
which asks whether resolution times *as a whole* shifted; the CI is the median's own. When the
times have two humps (quick password resets and multi-day refunds in one channel) the median's
CI can be wide and cross zero while the shift is clearly significant: read both. The p90 has its
own quantile test because a whole-distribution shift says little about the tail.
``effect_size`` is standardised (Cohen's d scale: 0.2 small, 0.5 medium, 0.8 large) so that
segment rows of different KPIs sort together.

JSON shape (``to_dict()``, ``deskmine compare --format json``)
--------------------------------------------------------------
::

    {
      "version": 1,
      "before": {"label": "before", "log": "before", "filter": ["..."], "cases": 4000,
                 "window_start": "2025-01-06T03:42:04+00:00", "window_end": "...", "weeks": 12.96},
      "after": {... the same keys ...},
      "settings": {"n_boot": 2000, "seed": 0, "alpha": 0.05, "correction": "holm",
                   "ci": "95% percentile bootstrap over cases (2000 resamples per side)",
                   "mix_by": ["category", "priority"], "by": ["category", "channel", "team"],
                   "policy": true, "split": null | {"kind": "date", "date": "..."}
                             | {"kind": "attribute", "name": "channel", "before": [...], "after": [...] | null},
                   "definitions": {"resolved": [...], "reopened": [...], "implicit_reopens": false,
                                   "fcr_breakers": [...], "non_human_resources": [...],
                                   "handoff_level": "team", "has_resources": true}},
      "kpis": [{"kpi": "resolution_median", "label": "median resolution time", "unit": "s",
                "before": 141576.0, "after": 85463.5, "delta": -56112.5, "delta_pct": -39.6,
                "ci_low": -72313.0, "ci_high": -29452.3, "p_value": 4.5e-31, "p_adjusted": 4.1e-30,
                "significant": true, "test": "Mann-Whitney U", "effect_size": -0.27,
                "n_before": 3831, "n_after": 3818}, ...],
      "adjusted": [{... the kpis keys but effect_size, plus "coverage": 1.0, "raw_delta": -56112.5}, ...],
      "segments": [{"dimension": "category", "segment": "password reset", ... the kpis keys}, ...],
      "map_delta": {"nodes": [{"node_id", "activity", "kind": "start"|"activity"|"end", "layer",
                               "cases_before", "cases_after", "share_before", "share_after",
                               "share_delta", "p_value", "p_adjusted",
                               "status": "new"|"gone"|"more"|"less"|"same",
                               "frequency_before", "frequency_after"}, ...],
                    "edges": [{"edge_id": "A -> B", "source", "target", "kind": "flow"|"start"|"end",
                               ... the node keys from cases_before to frequency_after,
                               "median_s_before", "median_s_after", "median_delta_s",
                               "time_p_value", "time_p_adjusted",
                               "time_status": "faster"|"slower"|"same"|null}, ...]},
      "variant_shift": [{"variant": "A -> B -> C", "activities": ["A", "B", "C"], "n_events": 3,
                         "cases_before", "cases_after", "share_before", "share_after", "delta",
                         "p_value", "p_adjusted", "status": "new"|"gone"|"gained"|"lost"|"same",
                         "variant_id_before", "variant_id_after"}, ... top 20 movers],
      "notes": ["..."]
    }

Numbers: times in seconds, shares in 0..1 (``delta`` of a share is in share units, ``delta_pct``
in percent of ``before``), every NaN as ``null``. KPI names: :data:`~pipelines.mining.compare_kpis.KPIS`.

Example
-------
>>> store = Store("data/deskmine.duckdb")  # doctest: +SKIP
>>> result = compare(store.log("before"), store.log("after"),
...                  policy=read_policy("sample_logs/sla_policy.toml"))  # doctest: +SKIP
>>> result.kpis[["kpi", "before", "after", "delta", "ci_low", "ci_high", "p_adjusted"]]  # doctest: +SKIP
>>> print(result.describe())  # doctest: +SKIP
>>> compare(store.log("helpdesk"), split_date="2024-03-01")  # doctest: +SKIP
>>> compare(store.log("helpdesk"), split_attribute=("channel", ["email"], ["chat"]))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import numbers
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipelines import schema
from pipelines.log import Log
from pipelines.mining import compare_kpis as ck
from pipelines.mining import compare_stats as st
from pipelines.mining.compare_kpis import DIMENSIONS, KPIS, KpiDefinitions
from pipelines.mining.compare_maps import MapDelta, map_delta, records, variant_shift
from pipelines.mining.filters import CaseAttribute, TimeRange, apply_filter

__all__ = ["DEFAULT_BY", "DEFAULT_MIX_BY", "FORMAT_VERSION", "ComparisonResult", "KpiDefinitions", "Side",
           "compare", "kpi_names"]

DEFAULT_BY: tuple[str, ...] = (schema.CATEGORY, schema.CHANNEL, schema.TEAM)
"""Segment dimensions when ``by=None`` (those the logs have)."""
DEFAULT_MIX_BY: tuple[str, ...] = (schema.CATEGORY, schema.PRIORITY)
FORMAT_VERSION = 1
"""Version of the :meth:`ComparisonResult.to_dict` layout."""
_WEEK_S = 7 * 86400.0
DEFERRED_PARTS: tuple[str, ...] = ("segments", "map_delta", "variant_shift")
"""The parts ``compare(..., eager=False)`` computes when first read."""


@dataclass(frozen=True)
class Side:
    """One side of a comparison: which cases, and the window its volume is measured over."""

    label: str
    log: str
    filter: tuple[str, ...]
    cases: int
    window_start: pd.Timestamp
    window_end: pd.Timestamp

    @property
    def weeks(self) -> float:
        return (self.window_end - self.window_start).total_seconds() / _WEEK_S

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "log": self.log, "filter": list(self.filter), "cases": self.cases,
                "window_start": self.window_start.isoformat(), "window_end": self.window_end.isoformat(),
                "weeks": round(self.weeks, 6)}


class _Parts:
    """Parts of a comparison computed on first access, each once (thread-safe): what
    ``compare(..., eager=False)`` leaves for later. An eager comparison holds them computed."""

    def __init__(self, makers: dict[str, Callable[[], Any]]) -> None:
        self._makers = makers
        self._values: dict[str, Any] = {}
        self._locks = {name: threading.Lock() for name in makers}

    def get(self, name: str) -> Any:
        if name not in self._values:
            with self._locks[name]:  # a second caller waits for the first's result
                if name not in self._values:
                    self._values[name] = self._makers[name]()
                    del self._makers[name]  # lets go of the case facts and logs once every part is in
        return self._values[name]

    def ready(self, name: str) -> bool:
        return name in self._values


@dataclass(frozen=True, eq=False)
class ComparisonResult:
    """The outcome of :func:`compare` (frozen; the frames are not to be mutated).

    Attributes
    ----------
    kpis:
        The raw comparison, one row per KPI: ``kpi``, ``label``, ``unit`` (``s`` for times,
        ``share`` for rates in 0..1, ``cases/week``, ``events/case``, ``hand-offs/case``),
        ``before``, ``after``, ``delta`` (after - before), ``delta_pct`` (delta in % of
        ``|before|``), ``ci_low``, ``ci_high`` (CI of ``delta``), ``p_value``, ``p_adjusted``,
        ``significant``, ``test``, ``effect_size`` (standardised, Cohen's d scale; NaN for
        cases per week), ``n_before``, ``n_after`` (cases the KPI is computed on).
    adjusted:
        The same KPIs (not cases per week) directly standardised to the pooled ``mix_by`` mix:
        the columns of ``kpis`` but ``effect_size``, plus ``coverage`` (pooled share of cases in
        strata present on both sides) and ``raw_delta``.
    segments:
        The raw comparison per segment: ``dimension``, ``segment`` and the ``kpis`` columns, all
        rows one correction family, sorted by ``|effect_size|``.
    map_delta:
        :class:`~pipelines.mining.compare_maps.MapDelta` (``nodes``, ``edges``).
    variant_shift:
        Variants with share before/after, difference, test and status, top movers first.
    before, after:
        The two :class:`Side` descriptions.
    settings:
        ``n_boot``, ``seed``, ``alpha``, ``correction``, ``mix_by``, ``by``, ``policy``,
        ``split`` and the KPI definitions used (``definitions``).
    notes:
        Caveats found while comparing (left-out KPIs, unequal windows...).

    ``segments``, ``map_delta`` and ``variant_shift`` of a ``compare(..., eager=False)`` result
    are computed when first read (``is_ready(name)`` tells whether they have been).
    """

    kpis: pd.DataFrame
    adjusted: pd.DataFrame
    before: Side
    after: Side
    parts: _Parts = field(repr=False)
    settings: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def segments(self) -> pd.DataFrame:
        return self.parts.get("segments")

    @property
    def map_delta(self) -> MapDelta:
        return self.parts.get("map_delta")

    @property
    def variant_shift(self) -> pd.DataFrame:
        return self.parts.get("variant_shift")

    def is_ready(self, name: str) -> bool:
        """Whether the part ``name`` (``segments``, ``map_delta``, ``variant_shift``) is computed."""
        schema.check_choice("part", name, DEFERRED_PARTS)
        return self.parts.ready(name)

    @property
    def summary(self) -> pd.DataFrame:
        """Raw and mix-adjusted KPIs side by side, indexed by ``kpi`` (lifelines' ``.summary``)."""
        raw = self.kpis.set_index("kpi")[["label", "unit", "before", "after", "delta", "delta_pct", "ci_low",
                                          "ci_high", "p_value", "p_adjusted", "significant", "test"]]
        adj = self.adjusted.set_index("kpi")[["before", "after", "delta", "ci_low", "ci_high", "p_adjusted",
                                              "significant"]]
        adj = adj.add_prefix("adjusted_")
        return raw.join(adj, how="left")

    def significant_segments(self) -> pd.DataFrame:
        """The segment rows that are significant after correction (in effect-size order)."""
        return self.segments[self.segments["significant"]].reset_index(drop=True)

    def to_dict(self, *, top_segments: int | None = None, top_variants: int | None = 20) -> dict[str, Any]:
        """The JSON shape of ``deskmine compare --format json`` (see the README).

        ``top_segments`` / ``top_variants`` keep the first rows of those tables (None: all).
        Every NaN is ``null``; times are seconds; shares are in 0..1.
        """
        segments = self.segments if top_segments is None else self.segments.head(top_segments)
        variants = self.variant_shift if top_variants is None else self.variant_shift.head(top_variants)
        return {
            "version": FORMAT_VERSION,
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "settings": self.settings,
            "kpis": records(self.kpis),
            "adjusted": records(self.adjusted),
            "segments": records(segments),
            "map_delta": self.map_delta.to_dict(),
            "variant_shift": records(variants),
            "notes": list(self.notes),
        }

    def describe(self, *, top: int = 5) -> str:
        """A plain-text report: the KPI table (raw and adjusted), top segments, map and variants."""
        from pipelines.mining.compare_text import describe

        return describe(self, top=top)

    def __str__(self) -> str:
        return self.describe()

    def __repr__(self) -> str:
        n_sig = int(self.kpis["significant"].sum()) if len(self.kpis) else 0
        return (f"<ComparisonResult {self.before.log} ({self.before.cases} cases) vs {self.after.log} "
                f"({self.after.cases} cases): {n_sig} of {len(self.kpis)} KPIs changed>")


# -- arguments ---------------------------------------------------------------------------------------

def _dimensions(what: str, value: object, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    items = (value,) if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]
    for v in items:
        schema.check_choice(what, v, DIMENSIONS)
    if len(set(items)) != len(items):
        raise ValueError(f"{what} lists a dimension twice: {list(items)}")
    return items


def _check_numbers(n_boot: object, seed: object, alpha: object) -> None:
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 100:
        raise ValueError(f"n_boot must be an integer of at least 100 bootstrap resamples; got {n_boot!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 < alpha < 0.5:
        raise ValueError(f"alpha must be a number in (0, 0.5), e.g. 0.05 for 95% intervals; got {alpha!r}")


def _policy(policy: object):
    if policy is None:
        return None
    if isinstance(policy, str | Path):
        from pipelines.mining.policy import read_policy

        return read_policy(policy)
    if not hasattr(policy, "milestones") or not hasattr(policy, "targets"):
        raise ValueError(f"policy must be an SlaPolicy or the path of a policy file; got {type(policy).__name__}")
    return policy


def _span(log: Log) -> tuple[pd.Timestamp, pd.Timestamp]:
    logs = log.store.logs()
    row = logs[logs[schema.LOG] == log.name]
    if row.empty:
        raise ValueError(f"no log {log.name!r} in the warehouse")
    start, end = row.iloc[0][schema.START_TIME], row.iloc[0][schema.END_TIME]
    if pd.isna(start) or pd.isna(end):
        raise ValueError(f"log {log.name!r} has no events")
    return pd.Timestamp(start).tz_convert("UTC"), pd.Timestamp(end).tz_convert("UTC")


def _split_attribute(value: object) -> tuple[str, tuple, tuple | None]:
    if not isinstance(value, tuple | list) or len(value) not in (2, 3):
        raise ValueError("split_attribute must be (name, before_values) or (name, before_values, after_values), "
                         f"e.g. ('channel', ['email'], ['chat']); got {value!r}")
    name, before = value[0], value[1]
    after = value[2] if len(value) == 3 else None
    schema.check_choice("split_attribute name", name, DIMENSIONS)
    before_t = (before,) if isinstance(before, str) or before is None else tuple(before)
    after_t = None if after is None else ((after,) if isinstance(after, str) else tuple(after))
    if after_t is not None and set(before_t) & set(after_t):
        raise ValueError(f"split_attribute puts {sorted(map(str, set(before_t) & set(after_t)))} on both sides")
    return name, before_t, after_t


def _sides(before: Log, after: Log | None, split_date: object, split_attribute: object):
    """``(log_b, log_a, windows, split)``: the two scoped logs, their windows and the split used."""
    given = [after is not None, split_date is not None, split_attribute is not None]
    if sum(given) != 1:
        raise ValueError("give exactly one of: an 'after' log, split_date, or split_attribute "
                         f"(got {sum(given)})")
    if not isinstance(before, Log) or (after is not None and not isinstance(after, Log)):
        raise ValueError("before and after must be logs (Store(path).log(name))")
    if after is not None:
        return before, after, (_span(before), _span(after)), None
    start, end = _span(before)
    if split_date is not None:
        at = TimeRange(start=split_date, mode="started").start
        assert at is not None
        at_ts = pd.Timestamp(at)
        if not start < at_ts <= end:
            raise ValueError(f"split_date {at_ts.isoformat()} is outside the log's span "
                             f"({start.isoformat()} .. {end.isoformat()})")
        log_b = apply_filter(before, TimeRange(end=at - dt.timedelta(microseconds=1), mode="started"))
        log_a = apply_filter(before, TimeRange(start=at, mode="started"))
        return log_b, log_a, ((start, at_ts), (at_ts, end)), {"kind": "date", "date": at_ts.isoformat()}
    name, values_b, values_a = _split_attribute(split_attribute)
    log_b = apply_filter(before, CaseAttribute(name, values_b))
    clause_a = CaseAttribute(name, values_b, exclude=True) if values_a is None else CaseAttribute(name, values_a)
    log_a = apply_filter(before, clause_a)
    split = {"kind": "attribute", "name": name, "before": list(values_b),
             "after": None if values_a is None else list(values_a)}
    return log_b, log_a, ((start, end), (start, end)), split


def _describe_filter(log: Log) -> tuple[str, ...]:
    return tuple(log.filter.describe()) if log.filter is not None else ()


# -- the comparison ----------------------------------------------------------------------------------

def compare(
    before: Log,
    after: Log | None = None,
    *,
    policy: Any = None,
    by: str | Sequence[str] | None = None,
    split_date: Any = None,
    split_attribute: tuple | None = None,
    mix_by: Sequence[str] | None = DEFAULT_MIX_BY,
    definitions: KpiDefinitions | None = None,
    n_boot: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
    correction: str = "holm",
    eager: bool = True,
) -> ComparisonResult:
    """Compare the KPIs, segments, process map and variants of two sets of cases.

    Parameters
    ----------
    before, after:
        Two logs (``Store(path).log(name)``, optionally filtered), or only ``before`` together
        with ``split_date`` or ``split_attribute``.
    policy:
        An :class:`~pipelines.mining.policy.SlaPolicy` or the path of a policy file: adds the
        SLA KPIs (business resolution time, breach rates) and names the milestone activities.
    by:
        Segment dimensions, from ``category``, ``channel``, ``priority``, ``team`` (the case's
        last team); one name or a list; ``None`` = category, channel and team (those the logs
        have), ``()`` = no segments.
    split_date:
        Split one log at this instant (ISO string, date or datetime; naive = UTC): cases that
        started before it are *before*, the others *after*. Windows: log start .. split and
        split .. log end.
    split_attribute:
        Split one log by a case attribute: ``(name, before_values)`` (after = every other value,
        missing included) or ``(name, before_values, after_values)``, e.g.
        ``("channel", ["email"], ["chat"])``. Both sides share the log's window.
    mix_by:
        Strata of the mix adjustment (default category x priority); ``()`` or None: none.
    definitions:
        :class:`~pipelines.mining.compare_kpis.KpiDefinitions` overriding activity roles,
        non-human resource patterns and the hand-off level.
    n_boot, seed, alpha:
        Bootstrap resamples (at least 100), their seed, and the level: CIs are ``1 - alpha``
        and ``significant`` means ``p_adjusted < alpha``.
    correction:
        ``"holm"`` (default) or ``"bh"`` (Benjamini-Hochberg), applied per table.
    eager:
        ``True`` (default): compute everything now. ``False``: compute the KPI tables now and
        ``segments``, ``map_delta`` and ``variant_shift`` when first read, each once (the web app
        draws the KPI table before them). They are the same numbers either way; a deferred map
        reads the logs when it is first read, so read it before the warehouse changes.

    Returns
    -------
    :class:`ComparisonResult`. Windows: two logs are each measured over their own span (first to
    last event of the whole log, whatever its filter), which ``cases_per_week`` divides by.

    Raises
    ------
    ValueError
        Bad arguments (each message lists what is allowed).
    """
    _check_numbers(n_boot, seed, alpha)
    schema.check_choice("correction", correction, st.CORRECTIONS)
    by_dims = _dimensions("by", by, DEFAULT_BY)
    mix = _dimensions("mix_by", mix_by or (), ())
    defs = definitions if definitions is not None else KpiDefinitions()
    if not isinstance(defs, KpiDefinitions):
        raise ValueError(f"definitions must be a KpiDefinitions; got {type(defs).__name__}")
    pol = _policy(policy)
    log_b, log_a, windows, split = _sides(before, after, split_date, split_attribute)

    vocab = pd.concat([ck.vocabulary(log_b), ck.vocabulary(log_a)], ignore_index=True)
    rules = ck.resolve_rules(defs, pol, vocab)
    fb, fa = ck.case_facts(log_b, rules, pol), ck.case_facts(log_a, rules, pol)
    sides = tuple(Side(label, lg.name, _describe_filter(lg), len(f), w[0], w[1])
                  for label, lg, f, w in zip(("before", "after"), (log_b, log_a), (fb, fa), windows, strict=True))
    settings = ck.Settings(weeks=(sides[0].weeks, sides[1].weeks), n_boot=int(n_boot), seed=int(seed),
                           alpha=float(alpha), correction=correction)
    kpis = ck.active_kpis(pol, rules)
    present = [d for d in by_dims if not _all_missing(fb, fa, d)]
    mix_present = [d for d in mix if not _all_missing(fb, fa, d)]
    raw = ck.kpi_table(fb, fa, kpis, settings)
    adjusted = ck.adjusted_table(fb, fa, kpis, mix_present, settings, raw)
    parts = _Parts({
        "segments": lambda: ck.segment_table(fb, fa, kpis, present, settings),
        "map_delta": lambda: map_delta(log_b, log_a, alpha=alpha, correction=correction),
        "variant_shift": lambda: variant_shift(log_b, log_a, alpha=alpha, correction=correction),
    })
    if eager:
        for name in DEFERRED_PARTS:
            parts.get(name)
    notes = _notes(pol, rules, sides, by_dims, present, mix, mix_present, split)
    info = {
        "n_boot": int(n_boot), "seed": int(seed), "alpha": float(alpha), "correction": correction,
        "ci": f"{100 * (1 - alpha):g}% percentile bootstrap over cases ({int(n_boot)} resamples per side)",
        "mix_by": list(mix_present), "by": list(present), "policy": pol is not None, "split": split,
        "definitions": rules.to_dict(),
    }
    return ComparisonResult(kpis=raw, adjusted=adjusted, before=sides[0], after=sides[1], settings=info,
                            notes=tuple(notes), parts=parts)


def _all_missing(fb: pd.DataFrame, fa: pd.DataFrame, dim: str) -> bool:
    return bool((fb[dim] == ck.MISSING).all() and (fa[dim] == ck.MISSING).all())


def _notes(pol, rules: ck.Rules, sides, by_dims, present, mix, mix_present, split) -> list[str]:
    notes = []
    if pol is None:
        notes.append("no SLA policy: SLA KPIs left out; resolution times are wall-clock")
    if not rules.has_resources:
        notes.append("the logs record no resources: the share of cases with no human touch is left out")
    if rules.implicit_reopens:
        notes.append("no reopen activity in the logs: a reopen is work after a resolution (implicit)")
    if not rules.resolved:
        notes.append("no resolving activity recognised: a case the ingest marked closed is resolved at its "
                     "last event (name them with KpiDefinitions(resolved=[...]) or a policy)")
    for d in by_dims:
        if d not in present:
            notes.append(f"segments by {d} left out: neither log has a {d}")
    for d in mix:
        if d not in mix_present:
            notes.append(f"mix adjustment ignores {d}: neither log has a {d}")
    wb, wa = sides[0].weeks, sides[1].weeks
    if wb > 0 and wa > 0 and abs(wb - wa) / max(wb, wa) > 0.1:
        notes.append(f"windows differ in length ({wb:.1f} vs {wa:.1f} weeks): resolution KPIs of the shorter "
                     "one miss more long, still-open cases (right censoring)")
    if split is not None and split["kind"] == "attribute" and split["name"] in mix_present:
        notes.append(f"split by {split['name']}, which is also a mix stratum: adjusted KPIs compare only strata "
                     "present on both sides")
    return notes


def kpi_names(*, policy: bool = True) -> list[str]:
    """Names of the KPIs in report order (with or without the SLA ones)."""
    return [k.name for k in KPIS if policy or k.needs != "policy"]
