"""The KPIs of a before/after comparison: their definitions, the per-case facts they are computed
from, and the raw, mix-adjusted and per-segment comparison tables (see :func:`compare`).

KPI definitions
---------------
Activity roles, reopens, first-contact resolution and who is human are deskmine's one set of
definitions (:mod:`pipelines.mining.definitions`): from the SLA policy when one is given, else
recognised by activity and resource names (each overridable with :class:`KpiDefinitions`); the
same roles are used on both sides.

* **Resolution instant**: the first *resolving* event (a ``resolved`` or ``closed`` milestone of
  the policy; without a policy, an activity with a word of :data:`RESOLVE_WORDS` in its name)
  after the case's last reopen, or the first one anywhere when the case was never reopened: a case
  resolved, reopened and resolved again is measured to its final resolution. This is the SLA
  engine's rule, computed by the same clock core (:func:`pipelines.mining.clock.clocks`), thank-you
  rule included when the policy sets it. A case without one is *unresolved* (still open, or its
  reopen has not been resolved yet). When no activity of either log resolves (no policy, nothing
  recognised), a case the ingest marked closed is resolved at its last event.
* **Reopen**: an event whose activity is a ``reopened`` milestone (without a policy: its name
  contains "reopen"). When no reopen activity is named, reopens are *implicit*: an event right
  after a resolving one that does not resolve itself (work resumed).
* ``cases_per_week``: cases in scope / weeks of the side's observation window (a Poisson rate).
* ``resolution_median``, ``resolution_p90`` (seconds): wall-clock time from the case's first
  event to its resolution instant, over resolved cases (numpy's 'linear' quantile). Unresolved
  cases are left out, so when one side has had less time to resolve its late cases (right
  censoring) its long resolutions are under-represented: compare windows of equal length.
* ``sla_resolution_median``, ``sla_resolution_p90`` (seconds; only with a policy): the SLA clock's
  ``resolution_s`` of :func:`~pipelines.mining.sla.evaluate_sla`: working time of the case's target
  calendar with paused intervals subtracted, over cases that reached the resolution milestone.
* ``events_per_case``: mean events per case.
* ``handoffs_per_case``: mean hand-offs per case. A hand-off is a pair of consecutive events of
  a case, events without a team skipped, whose team differs (``handoff_level="team"``; with
  ``"resource"`` the same on resources). ``"auto"`` (default) uses teams when the logs have any,
  else resources. Bot and system teams count as teams.
* ``reopen_rate``: share of cases with at least one reopen.
* ``first_contact_resolution_rate``: among resolved cases, the share with no reopen (explicit
  or implicit; ignored thank-you reopens excepted) and no event of an *FCR-breaking* activity
  anywhere in the case: the reopen and ``pause`` activities of the policy, and activities whose
  lower-cased name contains one of :data:`FCR_WORDS` (escalations, transfers, send-backs,
  requests for information).
* ``resolution_breach_rate``, ``first_response_breach_rate`` (only with a policy): share of the
  cases with an SLA target whose resolution / first-response status is ``breached`` or
  ``open_breached``.
* ``no_human_touch_share``: share of cases that are resolved and have no event by a human
  resource. A resource is *not human* when its name matches one of the regular expressions
  :data:`NON_HUMAN_PATTERNS` (default: the one machine pattern,
  :data:`~pipelines.mining.definitions.MACHINE_PATTERN`: bots, system, automation, RPA...;
  case-insensitive through the pattern's own ``(?i)``); events without a resource (customer
  events) are not human either. Left out when neither log records resources.

Mix adjustment (direct standardisation)
---------------------------------------
Each KPI except ``cases_per_week`` is recomputed as if both sides had the same case mix over the
strata ``mix_by`` (default category x priority): the standard mix is the pooled share of every
stratum among the cases the KPI is computed on, on both sides (all cases; resolved cases for
resolution times and first-contact resolution; cases with a target for breach rates), so when
the mix did not change the adjusted values equal the raw ones. A rate or mean is ``sum_s w_s KPI_s``; a quantile is the
weighted quantile of the side's values with each case of stratum ``s`` weighing ``w_s / n_s``
(:func:`~pipelines.mining.compare_stats.weighted_quantile`: inverted CDF, the smallest value whose
weighted cumulative share reaches q; within one order-statistic gap of the raw 'linear' one). Only strata with eligible cases on
both sides are compared (``coverage`` = their pooled share of cases). CIs come from a bootstrap
stratified by stratum (each stratum keeps its size: the mix is held fixed, as direct
standardisation assumes), p-values from the bootstrap z statistic ``delta / sd*``.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from pipelines import schema
from pipelines.log import Log
from pipelines.mining import compare_stats as st
from pipelines.mining import definitions
from pipelines.mining._scope import run
from pipelines.mining.clock import case_clocks, load_case_events
from pipelines.mining.sla import evaluate_sla
from pipelines.store import quote_ident

__all__ = [
    "DIMENSIONS", "FCR_WORDS", "HANDOFF_LEVELS", "KPIS", "KPI_COLUMNS", "NON_HUMAN_PATTERNS",
    "RESOLVE_WORDS", "Kpi", "KpiDefinitions", "Rules", "adjusted_table", "case_facts", "kpi_table",
    "resolve_rules", "segment_table",
]

Kind = Literal["volume", "quantile", "mean", "rate"]
HandoffLevel = Literal["auto", "team", "resource"]
HANDOFF_LEVELS: tuple[str, ...] = get_args(HandoffLevel)
Dimension = Literal["category", "channel", "priority", "team"]
DIMENSIONS: tuple[str, ...] = (schema.CATEGORY, schema.CHANNEL, schema.PRIORITY, schema.TEAM)
"""Case attributes a comparison can be segmented or mix-adjusted by (``team``: the case's last team)."""
MISSING = "(missing)"

RESOLVE_WORDS: tuple[str, ...] = definitions.RESOLVE_WORDS + definitions.CLOSE_WORDS
"""Without a policy, an activity resolves a case when a word of its name is one of these (the
resolve and close words of :mod:`pipelines.mining.definitions`)."""
FCR_WORDS: tuple[str, ...] = definitions.FCR_WORDS
"""Lower-case fragments of activity names that break a first-contact resolution by default."""
NON_HUMAN_PATTERNS: tuple[str, ...] = (definitions.MACHINE_PATTERN,)
"""Default regular expressions naming non-human resources (``triage-bot``, ``system``, ``RPA_01``)."""


@dataclass(frozen=True)
class Kpi:
    """One comparison KPI: ``kind`` decides its statistics (see the module docstring)."""

    name: str
    label: str
    unit: str
    kind: Kind
    column: str | None = None
    q: float | None = None
    eligible: str | None = None
    needs: Literal["policy", "resources"] | None = None
    better: Literal["lower", "higher"] | None = None


KPIS: tuple[Kpi, ...] = (
    Kpi("cases_per_week", "cases per week", "cases/week", "volume"),
    Kpi("resolution_median", "median resolution time", "s", "quantile", "resolution_s", 0.5, "is_resolved",
        better="lower"),
    Kpi("resolution_p90", "p90 resolution time", "s", "quantile", "resolution_s", 0.9, "is_resolved",
        better="lower"),
    Kpi("sla_resolution_median", "median SLA resolution time (business)", "s", "quantile", "sla_resolution_s",
        0.5, "sla_resolved", "policy", "lower"),
    Kpi("sla_resolution_p90", "p90 SLA resolution time (business)", "s", "quantile", "sla_resolution_s",
        0.9, "sla_resolved", "policy", "lower"),
    Kpi("events_per_case", "events per case", "events/case", "mean", schema.N_EVENTS, better="lower"),
    Kpi("handoffs_per_case", "hand-offs per case", "hand-offs/case", "mean", "handoffs", better="lower"),
    Kpi("reopen_rate", "reopen rate", "share", "rate", "reopened", better="lower"),
    Kpi("first_contact_resolution_rate", "first-contact resolution rate", "share", "rate", "fcr",
        eligible="is_resolved", better="higher"),
    Kpi("resolution_breach_rate", "resolution SLA breach rate", "share", "rate", "resolution_breached",
        eligible="has_resolution_target", needs="policy", better="lower"),
    Kpi("first_response_breach_rate", "first-response SLA breach rate", "share", "rate",
        "first_response_breached", eligible="has_first_response_target", needs="policy", better="lower"),
    Kpi("no_human_touch_share", "share of cases with no human touch", "share", "rate", "no_human_touch",
        needs="resources", better=None),
)
"""Every KPI in report order; those that ``need`` a policy or resources appear only with them."""

KPI_COLUMNS: list[str] = [
    "kpi", "label", "unit", "before", "after", "delta", "delta_pct", "ci_low", "ci_high",
    "p_value", "p_adjusted", "significant", "test", "effect_size", "n_before", "n_after",
]
ADJUSTED_COLUMNS: list[str] = [
    "kpi", "label", "unit", "before", "after", "delta", "delta_pct", "ci_low", "ci_high",
    "p_value", "p_adjusted", "significant", "test", "coverage", "raw_delta", "n_before", "n_after",
]
SEGMENT_COLUMNS: list[str] = ["dimension", "segment", *KPI_COLUMNS]


# -- definitions -------------------------------------------------------------------------------------

def _names(what: str, value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = (value,)
    items = tuple(value)  # type: ignore[arg-type]
    if not all(isinstance(v, str) and v for v in items):
        raise ValueError(f"{what} must be a list of non-empty strings; got {value!r}")
    return items


@dataclass(frozen=True)
class KpiDefinitions:
    """How the comparison reads a log; every ``None`` means "from the policy, else by name".

    Parameters
    ----------
    resolved:
        Activities that resolve or close a case (the resolution instant).
    reopened:
        Reopen activities; an empty list means implicit reopens (see the module docstring).
    fcr_breakers:
        Activities that break a first-contact resolution.
    non_human:
        Regular expressions (Python ``re``, matched with ``re.search``) naming resources that are
        not human: bots, system accounts. Default :data:`NON_HUMAN_PATTERNS`.
    handoff_level:
        ``"auto"`` (team when the logs have teams, else resource), ``"team"`` or ``"resource"``.

    Example
    -------
    >>> KpiDefinitions(non_human=(r"(?i)^svc_", r"(?i)bot")).non_human
    ('(?i)^svc_', '(?i)bot')
    """

    resolved: tuple[str, ...] | None = None
    reopened: tuple[str, ...] | None = None
    fcr_breakers: tuple[str, ...] | None = None
    non_human: tuple[str, ...] = NON_HUMAN_PATTERNS
    handoff_level: HandoffLevel = "auto"

    def __post_init__(self) -> None:
        for name in ("resolved", "reopened", "fcr_breakers"):
            object.__setattr__(self, name, _names(name, getattr(self, name)))
        patterns = _names("non_human", self.non_human) or ()
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"non_human pattern {p!r} is not a valid regular expression: {exc}") from None
        object.__setattr__(self, "non_human", patterns)
        schema.check_choice("handoff_level", self.handoff_level, HANDOFF_LEVELS)
        if self.resolved == ():
            raise ValueError("resolved must name at least one activity: without it nothing is ever resolved")


@dataclass(frozen=True)
class Rules:
    """The concrete roles both sides are read with (what :func:`resolve_rules` decided)."""

    resolved: tuple[str, ...]
    reopened: tuple[str, ...]
    implicit_reopens: bool
    fcr_breakers: tuple[str, ...]
    humans: tuple[str, ...]
    non_human_resources: tuple[str, ...]
    handoff_level: str
    has_resources: bool
    roles: definitions.Roles

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items() if k not in ("humans", "roles")}


