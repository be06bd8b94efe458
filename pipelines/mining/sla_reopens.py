"""Reopens: how often resolved cases come back, how many cycles, and what the thank-you rule does.

Reopens and thank-you reopens are detected as in :mod:`pipelines.mining.sla_clock`: a reopen is a
``reopened`` milestone event (or, when the policy lists none, work resumed right after a
resolution); a *thank-you* reopen is one whose next event resolves or closes the case again
within ``[reopen] thank_you_window`` (wall clock) with nothing in between: the customer's "thank
you" reopened the ticket, and nobody worked on it. With ``ignore_thank_you = true`` such a reopen
is not a reopen: the resolution clock stops at the resolution before it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pipelines import schema
from pipelines.log import Log
from pipelines.mining.policy import SlaPolicy
from pipelines.mining.sla_clock import as_of_timestamp, sla_clock

__all__ = ["REOPEN_CASE_COLUMNS", "ReopenReport", "get_reopens"]

REOPEN_CASE_COLUMNS: tuple[str, ...] = (
    schema.CASE_ID, "target", "resolved", "reopens", "thank_you_reopens", "real_reopens",
    "resolution_s_rule_off", "resolution_s_rule_on", "status_rule_off", "status_rule_on",
    "affected_by_rule",
)


@dataclass(frozen=True)
class ReopenReport:
    """Result of :func:`get_reopens`.

    Attributes
    ----------
    cases:
        One row per case, columns :data:`REOPEN_CASE_COLUMNS`: ``resolved`` (resolution milestone
        reached under the policy as given), ``reopens`` (all reopen events), ``thank_you_reopens``
        (those matching the thank-you pattern), ``real_reopens`` (the others), the resolution
        clock and status with the rule off and on, and ``affected_by_rule`` (the rule moves the
        case's resolution instant).
    summary:
        One row: ``cases``, ``reopened_cases`` (at least one reopen), ``reopen_rate`` (of all
        cases), ``real_reopened_cases``, ``real_reopen_rate``, ``reopen_events``,
        ``thank_you_events``, ``thank_you_cases``, ``affected_cases``,
        ``resolution_breached_rule_off``, ``resolution_breached_rule_on`` (breached or
        open_breached), ``rule_on`` (the policy's ``ignore_thank_you``), ``thank_you_window_s``.
    cycles:
        ``cycles`` (reopens of a case: 0, 1, 2, ...), ``cases_all`` (counting every reopen) and
        ``cases_real`` (real reopens only).
    as_of:
        The instant the clocks were read at.
    """

    cases: pd.DataFrame
    summary: pd.DataFrame
    cycles: pd.DataFrame
    as_of: pd.Timestamp


def get_reopens(log: Log, policy: SlaPolicy, *, as_of: Any = None) -> ReopenReport:
    """Reopen rate and cycles, and how many cases the thank-you rule affects.

    The clocks are evaluated twice, with ``ignore_thank_you`` off and on (same window), so the
    report says what switching the rule does whichever way the policy sets it. Rates are over all
    cases in scope (a KPI a log alone can give: reopens of cases resolved before ``as_of``).
    """
    rules = {flag: dataclasses.replace(policy, reopen=dataclasses.replace(policy.reopen, ignore_thank_you=flag))
             for flag in (False, True)}
    clocks = [sla_clock(log, rules[f], as_of=as_of) for f in (False, True)]
    off, on = (c.frame for c in clocks)
    chosen = on if policy.reopen.ignore_thank_you else off
    moved = off["resolved_time"].ne(on["resolved_time"]) & off["resolved_time"].notna()
    moved |= off["resolved_time"].isna() != on["resolved_time"].isna()
    cases = pd.DataFrame({
        schema.CASE_ID: off[schema.CASE_ID], "target": off["target"],
        "resolved": chosen["resolved_time"].notna(),
        "reopens": off["reopens"], "thank_you_reopens": off["thank_you_reopens"],
        "real_reopens": off["reopens"] - off["thank_you_reopens"],
        "resolution_s_rule_off": off["resolution_s"], "resolution_s_rule_on": on["resolution_s"],
        "status_rule_off": off["status"], "status_rule_on": on["status"],
        "affected_by_rule": moved.to_numpy(dtype=bool),
    })
    n = len(cases)
    summary = pd.DataFrame([{
        "cases": n,
        "reopened_cases": int((cases["reopens"] > 0).sum()),
        "reopen_rate": _rate((cases["reopens"] > 0).sum(), n),
        "real_reopened_cases": int((cases["real_reopens"] > 0).sum()),
        "real_reopen_rate": _rate((cases["real_reopens"] > 0).sum(), n),
        "reopen_events": int(cases["reopens"].sum()),
        "thank_you_events": int(cases["thank_you_reopens"].sum()),
        "thank_you_cases": int((cases["thank_you_reopens"] > 0).sum()),
        "affected_cases": int(cases["affected_by_rule"].sum()),
        "resolution_breached_rule_off": int(off["resolution_breached"].fillna(False).sum()),
        "resolution_breached_rule_on": int(on["resolution_breached"].fillna(False).sum()),
        "rule_on": bool(policy.reopen.ignore_thank_you),
        "thank_you_window_s": float(policy.reopen.thank_you_window_s),
    }])
    top = int(cases["reopens"].max()) if n else 0
    cycles = pd.DataFrame({
        "cycles": np.arange(top + 1),
        "cases_all": np.bincount(cases["reopens"], minlength=top + 1),
        "cases_real": np.bincount(cases["real_reopens"], minlength=top + 1),
    })
    return ReopenReport(cases=cases.reset_index(drop=True), summary=summary, cycles=cycles,
                        as_of=as_of_timestamp(clocks[0].as_of_us))


def _rate(k: int, n: int) -> float:
    return float(k) / n if n else float("nan")

