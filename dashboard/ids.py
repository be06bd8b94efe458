"""Every component id of the app, named once (pages import these; tests use them as selectors)."""

# shell
NAV = "nav"
PAGE = "page"

# data page
DATA_LOG = "data-log"
DATA_LOGS_TABLE = "data-logs-table"
DATA_STATS = "data-stats"
DATA_MAPPING = "data-mapping"
DATA_WARNINGS = "data-warnings"
DATA_QUALITY = "data-quality"
DATA_REJECTS = "data-rejects"
DATA_REJECTS_EXPORT = "data-rejects-export"
DATA_QUALITY_EXPORT = "data-quality-export"
DATA_LOGS_EXPORT = "data-logs-export"