def vocabulary(log: Log) -> pd.DataFrame:
    """``kind`` (activity/resource/team), ``value``, ``events`` of the cases in scope."""
    return run(log, "compare/vocabulary")


def resolve_rules(defs: KpiDefinitions, policy: Any, vocab: pd.DataFrame) -> Rules:
    """Concrete activity roles, human resources and hand-off level for ``vocab`` (both sides')."""
    acts = sorted(set(vocab.loc[vocab["kind"] == "activity", "value"]))
    resources = sorted(set(vocab.loc[vocab["kind"] == "resource", "value"]))
    has_team = bool((vocab["kind"] == "team").any())
    r = definitions.roles(acts, policy, resolved=defs.resolved, reopened=defs.reopened,
                          fcr_breakers=defs.fcr_breakers)
    machine = np.zeros(len(resources), dtype=bool)
    for pattern in defs.non_human:
        machine |= definitions.is_machine(resources, pattern)
    level = defs.handoff_level if defs.handoff_level != "auto" else ("team" if has_team else "resource")
    return Rules(
        resolved=r.resolved, reopened=r.reopened, implicit_reopens=r.implicit_reopens,
        fcr_breakers=r.fcr_breakers, humans=tuple(np.array(resources, dtype=object)[~machine]),
        non_human_resources=tuple(np.array(resources, dtype=object)[machine]), handoff_level=level,
        has_resources=bool(resources), roles=r,
    )


