"""The at-risk queue: open cases, business time left to each SLA target, and how likely they are
to breach, judged from what happened to similar cases before; with its calibration measured.

The model (empirical, with backoff)
-----------------------------------
For a milestone (first response or resolution), every *historical* case is replayed through its
SLA window: each status interval covers a range of SLA elapsed time (it grows outside pauses only).
Elapsed time is expressed as the share of the case's target used, cut into ``bins`` equal bins
(10 by default: 0-10 %, 10-20 %, ...). A case *visits* a cell (status, bin) when it was in that
status at some moment with that share of its target used, before its milestone. For an open case
now in status ``s`` with share ``u`` used, the breach probability is the share of the historical
cases that visited ``(s, bin(u))`` and breached, within the same target and category.

Historical cases are those whose outcome is known at ``as_of`` (``met``, ``breached``, or
``open_breached``: already over target) **and** whose target would have run out by ``as_of`` had
their clock never paused (a *mature* cohort). Without the second condition the history of a young
log is biased towards met: recent fast cases are already known, recent slow ones still open.

Strata get thin quickly, so the estimate backs off smoothly along the chain
all cases -> target -> target x bin -> target x status x bin -> target x category x status x bin:
each level's rate is shrunk towards its parent's, ``p = (k + m p_parent) / (n + m)`` with
``k`` breaches among ``n`` cases at that level and ``m = prior_weight`` (10; above "all", a flat
0.5): a stratum of 200 cases speaks for itself, one of 3 mostly repeats its parent. The reason
shown names the finest level with at least ``min_cases`` cases (20), or all past cases. A case
already over its target has probability 1.

Honest notes: paused cases that stay open long without breaching are missing from the history
(their outcome is unknown); cases are assumed exchangeable over time (no trend or seasonality);
the queue shows a case once per pending milestone.

Calibration (:func:`calibrate_risk`) replays the log at cut-off instants: the model is fitted on
what was known at each cut-off, scores the cases open (and not yet breached) then, and is
compared with what happened to them by the log's end (cases still open and unbreached at the end
have no outcome and are left out). Reported: Brier score, the Brier score of the target's base
rate alone (the reference), skill = 1 - Brier / reference, ROC AUC, and a reliability table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from pipelines import schema
from pipelines.log import Log
from pipelines.mining.calendar import add_working_seconds
from pipelines.mining.policy import SlaPolicy, format_duration
from pipelines.mining.sla_clock import (
    MILESTONES,
    SlaClock,
    as_of_timestamp,
    resolve_as_of,
    sla_clock,
    status_intervals,
    unique_sorted,
)

__all__ = ["AT_RISK_COLUMNS", "RiskCalibration", "calibrate_risk", "find_at_risk"]

AT_RISK_COLUMNS: tuple[str, ...] = (
    "rank", schema.CASE_ID, "milestone", "target", schema.CATEGORY, schema.PRIORITY, "status",
    "elapsed_s", "target_s", "left_s", "used_share", "breach_probability", "already_breached",
    "similar_cases", "similar_breached", "basis", "reason", schema.START_TIME, "last_event_time",
)
_LEVELS = (
    ("all", ()),
    ("target", ("target",)),
    ("target+elapsed", ("target", "bin")),
    ("target+status+elapsed", ("target", "status", "bin")),
    ("target+category+status+elapsed", ("target", schema.CATEGORY, "status", "bin")),
)
_STATUS_COL = {"first_response": "first_response_status", "resolution": "status"}
_ELAPSED_COL = {"first_response": "first_response_elapsed_s", "resolution": "resolution_elapsed_s"}
_TARGET_COL = {"first_response": "first_response_target_s", "resolution": "resolution_target_s"}
_NAMES = {"first_response": "first response", "resolution": "resolution"}


@dataclass(frozen=True)
class _Options:
    bins: int = 10
    prior_weight: float = 10.0
    min_cases: int = 20

    def __post_init__(self) -> None:
        if not (isinstance(self.bins, int) and self.bins >= 1):
            raise ValueError(f"bins must be a positive integer; got {self.bins!r}")
        if not self.prior_weight >= 0:
            raise ValueError(f"prior_weight must be >= 0; got {self.prior_weight!r}")
        if not (isinstance(self.min_cases, int) and self.min_cases >= 1):
            raise ValueError(f"min_cases must be a positive integer; got {self.min_cases!r}")


@dataclass(frozen=True)
class _History:
    """Historical cases and their (status, elapsed bin) visits, as integer codes (internal)."""

    cases: np.ndarray          # clock rows of the historical cases
    visit_row: np.ndarray      # unique (row, status, bin) visits
    visit_status: np.ndarray   # 1-based activity code (0: unknown)
    visit_bin: np.ndarray
    breached: np.ndarray       # per clock row
    codes: dict                # per clock row: "target", "category" (1-based, 0: missing)
    sizes: dict                # radix of each key
    activities: np.ndarray


def _codes(values: pd.Series) -> tuple[np.ndarray, int]:
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    return codes.astype(np.int64) + 1, len(uniques) + 1


def _history(clock: SlaClock, milestone: str, opts: _Options) -> _History:
    """Historical cases (outcome known at as_of, mature) and the cells they visited."""
    f = clock.frame
    iv = status_intervals(clock, milestone=milestone)
    status = f[_STATUS_COL[milestone]].to_numpy(dtype=object)
    target = f[_TARGET_COL[milestone]].to_numpy(dtype=np.float64)
    known = np.isin(status, ("met", "breached", "open_breached")) & _mature(clock, target)
    sel = known[iv.row] & np.isfinite(target[iv.row])
    e0 = iv.elapsed_before()[sel]
    e1 = e0 + np.where(iv.paused[sel], 0.0, np.nan_to_num(iv.business_s[sel]))
    rows, codes, tg = iv.row[sel], iv.status[sel] + 1, target[iv.row[sel]]
    b0 = np.floor(e0 / tg * opts.bins)
    b1 = np.minimum(np.floor(e1 / tg * opts.bins), opts.bins - 1)
    ok = b0 < opts.bins  # intervals starting past the target add nothing (already breached)
    b0, b1, rows, codes = b0[ok].astype(np.int64), b1[ok].astype(np.int64), rows[ok], codes[ok]
    span = b1 - b0 + 1
    rep = np.repeat(np.arange(len(b0)), span)
    bins = b0[rep] + (np.arange(len(rep)) - np.repeat(np.cumsum(span) - span, span))
    n_status = len(iv.activities) + 1
    key = unique_sorted((rows[rep] * n_status + codes[rep]) * opts.bins + bins)
    tcode, tsize = _codes(f["target"])
    ccode, csize = _codes(f[schema.CATEGORY])
    return _History(
        cases=np.flatnonzero(known & np.isfinite(target)),
        visit_row=key // (n_status * opts.bins), visit_status=(key // opts.bins) % n_status,
        visit_bin=key % opts.bins, breached=np.isin(status, ("breached", "open_breached")),
        codes={"target": tcode, schema.CATEGORY: ccode},
        sizes={"target": tsize, schema.CATEGORY: csize, "status": n_status, "bin": opts.bins},
        activities=iv.activities,
    )


def _mature(clock: SlaClock, target: np.ndarray) -> np.ndarray:
    """Cases whose target would have run out by as_of had their clock never paused.

    Only their outcomes are used as history: among recent cases the fast (met) ones are already
    known while the slow ones are still open, and keeping them would bias the rates down.
    """
    out = np.zeros(clock.n, dtype=bool)
    cal = clock.calendars
    start = clock.instants["start"]
    as_of = np.datetime64(clock.as_of_us, "us")
    for name, calendar in clock.policy.calendars.items():
        sel = (cal == name) & np.isfinite(target)
        if sel.any():
            deadline = add_working_seconds(calendar, start[sel], target[sel])
            out[sel] = deadline.astype("datetime64[us]") <= as_of
    return out


def _radix(parts: list[np.ndarray], sizes: list[int]) -> np.ndarray:
    key = np.zeros(len(parts[0]) if parts else 1, dtype=np.int64)
    for part, size in zip(parts, sizes, strict=True):
        key = key * size + part
    return key


def _level(h: _History, keys: tuple[str, ...], query: dict[str, np.ndarray], n_query: int
           ) -> tuple[np.ndarray, np.ndarray]:
    """Cases (n) and breaches (k) of the history in each query's stratum at one level."""
    if keys in ((), ("target",)):
        rows, cols = h.cases, {}
    else:
        rows = h.visit_row
        cols = {"status": h.visit_status, "bin": h.visit_bin}
        if "status" not in keys:  # a case counts once per (target, bin)
            uniq = unique_sorted(rows * h.sizes["bin"] + h.visit_bin)
            rows, cols = uniq // h.sizes["bin"], {"bin": uniq % h.sizes["bin"]}
    hist_parts = [h.codes[k][rows] if k in h.codes else cols[k] for k in keys]
    sizes = [h.sizes[k] for k in keys]
    hkey = _radix(hist_parts, sizes) if keys else np.zeros(len(rows), np.int64)
    qkey = _radix([query[k] for k in keys], sizes) if keys else np.zeros(n_query, np.int64)
    uniq, inverse = unique_sorted(hkey, return_inverse=True)
    n = np.bincount(inverse, minlength=len(uniq)).astype(np.float64)
    k = np.bincount(inverse, weights=h.breached[rows].astype(np.float64), minlength=len(uniq))
    pos = np.minimum(np.searchsorted(uniq, qkey), max(len(uniq) - 1, 0))
    found = (uniq[pos] == qkey) if len(uniq) else np.zeros(n_query, bool)
    return np.where(found, n[pos] if len(uniq) else 0, 0.0), np.where(found, k[pos] if len(uniq) else 0, 0.0)


