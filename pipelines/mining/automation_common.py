"""Shared pieces of the automation analyses: the step relations, the months a scope spans and how
durations read in plain language (internal; the public API is :mod:`pipelines.mining.automation`).
Who is a machine and which steps resolve a case are in :mod:`pipelines.mining.definitions`.
"""

from __future__ import annotations

import math

from pipelines.log import Log
from pipelines.mining._scope import run, scope
from pipelines.store import render

INTAKE_SHARE = 0.9
"""An activity found in at least this share of the cases is an *intake* step (create, triage, take
in charge, first reply...): what every case goes through before its specific work."""

MONTH_S = 365.25 / 12 * 86400.0


def step_relations(log: Log) -> dict[str, str]:
    """The ``occurrences`` and ``steps`` relations (SQL fragments) in ``log``'s scope."""
    fragments = scope(log).fragments()
    occurrences = render("mining/occurrences", **fragments)
    instances = render("bottlenecks/instances", **fragments)
    return {"occurrences": occurrences,
            "steps": render("automation/steps", occurrences=occurrences, instances=instances)}


def months_in_scope(log: Log) -> tuple[int, float]:
    """(cases in scope, months spanned by their events; at least one day's worth)."""
    row = run(log, "automation/scope_span").iloc[0]
    cases = int(row["cases"])
    if cases == 0 or row["first_us"] is None or math.isnan(float(row["first_us"])):
        return cases, float("nan")
    span_s = (float(row["last_us"]) - float(row["first_us"])) / 1e6
    return cases, max(span_s, 86400.0) / MONTH_S


def fmt_duration(seconds: float) -> str:
    """A short duration for sentences: ``'45 s'``, ``'7 min'``, ``'2.1 h'``, ``'3.4 d'``.

    >>> [fmt_duration(s) for s in (45, 420, 7560, 293760)]
    ['45 s', '7 min', '2.1 h', '3.4 d']
    """
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "n/a"
    s = float(seconds)
    if s < 90:
        return f"{s:.0f} s"
    if s < 5400:
        return f"{s / 60:.0f} min"
    if s < 2 * 86400:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} d"