# -- per-case facts ----------------------------------------------------------------------------------

def case_facts(log: Log, rules: Rules, policy: Any = None) -> pd.DataFrame:
    """One row per case in scope with everything the KPIs read (SQL for sizes, hand-offs and human
    touch; the clock core for resolution, reopens and FCR; a merge with the SLA).

    Columns: ``case_id``, ``start_time``, ``n_events``, ``priority``, ``channel``, ``category``,
    ``team``, ``handoffs``, ``reopens``, ``reopened``, ``fcr_broken``, ``human_touch``,
    ``resolved_time``, ``resolution_s``, ``is_resolved``, ``fcr``, ``no_human_touch``; with a policy
    also ``sla_resolution_s``, ``sla_resolved``, ``resolution_breached``,
    ``first_response_breached`` (1.0/0.0, NaN without a target) and ``has_resolution_target``,
    ``has_first_response_target``.
    """
    column = schema.TEAM if rules.handoff_level == "team" else schema.RESOURCE
    frame = run(log, "compare/case_facts", {"humans": list(rules.humans)}, actor=quote_ident(column))
    ev = load_case_events(log)
    ck = case_clocks(ev, case_roles=rules.roles)
    if not np.array_equal(ev.cases["case_idx"].to_numpy(), frame.pop("case_idx").to_numpy()):
        raise AssertionError("case facts and clocks disagree on the cases in scope")
    resolved_us = ck["resolved_us"].to_numpy(dtype=np.int64)
    frame["reopens"] = ck["reopens"].to_numpy(dtype=np.int64)
    frame["fcr_broken"] = ck["fcr_broken"].to_numpy(dtype=bool)
    frame["resolved_time"] = pd.to_datetime(pd.Series(resolved_us.view("datetime64[us]")), utc=True)
    frame["resolution_s"] = ck["resolution_calendar_s"].to_numpy(dtype=float)
    frame["is_resolved"] = frame["resolution_s"].notna()
    frame["reopened"] = frame["reopens"] > 0
    frame["fcr"] = frame["is_resolved"] & ~frame["fcr_broken"]
    frame["no_human_touch"] = frame["is_resolved"] & ~frame["human_touch"].astype(bool)
    for dim in DIMENSIONS:
        frame[dim] = frame[dim].astype(object).where(frame[dim].notna(), MISSING)
    if policy is not None:
        frame = _with_sla(frame, log, policy)
    return frame


