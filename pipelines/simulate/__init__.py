"""Seeded service-desk simulator: realistic ticket event logs with an exactly known truth.

Public API::

    SimulationConfig(start, days, n_cases, category_mix, selfservice_password_reset_share,
                     auto_triage_channels, case_prefix, timezone, holidays, customer_pool)
    simulate_log(config, *, seed, policy=None) -> SimulationResult(.events, .truth, .log_end, ...)
    before_after_configs(*, start, days, n_cases, category_mix, ..., same_window) -> (before, after)
    default_policy(timezone, holidays) -> SlaPolicy;  policy_toml(policy) -> str
    write_sample(out_dir);  population_kpis(config, *, seed) -> DataFrame

Command line: ``python -m pipelines.simulate sample|benchmark|population|report`` (see
``sample_logs/README.md``).
"""

from .calendar import CalendarSpec, WorkCalendar, italian_holidays
from .generate import (
    EVENT_COLUMNS,
    SAMPLE_SEEDS,
    SimulationResult,
    before_after_configs,
    benchmark_log,
    sample_files,
    simulate_log,
    write_sample,
)
from .model import ACTIVITIES, CATEGORIES, CHANNELS, PRIORITIES, TEAMS, SimulationConfig
from .policy import SlaPolicy, SlaTarget, default_policy, policy_from_toml, policy_toml
from .truth import TRUTH_COLUMNS

__all__ = [
    "ACTIVITIES",
    "CATEGORIES",
    "CHANNELS",
    "EVENT_COLUMNS",
    "PRIORITIES",
    "SAMPLE_SEEDS",
    "TEAMS",
    "TRUTH_COLUMNS",
    "CalendarSpec",
    "SimulationConfig",
    "SimulationResult",
    "SlaPolicy",
    "SlaTarget",
    "WorkCalendar",
    "before_after_configs",
    "benchmark_log",
    "default_policy",
    "italian_holidays",
    "policy_from_toml",
    "policy_toml",
    "sample_files",
    "simulate_log",
    "write_sample",
]
