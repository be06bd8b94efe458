"""deskmine's engine: ingest event logs into DuckDB and mine them.

The flat public API (what the dashboard and the notebooks call)::

    from pipelines import Store, ingest_log, discover_dfg, get_variants
    log = Store("data/deskmine.duckdb").log("before")

Submodules: :mod:`pipelines.etl` (readers, mapping, loader), :mod:`pipelines.mining` (analytics),
:mod:`pipelines.store` (the DuckDB gateway), :mod:`pipelines.simulate` (the sample-log simulator),
:mod:`pipelines.cli` (the ``deskmine`` command).
"""

from pipelines.etl.errors import IngestError
from pipelines.etl.loader import IngestOptions, IngestReport, ingest_log
from pipelines.log import Log
from pipelines.mining import *  # noqa: F403 - the mining API is the package's API
from pipelines.mining import __all__ as _mining_all
from pipelines.stats import get_quality, get_rejects, log_stats
from pipelines.store import Store, WarehouseError

__all__ = [
    "IngestError", "IngestOptions", "IngestReport", "Log", "Store", "WarehouseError",
    "get_quality", "get_rejects", "ingest_log", "log_stats", *_mining_all,
]
