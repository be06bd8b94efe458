"""Headline KPIs of a log and their trend over time (the overview's numbers).

Two durations, never to be confused: the *case duration* (first to last event of a closed case,
``*_duration_s``) and the *resolution time* (case start to its resolution instant,
``*_resolution_s``): the first resolution milestone after the case's last reopen, deskmine's one
definition of resolution (:mod:`pipelines.mining.definitions`), so the overview's median resolution
equals ``get_resolution_times(log).summary``'s naive calendar median and the comparison's
``resolution_median`` on the same cases. They differ wherever a case stays open after it is
resolved (an automatic close days later).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from pipelines.log import Log
from pipelines.mining._scope import run
from pipelines.mining.clock import SHARED, cache_key, log_activities
from pipelines.mining.definitions import roles
from pipelines.schema import check_choice

Period = Literal["week", "month"]
PERIODS: tuple[str, ...] = ("week", "month")


def get_kpis(log: Log) -> dict:
    """Headline numbers of the cases of ``log`` (within its filter).

    Keys: ``cases``, ``events``, ``closed_cases``, ``open_cases``, ``variants``,
    ``median_duration_s``, ``p90_duration_s``, ``mean_duration_s`` (case duration, first to last
    event, of closed cases only: an open case's duration is only a lower bound),
    ``resolved_cases``, ``median_resolution_s``, ``p90_resolution_s`` (resolution time of the
    resolved cases: see the module docstring; see the SLA module for Kaplan-Meier estimates that
    use the unresolved ones), ``mean_events_per_case``, ``start_time``, ``end_time``. Durations are
    None when no case is closed (resolved).

    Example
    -------
    >>> get_kpis(Store("data/deskmine.duckdb").log("before"))["cases"]  # doctest: +SKIP
    4000
    """
    row = run(log, "mining/kpis").iloc[0].to_dict()
    out = {}
    for key, value in row.items():
        if key in ("start_time", "end_time"):
            out[key] = None if pd.isna(value) else value
        elif key.endswith("_s") or key == "mean_events_per_case":
            out[key] = None if pd.isna(value) else float(value)
        else:
            out[key] = int(value)
    times = _resolutions(log)["resolution_s"].to_numpy() if out["cases"] else np.zeros(0)
    median, p90 = np.quantile(times, (0.5, 0.9)) if len(times) else (None, None)
    out["resolved_cases"] = len(times)
    out["median_resolution_s"] = None if median is None else float(median)
    out["p90_resolution_s"] = None if p90 is None else float(p90)
    return out


def count_cases(log: Log) -> int:
    """How many cases ``log`` has within its filter (``get_kpis(log)["cases"]``, without the rest).

    >>> count_cases(Store("data/deskmine.duckdb").log("before"))  # doctest: +SKIP
    4000
    """
    return int(run(log, "mining/case_count").iloc[0]["cases"])


def _resolutions(log: Log) -> pd.DataFrame:
    """``case_id``, ``resolved_time`` (UTC) and ``resolution_s`` of the resolved cases of ``log``'s
    scope, in case order: the clock core's resolution instant without a policy (roles recognised by
    name in the scope's activities), computed in DuckDB from the materialised next-event columns.
    Shared by :func:`get_kpis` and :func:`get_kpi_trend` (:data:`~pipelines.mining.clock.SHARED`)."""
    return SHARED.get(cache_key(log, "resolutions"), lambda: _read_resolutions(log))


def _read_resolutions(log: Log) -> pd.DataFrame:
    r = roles(log_activities(log))
    params = {"done": list(r.resolved), "reopened": list(r.reopened), "implicit": r.implicit_reopens,
              "window_us": int(round(r.thank_you_window_s * 1e6)), "ignore_thank_you": r.ignore_thank_you,
              "last_event_resolves": r.closed_case_fallback}
    out = run(log, "mining/resolutions", params)
    return pd.DataFrame({"case_id": out["case_id"],
                         "resolved_time": pd.to_datetime(out["resolved_time"], utc=True).dt.tz_convert("UTC"),
                         "resolution_s": out["resolution_s"].astype(float)})


def get_kpi_trend(log: Log, *, period: Period = "week") -> pd.DataFrame:
    """Cases opened, closed and resolved per week or month, and how long those took.

    Columns: ``period_start`` (UTC, start of the ISO week or calendar month), ``cases_opened``
    (by first event), ``cases_closed`` (closed cases, by last event), ``median_duration_s``,
    ``p90_duration_s`` (case duration of the cases closed in the period; NaN when none),
    ``cases_resolved`` (by resolution instant), ``median_resolution_s``, ``p90_resolution_s``
    (resolution time of the cases resolved in the period; NaN when none).
    """
    check_choice("period", period, PERIODS)
    trend = run(log, "mining/kpi_trend", {"period": period})
    res = _resolutions(log) if len(trend) else pd.DataFrame({"resolved_time": [], "resolution_s": []})
    start = res["resolved_time"].dt.tz_localize(None)
    start = start.dt.to_period("W-SUN" if period == "week" else "M").dt.start_time
    res = res.assign(period_start=start.dt.tz_localize("UTC").astype(trend["period_start"].dtype))  # shared: no in-place
    by = res.groupby("period_start")["resolution_s"]
    per = pd.DataFrame({"cases_resolved": by.size(), "median_resolution_s": by.quantile(0.5),
                        "p90_resolution_s": by.quantile(0.9)}).reset_index()
    out = trend.merge(per, on="period_start", how="outer").sort_values("period_start", kind="stable")
    for col in ("cases_opened", "cases_closed", "cases_resolved"):
        out[col] = out[col].fillna(0).astype(np.int64)
    return out.reset_index(drop=True)