def _with_sla(frame: pd.DataFrame, log: Log, policy: Any) -> pd.DataFrame:
    sla = evaluate_sla(log, policy)
    cols = ["case_id", "resolution_s", "resolution_breached", "first_response_breached"]
    sla = sla[cols].rename(columns={"resolution_s": "sla_resolution_s"})
    out = frame.merge(sla, on="case_id", how="left", validate="one_to_one")
    out["sla_resolution_s"] = out["sla_resolution_s"].astype(float)
    out["sla_resolved"] = out["sla_resolution_s"].notna()
    for col in ("resolution_breached", "first_response_breached"):
        values = pd.array(out[col], dtype="boolean")
        out[col] = values.to_numpy(dtype=float, na_value=np.nan)
    out["has_resolution_target"] = out["resolution_breached"].notna()
    out["has_first_response_target"] = out["first_response_breached"].notna()
    return out


def active_kpis(policy: Any, rules: Rules) -> list[Kpi]:
    """The KPIs this comparison can compute."""
    out = []
    for k in KPIS:
        if k.needs == "policy" and policy is None:
            continue
        if k.needs == "resources" and not rules.has_resources:
            continue
        out.append(k)
    return out


# -- the raw comparison ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """What every table is computed with."""

    weeks: tuple[float, float]
    n_boot: int
    seed: int
    alpha: float
    correction: str


