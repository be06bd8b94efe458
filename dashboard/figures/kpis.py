"""Key figures of a (filtered) log, as values the overview shows as cards (pure).

A :class:`Kpi` carries the raw ``value`` (what tests compare with the Python API) and the ``text``
shown. Providers that compute them from the gateway are registered in :mod:`dashboard.extensions`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from dashboard.figures.common import format_count, format_duration, format_share

REOPEN = re.compile(r"\bre-?open", re.IGNORECASE)
CLOSING = re.compile(r"\b(?:resolve|resolved|resolution|close|closed|closure|solved|fixed)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Kpi:
    """One card: ``key`` (stable, used as DOM id suffix), ``label``, raw ``value``, shown ``text``,
    a ``detail`` line (what it counts) and a ``tone`` (Bootstrap colour name: secondary, success,
    warning, danger)."""

    key: str
    label: str
    value: float | int | None
    text: str
    detail: str = ""
    tone: str = "secondary"


def case_kpis(kpis: dict) -> list[Kpi]:
    """Cases, median and p90 resolution, open cases, from ``get_kpis``' dict.

    Resolution times are over closed cases only (an open case's duration is a lower bound).
    """
    cases, closed, open_ = kpis["cases"], kpis["closed_cases"], kpis["open_cases"]
    open_share = open_ / cases if cases else None
    return [
        Kpi("cases", "Cases", cases, format_count(cases), f"{closed:,} closed"),
        Kpi("median_resolution", "Median resolution", kpis["median_duration_s"],
            format_duration(kpis["median_duration_s"]), "closed cases, first to last event"),
        Kpi("p90_resolution", "P90 resolution", kpis["p90_duration_s"], format_duration(kpis["p90_duration_s"]),
            "9 in 10 closed cases resolve faster"),
        Kpi("open_cases", "Open cases", open_, format_count(open_),
            f"{format_share(open_share)} of cases, still running" if open_share is not None else "no cases",
            tone="warning" if open_share and open_share > 0.1 else "secondary"),
    ]


def reopen_kpi(activities: pd.DataFrame, rework: pd.DataFrame, n_cases: int) -> Kpi:
    """Share of cases reopened.

    Rule, in order: cases with an activity named like *reopen* (``activities``: the DFG's activity
    frame with ``activity`` and ``cases``); else cases that repeat a resolving/closing activity
    (``rework``: ``get_rework``'s frame with ``activity`` and ``cases``); else unknown. Over all
    ``n_cases`` cases in scope. The detail line says which rule was used.
    """
    if n_cases <= 0:
        return Kpi("reopen_rate", "Reopen rate", None, "—", "no cases")
    named = activities[activities["activity"].astype(str).str.contains(REOPEN)] if len(activities) else activities
    if len(named):
        row = named.sort_values(["cases", "activity"], ascending=[False, True]).iloc[0]
        value = int(row["cases"]) / n_cases
        return Kpi("reopen_rate", "Reopen rate", value, format_share(value),
                   f"{int(row['cases']):,} cases with '{row['activity']}'", tone=_tone(value, 0.05, 0.15))
    closing = rework[rework["activity"].astype(str).str.contains(CLOSING)] if len(rework) else rework
    if len(closing):
        row = closing.sort_values(["cases", "activity"], ascending=[False, True]).iloc[0]
        value = int(row["cases"]) / n_cases
        return Kpi("reopen_rate", "Reopen rate", value, format_share(value),
                   f"{int(row['cases']):,} cases with '{row['activity']}' more than once", tone=_tone(value, 0.05, 0.15))
    return Kpi("reopen_rate", "Reopen rate", None, "—", "no reopen or repeated closing activity in this log")


def _tone(value: float, warn: float, bad: float) -> str:
    return "danger" if value >= bad else "warning" if value >= warn else "success"
