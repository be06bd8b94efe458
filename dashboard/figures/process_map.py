"""The process map as cytoscape elements and stylesheet, plus what a click on it means (pure).

Input is a :class:`~pipelines.mining.dfg.DFG`. Nodes are the activities plus a start node (edges
to the start activities, weighted by cases) and an end node. Edge thickness and colour follow the
chosen measure: ``frequency`` (transitions) or ``performance`` (median time between the two
events). The ``bottlenecks`` edges with the most total time between their activities are marked.
"""

from __future__ import annotations

import json
import math
from typing import Literal

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import (
    FREQUENCY_SCALE,
    GREY,
    PERFORMANCE_SCALE,
    RED,
    format_count,
    format_duration,
    format_share,
    is_missing,
    mix,
)
from pipelines.mining.dfg import DFG, END, START
from pipelines.mining.filters import (
    Activities,
    Clause,
    DirectlyFollows,
    EndActivities,
    StartActivities,
)

Measure = Literal["frequency", "performance"]
MEASURES: tuple[str, ...] = ("frequency", "performance")
MIN_WIDTH, MAX_WIDTH = 1.0, 10.0
DEFAULT_ACTIVITIES, DEFAULT_PATHS = 100, 40
"""The map's slider defaults (percent of activities / paths shown)."""
NODE_HEIGHT = 46
LAYOUT = {"name": "dagre", "rankDir": "LR", "nodeSep": 18, "rankSep": 70, "edgeSep": 8,
          "animate": False, "fit": True, "padding": 24}
"""Layered (dagre) layout, left to right (a wide screen holds more ranks than rows)."""


def scale(values: pd.Series) -> pd.Series:
    """``values`` mapped linearly to 0..1 (min -> 0, max -> 1); all equal -> 0.5; NaN -> 0."""
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    lo, hi = v.min(), v.max()
    if v.empty or math.isnan(lo) or hi == lo:
        return pd.Series(0.5, index=v.index).where(v.notna(), 0.0)
    return ((v - lo) / (hi - lo)).fillna(0.0)


