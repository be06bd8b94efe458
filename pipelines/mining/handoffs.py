"""Hand-offs: who passes work to whom, ping-pong between teams, rework and self-loops.

Definitions (events of a case in case order ``(timestamp, event_seq)``; source order breaks ties):

* **Hand-off**: two consecutive events of a case whose resource (``level="resource"``) or team
  (``level="team"``) differs, *both* non-null. A pair with a missing side is ignored, not
  bridged: ``r1 -> (none) -> r2`` is no hand-off. The same resource twice in a row is no hand-off.
* **Ping-pong**: on the case's sequence of teams, with events without a team skipped and
  consecutive repeats collapsed (``L1 L1 BO L1`` -> ``L1 BO L1``), every team equal to the one two
  steps back counts one: ``L1 BO L1 BO`` has 2, ``L1 BO BO L1`` has 1. Unlike team hand-offs,
  ping-pongs skip events without a team: ``L1 (none) BO L1`` has 1 ping-pong but 1 team hand-off.
* **Occurrence of an activity**: an event, except lifecycle progress markers (``schedule``,
  ``assign``, ``reassign``, ``start``, ``suspend``, ``resume``; case-insensitive), so that an
  instance recorded as schedule/start/complete counts once (as its ``complete``). In a log
  without lifecycle every event is an occurrence. (A log recording *only* ``start`` events
  therefore has no occurrences.)
* **Rework**: occurrences whose activity already occurred earlier in the case.
* **Self-loop**: two consecutive occurrences of a case with the same activity.

pm4py reference: ``pm4py.discover_handover_of_work_network(df, beta=0)`` (2.7.23.11) counts, for
every case, each pair of *consecutive* events' resources, **including** a resource followed by
itself, and divides every count by the number of all such pairs. So for ``r1 != r2`` its value
times ``sum(n_events - 1 over cases)`` equals ``handoffs`` here; pm4py's extra self pairs
``(r, r)`` add up to that sum minus the total hand-offs (on helpdesk: 16,768 pairs, 8,648
hand-offs over 244 resource pairs, 8,120 self pairs). With a missing resource pm4py raises
``TypeError`` (it sorts NaN among strings); with missing values replaced by a placeholder name
it counts pairs with the placeholder, which are ignored here, and all other pairs agree.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from pipelines import schema
from pipelines.log import Log
from pipelines.mining._scope import run, scope
from pipelines.store import quote_ident, render

__all__ = ["LEVELS", "get_handoffs", "get_case_handoff_counts", "get_ping_pong", "get_rework"]

Level = Literal["resource", "team"]
LEVELS: tuple[str, ...] = ("resource", "team")
_COLUMNS = {
    "resource": (schema.RESOURCE, schema.NEXT_RESOURCE),
    "team": (schema.TEAM, schema.NEXT_TEAM),
}


def get_handoffs(log: Log, *, level: Level = "resource") -> pd.DataFrame:
    """Directed hand-offs between resources (or teams), most frequent first.

    Parameters
    ----------
    level:
        ``"resource"`` or ``"team"``; anything else raises ``ValueError`` listing them.

    Returns
    -------
    DataFrame with ``source``, ``target`` (resource or team names), ``handoffs`` (consecutive
    event pairs of a case going from ``source`` to ``target``, both non-null and different),
    ``cases`` (distinct cases with at least one), ``mean_gap_s``, ``median_gap_s`` (seconds from
    the source event to the target event; median interpolated linearly). Sorted by ``handoffs``
    descending, then ``source``, ``target``.

    For ``level="resource"`` the counts equal pm4py's handover-of-work network (beta=0) times its
    number of consecutive event pairs, for every pair of different resources (see the module
    docstring for pm4py's self pairs and missing resources).

    Example
    -------
    >>> get_handoffs(Store("data/deskmine.duckdb").log("helpdesk"), level="team").head(3)  # doctest: +SKIP
    """
    schema.check_choice("level", level, LEVELS)
    col, next_col = _COLUMNS[level]
    frame = run(log, "handoffs/pairs", col=quote_ident(col), next_col=quote_ident(next_col))
    return _as_types(frame, ints=("handoffs", "cases"))


def get_case_handoff_counts(log: Log) -> pd.DataFrame:
    """Per case (source order): how often work changed hands, bounced, or was redone.

    Columns (all counts, int): ``case_id``; ``handoffs`` (resource changes between consecutive
    events, both non-null); ``team_handoffs`` (the same for teams); ``ping_pongs`` (returns to the
    team two steps back on the collapsed team sequence); ``rework`` (occurrences whose activity
    occurred earlier in the case); ``self_loops`` (consecutive occurrences of the same activity);
    ``distinct_teams``, ``distinct_resources`` (non-null values). See the module docstring for
    the exact definitions.

    Example
    -------
    >>> get_case_handoff_counts(Store("data/deskmine.duckdb").log("helpdesk")).head(1)  # doctest: +SKIP
    """
    frame = run(log, "handoffs/case_counts", **_relations(log))
    ints = ("handoffs", "team_handoffs", "ping_pongs", "rework", "self_loops", "distinct_teams", "distinct_resources")
    return _as_types(frame, ints=ints)


def get_ping_pong(log: Log) -> pd.DataFrame:
    """Ping-pongs per pair of teams, most frequent first.

    Columns: ``team_a``, ``team_b`` (the pair, ``team_a < team_b``: ``A -> B -> A`` and
    ``B -> A -> B`` both count for the pair), ``ping_pongs`` (returns, as counted per case by
    :func:`get_case_handoff_counts`), ``cases`` (distinct cases with at least one). Sorted by
    ``ping_pongs``, then ``cases`` descending, then the pair. Empty without teams.

    Example
    -------
    >>> get_ping_pong(Store("data/deskmine.duckdb").log("helpdesk"))  # doctest: +SKIP
    """
    frame = run(log, "handoffs/ping_pong", team_returns=_relations(log)["team_returns"])
    return _as_types(frame, ints=("ping_pongs", "cases"))


def get_rework(log: Log) -> pd.DataFrame:
    """Rework per activity (only activities that recur within some case), most repeats first.

    Columns: ``activity``; ``repeats`` (occurrences beyond the first in their case, summed over
    cases); ``cases`` (cases where the activity occurs more than once); ``share_of_cases``
    (``cases`` / cases in scope, 0..1). Sorted by ``repeats``, then ``cases`` descending, then
    ``activity``. ``repeats`` sums to the ``rework`` column of :func:`get_case_handoff_counts`.

    Example
    -------
    >>> get_rework(Store("data/deskmine.duckdb").log("helpdesk")).head(3)  # doctest: +SKIP
    """
    frame = run(log, "handoffs/rework", occurrences=_relations(log)["occurrences"])
    frame = _as_types(frame, ints=("repeats", "cases"))
    frame["share_of_cases"] = frame["share_of_cases"].astype("float64")
    return frame


def _relations(log: Log) -> dict[str, str]:
    """The ``team_returns`` and ``occurrences`` relations rendered in ``log``'s scope."""
    fragments = scope(log).fragments()
    return {
        "team_returns": render("handoffs/team_returns", **fragments),
        "occurrences": render("mining/occurrences", **fragments),
    }


def _as_types(frame: pd.DataFrame, *, ints: tuple[str, ...]) -> pd.DataFrame:
    """Counts as int64 and seconds as float64, also for empty results."""
    out = frame.reset_index(drop=True)
    for column in out.columns:
        if column in ints:
            out[column] = out[column].astype("int64")
        elif column.endswith("_s"):
            out[column] = out[column].astype("float64")
    return out
