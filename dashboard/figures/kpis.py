"""Key figures of a (filtered) log, as values the overview shows as cards (pure).

A :class:`Kpi` carries the raw ``value`` (what tests compare with the Python API) and the ``text``
shown. Providers that compute them from the gateway are registered in :mod:`dashboard.extensions`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.figures.common import format_share
from pipelines.mining.definitions import reopen_activities, resolution_activities


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


def reopen_kpi(activities: pd.DataFrame, rework: pd.DataFrame, n_cases: int) -> Kpi:
    """Share of cases reopened.

    Rule, in order: cases with an activity named like *reopen* (``activities``: the DFG's activity
    frame with ``activity`` and ``cases``); else cases that repeat a resolving/closing activity
    (``rework``: ``get_rework``'s frame with ``activity`` and ``cases``); else unknown. Over all
    ``n_cases`` cases in scope. The detail line says which rule was used.
    """
    if n_cases <= 0:
        return Kpi("reopen_rate", "Reopen rate", None, "—", "no cases")
    names = activities["activity"].astype(str) if len(activities) else pd.Series(dtype="string")
    named = activities[names.isin(reopen_activities(names))] if len(activities) else activities
    if len(named):
        row = named.sort_values(["cases", "activity"], ascending=[False, True]).iloc[0]
        value = int(row["cases"]) / n_cases
        return Kpi("reopen_rate", "Reopen rate", value, format_share(value),
                   f"{int(row['cases']):,} cases with '{row['activity']}'", tone=_tone(value, 0.05, 0.15))
    done = rework["activity"].astype(str) if len(rework) else pd.Series(dtype="string")
    closing = rework[done.isin(resolution_activities(done))] if len(rework) else rework
    if len(closing):
        row = closing.sort_values(["cases", "activity"], ascending=[False, True]).iloc[0]
        value = int(row["cases"]) / n_cases
        return Kpi("reopen_rate", "Reopen rate", value, format_share(value),
                   f"{int(row['cases']):,} cases with '{row['activity']}' more than once", tone=_tone(value, 0.05, 0.15))
    return Kpi("reopen_rate", "Reopen rate", None, "—", "no reopen or repeated closing activity in this log")


def _tone(value: float, warn: float, bad: float) -> str:
    return "danger" if value >= bad else "warning" if value >= warn else "success"