def edge_measure(edges: pd.DataFrame, measure: Measure) -> pd.Series:
    """The number an edge is drawn by: ``frequency``, or ``median_s`` for performance."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(map(repr, MEASURES))}; got {measure!r}")
    return edges["frequency"].astype("float64") if measure == "frequency" else edges["median_s"].astype("float64")


def bottleneck_edges(edges: pd.DataFrame, n: int) -> set[tuple[str, str]]:
    """The ``n`` edges with the largest ``total_s`` (ties: more frequent first, then by name)."""
    if n <= 0 or edges.empty:
        return set()
    ranked = edges[edges["total_s"].notna() & (edges["total_s"] > 0)].sort_values(
        ["total_s", "frequency", "source", "target"], ascending=[False, False, True, True])
    return set(zip(ranked["source"].head(n), ranked["target"].head(n), strict=True))


def edge_id(source: str, target: str) -> str:
    """An edge's element id: stable for the same pair, so cytoscape updates (not re-routes) it
    when the map changes (cytoscape cannot move an existing edge to other nodes)."""
    return json.dumps([source, target], ensure_ascii=False)


def _node_width(label: str) -> int:
    longest = max((len(line) for line in label.split("\n")), default=0)
    return max(90, 7 * longest + 28)


def dfg_elements(dfg: DFG, *, measure: Measure = "frequency", bottlenecks: int = 3) -> list[dict]:
    """Cytoscape elements (nodes first, then edges) for ``dfg``.

    Node data: ``id`` (the activity, or ``START`` / ``END``), ``label``, ``kind``
    (``activity``/``start``/``end``), ``frequency``, ``cases``, ``color``, ``w``.
    Edge data: ``id`` (:func:`edge_id`; flow edges in ``dfg.edges`` order, then the start and
    end edges), ``source``, ``target``, ``kind`` (``flow``/``start``/``end``), ``frequency``,
    ``cases``, ``median_s``, ``mean_s``, ``total_s``, ``label``, ``width`` (1..10 by the measure,
    start/end edges by cases), ``color``; flow edges among the top ``bottlenecks`` by ``total_s``
    have ``classes == "bottleneck"``.
    """
    edges = dfg.edges
    node_t = scale(dfg.activities["frequency"]) if len(dfg.activities) else pd.Series(dtype="float64")
    elements: list[dict] = []
    for (row, t) in zip(dfg.activities.itertuples(index=False), node_t, strict=True):
        label = f"{row.activity}\n{format_count(row.frequency)}"
        elements.append({"data": {
            "id": str(row.activity), "label": label, "kind": "activity", "frequency": int(row.frequency),
            "cases": int(row.cases), "color": mix(FREQUENCY_SCALE, 0.15 + 0.7 * t),
            "text_color": "#ffffff" if t > 0.45 else "#102a43", "w": _node_width(label),
        }})
    for node, kind, counts in ((START, "start", dfg.start_activities), (END, "end", dfg.end_activities)):
        elements.append({"data": {"id": node, "label": node, "kind": kind, "frequency": int(sum(counts.values())),
                                  "cases": int(sum(counts.values())), "color": "#ffffff", "text_color": "#102a43",
                                  "w": 90}})
    values = edge_measure(edges, measure) if len(edges) else pd.Series(dtype="float64")
    t_values = scale(values)
    marked = bottleneck_edges(edges, bottlenecks)
    colour_scale = FREQUENCY_SCALE if measure == "frequency" else PERFORMANCE_SCALE
    for row, t in zip(edges.itertuples(index=False), t_values, strict=True):
        label = format_count(row.frequency) if measure == "frequency" else format_duration(row.median_s)
        element = {"data": {
            "id": edge_id(str(row.source), str(row.target)), "source": str(row.source), "target": str(row.target), "kind": "flow",
            "frequency": int(row.frequency), "cases": int(row.cases), "median_s": _num(row.median_s),
            "mean_s": _num(row.mean_s), "total_s": _num(row.total_s), "label": label,
            "width": round(MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * t, 2), "color": mix(colour_scale, 0.2 + 0.8 * t),
        }}
        if (row.source, row.target) in marked:
            element["classes"] = "bottleneck"
        elements.append(element)
    elements += _terminal_edges(dfg)
    return elements


def _terminal_edges(dfg: DFG) -> list[dict]:
    out = []
    total = max(dfg.n_cases, 1)
    for kind, counts in (("start", dfg.start_activities), ("end", dfg.end_activities)):
        for activity, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            source, target = (START, activity) if kind == "start" else (activity, END)
            out.append({"data": {
                "id": edge_id(source, target), "source": source, "target": target, "kind": kind, "frequency": int(n),
                "cases": int(n), "median_s": None, "mean_s": None, "total_s": None, "label": format_count(n),
                "width": round(MIN_WIDTH + (MAX_WIDTH / 2 - MIN_WIDTH) * n / total, 2), "color": "#b0b7c3",
            }})
    return out


def _num(value) -> float | None:
    return None if is_missing(value) else float(value)


def map_stylesheet(measure: Measure = "frequency") -> list[dict]:
    """The cytoscape stylesheet (bottleneck edges dashed red, start/end nodes as round pills)."""
    return [
        {"selector": "node", "style": {
            "label": "data(label)", "text-wrap": "wrap", "text-valign": "center", "text-halign": "center",
            "shape": "round-rectangle", "width": "data(w)", "height": NODE_HEIGHT, "font-size": 12,
            "background-color": "data(color)", "color": "data(text_color)", "border-width": 1,
            "border-color": "#4a6fa5"}},
        {"selector": "node[kind = 'start'], node[kind = 'end']", "style": {
            "shape": "ellipse", "background-color": "#ffffff", "border-width": 2, "border-color": GREY,
            "font-weight": "bold", "height": 34}},
        {"selector": "edge", "style": {
            "width": "data(width)", "line-color": "data(color)", "target-arrow-color": "data(color)",
            "target-arrow-shape": "triangle", "curve-style": "bezier", "label": "data(label)", "font-size": 10,
            "color": "#333333", "text-background-color": "#ffffff", "text-background-opacity": 0.85,
            "text-background-padding": 2, "arrow-scale": 0.9}},
        {"selector": "edge[kind = 'start'], edge[kind = 'end']", "style": {"line-style": "dotted"}},
        {"selector": "edge.bottleneck", "style": {
            "line-color": RED, "target-arrow-color": RED, "line-style": "dashed", "z-index": 10,
            "color": RED, "font-weight": "bold"}},
        {"selector": ":selected", "style": {
            "overlay-color": "#ffbf00", "overlay-opacity": 0.35, "overlay-padding": 6, "border-width": 3,
            "border-color": "#ffbf00"}},
    ]


# -- what a click means ---------------------------------------------------------------------------

def selection_clause(selection: dict | None) -> Clause | None:
    """The filter clause for a clicked element (``{"kind": "node", "id"}`` or ``{"kind": "edge",
    "source", "target"}``): an activity -> cases with it; an edge -> cases where the source is
    directly followed by the target; start -> A / A -> end edges -> cases starting / ending with A.
    The start and end nodes select nothing (``None``)."""
    if not selection:
        return None
    if selection.get("kind") == "node":
        node = selection.get("id")
        return None if node in (START, END) or not node else Activities([node])
    source, target = selection.get("source"), selection.get("target")
    if not source or not target:
        return None
    if source == START and target == END:
        return None
    if source == START:
        return StartActivities([target])
    if target == END:
        return EndActivities([source])
    return DirectlyFollows(source, target)


def node_stats(dfg: DFG, activity: str) -> list[tuple[str, str]]:
    """(label, value) rows about one node of ``dfg``."""
    if activity in (START, END):
        counts = dfg.start_activities if activity == START else dfg.end_activities
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        what = "starting" if activity == START else "ending"
        return [("cases", format_count(dfg.n_cases))] + [
            (f"{what} with {a}", f"{format_count(n)} ({format_share(n / max(dfg.n_cases, 1))})") for a, n in top]
    row = dfg.activities[dfg.activities["activity"] == activity]
    if row.empty:
        return [("activity", f"{activity} is not on this map")]
    r = row.iloc[0]
    inbound = dfg.edges[dfg.edges["target"] == activity]
    outbound = dfg.edges[dfg.edges["source"] == activity]
    rows = [
        ("events", format_count(r["frequency"])),
        ("cases", f"{format_count(r['cases'])} ({format_share(r['cases'] / max(dfg.n_cases, 1))} of cases)"),
        ("repeats per case", f"{r['frequency'] / max(r['cases'], 1):.2f}"),
        ("starts cases", format_count(dfg.start_activities.get(activity, 0))),
        ("ends cases", format_count(dfg.end_activities.get(activity, 0))),
    ]
    if len(inbound):
        top = inbound.sort_values("frequency", ascending=False).iloc[0]
        rows.append(("most often after", f"{top['source']} ({format_count(top['frequency'])}×, "
                                          f"median wait {format_duration(top['median_s'])})"))
    if len(outbound):
        top = outbound.sort_values("frequency", ascending=False).iloc[0]
        rows.append(("most often before", f"{top['target']} ({format_count(top['frequency'])}×)"))
    return rows


def edge_stats(dfg: DFG, source: str, target: str) -> list[tuple[str, str]]:
    """(label, value) rows about one edge of ``dfg``."""
    if source == START or target == END:
        counts = dfg.start_activities if source == START else dfg.end_activities
        n = counts.get(target if source == START else source, 0)
        return [("cases", f"{format_count(n)} ({format_share(n / max(dfg.n_cases, 1))} of cases)")]
    row = dfg.edges[(dfg.edges["source"] == source) & (dfg.edges["target"] == target)]
    if row.empty:
        return [("path", "not on this map")]
    r = row.iloc[0]
    return [
        ("transitions", format_count(r["frequency"])),
        ("cases", f"{format_count(r['cases'])} ({format_share(r['cases'] / max(dfg.n_cases, 1))} of cases)"),
        ("median time", format_duration(r["median_s"])),
        ("mean time", format_duration(r["mean_s"])),
        ("p90 time", format_duration(r["p90_s"])),
        ("total time", format_duration(r["total_s"])),
        ("min / max", f"{format_duration(r['min_s'])} / {format_duration(r['max_s'])}"),
    ]


def legend(measure: Measure, bottlenecks: int) -> list[tuple[str, str]]:
    """(colour, text) items explaining the map's encoding."""
    scale_ = FREQUENCY_SCALE if measure == "frequency" else PERFORMANCE_SCALE
    what = "transitions" if measure == "frequency" else "median time between the activities"
    items = [(scale_[1], f"edge thickness and colour: {what}")]
    if bottlenecks:
        items.append((RED, f"dashed red: the {bottlenecks} paths with the most total time (bottlenecks)"))
    return items


