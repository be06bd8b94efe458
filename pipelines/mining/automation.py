"""Automation opportunities from the event log alone: which steps to automate next, and why.

This module ranks automation candidates; :mod:`pipelines.mining.automation_triage` scores kinds
of queries (the triage matrix), :mod:`pipelines.mining.automation_macros` finds macro candidates
and :mod:`pipelines.mining.whatif` predicts what an automation buys. All are re-exported here.

Steps, waiting and processing
-----------------------------
A *step* is an occurrence of an activity: an event, except lifecycle progress markers
(``schedule``, ``assign``, ``reassign``, ``start``, ``suspend``, ``resume``). For each step:

* **processing**: with lifecycle pairs (a ``start`` matched to this ``complete``, first in first
  out, as in :mod:`~pipelines.mining.bottlenecks`), complete minus start. In a complete-only log
  processing is not recorded; it is *estimated* as the gap from the previous step of the case when
  the same (known) resource did that step: the resource went straight on, so the gap is its
  handling time (an upper bound: it includes the resource's own interruptions). Steps after a
  hand-off have no processing estimate. ``processing_basis`` says which applies (``lifecycle``,
  ``same_resource_gap``, ``mixed`` or None).
* **waiting**: the gap from the previous step to the step's begin (its ``start`` event when
  paired), except a gap taken as processing (0 waiting). So in a complete-only log every gap is
  either waiting (a hand-off: the case sat in someone's queue) or processing, never both.
* **lead time**: from the case's first event to the step's begin.
* **deflectable**: a step that is not itself intake, preceded only by *intake* steps (activities
  found in at least 90% of the cases: creation, triage, first reply...; so it is its activity's
  first step in the case) and directly followed by a resolution step, not being one. Such a step
  is all the case needs: a customer could be served by a bot or a knowledge-base article at once
  (self-service), saving the whole lead time, not only the last wait.
* **saving**: lead time for a deflectable step, otherwise its waiting: what a bot acting at once
  removes.

Score
-----
Every component is in [0, 1] on an absolute scale (no normalisation to the other candidates,
so a score means the same in every log):

=================  =========================================================================
``volume``         share of the cases in scope that have the activity
``delay``          ``m / (m + 1 h)``, m = median saving (waiting, or lead time when deflectable)
``brevity``        ``1 / (1 + p / 15 min)``, p = median processing (0.5 when unknown): short
                   handling is routine work; hours of handling are judgement (or a parcel)
``determinism``    ``1 - H(next) / log2(k)``: entropy of the next step over its k outcomes
                   (1: always the same next step)
``rule``           share of that entropy explained by the best case attribute (category,
                   priority, channel): the branch is a rule a machine can apply
``consistency``    ``1 - (q3 - q1) / (q3 + q1)`` of processing (quartile coefficient of
                   dispersion; 0.5 when unknown), robust to the overnight gaps that inflate a CV
``no_rework``      ``1 - repeats / steps``
``deflection``     share of its cases where the step is deflectable
``sla``            ``s / (s + 0.05)``, s = the larger share of breached cases' SLA time (first
                   response or resolution clock) spent waiting for it (only with a policy)
=================  =========================================================================

``score = human_share * sum(w_i * c_i) / sum(w_i)`` over the components present (``sla`` only
with a policy). ``human_share`` (steps done by people, not machines or customers) gates it: a
step nobody does by hand cannot be automated further. Default weights (:data:`DEFAULT_WEIGHTS`,
adding up to 1 with a policy): volume 0.20, delay 0.20, determinism 0.15, brevity 0.10,
no_rework 0.10, deflection 0.10, rule 0.05, consistency 0.05, sla 0.05; pass ``weights=`` to change
any of them. The result carries each component's contribution (``score_<component>``; they add up
to ``score``). Rows of activities in fewer than 1% of the cases are left out (``min_case_share``).

Estimated savings: ``hours_saved_per_month`` = human steps per month x median processing (the
agent time a bot would take over; NaN when processing is unknown);
``wait_hours_saved_per_month`` = the summed savings per month (customer waiting time removed).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from pipelines import schema
from pipelines.log import Log
from pipelines.mining import compare_stats as st
from pipelines.mining._scope import run, scope
from pipelines.mining.automation_common import (
    INTAKE_SHARE,
    fmt_duration,
    months_in_scope,
    step_relations,
)
from pipelines.mining.automation_macros import MACRO_COLUMNS, find_macro_candidates
from pipelines.mining.automation_triage import (
    CHANNELS,
    TriageConfig,
    TriageMatrix,
    read_triage_config,
    triage_matrix,
)
from pipelines.mining.clock import NAT, case_clocks, case_targets, load_case_events, work_on
from pipelines.mining.definitions import (
    MACHINE_PATTERN,
    check_machine_pattern,
    resolution_activities,
)
from pipelines.mining.dfg import END
from pipelines.mining.policy import SlaPolicy
from pipelines.mining.whatif import MODES, Automation, WhatIfResult, simulate_automation
from pipelines.store import render

__all__ = [
    "CANDIDATE_COLUMNS", "CHANNELS", "COMPONENTS", "DEFAULT_WEIGHTS", "MACRO_COLUMNS", "MODES",
    "Automation", "TriageConfig", "TriageMatrix", "WhatIfResult", "find_automation_candidates",
    "find_macro_candidates", "read_triage_config", "score_components", "simulate_automation",
    "triage_matrix",
]

COMPONENTS: tuple[str, ...] = ("volume", "delay", "brevity", "determinism", "rule", "consistency",
                               "no_rework", "deflection", "sla")
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "volume": 0.20, "delay": 0.20, "brevity": 0.10, "determinism": 0.15, "rule": 0.05,
    "consistency": 0.05, "no_rework": 0.10, "deflection": 0.10, "sla": 0.05,
}
DELAY_SCALE_S = 3600.0
BREVITY_SCALE_S = 900.0
SLA_SCALE = 0.05

CANDIDATE_COLUMNS: tuple[str, ...] = (
    "rank", "level", schema.CATEGORY, schema.ACTIVITY, "events", "cases", "case_share", "cases_per_month",
    "events_per_month", "human_share", "resources",
    "waiting_median_s", "waiting_mean_s", "waiting_cv",
    "processing_median_s", "processing_mean_s", "processing_cv", "processing_basis",
    "lead_median_s", "next_activity", "next_share", "next_entropy_bits", "determinism",
    "branch_attribute", "branch_information_gain", "wait_driver", "wait_driver_values",
    "wait_driver_share", "rework_rate", "handoff_in_rate", "handoff_out_rate", "deflectable_share",
    "breached_cases", "breach_rate", "first_response_breach_share", "resolution_breach_share",
    "score", *(f"score_{c}" for c in COMPONENTS), "hours_saved_per_month",
    "wait_hours_saved_per_month", "reasons",
)
_KEYS = ["level", schema.CATEGORY, schema.ACTIVITY]
_NO_CATEGORY = "⟨all categories⟩"  # a key no real category has (NUL bytes do not survive string columns)


def find_automation_candidates(
    log: Log,
    *,
    policy: SlaPolicy | None = None,
    by_category: bool = True,
    weights: Mapping[str, float] | None = None,
    machine_pattern: str = MACHINE_PATTERN,
    intake_share: float = INTAKE_SHARE,
    min_case_share: float = 0.01,
) -> pd.DataFrame:
    """Rank the activities of ``log`` (and each category's) as automation candidates.

    See the module docstring for the step model, the score and its components.

    Parameters
    ----------
    policy:
        SLA policy: adds the contribution to breaches (and the ``sla`` component) and names the
        resolution activities (its ``resolved`` and ``closed`` milestones; without a policy,
        activities named with resolve/close words).
    by_category:
        Also one row per category x activity, for activities found in two or more categories
        (an activity of a single category is fully described by its activity row).
    weights:
        Component weights, e.g. ``{"deflection": 0}``; missing ones keep their defaults.
    machine_pattern:
        Resources matching this regular expression are machines (see
        :data:`~pipelines.mining.definitions.MACHINE_PATTERN`).
    intake_share:
        Activities in at least this share of the cases count as intake (deflection rule).
    min_case_share:
        Rows whose cases are fewer than this share of the cases in scope are left out (rare steps
        are not candidates, however long they wait); 0 keeps every row.

    Returns
    -------
    DataFrame, one row per candidate, sorted by ``score`` (descending), columns
    :data:`CANDIDATE_COLUMNS`:

    * ``rank``: the activity's rank among the activities, by its best row (1 = the best
      candidate; the category rows of an activity share its rank, so that "the top 3 candidates"
      means three activities, each possibly scoped to a category);
    * ``level`` (``"activity"`` or ``"category"``), ``category`` (None on activity rows),
      ``activity``;
    * volume: ``events`` (steps), ``cases``, ``case_share`` (of the cases in scope),
      ``cases_per_month``, ``events_per_month`` (over the span of the scope's events);
    * ``human_share`` (steps by a known, non-machine resource), ``resources`` (distinct known
      resources doing it);
    * ``waiting_median_s``, ``waiting_mean_s``, ``waiting_cv`` (std / mean) of the waiting before
      it; ``processing_median_s``, ``processing_mean_s``, ``processing_cv``,
      ``processing_basis``; ``lead_median_s``;
    * predictability: ``next_activity`` (the most frequent next step; ``"■ end"`` when the case
      ends), ``next_share``, ``next_entropy_bits``, ``determinism``; ``branch_attribute`` (the case
      attribute that best predicts the next step, None when none helps) and
      ``branch_information_gain`` (the share of the next step's entropy it explains);
    * ``wait_driver`` (the case attribute whose values explain most of the variance of
      ``ln(1 + wait in hours)``; None when it explains under 10% or no value stands out),
      ``wait_driver_values`` (its values whose typical wait, ``exp(mean ln(1 + wait h)) - 1``, is at
      least 1.5 times the activity's, longest first, at most 3; each holding 5% of the waits or
      more), ``wait_driver_share`` (that share of variance);
    * ``rework_rate`` (repeats / steps), ``handoff_in_rate`` / ``handoff_out_rate`` (resource
      changes into / out of the step among pairs with both resources known),
      ``deflectable_share`` (of its cases);
    * with a policy: ``breached_cases`` (its cases with a breached resolution clock),
      ``breach_rate`` (of its cases), ``first_response_breach_share`` and
      ``resolution_breach_share`` (share of the breached cases' SLA time spent waiting for it,
      paused time excluded); NaN without a policy;
    * ``score`` and ``score_<component>`` (contributions, summing to ``score``);
      ``hours_saved_per_month``, ``wait_hours_saved_per_month``;
    * ``reasons``: plain-language reasons, ``"; "``-separated.

    ``frame.attrs["weights"]`` holds the weights used and ``frame.attrs["months"]`` the months
    spanned.

    Example
    -------
    >>> top = find_automation_candidates(Store().log("before"))  # doctest: +SKIP
    >>> top.head(3)[["category", "activity", "score", "reasons"]]  # doctest: +SKIP
    """
    w = _weights(weights)
    check_machine_pattern(machine_pattern)
    if not isinstance(intake_share, int | float) or not 0 < intake_share <= 1:
        raise ValueError(f"intake_share must be within (0, 1]; got {intake_share!r}")
    if not isinstance(min_case_share, int | float) or not 0 <= min_case_share <= 1:
        raise ValueError(f"min_case_share must be within [0, 1]; got {min_case_share!r}")
    n_cases, months = months_in_scope(log)
    frame = _candidate_metrics(log, policy, machine_pattern, intake_share, n_cases, months) if n_cases else None
    if frame is None:
        return _empty()
    if not by_category:
        frame = frame[frame["level"] == "activity"]
    frame = _single_category_rows_dropped(frame)
    frame = frame[frame["case_share"] >= min_case_share - 1e-12]
    if frame.empty:
        return _empty()
    out = _ranked(score_components(frame, w, with_policy=policy is not None))
    out.attrs = {"weights": dict(w), "months": months}
    return out


def _candidate_metrics(log: Log, policy: SlaPolicy | None, machine_pattern: str, intake_share: float,
                       n_cases: int, months: float) -> pd.DataFrame | None:
    """Every metric column of the candidates (SQL aggregates, then small pandas steps)."""
    acts = run(log, "clock/activities")
    intake = acts.loc[acts["cases"] >= intake_share * n_cases, schema.ACTIVITY].tolist()
    params = {"machine_pattern": machine_pattern, "intake": intake,
              "resolution": resolution_activities(acts[schema.ACTIVITY].tolist(), policy), "end": END,
              "pause": list(policy.milestones.pause) if policy is not None else [], "no_category": _NO_CATEGORY}
    rel = step_relations(log)
    params.update(scope(log).params)
    # the SLA clocks load on another cursor while the steps are staged once and read three times
    with ThreadPoolExecutor(max_workers=1) as pool, log.store.session() as session:
        clocks = pool.submit(_sla_clocks, log, policy, machine_pattern) if policy is not None else None
        steps = session.stage("automation_steps", rel["steps"], params)
        stats = session.query("automation/activity_stats", params, steps=steps)
        if stats.empty:
            return None
        profile = render("automation/step_profile", steps=steps)
        predictability = session.query("automation/predictability", params, profile=profile)
        waits = session.query("automation/breach_waits", params, steps=steps) if policy is not None else None
        frame = _merge(_metrics(stats, n_cases, months), _predictability(predictability))
        if clocks is not None:
            frame = _merge(frame, _sla_shares(policy, clocks.result(), waits))
    return _filled(frame)


def _ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """Reasons, the sort by score, the activities' rank and the public columns."""
    frame = frame.copy()
    frame["reasons"] = [_reasons(r) for r in frame.to_dict("records")]
    # rounded for sorting: DuckDB's parallel stddev varies in the last bits between runs, which must
    # not reorder candidates; category last, so every row has a fixed place
    frame["_score_key"] = frame["score"].round(12)
    frame = frame.sort_values(["_score_key", "events", "level", schema.ACTIVITY, schema.CATEGORY],
                              ascending=[False, False, True, True, True], kind="stable", na_position="first")
    first_seen = frame.drop_duplicates(schema.ACTIVITY)[schema.ACTIVITY].tolist()
    frame["rank"] = frame[schema.ACTIVITY].map({a: i + 1 for i, a in enumerate(first_seen)}).astype(np.int64)
    frame[schema.CATEGORY] = frame[schema.CATEGORY].astype(object).where(
        frame[schema.CATEGORY] != _NO_CATEGORY, None)
    return frame.reindex(columns=list(CANDIDATE_COLUMNS)).reset_index(drop=True)


def _filled(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns a merge may leave missing (no waits, no policy) with their neutral values."""
    out = frame.copy()
    for col in ("wait_driver_values", "wait_driver_typical_s"):
        values = out[col] if col in out.columns else pd.Series([()] * len(out), index=out.index)
        out[col] = [v if isinstance(v, tuple) else () for v in values]
    for col in ("wait_driver", "branch_attribute", "next_activity"):
        if col not in out.columns:
            out[col] = None
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    for col in ("wait_driver_share", "branch_information_gain"):
        out[col] = out[col].astype(float).fillna(0.0) if col in out.columns else 0.0
    for col in ("breached_cases", "breach_rate", "first_response_breach_share", "resolution_breach_share"):
        if col not in out.columns:
            out[col] = np.nan
    return out


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=list(CANDIDATE_COLUMNS))


def _weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    w = dict(DEFAULT_WEIGHTS)
    for key, value in (weights or {}).items():
        schema.check_choice("weights key", key, COMPONENTS)
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0 or math.isinf(value):
            raise ValueError(f"weight of {key!r} must be a finite number >= 0; got {value!r}")
        w[key] = float(value)
    if sum(w.values()) <= 0:
        raise ValueError("at least one weight must be > 0")
    return w


# -- metrics ------------------------------------------------------------------------------------


def _merge(frame: pd.DataFrame, extra: pd.DataFrame | None) -> pd.DataFrame:
    if extra is None or extra.empty:
        return frame
    return frame.merge(extra, on=_KEYS, how="left")


def _metrics(stats: pd.DataFrame, n_cases: int, months: float) -> pd.DataFrame:
    s = stats.copy()
    s[schema.CATEGORY] = s[schema.CATEGORY].where(s[schema.CATEGORY].notna(), _NO_CATEGORY)
    out = s[_KEYS].copy()
    for col in ("events", "cases", "resources"):
        out[col] = s[col].astype(np.int64)
    out["case_share"] = s["cases"] / n_cases
    out["cases_per_month"] = s["cases"] / months
    out["events_per_month"] = s["events"] / months
    out["human_share"] = st.ratio(s["human_events"], s["events"])
    out["waiting_median_s"] = s["waiting_median_s"].astype(float)
    out["waiting_mean_s"] = s["waiting_mean_s"].astype(float)
    out["waiting_cv"] = st.ratio(s["waiting_std_s"], s["waiting_mean_s"])
    out["processing_median_s"] = s["processing_median_s"].astype(float)
    out["processing_mean_s"] = s["processing_mean_s"].astype(float)
    out["processing_cv"] = st.ratio(s["processing_std_s"], s["processing_mean_s"])
    out["processing_qcd"] = st.ratio(s["processing_q3_s"] - s["processing_q1_s"],
                                   s["processing_q3_s"] + s["processing_q1_s"])
    pairs, procs = s["pairs"].to_numpy(), s["processings"].to_numpy()
    out["processing_basis"] = np.select(
        [procs == 0, pairs == procs, pairs == 0], [None, "lifecycle", "same_resource_gap"], "mixed")
    out["processing_basis"] = out["processing_basis"].astype(object).where(procs > 0, None)
    out["lead_median_s"] = s["lead_median_s"].astype(float)
    out["rework_rate"] = st.ratio(s["repeats"], s["events"])
    out["handoff_in_rate"] = st.ratio(s["handoffs_in"], s["in_pairs"])
    out["handoff_out_rate"] = st.ratio(s["handoffs_out"], s["out_pairs"])
    out["deflectable_share"] = st.ratio(s["deflectable"], s["cases"])
    out["saving_median_s"] = s["saving_median_s"].astype(float)
    out["wait_hours_saved_per_month"] = s["saving_total_s"].astype(float) / 3600 / months
    out["hours_saved_per_month"] = s["human_events"] / months * out["processing_median_s"] / 3600
    return out


def _predictability(pred: pd.DataFrame) -> pd.DataFrame:
    """``automation/predictability`` rows with their lists as tuples (hashable, comparable)."""
    out = pred.copy()
    out["wait_driver_values"] = [tuple(str(v) for v in vs) for vs in out["wait_driver_values"]]
    out["wait_driver_typical_s"] = [tuple(float(v) for v in vs) for vs in out["wait_driver_typical_s"]]
    for col in ("next_activity", "branch_attribute", "wait_driver"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


def _single_category_rows_dropped(frame: pd.DataFrame) -> pd.DataFrame:
    """Category rows of activities found in only one category repeat the activity row: drop them."""
    cat = frame[frame["level"] == "category"]
    n_cats = cat.groupby(schema.ACTIVITY)[schema.CATEGORY].nunique()
    multi = set(n_cats[n_cats >= 2].index)
    keep = (frame["level"] == "activity") | frame[schema.ACTIVITY].isin(multi)
    only = cat[~cat[schema.ACTIVITY].isin(multi)].set_index(schema.ACTIVITY)[schema.CATEGORY]
    out = frame[keep].copy()
    out["only_category"] = out[schema.ACTIVITY].map(only).where(out["level"] == "activity")
    return out


# -- SLA ----------------------------------------------------------------------------------------


_CLOCKS = (  # result column, instant, breached flag, elapsed (of each SLA clock)
    ("first_response_breach_share", "first_response_us", "first_response_breached", "first_response_elapsed_s"),
    ("resolution_breach_share", "resolved_us", "resolution_breached", "resolution_elapsed_s"),
)


def _sla_clocks(log: Log, policy: SlaPolicy, machine_pattern: str) -> tuple:
    """The case events, targets and SLA clocks of the cases in scope."""
    rl = load_case_events(log, policy=policy, machine_pattern=machine_pattern)
    targets = case_targets(policy, rl.cases)
    return rl, targets, case_clocks(rl, policy, targets=targets)


def _sla_shares(policy: SlaPolicy, clocks: tuple, waits: pd.DataFrame) -> pd.DataFrame:
    """Breached cases per candidate and the share of breached SLA time spent waiting for it
    (``clocks``: :func:`_sla_clocks`; ``waits``: the ``automation/breach_waits`` rows)."""
    rl, targets, ck = clocks
    k = len(rl.activities)
    category, categories = pd.factorize(rl.cases[schema.CATEGORY], use_na_sentinel=True)
    pairs = np.unique(rl.case * k + rl.activity)  # each (case, activity) once
    pc, pa = pairs // k, pairs % k
    size = k * (1 + len(categories))
    cases = _slot_sums(np.ones(len(pairs)), pa, category[pc], k, size)
    present = np.flatnonzero(cases > 0)
    out = _slot_keys(present, rl.activities, categories, k)
    breached = _slot_sums(ck["resolution_breached"].to_numpy(float)[pc], pa, category[pc], k, size)[present]
    out["breached_cases"] = breached.astype(np.int64)
    out["breach_rate"] = breached / cases[present]
    rows = np.searchsorted(rl.cases["case_idx"].to_numpy(), waits["case_idx"].to_numpy())
    wait_activity = pd.Index(rl.activities).get_indexer(waits[schema.ACTIVITY])
    for name, instant_col, breached_col, elapsed_col in _CLOCKS:
        secs = _breached_wait_seconds(waits, rows, ck, instant_col, breached_col, policy, targets.calendar,
                                      rl.as_of_us)
        breached = ck[breached_col].to_numpy(bool)
        denom = float(np.nansum(ck[elapsed_col].to_numpy(float)[breached]))
        shares = secs / denom if denom > 0 else secs * 0
        out[name] = _slot_sums(shares, wait_activity, category[rows], k, size)[present]
    return out


def _slot_sums(weights: np.ndarray, activity: np.ndarray, category: np.ndarray, k: int, size: int) -> np.ndarray:
    """Sums of ``weights`` per candidate slot: activity ``a`` in slot ``a``, category ``c`` x
    activity ``a`` in slot ``k + c * k + a`` (rows without a category, code -1, only in the first)."""
    has = category >= 0
    return (np.bincount(activity, weights=weights, minlength=size)
            + np.bincount(k + category[has] * k + activity[has], weights=weights[has], minlength=size))


def _slot_keys(slots: np.ndarray, activities: np.ndarray, categories, k: int) -> pd.DataFrame:
    """The candidate keys (level, category, activity) of :func:`_slot_sums` slots."""
    is_activity = slots < k
    names = np.array([*categories, _NO_CATEGORY], dtype=object)  # activity slots take the last
    return pd.DataFrame({"level": np.where(is_activity, "activity", "category").astype(object),
                         schema.CATEGORY: names[np.where(is_activity, len(categories), (slots - k) // k)],
                         schema.ACTIVITY: np.asarray(activities, dtype=object)[slots % k]})


def _breached_wait_seconds(waits: pd.DataFrame, rows: np.ndarray, ck: pd.DataFrame, instant_col: str,
                           breached_col: str, policy: SlaPolicy, calendars: np.ndarray, as_of_us: int) -> np.ndarray:
    """SLA seconds of each wait of a case breached on one clock: working time of the case's target
    calendar inside [start, milestone or as_of], none when the previous status pauses the clock."""
    upto = ck[instant_col].to_numpy(np.int64)
    upto = np.where(upto == NAT, np.int64(as_of_us), upto)[rows]
    start = ck["start_us"].to_numpy(np.int64)[rows]
    a = np.clip(waits["prev_us"].to_numpy(np.int64), start, upto)
    b = np.clip(waits["begin_us"].to_numpy(np.int64), start, upto)
    sel = ck[breached_col].to_numpy(bool)[rows] & ~waits["after_pause"].fillna(False).to_numpy(dtype=bool)
    secs = np.zeros(len(waits))
    if sel.any():
        secs[sel] = np.nan_to_num(work_on(policy, calendars[rows][sel], a[sel], np.maximum(a, b)[sel]))
    return secs


# -- score --------------------------------------------------------------------------------------


def score_components(frame: pd.DataFrame, weights: Mapping[str, float] | None = None, *,
                     with_policy: bool = False) -> pd.DataFrame:
    """Add ``score`` and ``score_<component>`` columns to a frame of candidate metrics (pure).

    Needs the metric columns ``case_share``, ``saving_median_s``, ``processing_median_s``,
    ``determinism``, ``branch_information_gain``, ``processing_qcd``, ``rework_rate``,
    ``deflectable_share``, ``human_share`` and, ``with_policy``, the two breach shares. See the
    module docstring for the formulas.
    """
    w = _weights(weights)
    f = frame.copy()
    comp = {
        "volume": f["case_share"].fillna(0.0).clip(0, 1),
        "delay": _saturate(f["saving_median_s"].fillna(0.0), DELAY_SCALE_S),
        "brevity": (1.0 / (1.0 + f["processing_median_s"] / BREVITY_SCALE_S)).fillna(0.5),
        "determinism": f["determinism"].fillna(0.0).clip(0, 1),
        "rule": f["branch_information_gain"].fillna(0.0).clip(0, 1),
        "consistency": (1.0 - f["processing_qcd"]).fillna(0.5).clip(0, 1),
        "no_rework": (1.0 - f["rework_rate"]).fillna(1.0).clip(0, 1),
        "deflection": f["deflectable_share"].fillna(0.0).clip(0, 1),
    }
    if with_policy:
        worst = np.fmax(f["first_response_breach_share"].to_numpy(float),
                        f["resolution_breach_share"].to_numpy(float))
        comp["sla"] = _saturate(pd.Series(np.nan_to_num(worst), index=f.index), SLA_SCALE)
    total = sum(w[k] for k in comp)
    gate = f["human_share"].fillna(0.0).clip(0, 1)
    score = pd.Series(0.0, index=f.index)
    for name in COMPONENTS:
        if name in comp and total > 0:
            part = gate * w[name] * comp[name] / total
            f[f"score_{name}"] = part
            score = score + part
        else:
            f[f"score_{name}"] = np.nan if name not in comp else 0.0
    f["score"] = score
    return f


def _saturate(x: pd.Series, scale: float) -> pd.Series:
    x = x.clip(lower=0)
    return x / (x + scale)


# -- reasons ------------------------------------------------------------------------------------


def _reasons(r: dict) -> str:
    out = []
    where = f" in category '{r['category']}'" if r["level"] == "category" else ""
    only = r.get("only_category")
    only = "" if only is None or (isinstance(only, float) and math.isnan(only)) or only == _NO_CATEGORY else (
        f", all in category '{only}'")
    out.append(f"{r['cases_per_month']:,.0f} cases/month{where}{only}, {r['case_share']:.0%} of cases")
    wait = r.get("waiting_median_s")
    if wait is not None and not math.isnan(wait):
        text = f"waits a median {fmt_duration(wait)} before it"
        if wait < 60:
            text += " (the person doing the previous step usually goes straight on)"
        vals = r.get("wait_driver_values") or ()
        if r.get("wait_driver") and vals:
            typical = r.get("wait_driver_typical_s") or ()
            text += " (typically " + ", ".join(f"{fmt_duration(m)} for {r['wait_driver']} '{v}'"
                                               for v, m in zip(vals, typical, strict=False)) + ")"
        out.append(text)
    if r.get("deflectable_share", 0) and r["deflectable_share"] >= 0.3:
        out.append(f"customers wait a median {fmt_duration(r['lead_median_s'])} from the case's start for it, "
                   f"and {r['deflectable_share']:.0%} of its cases need nothing else (only intake steps before "
                   "it, resolved right after): self-service could serve them at once")
    nxt, share = r.get("next_activity"), r.get("next_share")
    if isinstance(nxt, str) and share is not None:
        if share >= 0.99:
            out.append(f"the next step is always '{nxt}'")
        elif share >= 0.8:
            out.append(f"'{nxt}' follows in {share:.0%} of cases")
        elif r.get("branch_attribute") and r.get("branch_information_gain", 0) >= 0.5:
            out.append(f"its {r['branch_attribute']} decides the next step "
                       f"({r['branch_information_gain']:.0%} of the uncertainty)")
        else:
            out.append(f"the next step varies ({r['next_entropy_bits']:.1f} bits)")
    proc = r.get("processing_median_s")
    if proc is not None and not math.isnan(proc):
        basis = "per start/complete pair" if r.get("processing_basis") == "lifecycle" else (
            "estimated from same-resource gaps")
        out.append(f"takes a median {fmt_duration(proc)} of work ({basis})")
    if r.get("rework_rate", 0) >= 0.2:
        out.append(f"repeated in {r['rework_rate']:.0%} of its steps (rework)")
    if r.get("human_share", 1) < 0.5:
        out.append(f"mostly done by machines or customers ({r['human_share']:.0%} by people)")
    shares = [r.get("first_response_breach_share"), r.get("resolution_breach_share")]
    shares = [s for s in shares if s is not None and not math.isnan(s)]
    if shares and max(shares) >= 0.02:
        clock = "first-response" if (r.get("first_response_breach_share") or 0) >= (r.get("resolution_breach_share") or 0) else "resolution"
        out.append(f"{max(shares):.0%} of breached cases' {clock} SLA time is spent waiting for it")
    return "; ".join(out)
