"""Resolution time done right: open cases are right-censored, not dropped.

A median over resolved cases only (the *naive* estimate) is biased low whenever cases are still
open: the slow ones are exactly those not resolved yet. The Kaplan-Meier estimator uses every
case: a resolved case is an observed duration, an open one is known to last *at least* until
``as_of`` (right-censored). Both are reported side by side.

Kaplan-Meier, as implemented here (numpy, no lifelines)
------------------------------------------------------
At each distinct observed duration ``t`` with ``d`` resolutions and ``n`` cases still at risk
(durations ``>= t``, censored ones included: a case censored at ``t`` was still open at ``t``),
``S(t) = prod over t_i <= t of (1 - d_i / n_i)``. The ``q``-quantile is the smallest observed
``t`` with ``S(t) <= 1 - q`` (the convention of lifelines' ``median_survival_time`` and of
``numpy.quantile(..., method="inverted_cdf")`` when nothing is censored); it is NaN when the
curve never gets that low (too many cases still open). The naive quantiles are numpy's default
(linear interpolation) over resolved cases, as in the simulator's KPI tables.

First-contact resolution (FCR)
------------------------------
Among cases resolved by ``as_of``, the share that needed nothing beyond the first contact: no
event of an *FCR breaker* activity and no (real) reopen anywhere in the case. The default
breakers (:func:`~pipelines.mining.definitions.default_fcr_breakers`) are the reopen and ``pause``
activities (the customer had to be asked again, or came back) and every activity whose name
contains one of :data:`~pipelines.mining.definitions.FCR_WORDS` (``escalat``, ``transfer``,
``return to``, ``reassign``, ``forward``, ``request info``, ``waiting for``, ``wait for``,
``awaiting``, ``pending``, ``on hold``); pass ``fcr_breakers=[...]`` to choose them (e.g. on
helpdesk ``Require upgrade`` and ``Create SW anomaly`` are hand-offs to development). With the
thank-you rule on, ignored thank-you reopens do not break FCR. Without a policy the reopen
activities are those recognised by name, as for the resolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from pipelines import schema
from pipelines.log import Log
from pipelines.mining.policy import SlaPolicy
from pipelines.mining.sla_aggregates import period_labels
from pipelines.mining.sla_clock import as_of_timestamp, default_timezone, read_clock

__all__ = [
    "KM_COLUMNS",
    "MEASURES",
    "RESOLUTION_TIME_COLUMNS",
    "ResolutionTimes",
    "get_resolution_times",
    "kaplan_meier",
    "km_quantiles",
    "summarize_resolution_times",
]

KM_COLUMNS: tuple[str, ...] = ("time", "at_risk", "events", "censored", "survival")
MEASURES: tuple[str, ...] = ("calendar", "business", "sla")
"""Resolution-time measures: wall clock, working time of the target calendar, SLA clock."""
RESOLUTION_TIME_COLUMNS: tuple[str, ...] = (
    schema.CASE_ID, "target", schema.PRIORITY, schema.CATEGORY, schema.CHANNEL, schema.START_TIME,
    "resolved", "calendar_s", "business_s", "sla_s", "first_contact_resolution",
)
SUMMARY_COLUMNS: tuple[str, ...] = (
    "measure", "cases", "resolved", "censored", "naive_median_s", "naive_p90_s",
    "km_median_s", "km_p90_s", "first_contact_resolution_rate",
)
_TOL = 1e-12


# -- Kaplan-Meier ---------------------------------------------------------------------------


def _check(durations: Any, observed: Any) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(durations, dtype=np.float64).ravel()
    o = np.asarray(observed).ravel()
    if t.shape != o.shape:
        raise ValueError(f"durations and observed must have the same length; got {t.size} and {o.size}")
    if o.dtype != bool:
        if not np.isin(o, (0, 1)).all():
            raise ValueError("observed must be booleans (True = resolved, False = censored)")
        o = o.astype(bool)
    if not np.isfinite(t).all() or (t < 0).any():
        raise ValueError("durations must be finite and >= 0 (drop cases without a duration first)")
    return t, o


def kaplan_meier(durations: Any, observed: Any) -> pd.DataFrame:
    """The Kaplan-Meier survival table of right-censored durations.

    Parameters
    ----------
    durations:
        Seconds (any unit) from start to resolution, or to censoring.
    observed:
        True where the case was resolved (an event), False where it was still open (censored).

    Returns
    -------
    DataFrame, one row per distinct duration, ascending: ``time``, ``at_risk`` (cases with a
    duration >= time), ``events`` (resolved at time), ``censored`` (censored at time),
    ``survival`` (share still unresolved just after time).

    >>> kaplan_meier([1, 2, 2, 3], [True, True, False, True])
       time  at_risk  events  censored  survival
    0   1.0        4       1         0      0.75
    1   2.0        3       1         1      0.50
    2   3.0        1       1         0      0.00
    """
    times, at_risk, events, total, survival = _km(*_check(durations, observed))
    return pd.DataFrame({"time": times, "at_risk": at_risk, "events": events,
                         "censored": (total - events).astype(np.int64), "survival": survival})


def _km(t: np.ndarray, o: np.ndarray) -> tuple[np.ndarray, ...]:
    """The Kaplan-Meier table as arrays: distinct times, at risk, events, cases, survival."""
    if not t.size:
        empty = np.zeros(0, np.int64)
        return np.zeros(0), empty, empty, empty, np.zeros(0)
    times, inverse = np.unique(t, return_inverse=True)
    events = np.bincount(inverse, weights=o, minlength=times.size).astype(np.int64)
    total = np.bincount(inverse, minlength=times.size)
    at_risk = (t.size - np.concatenate(([0], np.cumsum(total)[:-1]))).astype(np.int64)
    survival = np.cumprod(1.0 - events / at_risk)
    return times, at_risk, events, total, survival


def km_quantiles(durations: Any, observed: Any, qs: Sequence[float] = (0.5, 0.9)) -> np.ndarray:
    """Kaplan-Meier quantiles: for each ``q``, the smallest duration with ``S <= 1 - q``.

    NaN when the survival curve never drops that low (or there is no data).

    >>> km_quantiles([1, 2, 2, 3], [True, True, False, True], (0.25, 0.5, 0.9)).tolist()
    [1.0, 2.0, 3.0]
    >>> km_quantiles([1, 2, 5], [True, False, False], (0.5,)).tolist()
    [nan]
    """
    times, _, events, _, survival = _km(*_check(durations, observed))
    has_event = events > 0
    times, survival = times[has_event], survival[has_event]
    out = []
    for q in qs:
        if not 0 < q < 1:
            raise ValueError(f"quantiles must lie strictly between 0 and 1; got {q!r}")
        hit = np.flatnonzero(survival <= 1 - q + _TOL)
        out.append(float(times[hit[0]]) if hit.size else float("nan"))
    return np.array(out)


# -- resolution times -----------------------------------------------------------------------


@dataclass(frozen=True)
class ResolutionTimes:
    """Result of :func:`get_resolution_times`.

    Attributes
    ----------
    cases:
        One row per case, columns :data:`RESOLUTION_TIME_COLUMNS`: ``resolved`` (the event of the
        survival analysis), ``calendar_s`` / ``business_s`` / ``sla_s``: start -> resolution, or
        start -> ``as_of`` when open (censored); ``business_s`` is working time of the target's
        calendar without pause subtraction, ``sla_s`` the SLA clock (pauses subtracted); both NaN
        without a policy or target. ``first_contact_resolution``: nullable boolean, NA when not
        resolved.
    summary:
        Columns ``SUMMARY_COLUMNS`` (``measure``, ``cases``, ``resolved``, ``censored``,
        ``naive_median_s``, ``naive_p90_s``, ``km_median_s``, ``km_p90_s``,
        ``first_contact_resolution_rate``), one row per measure (``calendar``, ``business``,
        ``sla``; ``calendar`` only without a policy). ``cases`` counts cases with a duration (no
        target: no business or SLA time).
    by_week, by_month:
        The same, per week (its Monday, ``"2025-01-06"``) or month (``"2025-01"``) of the case
        start in ``timezone``, with the period column first (computed when first read: a view that
        shows only the summary does not pay for the trends).
    fcr_rate:
        First-contact resolution rate over resolved cases (NaN when none is resolved).
    fcr_breakers:
        The activities that break FCR.
    as_of, timezone:
        The instant the clocks were read at, and the zone of weeks and months.
    measures:
        The measures summarised (``calendar`` only without a policy).
    """

    cases: pd.DataFrame
    summary: pd.DataFrame
    fcr_rate: float
    fcr_breakers: tuple[str, ...]
    as_of: pd.Timestamp
    timezone: str
    measures: tuple[str, ...] = field(default=MEASURES, repr=False)

    @cached_property
    def by_week(self) -> pd.DataFrame:
        return self._by_period("week")

    @cached_property
    def by_month(self) -> pd.DataFrame:
        return self._by_period("month")

    def _by_period(self, freq: str) -> pd.DataFrame:
        frame = self.cases.assign(**{freq: period_labels(self.cases[schema.START_TIME], freq, self.timezone)})
        return summarize_resolution_times(frame, by=freq, measures=self.measures)


def _cases(log: Log, policy: SlaPolicy | None, as_of: Any,
           fcr_breakers: Sequence[str] | None) -> tuple[pd.DataFrame, tuple[str, ...], int]:
    clock = read_clock(log, policy, as_of=as_of, fcr_breakers=fcr_breakers)
    f = clock.frame
    resolved = f["resolved_time"].notna().to_numpy()
    as_of_t = np.datetime64(clock.as_of_us, "us")
    upto = np.where(resolved, clock.instants["resolved"], as_of_t)
    rows = np.arange(clock.n)
    fcr = pd.array(~f["fcr_broken"].to_numpy(), dtype="boolean")
    fcr[~resolved] = pd.NA
    cases = pd.DataFrame({
        **{c: f[c] for c in RESOLUTION_TIME_COLUMNS[:6]},
        "resolved": resolved,
        "calendar_s": (upto - clock.instants["start"]).astype("timedelta64[us]").astype(float) / 1e6,
        "business_s": clock.work(rows, clock.instants["start"], upto),
        "sla_s": f["resolution_elapsed_s"].to_numpy(),
        "first_contact_resolution": fcr,
    })
    return cases, clock.fcr_breakers, clock.as_of_us


def get_resolution_times(log: Log, policy: SlaPolicy | None = None, *, as_of: Any = None,
                         fcr_breakers: Sequence[str] | None = None,
                         tz: str | None = None) -> ResolutionTimes:
    """Resolution times with open cases right-censored: naive and Kaplan-Meier median and p90,
    first-contact resolution, and the trend by week and month.

    A case is resolved at its first resolution milestone after its last reopen (see
    :mod:`pipelines.mining.definitions`; with a policy, :mod:`pipelines.mining.sla_clock`:
    thank-you rule, business time on its target's calendar). Without a policy the milestones and
    reopens are the activities recognised by name (``Resolve ticket``, ``Closed``, ``Reopen``...),
    exactly as the comparison and the what-if read them, and only calendar time is available; a
    log with no such activity resolves a closed case (``is_closed``) at its last event. ``as_of`` as for
    :func:`~pipelines.mining.sla_clock.evaluate_sla` (default: the log's last event time); open
    cases are censored at it. Weeks and months are cut in ``tz`` (default: the policy's first
    calendar's zone, else UTC). See the module docstring for the estimators and FCR.
    """
    if policy is not None and not isinstance(policy, SlaPolicy):
        raise ValueError(f"policy must be an SlaPolicy (see read_policy) or None; got {type(policy).__name__}")
    cases, breakers, as_of_us = _cases(log, policy, as_of, fcr_breakers)
    zone = tz or default_timezone(policy)
    measures = MEASURES if policy is not None else ("calendar",)
    summary = summarize_resolution_times(cases, measures=measures)
    fcr = cases["first_contact_resolution"]
    rate = float(fcr.dropna().astype(bool).mean()) if fcr.notna().any() else float("nan")
    return ResolutionTimes(cases=cases, summary=summary, fcr_rate=rate, fcr_breakers=breakers,
                           as_of=as_of_timestamp(as_of_us), timezone=zone, measures=tuple(measures))


def summarize_resolution_times(cases: pd.DataFrame, *, by: str | None = None,
                               measures: Sequence[str] = MEASURES) -> pd.DataFrame:
    """Naive and Kaplan-Meier median/p90 per measure (and per ``by`` value) of a
    :attr:`ResolutionTimes.cases` frame; columns ``[by,] SUMMARY_COLUMNS``.
    """
    for measure in measures:
        schema.check_choice("measure", measure, MEASURES)
    # numpy per group (one sort), not a pandas frame per group: trends have a row per week
    fcr_all = cases["first_contact_resolution"].to_numpy(dtype=np.float64, na_value=np.nan)
    resolved_all = cases["resolved"].to_numpy(dtype=bool)
    values_all = {m: cases[f"{m}_s"].to_numpy(dtype=np.float64) for m in measures}
    if by is None:
        groups = [(None, np.arange(len(cases)))]
    else:
        grouped = cases.groupby(by, sort=True, dropna=False)
        codes = grouped.ngroup().to_numpy()
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(grouped.ngroups + 1))
        groups = [(key, order[bounds[i]:bounds[i + 1]]) for i, key in enumerate(grouped.size().index)]
    rows = []
    for key, idx in groups:
        fcr = fcr_all[idx]
        fcr = fcr[~np.isnan(fcr)]
        fcr_rate = float((fcr != 0).mean()) if len(fcr) else float("nan")
        for measure in measures:
            values = values_all[measure][idx]
            ok = ~np.isnan(values)
            t, o = values[ok], resolved_all[idx][ok]
            naive = np.quantile(t[o], (0.5, 0.9)) if o.any() else np.full(2, np.nan)
            km = km_quantiles(t, o) if t.size else np.full(2, np.nan)
            row = {"measure": measure, "cases": int(ok.sum()), "resolved": int(o.sum()),
                   "censored": int((~o).sum()), "naive_median_s": naive[0], "naive_p90_s": naive[1],
                   "km_median_s": km[0], "km_p90_s": km[1], "first_contact_resolution_rate": fcr_rate}
            rows.append(({by: key} if by else {}) | row)
    cols = ([by] if by else []) + list(SUMMARY_COLUMNS)
    return pd.DataFrame(rows, columns=cols)