class _Columns:
    """Some cases' KPI columns as numpy arrays (a segment's cases, sliced once for all its KPIs):
    what :func:`kpi_row` reads of a case-facts frame (``len`` and ``frame[column]``)."""

    def __init__(self, frame: pd.DataFrame, columns: Sequence[str], mask: np.ndarray):
        self._columns = {c: frame[c].to_numpy()[mask] for c in columns}
        self._n = int(mask.sum())

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, column: str) -> np.ndarray:
        return self._columns[column]


def _kpi_columns(kpis: Sequence[Kpi]) -> list[str]:
    return sorted({k.column for k in kpis if k.column and k.kind != "volume"} | {k.eligible for k in kpis if k.eligible})


def _values(frame: pd.DataFrame | _Columns, kpi: Kpi) -> np.ndarray:
    values = np.asarray(frame[kpi.column], dtype=float)
    if kpi.eligible is not None:
        values = values[np.asarray(frame[kpi.eligible], dtype=bool)]
    return values[~np.isnan(values)]


def _pct(before: float, delta: float) -> float:
    if math.isnan(before) or math.isnan(delta) or before == 0:
        return float("nan")
    return 100.0 * delta / abs(before)


def _stat(kpi: Kpi, x: np.ndarray) -> float:
    if x.size == 0:
        return float("nan")
    if kpi.kind == "quantile":
        return float(np.quantile(x, kpi.q))
    return float(x.mean())


