"""Shared pieces of the automation analyses: who is a machine, which steps resolve a case, and
how durations read in plain language (internal; the public API is :mod:`pipelines.mining.automation`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from pipelines.log import Log
from pipelines.mining._scope import run, scope
from pipelines.mining.policy import SlaPolicy
from pipelines.store import render

MACHINE_PATTERN = (
    r"(?i)(?:^|[^a-z])(?:system|bot|robot|rpa|auto|automatic|automation|batch|job|scheduler|"
    r"script|daemon|cron)(?:[^a-z]|$)"
)
"""A resource whose name matches this (RE2) pattern is a machine, not a person: ``system``,
``triage-bot``, ``selfservice-bot``, ``batch_job``... Customers appear as a missing resource. Both
are excluded from "human" work; pass ``machine_pattern=`` to the public functions to change it."""

RESOLVE_WORDS = ("resolve", "resolved", "resolution", "solved", "fixed", "done")
CLOSE_WORDS = ("close", "closed", "closure")
"""Without an SLA policy, activities whose name contains one of these words (as a whole word,
case-insensitive) are the steps that resolve a case; the policy's ``resolved`` and ``closed``
milestones take their place when one is given."""

INTAKE_SHARE = 0.9
"""An activity found in at least this share of the cases is an *intake* step (create, triage, take
in charge, first reply...): what every case goes through before its specific work."""

MONTH_S = 365.25 / 12 * 86400.0


def words_of(name: str) -> set[str]:
    return set(re.split(r"[^a-z]+", name.lower())) - {""}


def resolution_activities(activities: Iterable[str], policy: SlaPolicy | None = None) -> list[str]:
    """The activities that resolve (or close) a case: the policy's ``resolved`` + ``closed``
    milestones, else those whose names contain a resolve or close word.

    >>> resolution_activities(["Resolve ticket", "Close ticket", "Repair completed"])
    ['Close ticket', 'Resolve ticket']
    """
    acts = sorted(set(activities))
    if policy is not None:
        named = set(policy.milestones.resolved) | set(policy.milestones.closed)
        return [a for a in acts if a in named]
    words = set(RESOLVE_WORDS) | set(CLOSE_WORDS)
    return [a for a in acts if words & words_of(a)]


def final_resolution_activities(activities: Iterable[str], policy: SlaPolicy | None = None) -> list[str]:
    """The activities that mark a resolution for the customer (not the administrative close):
    the policy's ``resolved`` milestones, else resolve words, else (none found) close words."""
    acts = sorted(set(activities))
    if policy is not None:
        return [a for a in acts if a in set(policy.milestones.resolved)]
    hit = [a for a in acts if set(RESOLVE_WORDS) & words_of(a)]
    return hit or [a for a in acts if set(CLOSE_WORDS) & words_of(a)]


def step_relations(log: Log) -> dict[str, str]:
    """The ``instances`` and ``steps`` relations (SQL fragments) in ``log``'s scope."""
    fragments = scope(log).fragments()
    return {
        "instances": render("bottlenecks/instances", **fragments),
        "steps": render("automation/steps", **fragments),
    }


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


def check_machine_pattern(pattern: str) -> str:
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"machine_pattern must be a non-empty regular expression; got {pattern!r}")
    try:
        re.compile(pattern.replace("(?i)", ""))
    except re.error as exc:
        raise ValueError(f"machine_pattern is not a valid regular expression: {exc}") from None
    return pattern
