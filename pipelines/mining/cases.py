"""The case table and the events of cases."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pipelines.log import Log
from pipelines.mining._scope import run


def get_cases(log: Log) -> pd.DataFrame:
    """One row per case of ``log`` (in order of first appearance in the source).

    Columns: ``case_id``, ``start_time``, ``end_time`` (UTC), ``duration_s`` (last minus first
    event, seconds), ``n_events``, ``n_activities`` (distinct), ``first_activity``,
    ``last_activity``, ``variant_id`` (1 = most frequent variant of the whole log), ``is_closed``
    (last activity is a closing one; open cases are right-censored), ``priority``, ``channel``,
    ``category``, ``team``, ``customer`` (the case's last non-empty value; None when unmapped),
    ``attributes`` (dict of the other case attributes).

    Example
    -------
    >>> get_cases(Store("data/deskmine.duckdb").log("helpdesk")).shape  # doctest: +SKIP
    (4580, 16)
    """
    frame = run(log, "mining/cases")
    frame["attributes"] = frame["attributes"].map(_as_dict)
    return frame


def get_events(log: Log, *, case_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Events of ``log`` (or of ``case_ids`` only) in case order ``(timestamp, event_seq)``.

    Columns: ``case_id``, ``case_pos`` (0-based position in the case), ``activity``, ``timestamp``
    (UTC), ``resource``, ``lifecycle``, ``team``, ``event_seq`` (source order), ``source_file``
    (index into the log's files), ``source_row``, ``attributes`` (dict).
    """
    frame = run(log, "mining/events", {"case_ids": list(case_ids or [])})
    frame["attributes"] = frame["attributes"].map(_as_dict)
    return frame


def _as_dict(value) -> dict:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return {}
    return dict(value)