def _predict(clock: SlaClock, milestone: str, opts: _Options) -> pd.DataFrame:
    """Breach probabilities of the cases whose ``milestone`` is pending at the clock's as_of."""
    f = clock.frame
    h = _history(clock, milestone, opts)
    status = f[_STATUS_COL[milestone]].to_numpy(dtype=object)
    target = f[_TARGET_COL[milestone]].to_numpy(dtype=np.float64)
    rows = np.flatnonzero(np.isin(status, ("open", "open_breached")) & np.isfinite(target))
    elapsed = f[_ELAPSED_COL[milestone]].to_numpy(dtype=np.float64)[rows]
    tg = target[rows]
    code = pd.Index(h.activities).get_indexer(f["current_status"].to_numpy(dtype=object)[rows]) + 1
    q = pd.DataFrame({
        "row": rows, "target": f["target"].to_numpy(dtype=object)[rows],
        schema.CATEGORY: f[schema.CATEGORY].to_numpy(dtype=object)[rows],
        "bin": np.minimum(np.floor(elapsed / tg * opts.bins), opts.bins - 1).astype(np.int64),
        "elapsed_s": elapsed, "target_s": tg,
    })
    query = {"target": h.codes["target"][rows], schema.CATEGORY: h.codes[schema.CATEGORY][rows],
             "status": code, "bin": q["bin"].to_numpy()}
    p = np.full(len(q), 0.5)  # a flat prior above the "all" level
    similar_n, similar_k = np.zeros(len(q), np.int64), np.zeros(len(q), np.int64)
    basis = np.full(len(q), "all", dtype=object)
    for name, keys in _LEVELS:
        n, k = _level(h, keys, query, len(q))
        p = _shrink(k, n, p, opts.prior_weight)
        if name == "target":
            q["reference"] = p
        enough = (n >= opts.min_cases) | (name == "all")  # "all" is the basis of last resort
        similar_n[enough], similar_k[enough], basis[enough] = n[enough], k[enough], name
    q["similar_cases"], q["similar_breached"], q["basis"] = similar_n, similar_k, basis
    q["already_breached"] = q["elapsed_s"] > q["target_s"]
    q["breach_probability"] = np.where(q["already_breached"], 1.0, p)
    q["status_name"] = np.where(code > 0, h.activities[np.maximum(code - 1, 0)], None)
    return q