# -- a static drawing of the map (notebooks, exports): plotly, no browser layout engine needed ----

def layered_positions(dfg: DFG) -> dict[str, tuple[float, float]]:
    """Node -> (x, y) of a left-to-right layered layout (pure; the static map's geometry).

    Layers: the longest path from the start node along the most frequent flow (edges that close a
    cycle on a depth-first walk, most frequent edges first, are ignored for layering); the end node
    is one layer past the last activity. Within a layer, nodes are ordered by the barycentre of their
    predecessors (two sweeps), so frequent flows stay straight.
    """
    pairs = [(START, a, n) for a, n in dfg.start_activities.items()]
    pairs += list(zip(dfg.edges["source"], dfg.edges["target"], dfg.edges["frequency"], strict=True))
    succ: dict[str, list[tuple[str, int]]] = {}
    for a, b, n in pairs:
        succ.setdefault(a, []).append((b, int(n)))
    nodes = [START] + [a for a in dfg.activities["activity"] if a in _reachable(succ)] + [END]
    forward = _forward_edges(succ)
    layer = {START: 0}
    for node in _topological(forward, nodes):
        for nxt in forward.get(node, []):
            layer[nxt] = max(layer.get(nxt, 0), layer.get(node, 0) + 1)
    for node in nodes[1:-1]:
        layer.setdefault(node, 1)
    layer[END] = max(layer.values(), default=0) + 1
    rows: dict[int, list[str]] = {}
    for node in nodes:
        rows.setdefault(layer[node], []).append(node)
    preds = {b: [a for a, outs in forward.items() if b in outs] for b in nodes}
    order = {n: i for i, n in enumerate(nodes)}
    for _ in range(2):
        for k in sorted(rows):
            def bary(n, _k=k):
                ps = [order[p] for p in preds.get(n, []) if layer[p] < _k]
                return sum(ps) / len(ps) if ps else order[n]
            rows[k].sort(key=bary)
            for i, n in enumerate(rows[k]):
                order[n] = i
    return {n: (float(k), -(i - (len(rows[k]) - 1) / 2)) for k in rows for i, n in enumerate(rows[k])}


