"""Analytics over the canonical event log, pm4py-style: ``verb_noun(log, *, options)``.

Every function takes a :class:`pipelines.log.Log` (``Store(path).log(name)``, optionally narrowed
by a filter) and returns tidy DataFrames or small frozen result objects; durations are seconds in
``*_s`` columns. The heavy work runs as SQL in DuckDB; pm4py is reached only through
``pipelines.mining._pm4py`` (for discovery and as the reference in tests).
"""

from pipelines.mining.automation import (
    Automation,
    WhatIfResult,
    find_automation_candidates,
    find_macro_candidates,
    simulate_automation,
    triage_matrix,
)
from pipelines.mining.bottlenecks import (
    case_time_split,
    find_bottlenecks,
    get_activity_instances,
    get_activity_times,
)
from pipelines.mining.calendar import BusinessCalendar, add_working_seconds, working_seconds
from pipelines.mining.cases import get_cases, get_events
from pipelines.mining.compare import ComparisonResult, KpiDefinitions, compare
from pipelines.mining.definitions import reopen_activities, resolution_activities
from pipelines.mining.dfg import DFG, discover_dfg
from pipelines.mining.discovery import (
    ProcessModel,
    bpmn_xml,
    discover_process_model,
    evaluate_fitness,
    export_bpmn,
    export_pnml,
)
from pipelines.mining.filters import (
    Filter,
    apply_filter,
    filter_activities,
    filter_case_attribute,
    filter_case_duration,
    filter_directly_follows,
    filter_end_activities,
    filter_event_attribute,
    filter_start_activities,
    filter_time_range,
    filter_variants,
)
from pipelines.mining.handoffs import (
    get_case_handoff_counts,
    get_handoffs,
    get_ping_pong,
    get_rework,
)
from pipelines.mining.kpis import count_cases, get_kpi_trend, get_kpis
from pipelines.mining.policy import SlaPolicy, parse_policy, read_policy
from pipelines.mining.sla import (
    calibrate_risk,
    evaluate_sla,
    find_at_risk,
    find_breach_drivers,
    get_reopens,
    get_resolution_times,
    get_wait_by_status,
    get_wait_split,
    kaplan_meier,
    sla_breach_rates,
)
from pipelines.mining.variants import get_case_durations, get_variants, variant_coverage

__all__ = [
    "ComparisonResult", "KpiDefinitions", "compare", "reopen_activities", "resolution_activities",
    "Automation", "WhatIfResult", "find_automation_candidates", "find_macro_candidates",
    "simulate_automation", "triage_matrix",
    "DFG", "BusinessCalendar", "Filter", "ProcessModel", "SlaPolicy",
    "add_working_seconds", "apply_filter", "bpmn_xml", "case_time_split", "count_cases", "discover_dfg",
    "discover_process_model", "evaluate_fitness", "export_bpmn", "export_pnml",
    "filter_activities", "filter_case_attribute", "filter_case_duration", "filter_directly_follows",
    "filter_end_activities", "filter_event_attribute", "filter_start_activities", "filter_time_range",
    "filter_variants", "find_bottlenecks", "get_activity_instances", "get_activity_times",
    "get_case_durations", "get_case_handoff_counts", "get_cases", "get_events", "get_handoffs",
    "get_kpi_trend", "get_kpis", "get_ping_pong", "get_rework", "get_variants", "parse_policy",
    "read_policy", "variant_coverage", "working_seconds",
    "calibrate_risk", "evaluate_sla", "find_at_risk", "find_breach_drivers", "get_reopens",
    "get_resolution_times", "get_wait_by_status", "get_wait_split", "kaplan_meier", "sla_breach_rates",
]