def _shrink(k: np.ndarray, n: np.ndarray, parent: np.ndarray, weight: float) -> np.ndarray:
    """``(k + weight * parent) / (n + weight)``; the parent where there is nothing to go on."""
    den = n + weight
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (k + weight * parent) / den, parent)


def _reason(row: Any, milestone: str, bins: int) -> str:
    name = f"{row.target} {_NAMES[milestone]}"
    used = f"{_fmt(row.elapsed_s)} of {_fmt(row.target_s)} used"
    status = f"status '{row.status_name}'"
    if row.already_breached:
        return f"{name}: already breached by {_fmt(row.elapsed_s - row.target_s)} ({used}); {status}"
    if row.similar_cases == 0:
        return f"{name}: {used}, {_fmt(row.target_s - row.elapsed_s)} left; {status}; " \
               "no finished past cases to compare with yet (50% by default)"
    lo = int(row.bin * 100 / bins)
    hi = int((row.bin + 1) * 100 / bins)
    scope = {
        "target+category+status+elapsed": f"past {row.target} '{row.category}' cases in this status with {lo}-{hi}% of the target used",
        "target+status+elapsed": f"past {row.target} cases in this status with {lo}-{hi}% of the target used",
        "target+elapsed": f"past {row.target} cases with {lo}-{hi}% of the target used",
        "target": f"past {row.target} cases",
        "all": "past cases",
    }[row.basis]
    return (f"{name}: {used}, {_fmt(row.target_s - row.elapsed_s)} left; {status}; "
            f"{row.similar_breached} of {row.similar_cases} {scope} breached")