def _reachable(succ: dict[str, list[tuple[str, int]]]) -> set[str]:
    seen, stack = {START}, [START]
    while stack:
        for nxt, _ in succ.get(stack.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _forward_edges(succ: dict[str, list[tuple[str, int]]]) -> dict[str, list[str]]:
    """The edges of a depth-first walk from the start that do not close a cycle (frequent first)."""
    forward: dict[str, list[str]] = {}
    state: dict[str, int] = {}

    def visit(node: str) -> None:
        state[node] = 1
        for nxt, _ in sorted(succ.get(node, []), key=lambda e: -e[1]):
            if state.get(nxt) == 1:
                continue  # back edge: closes a cycle
            forward.setdefault(node, []).append(nxt)
            if nxt not in state:
                visit(nxt)
        state[node] = 2

    visit(START)
    return forward


def _topological(forward: dict[str, list[str]], nodes: list[str]) -> list[str]:
    indegree = {n: 0 for n in nodes}
    for outs in forward.values():
        for b in outs:
            if b in indegree:
                indegree[b] += 1
    ready = [n for n in nodes if indegree[n] == 0]
    out = []
    while ready:
        node = ready.pop(0)
        out.append(node)
        for b in forward.get(node, []):
            if b in indegree:
                indegree[b] -= 1
                if indegree[b] == 0:
                    ready.append(b)
    return out


def process_map_figure(dfg: DFG, *, measure: Measure = "frequency", bottlenecks: int = 3,
                       height: int = 520) -> go.Figure:
    """A static plotly drawing of the process map (what the app's /map shows, without a browser layout).

    Arrows are the directly-follows edges (plus start and end), their width and colour by
    ``measure`` like the app's map; the ``bottlenecks`` edges with the most total time are dashed red
    (drawn as red arrows with a red label). Hover an edge's midpoint or a node for its numbers.
    """
    pos = layered_positions(dfg)
    edges = dfg.edges[dfg.edges["source"].isin(pos) & dfg.edges["target"].isin(pos)].reset_index(drop=True)
    strength = scale(edge_measure(edges, measure)) if len(edges) else pd.Series(dtype="float64")
    marked = bottleneck_edges(edges, bottlenecks)
    colours = FREQUENCY_SCALE if measure == "frequency" else PERFORMANCE_SCALE
    fig = go.Figure()
    annotations, mid_x, mid_y, mid_text = [], [], [], []
    for i, e in edges.iterrows():
        (x0, y0), (x1, y1) = pos[e["source"]], pos[e["target"]]
        red = (e["source"], e["target"]) in marked
        t = float(strength.iloc[i])
        annotations.append(dict(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y",
                                showarrow=True, arrowhead=2, arrowsize=0.8, standoff=14, startstandoff=14,
                                arrowwidth=round(MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * t / 1.6, 2),
                                arrowcolor=RED if red else mix(colours, t), opacity=0.9))
        label = format_count(e["frequency"]) if measure == "frequency" else format_duration(e["median_s"])
        mid_x.append((x0 + x1) / 2)
        mid_y.append((y0 + y1) / 2)
        mid_text.append(f"{e['source']} → {e['target']}<br>{label}" + (" (bottleneck)" if red else ""))
    for kind, boundary in (("start", dfg.start_activities), ("end", dfg.end_activities)):
        for activity in boundary:
            if activity not in pos:
                continue
            a, b = (START, activity) if kind == "start" else (activity, END)
            (x0, y0), (x1, y1) = pos[a], pos[b]
            annotations.append(dict(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y",
                                    showarrow=True, arrowhead=2, arrowsize=0.8, standoff=14, startstandoff=14,
                                    arrowwidth=1, arrowcolor=GREY, opacity=0.6))
    fig.add_trace(go.Scatter(x=mid_x, y=mid_y, mode="markers", marker=dict(size=8, opacity=0),
                             hovertext=mid_text, hoverinfo="text", showlegend=False))
    counts = dict(zip(dfg.activities["activity"], dfg.activities["frequency"], strict=True))
    names = list(pos)
    fig.add_trace(go.Scatter(
        x=[pos[n][0] for n in names], y=[pos[n][1] for n in names], mode="markers+text",
        text=[n if n in (START, END) else f"{n}<br>{format_count(counts.get(n, 0))}" for n in names],
        textposition="middle center", textfont=dict(size=10),
        marker=dict(symbol="square", size=[34 if n in (START, END) else 46 for n in names],
                    color=["#ffffff" if n in (START, END) else "#dbe7f5" for n in names],
                    line=dict(color="#4a6fa5", width=1)),
        hovertext=[n if n in (START, END) else f"{n}: {format_count(counts.get(n, 0))} events" for n in names],
        hoverinfo="text", showlegend=False,
    ))
    fig.update_layout(annotations=annotations, height=height, margin=dict(l=10, r=10, t=30, b=10),
                      plot_bgcolor="#ffffff", xaxis=dict(visible=False), yaxis=dict(visible=False),
                      title=dict(text=f"Process map ({measure}): {len(edges)} paths, {len(counts)} activities",
                                 font=dict(size=13)))
    return fig
