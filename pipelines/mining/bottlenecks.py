"""Bottlenecks: where the time of cases goes, split into waiting and processing.

Model
-----
Events of a case are ordered ``(timestamp, event_seq)`` (source order breaks ties). Lifecycle
values are compared case-insensitively.

* **Activity instances.** Where a log records lifecycle transitions, each ``start`` event is
  paired with the next ``complete`` event of the *same activity in the same case*, first in first
  out: with two starts of ``A`` open, the next complete of ``A`` closes the earlier start. The
  instance's *processing time* is complete minus start. Unmatched events form no instance and
  count as instant events: a ``start`` never completed, a ``complete`` with no open start (in a
  complete-only log every event is such an instant event), and every other lifecycle value
  (``schedule``, ``suspend``, ``resume``, ...) or an empty one.
* **Gaps.** The time between two consecutive events of a case is a *gap*. A gap across which some
  instance of the case is open (started at or before the gap's first event, completed at or after
  its second) is processing; every other gap is *waiting*. So in a complete-only log all the time
  between events is waiting, and with start/complete pairs the waiting before an instance is its
  start minus the previous event's time, as long as no other instance is open then (with
  interleaved instances the time while another is in progress counts as processing, never twice).
  A case's duration is exactly its processing (union of its instances) plus its waiting.
* **Attribution.** A waiting gap belongs to the *transition* ``source -> target`` (the activities
  of its two events, matching the process map's edges), to the *target activity* (the waiting
  before it), and to the target event's ``resource`` / ``team`` (the one who eventually picked the
  work up), or with ``by="source_resource"`` / ``"source_team"`` to the source event's (the one
  who held the work while it waited). Missing resources/teams form their own group (a missing
  key, NaN in the frame), so the time is never lost. An instance's processing belongs to its activity, to its start
  event's resource and team (for every resource/team grouping), and to the transition into its
  start event (instances starting a case belong to no transition).

Units are seconds (``*_s``); shares are fractions of the summed case durations in scope.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from pipelines import schema
from pipelines.log import Log
from pipelines.mining._scope import run, scope
from pipelines.store import quote_ident, render

__all__ = [
    "BY", "BOTTLENECK_COLUMNS", "find_bottlenecks", "get_activity_times", "case_time_split",
    "get_activity_instances",
]

By = Literal["transition", "activity", "resource", "team", "source_resource", "source_team"]
BY: tuple[str, ...] = ("transition", "activity", "resource", "team", "source_resource", "source_team")

_KEYS: dict[str, tuple[str, ...]] = {
    "transition": ("source", "target"),
    "activity": (schema.ACTIVITY,),
    "resource": (schema.RESOURCE,),
    "team": (schema.TEAM,),
    "source_resource": ("source_resource",),
    "source_team": ("source_team",),
}
BOTTLENECK_COLUMNS = [
    "occurrences", "cases", "waiting_total_s", "waiting_mean_s", "waiting_median_s", "waiting_p90_s",
    "instances", "processing_total_s", "processing_mean_s", "processing_median_s",
    "share_of_case_time", "cumulative_share", "rank",
]
"""Columns of :func:`find_bottlenecks` after the grouping key(s)."""


def _relations(log: Log) -> dict[str, str]:
    """The ``instances`` and ``gaps`` relations rendered in ``log``'s scope (SQL fragments)."""
    fragments = scope(log).fragments()
    return {
        "instances": render("bottlenecks/instances", **fragments),
        "gaps": render("bottlenecks/gaps", **fragments),
    }