def _fmt(seconds: float) -> str:
    minutes = int(round(max(seconds, 0) / 60))
    return "0m" if minutes == 0 else str(format_duration(minutes * 60))


def _milestones(milestone: str | None) -> tuple[str, ...]:
    if milestone is None:
        return MILESTONES
    schema.check_choice("milestone", milestone, MILESTONES)
    return (milestone,)


def find_at_risk(log: Log, policy: SlaPolicy, *, as_of: Any = None, milestone: str | None = None,
                 bins: int = 10, prior_weight: float = 10.0, min_cases: int = 20,
                 include_breached: bool = True) -> pd.DataFrame:
    """The at-risk queue: open cases ranked by how likely they are to breach (module docstring).

    Parameters
    ----------
    as_of:
        When to read the queue (default: the log's last event time); history is what was known then.
    milestone:
        ``"first_response"``, ``"resolution"``, or ``None`` (default) for both: one row per case
        and pending milestone.
    bins, prior_weight, min_cases:
        Elapsed-share bins, shrinkage weight and the size a stratum needs to be named as the basis.
    include_breached:
        Keep open cases already past their target (probability 1; default True).

    Returns
    -------
    DataFrame, columns :data:`AT_RISK_COLUMNS`, ranked by ``breach_probability`` descending then
    ``left_s`` ascending: ``status`` (current status), ``elapsed_s`` / ``target_s`` / ``left_s``
    (business seconds; ``left_s`` negative when already breached), ``used_share``,
    ``similar_cases`` / ``similar_breached`` (size and breaches of the ``basis`` stratum, the finest
    with at least ``min_cases``), ``reason`` (plain language).
    """
    opts = _Options(bins, prior_weight, min_cases)
    clock = sla_clock(log, policy, as_of=as_of)
    parts = []
    for m in _milestones(milestone):
        q = _predict(clock, m, opts)
        q["milestone"] = m
        q["reason"] = [_reason(r, m, opts.bins) for r in q.itertuples(index=False)]
        parts.append(q)
    q = pd.concat(parts, ignore_index=True)
    if not include_breached:
        q = q[~q["already_breached"]]
    f = clock.frame
    rows = q["row"].to_numpy(dtype=np.int64)
    out = pd.DataFrame({
        schema.CASE_ID: f[schema.CASE_ID].to_numpy(dtype=object)[rows], "milestone": q["milestone"].to_numpy(),
        "target": q["target"].to_numpy(), schema.CATEGORY: q[schema.CATEGORY].to_numpy(),
        schema.PRIORITY: f[schema.PRIORITY].to_numpy(dtype=object)[rows], "status": q["status_name"].to_numpy(),
        "elapsed_s": q["elapsed_s"].to_numpy(), "target_s": q["target_s"].to_numpy(),
        "left_s": (q["target_s"] - q["elapsed_s"]).to_numpy(),
        "used_share": (q["elapsed_s"] / q["target_s"]).to_numpy(),
        "breach_probability": q["breach_probability"].to_numpy(),
        "already_breached": q["already_breached"].to_numpy(dtype=bool),
        "similar_cases": q["similar_cases"].to_numpy(dtype=np.int64),
        "similar_breached": q["similar_breached"].to_numpy(dtype=np.int64),
        "basis": q["basis"].to_numpy(), "reason": q["reason"].to_numpy(),
        # the clock's UTC instants (a tz-aware column's to_numpy() would make a Timestamp object per case)
        schema.START_TIME: clock.instants["start"][rows],
        "last_event_time": clock.instants["last_event"][rows],
    })
    out = out.sort_values(["breach_probability", "left_s", schema.CASE_ID], ascending=[False, True, True],
                          kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    for col in (schema.START_TIME, "last_event_time"):
        out[col] = pd.to_datetime(out[col], utc=True)
    return out[list(AT_RISK_COLUMNS)]


# -- calibration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskCalibration:
    """Result of :func:`calibrate_risk`.

    Attributes
    ----------
    summary:
        One row per cut-off and a last row ``cutoff = NaT`` pooling them: ``cutoff``, ``cases``
        (scored cases with a known outcome), ``breached`` (of them), ``base_rate``,
        ``mean_predicted``, ``brier``, ``brier_reference`` (predicting the target's historical
        breach rate), ``skill`` (1 - brier / brier_reference), ``auc``.
    reliability:
        Pooled over cut-offs, per predicted-probability bin ``[lo, hi)`` (the last one closed):
        ``lo``, ``hi``, ``cases``, ``mean_predicted``, ``observed_rate``.
    predictions:
        ``cutoff``, ``case_id``, ``target``, ``status``, ``used_share``, ``predicted``,
        ``reference``, ``breached`` (the outcome at the log end).
    milestone:
        The milestone calibrated.
    """

    summary: pd.DataFrame
    reliability: pd.DataFrame
    predictions: pd.DataFrame
    milestone: str


def _default_cutoffs(clock: SlaClock, n: int) -> list[pd.Timestamp]:
    """``n`` instants at 1/(n+1), 2/(n+1), ... of [first case start, log end]."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n_cutoffs must be a positive integer; got {n!r}")
    start = clock.frame[schema.START_TIME].min()
    end = as_of_timestamp(clock.as_of_us)
    return [(start + (end - start) * (i / (n + 1))).floor("s") for i in range(1, n + 1)]


def calibrate_risk(log: Log, policy: SlaPolicy, *, cutoffs: list[Any] | None = None, n_cutoffs: int = 4,
                   milestone: str = "resolution", bins: int = 10, prior_weight: float = 10.0,
                   min_cases: int = 20, reliability_bins: int = 10) -> RiskCalibration:
    """How well the at-risk probabilities match what happened, replayed at ``cutoffs``.

    At each cut-off the model is fitted on what was known then and scores the cases whose
    ``milestone`` was pending and not yet breached; each score is compared with the case's status
    at the log's end (breached or open_breached = 1, met = 0; still open = no outcome, left out).
    Default cut-offs: ``n_cutoffs`` (4) instants at 1/(n+1), 2/(n+1), ... of [first case start,
    log end] (20 %, 40 %, 60 %, 80 %), so each has history before it and time after it.
    Other parameters as for :func:`find_at_risk`; ``reliability_bins`` cuts [0, 1] for the table.
    """
    schema.check_choice("milestone", milestone, MILESTONES)
    opts = _Options(bins, prior_weight, min_cases)
    final = sla_clock(log, policy)
    if cutoffs is None:
        cutoffs = _default_cutoffs(final, n_cutoffs)
    outcome = pd.Series(final.frame[_STATUS_COL[milestone]].to_numpy(dtype=object),
                        index=final.frame["case_idx"].to_numpy())
    preds = []
    for cutoff in cutoffs:
        as_of_us = resolve_as_of(log, cutoff)
        clock = sla_clock(log, policy, as_of=as_of_timestamp(as_of_us))
        q = _predict(clock, milestone, opts)
        q = q[~q["already_breached"]]
        case_idx = clock.frame["case_idx"].to_numpy()[q["row"].to_numpy(dtype=np.int64)]
        final_status = outcome.reindex(case_idx).to_numpy(dtype=object)
        known = np.isin(final_status, ("met", "breached", "open_breached"))
        ref = q["reference"].to_numpy()
        preds.append(pd.DataFrame({
            "cutoff": as_of_timestamp(as_of_us),
            schema.CASE_ID: clock.frame[schema.CASE_ID].to_numpy(dtype=object)[q["row"].to_numpy(dtype=np.int64)][known],
            "target": q["target"].to_numpy()[known], "status": q["status_name"].to_numpy()[known],
            "used_share": (q["elapsed_s"] / q["target_s"]).to_numpy()[known],
            "predicted": q["breach_probability"].to_numpy()[known], "reference": ref[known],
            "breached": np.isin(final_status[known], ("breached", "open_breached")),
        }))
    predictions = pd.concat(preds, ignore_index=True) if preds else pd.DataFrame(
        columns=["cutoff", schema.CASE_ID, "target", "status", "used_share", "predicted", "reference", "breached"])
    rows = [_scores(part).assign(cutoff=c) for c, part in predictions.groupby("cutoff", sort=True)]
    rows.append(_scores(predictions).assign(cutoff=pd.NaT))
    summary = pd.concat(rows, ignore_index=True)
    summary = summary[["cutoff"] + [c for c in summary.columns if c != "cutoff"]]
    return RiskCalibration(summary=summary, reliability=_reliability(predictions, reliability_bins),
                           predictions=predictions, milestone=milestone)


def _scores(pred: pd.DataFrame) -> pd.DataFrame:
    y = pred["breached"].to_numpy(dtype=np.float64)
    p = pred["predicted"].to_numpy(dtype=np.float64)
    r = pred["reference"].to_numpy(dtype=np.float64)
    n = len(y)
    brier = float(np.mean((p - y) ** 2)) if n else np.nan
    ref = float(np.mean((r - y) ** 2)) if n else np.nan
    return pd.DataFrame([{
        "cases": n, "breached": int(y.sum()), "base_rate": float(y.mean()) if n else np.nan,
        "mean_predicted": float(p.mean()) if n else np.nan, "brier": brier, "brier_reference": ref,
        "skill": 1 - brier / ref if n and ref > 0 else np.nan, "auc": _auc(y, p),
    }])


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    """ROC AUC via ranks (Mann-Whitney U; ties count one half)."""
    pos = y == 1
    n1, n0 = int(pos.sum()), int((~pos).sum())
    if not n1 or not n0:
        return float("nan")
    ranks = rankdata(p)
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def _reliability(pred: pd.DataFrame, n_bins: int) -> pd.DataFrame:
    edges = np.linspace(0, 1, n_bins + 1)
    p = pred["predicted"].to_numpy(dtype=np.float64)
    y = pred["breached"].to_numpy(dtype=np.float64)
    idx = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, n_bins - 1)
    cases = np.bincount(idx, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_p = np.bincount(idx, weights=p, minlength=n_bins) / cases
        obs = np.bincount(idx, weights=y, minlength=n_bins) / cases
    return pd.DataFrame({"lo": edges[:-1], "hi": edges[1:], "cases": cases,
                         "mean_predicted": mean_p, "observed_rate": obs})
