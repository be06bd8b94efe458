"""The directly-follows graph (process map) with frequency and performance, and its simplification.

Two events of a case are directly following when nothing of that case happens between them in
case order ``(timestamp, event_seq)``. The graph's numbers equal pm4py's ``discover_dfg`` /
``discover_performance_dfg`` on the same events given in that order.

Simplification works like Disco's sliders: ``activities`` keeps the most frequent share of
activities and *projects* the log onto them (the kept events of a case follow each other, so no
activity is cut off); ``paths`` then keeps the most frequent share of edges and adds back, for
every kept activity, the strongest edges needed so that it stays reachable from a start and can
reach an end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from pipelines.log import Log
from pipelines.mining._scope import run

EDGE_COLUMNS = ["source", "target", "frequency", "cases", "mean_s", "median_s", "p90_s", "total_s", "min_s", "max_s"]
START, END = "▶ start", "■ end"


@dataclass(frozen=True)
class DFG:
    """A directly-follows graph.

    Attributes
    ----------
    edges:
        ``source``, ``target``, ``frequency`` (transitions), ``cases`` (distinct cases with the
        transition), ``mean_s``, ``median_s``, ``p90_s``, ``total_s``, ``min_s``, ``max_s``
        (seconds from the source event to the target event), sorted by frequency.
    activities:
        ``activity``, ``frequency`` (events), ``cases`` (distinct cases), sorted by frequency.
    start_activities, end_activities:
        activity -> number of cases starting / ending with it.
    n_cases:
        cases in scope.
    kept_activities, kept_paths:
        the simplification applied (shares in 0..1).
    """

    edges: pd.DataFrame
    activities: pd.DataFrame
    start_activities: dict[str, int]
    end_activities: dict[str, int]
    n_cases: int
    kept_activities: float = 1.0
    kept_paths: float = 1.0
    added_for_connectivity: tuple[tuple[str, str], ...] = field(default=())

    def to_dict(self) -> dict:
        """The ``deskmine dfg --format json`` contract."""
        edges = [
            {"source": r.source, "target": r.target, "frequency": int(r.frequency), "cases": int(r.cases),
             "mean_s": _num(r.mean_s), "median_s": _num(r.median_s), "p90_s": _num(r.p90_s), "total_s": _num(r.total_s)}
            for r in self.edges.itertuples(index=False)
        ]
        return {"edges": edges, "start_activities": dict(self.start_activities), "end_activities": dict(self.end_activities)}


def _num(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def discover_dfg(log: Log, *, activities: float = 1.0, paths: float = 1.0, performance: bool = True) -> DFG:
    """The process map of ``log`` (within its filter), optionally simplified.

    Parameters
    ----------
    activities:
        Share (0..1] of activities kept, most frequent first; the log is projected onto them.
        At least one activity is always kept.
    paths:
        Share (0..1] of edges kept, most frequent first, plus the edges needed for connectivity.
    performance:
        Compute the time columns (``mean_s`` ... ``max_s``); ``False`` gives a frequency-only map
        (those columns are NaN) at a fraction of the cost on large logs.

    Example
    -------
    >>> dfg = discover_dfg(Store("data/deskmine.duckdb").log("helpdesk"))  # doctest: +SKIP
    >>> dfg.edges.head(1)[["source", "target", "frequency"]]  # doctest: +SKIP
    """
    _check_share("activities", activities)
    _check_share("paths", paths)
    groups = run(log, "mining/dfg_groups_perf" if performance else "mining/dfg_groups")
    acts = _activity_counts(groups)
    if activities < 1.0 and len(acts) > 1:
        n_keep = max(1, math.ceil(activities * len(acts)))
        kept = acts["activity"].iloc[:n_keep].tolist()
        acts = acts.iloc[:n_keep].reset_index(drop=True)
        edges = run(log, "mining/dfg_projected_edges", {"activities": kept})
        ends = run(log, "mining/dfg_projected_endpoints", {"activities": kept})
        start, end = _endpoint_counts(ends, "start"), _endpoint_counts(ends, "end")
    else:
        edges = groups[groups["target"].notna()].sort_values(
            ["frequency", "source", "target"], ascending=[False, True, True])
        last = groups[groups["target"].isna()].sort_values(["frequency", "source"], ascending=[False, True])
        end = {str(a): int(n) for a, n in zip(last["source"], last["frequency"], strict=True)}
        starts = run(log, "mining/dfg_starts").sort_values(["cases", "activity"], ascending=[False, True])
        start = {str(a): int(n) for a, n in zip(starts["activity"], starts["cases"], strict=True)}
    edges = edges.reindex(columns=EDGE_COLUMNS)
    n_cases = int(sum(start.values()))
    added: tuple[tuple[str, str], ...] = ()
    if paths < 1.0 and len(edges):
        edges, added = simplify_paths(edges, start, end, paths)
    return DFG(edges=edges[EDGE_COLUMNS].reset_index(drop=True), activities=acts, start_activities=start,
               end_activities=end, n_cases=n_cases, kept_activities=activities, kept_paths=paths,
               added_for_connectivity=added)


def _check_share(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and 0 < value <= 1):
        raise ValueError(f"{name} must be a share in (0, 1]; got {value!r}")


def _activity_counts(groups: pd.DataFrame) -> pd.DataFrame:
    """Events and cases per activity from the (activity, next activity) groups of one scan."""
    acts = (groups.groupby("source", as_index=False)[["frequency", "activity_cases"]].sum()
            .rename(columns={"source": "activity", "activity_cases": "cases"}))
    acts[["frequency", "cases"]] = acts[["frequency", "cases"]].astype("int64")
    return acts.sort_values(["frequency", "activity"], ascending=[False, True]).reset_index(drop=True)


def _endpoint_counts(ends: pd.DataFrame, kind: str) -> dict[str, int]:
    part = ends[ends["kind"] == kind]
    return {str(a): int(n) for a, n in zip(part["activity"], part["cases"], strict=True)}


def simplify_paths(edges: pd.DataFrame, start: dict[str, int], end: dict[str, int], share: float):
    """Keep the top ``share`` of edges by frequency, then restore connectivity (pure).

    Returns the kept edges (same columns, frequency order) and the edges added back so that every
    activity is reachable from a start activity and reaches an end activity.
    """
    ranked = edges.sort_values(["frequency", "source", "target"], ascending=[False, True, True]).reset_index(drop=True)
    n_keep = max(1, math.ceil(share * len(ranked)))
    keep = set(range(n_keep))
    nodes = set(ranked["source"]) | set(ranked["target"]) | set(start) | set(end)
    pairs = list(zip(ranked["source"], ranked["target"], strict=True))
    added: list[tuple[str, str]] = []
    for forward in (True, False):
        while True:
            reached = _reach(pairs, keep, start if forward else end, forward)
            missing = nodes - reached
            if not missing:
                break
            best = None
            for i, (a, b) in enumerate(pairs):
                if i in keep:
                    continue
                src, dst = (a, b) if forward else (b, a)
                if src in reached and dst in missing:
                    best = i
                    break  # ranked by frequency: the first hit is the strongest
            if best is None:
                break  # nothing connects the rest (cannot happen for a DFG of whole traces)
            keep.add(best)
            added.append(pairs[best])
    kept = ranked.loc[sorted(keep)]
    return kept.reset_index(drop=True), tuple(added)


def _reach(pairs, keep, seeds: dict[str, int], forward: bool) -> set[str]:
    adj: dict[str, list[str]] = {}
    for i in keep:
        a, b = pairs[i]
        src, dst = (a, b) if forward else (b, a)
        adj.setdefault(src, []).append(dst)
    seen = set(seeds)
    stack = list(seeds)
    while stack:
        for nxt in adj.get(stack.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen
