"""Process-map delta and variant shift of a before/after comparison (see :func:`compare`).

Process-map delta
-----------------
The union of both sides' directly-follows graphs (:func:`~pipelines.mining.dfg.discover_dfg`),
with the start and end pseudo-activities (``▶ start``, ``■ end``) as nodes, so that one frame
draws both sides identically: node ids are activity names (the process-map page's ids), edge ids
``"source -> target"``, and ``layer`` (breadth-first depth from the start over the union graph,
the end last) is a layout hint for static drawings.

* Frequency: the share of cases that contain the node / edge on each side. ``status`` is
  ``new`` (absent before), ``gone`` (absent after), ``more`` / ``less`` (the shares differ:
  :func:`~pipelines.mining.compare_stats.proportion_test`, significant after correction over every
  node and edge of the map), else ``same``. The start and end nodes (share 1) are not tested.
* Timing (edges between activities): the median transition time on each side; ``time_status``
  ``faster`` / ``slower`` when Mann-Whitney U on the transition times of all occurrences is
  significant after correction over the tested edges, ``same`` when not, and None when an edge has
  fewer than :data:`MIN_TRANSITIONS` transitions on a side (or is new/gone). Repeated transitions
  inside one case are treated as independent (an approximation for loops).

Variant shift
-------------
Variants (activity sequences) of both sides matched by their sequence, with the share of cases
on each side, the difference, a proportion test per variant corrected over all variants, and a
``status``: ``new``, ``gone``, ``gained`` / ``lost`` (significant), ``same``. Sorted by the
absolute difference in share (the top movers first).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pipelines.log import Log
from pipelines.mining import compare_stats as st
from pipelines.mining._scope import run
from pipelines.mining.dfg import END, START, discover_dfg
from pipelines.mining.variants import get_variants

__all__ = ["EDGE_COLUMNS", "MIN_TRANSITIONS", "NODE_COLUMNS", "VARIANT_COLUMNS", "MapDelta", "map_delta",
           "variant_shift"]

MIN_TRANSITIONS = 5
"""Fewest transitions on each side for an edge's timing to be tested."""
NODE_COLUMNS = [
    "node_id", "activity", "kind", "layer", "cases_before", "cases_after", "share_before", "share_after",
    "share_delta", "p_value", "p_adjusted", "status", "frequency_before", "frequency_after",
]
EDGE_COLUMNS = [
    "edge_id", "source", "target", "kind", "cases_before", "cases_after", "share_before", "share_after",
    "share_delta", "p_value", "p_adjusted", "status", "frequency_before", "frequency_after",
    "median_s_before", "median_s_after", "median_delta_s", "time_p_value", "time_p_adjusted", "time_status",
]
VARIANT_COLUMNS = [
    "variant", "activities", "n_events", "cases_before", "cases_after", "share_before", "share_after",
    "delta", "p_value", "p_adjusted", "status", "variant_id_before", "variant_id_after",
]


