"""Headline KPIs of a log and their trend over time (the overview's numbers)."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from pipelines.log import Log
from pipelines.mining._scope import run
from pipelines.schema import check_choice

Period = Literal["week", "month"]
PERIODS: tuple[str, ...] = ("week", "month")


def get_kpis(log: Log) -> dict:
    """Headline numbers of the cases of ``log`` (within its filter).

    Keys: ``cases``, ``events``, ``closed_cases``, ``open_cases``, ``variants``,
    ``median_duration_s``, ``p90_duration_s``, ``mean_duration_s`` (closed cases only: an open case's
    duration is only a lower bound; see the SLA module for Kaplan-Meier estimates that use them),
    ``mean_events_per_case``, ``start_time``, ``end_time``. Durations are None when no case is closed.

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
    return out


def get_kpi_trend(log: Log, *, period: Period = "week") -> pd.DataFrame:
    """Cases opened and closed per week or month, and the duration of those closed.

    Columns: ``period_start`` (UTC, start of the ISO week or calendar month), ``cases_opened``
    (by first event), ``cases_closed`` (closed cases, by last event), ``median_duration_s``,
    ``p90_duration_s`` (of the cases closed in the period; NaN when none).
    """
    check_choice("period", period, PERIODS)
    return run(log, "mining/kpi_trend", {"period": period})
