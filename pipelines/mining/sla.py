"""SLA clocks from the log: the public API of deskmine's service metrics (issue 4).

One import for notebooks, the CLI (``deskmine sla``) and the dashboard::

    from pipelines.mining.sla import evaluate_sla, read_policy, sla_breach_rates
    policy = read_policy("sample_logs/sla_policy.toml")
    sla = evaluate_sla(store.log("before"), policy)          # one row per case
    sla_breach_rates(sla, by="target")                       # counts and breach rates

The work is split by theme:

* :mod:`pipelines.mining.sla_clock`: the clocks (:func:`evaluate_sla`; the exact rules for status,
  milestones, reopens, the thank-you rule, pauses and ``as_of`` are in its docstring);
* :mod:`pipelines.mining.sla_aggregates`: :func:`sla_breach_rates`, :func:`find_breach_drivers`,
  :func:`get_wait_split`, :func:`get_wait_by_status`;
* :mod:`pipelines.mining.sla_survival`: :func:`get_resolution_times` (Kaplan-Meier with open cases
  right-censored, first-contact resolution, weekly/monthly trend), :func:`kaplan_meier`;
* :mod:`pipelines.mining.sla_reopens`: :func:`get_reopens` (rate, cycles, thank-you rule);
* :mod:`pipelines.mining.sla_risk`: :func:`find_at_risk` (the at-risk queue) and
  :func:`calibrate_risk`;

on top of :mod:`pipelines.mining.calendar` (business time) and :mod:`pipelines.mining.policy`
(the policy file).
"""

from __future__ import annotations

from pipelines.mining.policy import SlaPolicy, parse_policy, read_policy
from pipelines.mining.sla_aggregates import (
    BREACH_BY,
    DRIVER_BY,
    find_breach_drivers,
    get_wait_by_status,
    get_wait_split,
    sla_breach_rates,
)
from pipelines.mining.sla_clock import (
    FCR_DEFAULT_WORDS,
    MILESTONES,
    SLA_COLUMNS,
    SLA_EXTRA_COLUMNS,
    STATUSES,
    default_fcr_breakers,
    evaluate_sla,
)
from pipelines.mining.sla_reopens import REOPEN_CASE_COLUMNS, ReopenReport, get_reopens
from pipelines.mining.sla_risk import AT_RISK_COLUMNS, RiskCalibration, calibrate_risk, find_at_risk
from pipelines.mining.sla_survival import (
    MEASURES,
    RESOLUTION_TIME_COLUMNS,
    ResolutionTimes,
    get_resolution_times,
    kaplan_meier,
    km_quantiles,
    summarize_resolution_times,
)

__all__ = [
    "AT_RISK_COLUMNS",
    "BREACH_BY",
    "DRIVER_BY",
    "FCR_DEFAULT_WORDS",
    "MEASURES",
    "MILESTONES",
    "REOPEN_CASE_COLUMNS",
    "RESOLUTION_TIME_COLUMNS",
    "SLA_COLUMNS",
    "SLA_EXTRA_COLUMNS",
    "STATUSES",
    "ReopenReport",
    "ResolutionTimes",
    "RiskCalibration",
    "SlaPolicy",
    "calibrate_risk",
    "default_fcr_breakers",
    "evaluate_sla",
    "find_at_risk",
    "find_breach_drivers",
    "get_reopens",
    "get_resolution_times",
    "get_wait_by_status",
    "get_wait_split",
    "kaplan_meier",
    "km_quantiles",
    "parse_policy",
    "read_policy",
    "sla_breach_rates",
    "summarize_resolution_times",
]
