"""Every component id of the app, named once (pages import these; tests use them as selectors).

Pattern-matching ids (dicts) are built by the small functions at the end: a dict id renders in
the DOM as its JSON (``{"index":"variants","type":"grid"}``); :func:`css` makes a selector of it.
"""

from __future__ import annotations

import json

# shell
NAV = "nav"
PAGE = "page"
URL = "url"
FILTER_STORE = "filter-store"          # {"log", "filter": Filter.to_dict(), "query"}: the global filter state
GENERATION_STORE = "generation-store"  # bumped when the app itself changed the warehouse (an upload)
URL_SYNC = "url-sync"                  # dummy output of the clientside URL writer
FILTER_PATCH = "filter-patch"          # dcc.Store: pages write filter changes here (see components.filters)
FILTER_ERROR = "filter-error"
APP_ERROR = "app-error"                # where an unexpected callback error is reported (in words)

# global filter bar
FILTER_BAR = "filter-bar"
FILTER_LOG = "filter-log"
FILTER_DATES = "filter-dates"
FILTER_PRIORITY = "filter-priority"
FILTER_CHANNEL = "filter-channel"
FILTER_CATEGORY = "filter-category"
FILTER_TEAM = "filter-team"
FILTER_VARIANT = "filter-variant"
FILTER_DMIN = "filter-dmin"            # hours
FILTER_DMAX = "filter-dmax"            # hours
FILTER_CHIPS = "filter-chips"
FILTER_SUMMARY = "filter-summary"
FILTER_ATTRIBUTE = {"priority": FILTER_PRIORITY, "channel": FILTER_CHANNEL, "category": FILTER_CATEGORY,
                    "team": FILTER_TEAM}

# pattern-matching types
CLEAR_FILTERS = "clear-filters"        # {"type": CLEAR_FILTERS, "index": where} buttons clear every filter
CHIP_REMOVE = "chip-remove"            # {"type": CHIP_REMOVE, "index": clause key}
GRID = "grid"                          # {"type": GRID, "index": name}: an AG Grid
GRID_EXPORT = "grid-export"            # {"type": GRID_EXPORT, "index": name}: its CSV button
GRID_EXPORT_ALL = "grid-export-all"    # {"type": ..., "index": name}: CSV of every row (server side)
GRID_DOWNLOAD = "grid-download"        # {"type": ..., "index": name}: its dcc.Download
GRID_ROWS = "grid-rows"                # {"type": ..., "index": name}: its stash token (dcc.Store)
SVG_EXPORT = "svg-export"              # {"type": SVG_EXPORT, "index": graph id}: download a plotly figure as SVG
SVG_DONE = "svg-done"

# overview (/)
OVERVIEW_KPIS = "overview-kpis"
OVERVIEW_FREQ = "overview-freq"
OVERVIEW_TRENDS = "overview-trends"
OVERVIEW_VOLUME = "overview-volume"
OVERVIEW_RESOLUTION = "overview-resolution"
OVERVIEW_SECTIONS = "overview-sections"

# process map (/map)
MAP_GRAPH = "map-graph"
MAP_MEASURE = "map-measure"
MAP_ACTIVITIES = "map-activities"
MAP_PATHS = "map-paths"
MAP_SUMMARY = "map-summary"
MAP_MESSAGE = "map-message"
MAP_DETAILS = "map-details"
MAP_FILTER_BY = "map-filter-by"
MAP_SELECTION = "map-selection"        # dcc.Store: the clicked node/edge
MAP_PNG = "map-png"
MAP_SVG = "map-svg"
MAP_BPMN = "map-bpmn"
MAP_BPMN_DOWNLOAD = "map-bpmn-download"
MAP_LEGEND = "map-legend"
MAP_CASES = "map-cases"
MAP_CASES_EXPORT = "map-cases-export"
MAP_CASES_DOWNLOAD = "map-cases-download"

# variants (/variants)
VARIANTS_CONTENT = "variants-content"
VARIANTS_FILTER = "variants-filter"
VARIANTS_COVERAGE = "variants-coverage"
VARIANTS_SELECTED = "variants-selected"