@dataclass(frozen=True, eq=False)
class MapDelta:
    """The union process map of both sides: ``nodes`` (:data:`NODE_COLUMNS`) and ``edges``
    (:data:`EDGE_COLUMNS`), one row each, both sides' numbers on the same row."""

    nodes: pd.DataFrame
    edges: pd.DataFrame

    def counts(self) -> dict[str, int]:
        """How many edges are new, gone, more, less, faster, slower."""
        e = self.edges
        out = {s: int((e["status"] == s).sum()) for s in ("new", "gone", "more", "less")}
        out.update({s: int((e["time_status"] == s).sum()) for s in ("faster", "slower")})
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"nodes": records(self.nodes), "edges": records(self.edges)}


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: NaN/NA -> None, numpy scalars -> Python, lists kept."""
    out = []
    for row in frame.to_dict(orient="records"):
        out.append({k: _plain(v) for k, v in row.items()})
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _freq_status(cb: int, ca: int, delta: float, significant: bool) -> str:
    if cb == 0 and ca > 0:
        return "new"
    if ca == 0 and cb > 0:
        return "gone"
    if significant:
        return "more" if delta > 0 else "less"
    return "same"


def _share_tests(frame: pd.DataFrame, nb: int, na: int) -> pd.DataFrame:
    frame = frame.copy()
    frame["share_before"] = frame["cases_before"] / nb if nb else math.nan
    frame["share_after"] = frame["cases_after"] / na if na else math.nan
    frame["share_delta"] = frame["share_after"] - frame["share_before"]
    frame["p_value"] = [
        st.proportion_test(int(b), nb, int(a), na)[0] if testable else math.nan
        for b, a, testable in zip(frame["cases_before"], frame["cases_after"], frame["_testable"], strict=True)
    ]
    return frame


def _layers(edges: pd.DataFrame, nodes: list[str]) -> dict[str, int]:
    adj: dict[str, list[str]] = {}
    for s, t in zip(edges["source"], edges["target"], strict=True):
        adj.setdefault(s, []).append(t)
    depth = {START: 0}
    queue = deque([START])
    while queue:
        node = queue.popleft()
        for nxt in sorted(adj.get(node, [])):
            if nxt not in depth and nxt != END:
                depth[nxt] = depth[node] + 1
                queue.append(nxt)
    last = max(depth.values(), default=0)
    for n in nodes:  # not reachable from the start (cannot happen for whole traces)
        if n != END:
            depth.setdefault(n, last + 1)
    depth[END] = max(depth.values()) + 1
    return depth


def _side_graph(log: Log) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Edges (incl. start/end) with frequency and cases, activities with frequency and cases, n."""
    dfg = discover_dfg(log, performance=False)
    flows = dfg.edges[["source", "target", "frequency", "cases"]].assign(kind="flow")
    starts = pd.DataFrame([(START, a, n, n) for a, n in dfg.start_activities.items()],
                          columns=["source", "target", "frequency", "cases"]).assign(kind="start")
    ends = pd.DataFrame([(a, END, n, n) for a, n in dfg.end_activities.items()],
                        columns=["source", "target", "frequency", "cases"]).assign(kind="end")
    edges = pd.concat([flows, starts, ends], ignore_index=True)
    acts = dfg.activities[["activity", "frequency", "cases"]]
    return edges, acts, dfg.n_cases


