"""Facts about a loaded log: size, span, provenance, data quality and rejected rows."""

from __future__ import annotations

import json

import pandas as pd

from pipelines.log import Log


def log_stats(log: Log, *, quality: bool = False) -> dict:
    """Size and span of ``log`` as stored at ingest.

    Keys: ``log``, ``cases``, ``events``, ``activities``, ``variants``, ``start``, ``end``
    (UTC instants), ``rows_read``, ``rows_loaded``, ``rows_rejected``, ``source_timezone``,
    ``source_files``, ``ingested_at``, ``mapping``, ``warnings`` and, with ``quality=True``,
    ``quality`` (the list of checks of :mod:`pipelines.etl.quality`).

    Example
    -------
    >>> log_stats(Store("data/deskmine.duckdb").log("helpdesk"))["cases"]  # doctest: +SKIP
    4580
    """
    row = log.store.query("store/log_row", {"log": log.name}).iloc[0]
    out = {
        "log": log.name,
        "cases": int(row["n_cases"]),
        "events": int(row["n_events"]),
        "activities": int(row["n_activities"]),
        "variants": int(row["n_variants"]),
        "start": row["start_time"],
        "end": row["end_time"],
        "rows_read": int(row["rows_read"]),
        "rows_loaded": int(row["rows_loaded"]),
        "rows_rejected": int(row["rows_rejected"]),
        "source_timezone": row["source_timezone"],
        "source_files": list(row["source_files"]),
        "ingested_at": row["ingested_at"],
        "mapping": json.loads(row["mapping"]),
        "warnings": json.loads(row["warnings"]),
    }
    if quality:
        out["quality"] = json.loads(row["quality"])
    return out


def get_quality(log: Log) -> pd.DataFrame:
    """The data-quality report of ``log``: one row per check.

    Columns: ``check``, ``title``, ``severity`` (ok/info/warning), ``count``, ``unit``, ``share``,
    ``examples`` (list of strings), ``advice``.
    """
    checks = log_stats(log, quality=True)["quality"]
    cols = ["check", "title", "severity", "count", "unit", "share", "examples", "advice"]
    return pd.DataFrame(checks)[cols]


def get_rejects(log: Log, *, limit: int = 1000) -> pd.DataFrame:
    """Rows of ``log``'s source files that were not loaded.

    Columns: ``source_file``, ``source_row`` (CSV: as a spreadsheet numbers rows, header = 1;
    XES: event position), ``column_name`` (the offending column, when one), ``reason``, ``raw``
    (the row as JSON, or the raw text for rows that could not be split into fields).
    """
    return log.store.query("store/rejects", {"log": log.name, "limit": int(limit)})