# bottlenecks (/bottlenecks)
BOTTLENECKS_BY = "bottlenecks-by"
BOTTLENECKS_CONTENT = "bottlenecks-content"
BOTTLENECKS_CHART = "bottlenecks-chart"
BOTTLENECKS_HANDOFFS = "bottlenecks-handoffs"
BOTTLENECKS_HEATMAP = "bottlenecks-heatmap"
BOTTLENECKS_REWORK = "bottlenecks-rework"
BOTTLENECKS_REWORK_CHART = "bottlenecks-rework-chart"
BOTTLENECKS_SECTIONS = "bottlenecks-sections"   # extension sections (e.g. customer vs agent wait, SLA)

# SLA policies: the user's selection, kept in the browser session, read by every page that uses it
POLICY_STORE = "policy-store"          # dcc.Store(storage_type="session"): the policy name chosen on /sla

# sla (/sla)
SLA_POLICY = "sla-policy"              # the policy dropdown (its value is the page state, ?policy=)
SLA_POLICY_PARAM = "sla-policy-param"  # dcc.Store: the ?policy= of the URL the page was opened with
SLA_POLICY_URL = "sla-policy-url"      # dummy output of the clientside URL writer
SLA_POLICY_REMEMBERED = "sla-policy-remembered"  # dummy output of the clientside session writer
SLA_POLICY_VIEW = "sla-policy-view"
SLA_POLICY_UPLOAD = "sla-policy-upload"
SLA_POLICY_REPLACE = "sla-policy-replace"
SLA_POLICY_MESSAGE = "sla-policy-message"
SLA_POLICY_SAVED = "sla-policy-saved"  # dcc.Store: {"name", "n"} of the last policy saved from an upload
SLA_SECTIONS = "sla-sections"          # the analyses (hidden while there is no policy or no case)
SLA_SUMMARY = "sla-summary"
SLA_BY = "sla-by"
SLA_PERIOD = "sla-period"
SLA_RATES = "sla-rates"
SLA_RATES_CHART = "sla-rates-chart"
SLA_TREND_CHART = "sla-trend-chart"
SLA_DRIVERS_BY = "sla-drivers-by"
SLA_DRIVERS_MILESTONE = "sla-drivers-milestone"
SLA_DRIVERS = "sla-drivers"
SLA_DRIVERS_CHART = "sla-drivers-chart"
SLA_RESOLUTION = "sla-resolution"
SLA_KM_CHART = "sla-km-chart"
SLA_REOPENS = "sla-reopens"
SLA_REOPENS_CHART = "sla-reopens-chart"
SLA_WAIT = "sla-wait"
SLA_WAIT_CHART = "sla-wait-chart"
SLA_AT_RISK = "sla-at-risk"
SLA_CALIBRATION = "sla-calibration"
SLA_CALIBRATION_CHART = "sla-calibration-chart"
SLA_CALIBRATION_RUN = "sla-calibration-run"
BOTTLENECKS_WAIT_CHART = "bottlenecks-wait-chart"

# compare (/compare)
COMPARE_MODE = "compare-mode"          # "logs" | "split"
COMPARE_BEFORE = "compare-before"
COMPARE_AFTER = "compare-after"
COMPARE_AFTER_FIELD = "compare-after-field"
COMPARE_SPLIT = "compare-split"
COMPARE_SPLIT_FIELD = "compare-split-field"
COMPARE_POLICY = "compare-policy"
COMPARE_POLICY_PARAM = "compare-policy-param"  # dcc.Store: the ?policy= of the URL
COMPARE_BY = "compare-by"
COMPARE_BOOT = "compare-boot"
COMPARE_RUN = "compare-run"
COMPARE_URL = "compare-url"            # dummy output of the clientside URL writer
COMPARE_RESULT = "compare-result"
COMPARE_KPIS = "compare-kpis"          # the KPI table (rows carry data-kpi)
COMPARE_FOREST = "compare-forest"
COMPARE_FOREST_SECTION = "compare-forest-section"  # the forest chart (deferred)
COMPARE_MAP = "compare-map"
COMPARE_SEGMENTS_SECTION = "compare-segments-section"  # the segments table (deferred)
COMPARE_MAP_SECTION = "compare-map-section"  # the map delta, its paths and the variant shift (deferred)
COMPARE_MAP_VIEW = "compare-map-view"
COMPARE_MAP_LEGEND = "compare-map-legend"
COMPARE_JSON = "compare-json"
COMPARE_JSON_DOWNLOAD = "compare-json-download"
COMPARE_CSV = "compare-csv"
COMPARE_CSV_DOWNLOAD = "compare-csv-download"
COMPARE_KEY = "compare-key"            # dcc.Store: the request of the result shown (for the exports)