def _merge_sides(b: pd.DataFrame, a: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = b.merge(a, on=keys, how="outer", suffixes=("_before", "_after"))
    for col in ("frequency_before", "frequency_after", "cases_before", "cases_after"):
        out[col] = out[col].fillna(0).astype(int)
    return out


def _timing(log: Log) -> dict[tuple[str, str], np.ndarray]:
    gaps = run(log, "compare/transitions")
    return {key: grp.to_numpy(dtype=float) for key, grp in gaps.groupby(["source", "target"], sort=False)["gap_s"]}


def map_delta(log_b: Log, log_a: Log, *, alpha: float = 0.05, correction: str = "holm") -> MapDelta:
    """The process-map delta of two sides (see the module docstring)."""
    eb, ab, nb = _side_graph(log_b)
    ea, aa, na = _side_graph(log_a)
    edges = _merge_sides(eb, ea, ["source", "target"])
    edges["kind"] = edges["kind_before"].fillna(edges["kind_after"])
    edges["_testable"] = True
    nodes = _merge_sides(ab, aa, ["activity"]).assign(kind="activity", _testable=True)
    ends = pd.DataFrame({"activity": [START, END], "kind": ["start", "end"], "frequency_before": nb,
                         "frequency_after": na, "cases_before": nb, "cases_after": na, "_testable": False})
    nodes = pd.concat([ends.iloc[:1], nodes, ends.iloc[1:]], ignore_index=True)
    edges, nodes = _share_tests(edges, nb, na), _share_tests(nodes, nb, na)
    adjusted = st.adjust_pvalues(np.concatenate([nodes["p_value"], edges["p_value"]]), correction)
    nodes["p_adjusted"], edges["p_adjusted"] = adjusted[: len(nodes)], adjusted[len(nodes):]
    for frame in (nodes, edges):
        frame["status"] = [
            _freq_status(b, a, d, bool(p < alpha))
            for b, a, d, p in zip(frame["cases_before"], frame["cases_after"], frame["share_delta"],
                                  frame["p_adjusted"], strict=True)
        ]
    nodes.loc[nodes["kind"] != "activity", "status"] = "same"
    edges = _edge_timing(edges, _timing(log_b), _timing(log_a), alpha, correction)
    layer = _layers(edges, nodes["activity"].tolist())
    nodes["node_id"] = nodes["activity"]
    nodes["layer"] = nodes["activity"].map(layer).astype(int)
    edges["edge_id"] = edges["source"] + " -> " + edges["target"]
    nodes = nodes.sort_values(["layer", "cases_before", "activity"], ascending=[True, False, True], kind="stable")
    edges["_total"] = edges["cases_before"] + edges["cases_after"]
    edges = edges.sort_values(["_total", "source", "target"], ascending=[False, True, True], kind="stable")
    return MapDelta(nodes=nodes[NODE_COLUMNS].reset_index(drop=True), edges=edges[EDGE_COLUMNS].reset_index(drop=True))


def _edge_timing(edges: pd.DataFrame, tb: dict, ta: dict, alpha: float, correction: str) -> pd.DataFrame:
    med_b, med_a, pvals = [], [], []
    empty = np.empty(0)
    for s, t, kind in zip(edges["source"], edges["target"], edges["kind"], strict=True):
        xb, xa = tb.get((s, t), empty), ta.get((s, t), empty)
        med_b.append(float(np.median(xb)) if xb.size else math.nan)
        med_a.append(float(np.median(xa)) if xa.size else math.nan)
        tested = kind == "flow" and xb.size >= MIN_TRANSITIONS and xa.size >= MIN_TRANSITIONS
        pvals.append(st.mann_whitney(xb, xa)[0] if tested else math.nan)
    edges = edges.copy()
    edges["median_s_before"], edges["median_s_after"] = med_b, med_a
    edges["median_delta_s"] = edges["median_s_after"] - edges["median_s_before"]
    edges["time_p_value"] = pvals
    edges["time_p_adjusted"] = st.adjust_pvalues(np.asarray(pvals, dtype=float), correction)
    status: list[str | None] = []
    for p, d in zip(edges["time_p_adjusted"], edges["median_delta_s"], strict=True):
        if math.isnan(p):
            status.append(None)
        elif p < alpha and d != 0:
            status.append("faster" if d < 0 else "slower")
        else:
            status.append("same")
    edges["time_status"] = status
    return edges


# -- variants ----------------------------------------------------------------------------------------

def _variants(log: Log) -> pd.DataFrame:
    v = get_variants(log)
    return pd.DataFrame({"key": v["activities"].map(tuple), "variant_id": v["variant_id"].astype(int),
                         "cases": v["cases"].astype(int)})


def variant_shift(log_b: Log, log_a: Log, *, alpha: float = 0.05, correction: str = "holm") -> pd.DataFrame:
    """Variants of both sides with their shares and the change (columns :data:`VARIANT_COLUMNS`)."""
    vb, va = _variants(log_b), _variants(log_a)
    nb, na = int(vb["cases"].sum()), int(va["cases"].sum())
    out = vb.merge(va, on="key", how="outer", suffixes=("_before", "_after"))
    if out.empty:
        return pd.DataFrame(columns=VARIANT_COLUMNS)
    for col in ("cases_before", "cases_after"):
        out[col] = out[col].fillna(0).astype(int)
    for col in ("variant_id_before", "variant_id_after"):
        out[col] = out[col].astype("Int64")
    out["activities"] = out["key"].map(list)
    out["variant"] = out["key"].map(" -> ".join)
    out["n_events"] = out["key"].map(len)
    out["share_before"] = out["cases_before"] / nb if nb else math.nan
    out["share_after"] = out["cases_after"] / na if na else math.nan
    out["delta"] = out["share_after"] - out["share_before"]
    out["p_value"] = [st.proportion_test(int(b), nb, int(a), na)[0] if nb and na else math.nan
                      for b, a in zip(out["cases_before"], out["cases_after"], strict=True)]
    out["p_adjusted"] = st.adjust_pvalues(out["p_value"].to_numpy(dtype=float), correction)
    status = []
    for b, a, d, p in zip(out["cases_before"], out["cases_after"], out["delta"], out["p_adjusted"], strict=True):
        s = _freq_status(b, a, d, bool(p < alpha))
        status.append({"more": "gained", "less": "lost"}.get(s, s))
    out["status"] = status
    out["_abs"] = out["delta"].abs()
    out["_total"] = out["cases_before"] + out["cases_after"]
    out = out.sort_values(["_abs", "_total", "variant"], ascending=[False, False, True], kind="stable")
    return out[VARIANT_COLUMNS].reset_index(drop=True)
