"""Macro candidates: fixed sequences of steps one person does back to back (the helpdesk
"scenario" rule: several actions in one click).

Method (SQL, window functions): steps (events except lifecycle progress markers) are split into
*sessions*: runs of consecutive steps of a case by the same human resource, each at most
``max_gap_s`` after the previous one (a different resource, a machine, a customer event or a
longer pause ends the session). Every contiguous sub-sequence of ``min_length`` to ``max_length``
steps of a session is an occurrence of that sequence. Sequences found in at least ``min_cases``
cases are kept, and a sequence that only ever occurs inside one longer sequence (the longer one,
extended by one step at either end, has as many occurrences) is dropped in favour of it.

Time spent is the span from the sequence's first to its last step (in a complete-only log the
first step's own handling is not recorded); the steps a macro saves are ``length - 1`` clicks per
occurrence.
"""

from __future__ import annotations

import pandas as pd

from pipelines.log import Log
from pipelines.mining._scope import run
from pipelines.mining.automation_common import months_in_scope, step_relations
from pipelines.mining.definitions import MACHINE_PATTERN, check_machine_pattern

__all__ = ["MACRO_COLUMNS", "find_macro_candidates"]

MACRO_COLUMNS: tuple[str, ...] = (
    "sequence", "length", "occurrences", "cases", "case_share", "resources", "median_span_s",
    "mean_span_s", "total_span_s", "occurrences_per_month", "hours_per_month",
    "steps_saved_per_month",
)


def find_macro_candidates(
    log: Log,
    *,
    max_gap_s: float = 300.0,
    min_length: int = 2,
    max_length: int = 6,
    min_cases: int = 5,
    closed_only: bool = True,
    machine_pattern: str = MACHINE_PATTERN,
) -> pd.DataFrame:
    """Frequent fixed sequences of consecutive steps by the same person within ``max_gap_s``.

    Parameters
    ----------
    max_gap_s:
        Longest pause (seconds) between two steps of one session.
    min_length, max_length:
        Sequence lengths considered (steps); ``2 <= min_length <= max_length <= 12``.
    min_cases:
        Keep sequences found in at least this many cases.
    closed_only:
        Drop a sequence whose every occurrence is part of one longer sequence (see the module
        docstring); False keeps all.

    Returns
    -------
    DataFrame, columns :data:`MACRO_COLUMNS`: ``sequence`` (tuple of activities), ``length``,
    ``occurrences``, ``cases``, ``case_share`` (of the cases in scope), ``resources`` (distinct
    people doing it), ``median_span_s`` / ``mean_span_s`` / ``total_span_s`` (first to last step),
    ``occurrences_per_month``, ``hours_per_month`` (span time per month) and
    ``steps_saved_per_month`` (occurrences x (length - 1) per month). Sorted by
    ``steps_saved_per_month``, then ``occurrences`` (descending), then the sequence.

    Example
    -------
    >>> find_macro_candidates(Store().log("before"), max_gap_s=300).head(3)  # doctest: +SKIP
    """
    _check(max_gap_s, min_length, max_length, min_cases)
    check_machine_pattern(machine_pattern)
    n_cases, months = months_in_scope(log)
    if n_cases == 0:
        return pd.DataFrame(columns=list(MACRO_COLUMNS))
    params = {"max_gap_us": int(round(max_gap_s * 1e6)), "min_length": min_length,
              "max_length": max_length, "min_cases": min_cases, "machine_pattern": machine_pattern}
    occurrences = step_relations(log)["occurrences"]
    frame = run(log, "automation/macro_sequences", params, occurrences=occurrences, **_fragments(max_length))
    if frame.empty:
        return pd.DataFrame(columns=list(MACRO_COLUMNS))
    names = run(log, "clock/activities")["activity"].tolist()
    frame["sequence"] = [tuple(names[int(c) - 1] for c in codes) for codes in frame.pop("codes")]
    if closed_only:
        frame = closed_sequences(frame)
    frame["case_share"] = frame["cases"] / n_cases
    frame["occurrences_per_month"] = frame["occurrences"] / months
    frame["hours_per_month"] = frame["total_span_s"] / 3600 / months
    frame["steps_saved_per_month"] = frame["occurrences"] * (frame["length"] - 1) / months
    frame = frame.sort_values(["steps_saved_per_month", "occurrences", "sequence"],
                              ascending=[False, False, True], kind="stable")
    out = frame.reindex(columns=list(MACRO_COLUMNS)).reset_index(drop=True)
    for col in ("length", "occurrences", "cases", "resources"):
        out[col] = out[col].astype("int64")
    return out


def _fragments(max_length: int) -> dict[str, str]:
    """SQL fragments of macro_sequences.sql for sequences of up to ``max_length`` steps (our own
    text, built from integers only)."""
    ks = range(1, max_length)
    leads = ",\n        ".join(f"lead(code, {k}) over s as c{k}, lead(t_us, {k}) over s as t{k}" for k in ks)
    keys = ",\n        ".join(["code as k0"] + [f"case when len > {k} then c{k} end as k{k}" for k in ks])
    last_code = "case len " + " ".join(f"when {k + 1} then c{k}" for k in ks) + " end"
    last_time = "case len " + " ".join(f"when {k + 1} then t{k}" for k in ks) + " end"
    key_list = ", ".join(f"k{k}" for k in range(max_length))
    return {"leads": leads, "keys": keys, "last_code": last_code, "last_time": last_time, "key_list": key_list}


def closed_sequences(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop sequences that occur exactly as often as a one-step-longer sequence containing them.

    ``frame`` has ``sequence`` (tuples) and ``occurrences``. Pure.

    >>> f = pd.DataFrame({"sequence": [("a", "b"), ("a", "b", "c"), ("b", "c")], "occurrences": [5, 5, 7]})
    >>> closed_sequences(f)["sequence"].tolist()
    [('a', 'b', 'c'), ('b', 'c')]
    """
    count = dict(zip(frame["sequence"], frame["occurrences"], strict=True))
    absorbed = set()
    for seq, n in count.items():
        if len(seq) < 3:
            continue
        for part in (seq[:-1], seq[1:]):
            if count.get(part) == n:
                absorbed.add(part)
    return frame[~frame["sequence"].isin(absorbed)].copy()


def _check(max_gap_s, min_length, max_length, min_cases) -> None:
    if isinstance(max_gap_s, bool) or not isinstance(max_gap_s, int | float) or not 0 <= max_gap_s < 1e9:
        raise ValueError(f"max_gap_s must be a number of seconds >= 0; got {max_gap_s!r}")
    for name, value in (("min_length", min_length), ("max_length", max_length), ("min_cases", min_cases)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be an integer; got {value!r}")
    if not 2 <= min_length <= max_length <= 12:
        raise ValueError(f"lengths must satisfy 2 <= min_length <= max_length <= 12; got "
                         f"min_length={min_length}, max_length={max_length}")
    if min_cases < 1:
        raise ValueError(f"min_cases must be >= 1; got {min_cases}")