# automation (/automation)
AUTOMATION_POLICY = "automation-policy"
AUTOMATION_POLICY_PARAM = "automation-policy-param"  # dcc.Store: the ?policy= of the URL
AUTOMATION_CANDIDATES = "automation-candidates"
AUTOMATION_SCORE_CHART = "automation-score-chart"
AUTOMATION_LEVELS = "automation-levels"
AUTOMATION_TRIAGE = "automation-triage"
AUTOMATION_TRIAGE_CHART = "automation-triage-chart"
AUTOMATION_MACROS = "automation-macros"
AUTOMATION_WHATIF_ACTIVITY = "automation-whatif-activity"
AUTOMATION_WHATIF_MODE = "automation-whatif-mode"
AUTOMATION_WHATIF_LATENCY = "automation-whatif-latency"
AUTOMATION_WHATIF_RUN = "automation-whatif-run"
AUTOMATION_WHATIF = "automation-whatif"
AUTOMATION_WHATIF_CHART = "automation-whatif-chart"

# cases (/cases)
CASES_SEARCH = "cases-search"
CASES_DETAIL = "cases-detail"
CASES_TIMELINE = "cases-timeline"
CASES_LIST = "cases-list"

# data page
DATA_LOG = "data-log"
DATA_LOGS_TABLE = "data-logs-table"
DATA_STATS = "data-stats"
DATA_MAPPING = "data-mapping"
DATA_WARNINGS = "data-warnings"
DATA_QUALITY = "data-quality"
DATA_QUALITY_SECTION = "data-quality-section"  # the quality report and the rejected rows (deferred)
DATA_REJECTS = "data-rejects"
DATA_REJECTS_EXPORT = "data-rejects-export"
DATA_QUALITY_EXPORT = "data-quality-export"
DATA_LOGS_EXPORT = "data-logs-export"

# data page: upload a new log
UPLOAD = "upload"
UPLOAD_LIMIT_NOTE = "upload-limit-note"
UPLOAD_CLIENT_ERROR = "upload-client-error"   # written by assets/upload.js when the browser refuses a file
UPLOAD_PREVIEW = "upload-preview"
UPLOAD_TOKEN = "upload-token"                 # dcc.Store: the saved upload's token
UPLOAD_LOG_NAME = "upload-log-name"
UPLOAD_REPLACE = "upload-replace"
UPLOAD_ROLE = "upload-role"                   # {"type": UPLOAD_ROLE, "index": role}: column override dropdowns
UPLOAD_REMAP = "upload-remap"
UPLOAD_START = "upload-start"
UPLOAD_JOB = "upload-job"                     # dcc.Store: the running job id
UPLOAD_POLL = "upload-poll"                   # dcc.Interval
UPLOAD_PROGRESS = "upload-progress"
UPLOAD_STATUS = "upload-status"


def grid(name: str) -> dict:
    return {"type": GRID, "index": name}


def grid_export(name: str) -> dict:
    return {"type": GRID_EXPORT, "index": name}


def grid_part(kind: str, name: str) -> dict:
    """The id of a part of a long table's card (GRID_EXPORT_ALL, GRID_DOWNLOAD, GRID_ROWS)."""
    return {"type": kind, "index": name}


def shown(section_id: str) -> str:
    """The dcc.Store (False, then True) of a deferred section: set once it scrolls into view (see
    ``dashboard.components.page.deferred``)."""
    return f"{section_id}-shown"


def clear_filters(where: str) -> dict:
    return {"type": CLEAR_FILTERS, "index": where}


def css(component_id: str | dict) -> str:
    """A CSS selector for a component id (string or pattern-matching dict)."""
    if isinstance(component_id, str):
        return f"#{component_id}"
    text = json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return "[id='" + text.replace("'", "\\'") + "']"
