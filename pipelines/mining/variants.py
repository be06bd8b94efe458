"""Variants: the distinct activity sequences of cases, with counts, shares and durations."""

from __future__ import annotations

import pandas as pd

from pipelines.log import Log
from pipelines.mining._scope import run


def get_variants(log: Log, *, top: int | None = None) -> pd.DataFrame:
    """Variants of the cases of ``log`` (within its filter), most frequent first.

    Columns: ``variant_id`` (stable id in the whole log; 1 = most frequent overall),
    ``activities`` (list of activity names in case order), ``n_events``, ``cases``, ``share``
    (of cases in scope), ``cumulative_share``, ``median_duration_s``, ``mean_duration_s``.
    Ties in case count are ordered by ``variant_id``. ``top`` keeps the first ``top`` rows
    (shares stay relative to all cases in scope).

    Example
    -------
    >>> get_variants(Store("data/deskmine.duckdb").log("helpdesk"), top=3)  # doctest: +SKIP
    """
    if top is not None and (not isinstance(top, int) or top < 1):
        raise ValueError(f"top must be a positive integer; got {top!r}")
    frame = run(log, "mining/variants")
    total = frame["cases"].sum()
    frame["share"] = frame["cases"] / total if total else 0.0
    frame["cumulative_share"] = frame["share"].cumsum()
    frame["activities"] = frame["activities"].map(list)
    cols = ["variant_id", "activities", "n_events", "cases", "share", "cumulative_share",
            "median_duration_s", "mean_duration_s"]
    frame = frame[cols]
    return frame.head(top).reset_index(drop=True) if top else frame


def variant_coverage(log: Log, share: float = 0.8) -> int:
    """How many of the most frequent variants it takes to cover ``share`` of the cases.

    >>> variant_coverage(Store("data/deskmine.duckdb").log("helpdesk"), 0.8)  # doctest: +SKIP
    """
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1]; got {share!r}")
    cumulative = get_variants(log)["cumulative_share"]
    if cumulative.empty:
        return 0
    return int((cumulative < share - 1e-12).sum()) + 1


def get_case_durations(log: Log) -> pd.DataFrame:
    """Case durations in seconds (last minus first event), one row per case in scope.

    Columns: ``case_id``, ``duration_s``, ``is_closed`` (open cases are right-censored: their
    duration so far is a lower bound). pm4py's ``get_all_case_durations`` equals the sorted
    ``duration_s``.
    """
    return run(log, "mining/case_durations")