def _boot(kpi: Kpi, x: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    if kpi.kind == "quantile":
        return st.boot_quantiles(x, [kpi.q], n_boot, rng)[:, 0]
    if kpi.kind == "rate":
        return st.boot_rate(int(x.sum()), x.size, n_boot, rng)
    return st.boot_mean(x, n_boot, rng)


def _test(kpi: Kpi, xb: np.ndarray, xa: np.ndarray) -> tuple[float, str, float]:
    """``(p, test, effect size)`` of the raw comparison of one KPI."""
    if kpi.kind == "quantile":
        if kpi.q == 0.5:
            p, eff = st.mann_whitney(xb, xa)
            return p, "Mann-Whitney U", eff
        p, eff, name = st.quantile_test(xb, xa, kpi.q)
        return p, name, eff
    if kpi.kind == "rate":
        if xb.size == 0 or xa.size == 0:
            return float("nan"), "none", float("nan")
        p, name = st.proportion_test(int(xb.sum()), xb.size, int(xa.sum()), xa.size)
        return p, name, st.cohen_h(xb.mean(), xa.mean())
    return st.welch_test(xb, xa), "Welch t", st.cohen_d(xb, xa)


def kpi_row(kpi: Kpi, fb: pd.DataFrame, fa: pd.DataFrame, s: Settings, key: str) -> dict[str, Any]:
    """One raw KPI row (``p_adjusted``/``significant`` are set per family afterwards)."""
    row: dict[str, Any] = {"kpi": kpi.name, "label": kpi.label, "unit": kpi.unit}
    if kpi.kind == "volume":
        (wb, wa), nb, na = s.weeks, len(fb), len(fa)
        before, after = nb / wb if wb > 0 else math.nan, na / wa if wa > 0 else math.nan
        p, lo, hi = st.poisson_rate_test(nb, wb, na, wa, s.alpha)
        row.update(before=before, after=after, delta=after - before, ci_low=lo, ci_high=hi, p_value=p,
                   test="Poisson rates: exact conditional binomial", effect_size=math.nan,
                   n_before=nb, n_after=na)
    else:
        xb, xa = _values(fb, kpi), _values(fa, kpi)
        before, after = _stat(kpi, xb), _stat(kpi, xa)
        diffs = (_boot(kpi, xa, s.n_boot, st.rng_for(s.seed, key, kpi.name, "after"))
                 - _boot(kpi, xb, s.n_boot, st.rng_for(s.seed, key, kpi.name, "before")))
        lo, hi = st.percentile_ci(diffs, s.alpha)
        p, test, eff = _test(kpi, xb, xa)
        row.update(before=before, after=after, delta=after - before, ci_low=lo, ci_high=hi, p_value=p,
                   test=test, effect_size=eff, n_before=xb.size, n_after=xa.size)
    row["delta_pct"] = _pct(row["before"], row["delta"])
    return row


def _finish(rows: list[dict], columns: list[str], s: Settings) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["p_adjusted"] = st.adjust_pvalues(frame["p_value"].to_numpy(dtype=float), s.correction) if len(frame) else []
    frame["significant"] = (frame["p_adjusted"] < s.alpha).astype(bool)
    for col in ("n_before", "n_after"):
        frame[col] = frame[col].astype(int)
    return frame.reindex(columns=columns)


def kpi_table(fb: pd.DataFrame, fa: pd.DataFrame, kpis: Sequence[Kpi], s: Settings) -> pd.DataFrame:
    """The raw comparison, one row per KPI (columns :data:`KPI_COLUMNS`), corrected as one family."""
    if not kpis:
        return pd.DataFrame(columns=KPI_COLUMNS)
    return _finish([kpi_row(k, fb, fa, s, "all") for k in kpis], KPI_COLUMNS, s)


# -- segments ----------------------------------------------------------------------------------------

def segment_table(fb: pd.DataFrame, fa: pd.DataFrame, kpis: Sequence[Kpi], by: Sequence[str],
                  s: Settings) -> pd.DataFrame:
    """The raw comparison per value of each dimension in ``by`` (columns :data:`SEGMENT_COLUMNS`).

    Every segment x KPI test is one family for the correction. Sorted with the significant rows
    first, each part by ``|effect_size|`` (largest first; volumes, which have none, last), then
    dimension, segment and KPI order: the segment that changed most comes first.
    """
    rows = []
    columns = _kpi_columns(kpis)
    for dim in by:
        values = sorted(set(fb[dim]) | set(fa[dim]), key=lambda v: (v == MISSING, v))
        dim_b, dim_a = fb[dim].to_numpy(), fa[dim].to_numpy()
        for value in values:
            sb, sa = _Columns(fb, columns, dim_b == value), _Columns(fa, columns, dim_a == value)
            for k in kpis:
                row = kpi_row(k, sb, sa, s, f"{dim}={value}")
                rows.append({"dimension": dim, "segment": value, **row})
    if not rows:
        return pd.DataFrame(columns=SEGMENT_COLUMNS)
    frame = _finish(rows, SEGMENT_COLUMNS, s)
    order = {k.name: i for i, k in enumerate(KPIS)}
    frame["_abs"] = frame["effect_size"].abs()
    frame["_order"] = frame["kpi"].map(order)
    frame["_dim"] = frame["dimension"].map({d: i for i, d in enumerate(by)})
    frame = frame.sort_values(["significant", "_abs", "_dim", "segment", "_order"],
                              ascending=[False, False, True, True, True], na_position="last", kind="stable")
    return frame.drop(columns=["_abs", "_order", "_dim"]).reset_index(drop=True)


# -- mix adjustment ----------------------------------------------------------------------------------

def _strata(fb: pd.DataFrame, fa: pd.DataFrame, mix_by: Sequence[str]) -> tuple[np.ndarray, np.ndarray, int]:
    """Stratum codes of each side's cases and the number of strata."""
    both = pd.concat([fb[list(mix_by)], fa[list(mix_by)]], ignore_index=True).astype(str)
    codes = both.groupby(list(mix_by), sort=True).ngroup().to_numpy(dtype=np.int64)
    return codes[: len(fb)], codes[len(fb):], int(codes.max()) + 1 if codes.size else 0


def _eligible(frame: pd.DataFrame, kpi: Kpi, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mask = np.ones(len(frame), bool) if kpi.eligible is None else frame[kpi.eligible].to_numpy(dtype=bool)
    values = frame[kpi.column].to_numpy(dtype=float)
    mask = mask & ~np.isnan(values)
    return values[mask], codes[mask]


def _adjusted_point(kpi: Kpi, x: np.ndarray, strata: np.ndarray, w: np.ndarray) -> float:
    if x.size == 0:
        return float("nan")
    if kpi.kind == "quantile":
        order = np.argsort(x, kind="stable")
        sizes = np.bincount(strata, minlength=len(w))
        cw = np.divide(w, sizes, out=np.zeros(len(w)), where=sizes > 0)[strata[order]]
        keep = cw > 0
        return st.weighted_quantile(x[order][keep], cw[keep], kpi.q)
    sums = np.bincount(strata, weights=x, minlength=len(w))
    sizes = np.bincount(strata, minlength=len(w))
    means = np.divide(sums, sizes, out=np.zeros(len(w)), where=sizes > 0)
    return float(means @ w)


def _adjusted_boot(kpi: Kpi, x: np.ndarray, strata: np.ndarray, w: np.ndarray, s: Settings,
                   rng: np.random.Generator) -> np.ndarray:
    if kpi.kind == "quantile":
        return st.boot_strat_quantiles(x, strata, w, [kpi.q], s.n_boot, rng)[:, 0]
    if kpi.kind == "rate":
        k = np.bincount(strata, weights=x, minlength=len(w)).round().astype(np.int64)
        n = np.bincount(strata, minlength=len(w))
        return st.boot_strat_rate(k, n, w, s.n_boot, rng)
    return st.boot_strat_mean(x, strata, w, s.n_boot, rng)


def adjusted_row(kpi: Kpi, fb: pd.DataFrame, fa: pd.DataFrame, cb: np.ndarray, ca: np.ndarray,
                 n_strata: int, s: Settings) -> dict[str, Any]:
    """One mix-adjusted KPI row (see the module docstring)."""
    xb, sb = _eligible(fb, kpi, cb)
    xa, sa = _eligible(fa, kpi, ca)
    nb, na = np.bincount(sb, minlength=n_strata), np.bincount(sa, minlength=n_strata)
    pooled = nb + na
    support = (nb > 0) & (na > 0)
    w = np.where(support, pooled, 0).astype(float)
    total = w.sum()
    row: dict[str, Any] = {"kpi": kpi.name, "label": kpi.label, "unit": kpi.unit,
                           "coverage": float(total / pooled.sum()) if pooled.sum() else math.nan}
    if total == 0:
        row.update(before=math.nan, after=math.nan, delta=math.nan, ci_low=math.nan, ci_high=math.nan,
                   p_value=math.nan, test="none", n_before=0, n_after=0)
        return row
    w /= total
    keep_b, keep_a = support[sb], support[sa]
    xb, sb, xa, sa = xb[keep_b], sb[keep_b], xa[keep_a], sa[keep_a]
    before, after = _adjusted_point(kpi, xb, sb, w), _adjusted_point(kpi, xa, sa, w)
    diffs = (_adjusted_boot(kpi, xa, sa, w, s, st.rng_for(s.seed, "adjusted", kpi.name, "after"))
             - _adjusted_boot(kpi, xb, sb, w, s, st.rng_for(s.seed, "adjusted", kpi.name, "before")))
    lo, hi = st.percentile_ci(diffs, s.alpha)
    delta = after - before
    row.update(before=before, after=after, delta=delta, ci_low=lo, ci_high=hi,
               p_value=st.bootstrap_z_pvalue(delta, diffs), test="bootstrap z (stratified, direct standardisation)",
               n_before=xb.size, n_after=xa.size)
    return row


def adjusted_table(fb: pd.DataFrame, fa: pd.DataFrame, kpis: Sequence[Kpi], mix_by: Sequence[str],
                   s: Settings, raw: pd.DataFrame) -> pd.DataFrame:
    """Mix-adjusted KPIs (columns :data:`ADJUSTED_COLUMNS`), corrected as one family."""
    kpis = [k for k in kpis if k.kind != "volume"]
    if not kpis or not mix_by or fb.empty or fa.empty:
        return pd.DataFrame(columns=ADJUSTED_COLUMNS)
    cb, ca, n_strata = _strata(fb, fa, mix_by)
    rows = [adjusted_row(k, fb, fa, cb, ca, n_strata, s) for k in kpis]
    for row in rows:
        row["delta_pct"] = _pct(row["before"], row["delta"])
    frame = _finish(rows, ADJUSTED_COLUMNS, s)
    frame["raw_delta"] = frame["kpi"].map(dict(zip(raw["kpi"], raw["delta"], strict=True)))
    return frame