def find_bottlenecks(log: Log, *, by: By = "transition") -> pd.DataFrame:
    """Where the time goes: waiting and processing time grouped ``by``, most waiting first.

    See the module docstring for how gaps, instances and attribution work.

    Parameters
    ----------
    by:
        ``"transition"`` (key columns ``source``, ``target``), ``"activity"`` (``activity``: the
        waiting before it), ``"resource"`` / ``"team"`` (``resource`` / ``team`` of the event the
        wait ends at), ``"source_resource"`` / ``"source_team"`` (of the event the wait starts
        at). Anything else raises ``ValueError`` listing these values.

    Returns
    -------
    DataFrame, one row per key with waiting or processing time, columns: the key(s), then

    * ``occurrences``: waiting gaps (int; gaps of 0 s from tied timestamps included),
      ``cases``: distinct cases with such a gap;
    * ``waiting_total_s``, ``waiting_mean_s``, ``waiting_median_s``, ``waiting_p90_s``: seconds
      (quantiles interpolated linearly, as DuckDB ``quantile_cont``); total 0 and the others NaN
      when a key has processing only;
    * ``instances``: activity instances (start/complete pairs), ``processing_total_s``,
      ``processing_mean_s``, ``processing_median_s``: seconds, NaN when there are no pairs;
    * ``share_of_case_time``: ``waiting_total_s`` / sum of ``duration_s`` of the cases in scope
      (NaN when that sum is 0); ``cumulative_share``: running sum of the share in rank order;
    * ``rank``: 1, 2, ... by ``waiting_total_s`` descending, then ``occurrences`` descending,
      then the key(s) ascending (missing keys last).

    In a complete-only log the shares of ``by="transition"`` add up to 1 (all time is waiting);
    with start/complete pairs they add up to the waiting fraction of case time.

    Example
    -------
    >>> top = find_bottlenecks(Store("data/deskmine.duckdb").log("helpdesk"))  # doctest: +SKIP
    >>> top.head(3)[["source", "target", "waiting_total_s", "cumulative_share"]]  # doctest: +SKIP
    """
    schema.check_choice("by", by, BY)
    keys = _KEYS[by]
    frame = run(
        log, "bottlenecks/by_key", **_relations(log),
        keys=", ".join(quote_ident(k) for k in keys),
        units_where="source is not null" if by == "transition" else "true",
    )
    frame = frame[[*keys, *BOTTLENECK_COLUMNS]]
    return _as_types(frame, ints=("occurrences", "cases", "instances", "rank"))


def get_activity_times(log: Log) -> pd.DataFrame:
    """Processing and waiting time per activity (every activity of the scope, most events first).

    Columns: ``activity``; ``events`` (all its events), ``starts`` / ``completes`` (events whose
    lifecycle is ``start`` / ``complete``, case-insensitive; 0 in a log without lifecycle);
    ``instances`` (matched start/complete pairs; ``starts - instances`` starts were never
    completed, ``completes - instances`` completes had no open start); ``processing_total_s``,
    ``processing_mean_s``, ``processing_median_s``, ``processing_p90_s`` (seconds per instance,
    NaN without instances); ``waits`` (waiting gaps ending at the activity), ``waiting_total_s``
    (0 when none), ``waiting_mean_s``, ``waiting_median_s``, ``waiting_p90_s`` (seconds, NaN
    when none). Quantiles are interpolated linearly. The waiting columns equal
    ``find_bottlenecks(log, by="activity")``'s.

    Example
    -------
    >>> get_activity_times(Store("data/deskmine.duckdb").log("bpi2012"))  # doctest: +SKIP
    """
    frame = run(log, "bottlenecks/activity_times", **_relations(log))
    return _as_types(frame, ints=("events", "starts", "completes", "instances", "waits"))


def case_time_split(log: Log) -> pd.DataFrame:
    """Each case's duration split into processing and waiting (cases in source order).

    Columns: ``case_id``; ``duration_s`` (last minus first event, as in ``get_cases``);
    ``processing_s`` (time during which at least one of the case's activity instances is open:
    overlapping instances count once); ``waiting_s`` (the rest: the sum of the case's waiting
    gaps, as attributed by :func:`find_bottlenecks`). ``processing_s + waiting_s == duration_s``
    (up to float rounding); ``processing_s`` is 0 for a case without start/complete pairs.

    Example
    -------
    >>> case_time_split(Store("data/deskmine.duckdb").log("helpdesk")).head(1)  # doctest: +SKIP
    """
    return run(log, "bottlenecks/case_time_split", **_relations(log))


def get_activity_instances(log: Log) -> pd.DataFrame:
    """The activity instances: every matched start/complete pair, in case order.

    Columns: ``case_id``, ``activity``, ``start_pos``, ``complete_pos`` (0-based positions of the
    two events in the case, as ``case_pos`` of ``get_events``), ``start_time``, ``complete_time``
    (UTC), ``processing_s`` (complete minus start, seconds), ``resource``, ``team`` (of the start
    event). Empty for a log without ``start`` lifecycle events.

    Example
    -------
    >>> get_activity_instances(Store("data/deskmine.duckdb").log("bpi2012")).shape  # doctest: +SKIP
    """
    frame = run(log, "bottlenecks/activity_instances", instances=_relations(log)["instances"])
    return _as_types(frame, ints=("start_pos", "complete_pos"))


def _as_types(frame: pd.DataFrame, *, ints: tuple[str, ...]) -> pd.DataFrame:
    """Counts as int64 and statistics as float64, also for empty results."""
    out = frame.reset_index(drop=True)
    for column in out.columns:
        if column in ints:
            out[column] = out[column].astype("int64")
        elif column.endswith("_s") or column.endswith("_share") or column == "share_of_case_time":
            out[column] = out[column].astype("float64")
    return out
