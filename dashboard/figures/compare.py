"""Before/after comparison, for people (pure): the KPI table as text, the forest chart of the
changes with their confidence intervals, and the process-map delta as cytoscape elements drawn with
the process map's own style (:func:`~dashboard.figures.process_map.map_stylesheet`).

Inputs are the parts of a :class:`~pipelines.mining.compare.ComparisonResult`: ``kpis`` and
``adjusted`` frames, the :class:`~pipelines.mining.compare_maps.MapDelta` and ``variant_shift``.
Units follow the frames: times in seconds, shares in 0..1 (their deltas in share units, shown as
percentage points).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures.common import (
    BLUE,
    FREQUENCY_SCALE,
    GREEN,
    GREY,
    ORANGE,
    RED,
    empty_figure,
    format_duration,
    format_share,
    is_missing,
    mix,
    styled,
)
from dashboard.figures.process_map import MAX_WIDTH, MIN_WIDTH, edge_id, map_stylesheet
from pipelines.mining.compare_kpis import KPIS

BETTER = {k.name: k.better for k in KPIS}
"""KPI name -> "lower" / "higher" (which direction is an improvement) or None (neutral)."""
UNIT_GROUPS: tuple[tuple[str, str, float], ...] = (
    ("s", "times: change in hours", 3600.0),
    ("share", "rates: change in percentage points", 0.01),
    ("events/case", "events per case", 1.0),
    ("hand-offs/case", "hand-offs per case", 1.0),
    ("cases/week", "cases per week", 1.0),
)
"""Forest-chart panels: (unit of the KPI rows, panel title, divisor of the deltas)."""
STATUS_COLOURS = {"new": GREEN, "gone": "#9aa5b1", "more": BLUE, "less": ORANGE, "same": "#d9e2ec"}
TIME_COLOURS = {"faster": GREEN, "slower": RED, "same": "#bcccdc"}
NO_TIME_COLOUR = "#e4e7eb"
VIEWS = ("frequency", "time", "before", "after")


# -- numbers as text ------------------------------------------------------------------------------

def format_value(value, unit: str) -> str:
    """A KPI value: a duration for ``s``, a percentage for ``share``, else two decimals."""
    if is_missing(value):
        return "—"
    if unit == "s":
        return format_duration(value)
    if unit == "share":
        return format_share(value)
    return f"{float(value):,.2f}"


def format_delta(value, unit: str) -> str:
    """A signed change: ``+2h 5m`` / ``-1d 3h``, ``+24.0 pp``, ``-0.91``."""
    if is_missing(value):
        return "—"
    v = float(value)
    if unit == "s":
        return ("+" if v > 0 else "") + format_duration(v)
    if unit == "share":
        return f"{100 * v:+.1f} pp"
    return f"{v:+,.2f}"


def format_ci(low, high, unit: str) -> str:
    if is_missing(low) or is_missing(high):
        return "—"
    return f"[{format_delta(low, unit)}, {format_delta(high, unit)}]"


def format_p(p) -> str:
    if is_missing(p):
        return "—"
    return "<0.001" if float(p) < 0.001 else f"{float(p):.3f}"


def verdict(kpi: str, delta, significant) -> str:
    """``better`` / ``worse`` (significant, in the KPI's good or bad direction), ``changed``
    (significant, a neutral KPI), ``no change`` (not significant) or ``—`` (not tested)."""
    if significant is None or is_missing(significant) or is_missing(delta):
        return "—"
    if not bool(significant):
        return "no change"
    better = BETTER.get(kpi)
    if better is None or float(delta) == 0:
        return "changed"
    return "better" if (float(delta) < 0) == (better == "lower") else "worse"


LABELS = {
    "resolution_median": "median resolution time (resolved cases)",
    "resolution_p90": "p90 resolution time (resolved cases)",
    "sla_resolution_median": "median SLA resolution time (business, resolved cases)",
    "sla_resolution_p90": "p90 SLA resolution time (business, resolved cases)",
}
"""Display labels that say what the engine's resolution KPIs count: resolved cases only, unlike the
Kaplan-Meier numbers of the overview and /sla (which also count open cases)."""


def kpi_rows(kpis: pd.DataFrame, adjusted: pd.DataFrame) -> pd.DataFrame:
    """The KPI table shown: raw and mix-adjusted comparison side by side, one row per KPI, as text.

    Columns: ``kpi``, ``label``, ``unit``, ``before``, ``after``, ``delta``, ``ci``, ``p``,
    ``verdict``, then ``adj_before``, ``adj_after``, ``adj_delta``, ``adj_ci``, ``adj_p``,
    ``adj_verdict`` (``—`` for KPIs not adjusted, e.g. cases per week) and ``test``. Resolution
    KPIs are relabelled (:data:`LABELS`) to say they count resolved cases only.
    """
    adj = adjusted.set_index("kpi") if len(adjusted) else pd.DataFrame()
    rows = []
    for r in kpis.to_dict(orient="records"):
        unit, name = r["unit"], r["kpi"]
        row = {"kpi": name, "label": LABELS.get(name, r["label"]), "unit": unit,
               "before": format_value(r["before"], unit), "after": format_value(r["after"], unit),
               "delta": format_delta(r["delta"], unit), "ci": format_ci(r["ci_low"], r["ci_high"], unit),
               "p": format_p(r["p_adjusted"]), "verdict": verdict(name, r["delta"], r["significant"])}
        if name in adj.index:
            a = adj.loc[name]
            row.update({"adj_before": format_value(a["before"], unit), "adj_after": format_value(a["after"], unit),
                        "adj_delta": format_delta(a["delta"], unit), "adj_ci": format_ci(a["ci_low"], a["ci_high"], unit),
                        "adj_p": format_p(a["p_adjusted"]), "adj_verdict": verdict(name, a["delta"], a["significant"])})
        else:
            row.update(dict.fromkeys(("adj_before", "adj_after", "adj_delta", "adj_ci", "adj_p", "adj_verdict"), "—"))
        row["test"] = r["test"]
        rows.append(row)
    return pd.DataFrame(rows)


# -- forest chart -----------------------------------------------------------------------------------

def forest_figure(kpis: pd.DataFrame, adjusted: pd.DataFrame) -> go.Figure:
    """Every KPI's change with its confidence interval, raw (circles) and mix-adjusted (diamonds),
    one panel per unit (times in hours, rates in percentage points, ...). Filled markers are
    significant after correction, open ones are not; the dotted line is no change."""
    if kpis.empty:
        return empty_figure("Nothing to compare")
    groups = _forest_groups(kpis)
    heights = [len(g[3]) + 1 for g in groups]
    fig = make_subplots(rows=len(groups), cols=1, row_heights=heights, vertical_spacing=0.35 / max(len(groups), 1),
                        subplot_titles=[g[1] for g in groups])
    adj = adjusted.set_index("kpi") if len(adjusted) else pd.DataFrame(columns=["delta", "ci_low", "ci_high"])
    # Traces, axes, zero lines and titles go in as one batch each: plotly validates every update, and
    # a call per panel (add_vline, update_yaxes) cost most of the compare page's drawing time.
    traces, rows, layout, shapes = [], [], {}, []
    for i, (_unit, _title, size, part) in enumerate(groups, start=1):
        labels = [LABELS.get(k, lab) for k, lab in zip(part["kpi"], part["label"], strict=True)]
        positions = list(range(len(part)))
        for kind, frame, colour, symbol, offset in (
                ("raw", part.set_index("kpi"), BLUE, "circle", -0.15),
                ("mix-adjusted", adj.reindex(part["kpi"]), ORANGE, "diamond", 0.15)):
            delta = frame["delta"].astype(float)
            low, high = frame["ci_low"].astype(float), frame["ci_high"].astype(float)
            sig = [bool(s) if not is_missing(s) else False for s in frame.get("significant", [False] * len(frame))]
            traces.append(go.Scatter(
                x=(delta / size).tolist(), y=[p + offset for p in positions], mode="markers", name=kind,
                legendgroup=kind, showlegend=i == 1,
                marker={"color": colour, "size": 10, "symbol": [symbol if s else f"{symbol}-open" for s in sig]},
                error_x={"type": "data", "symmetric": False, "array": ((high - delta) / size).tolist(),
                         "arrayminus": ((delta - low) / size).tolist(), "color": colour, "thickness": 1.5},
                customdata=[[lab, "significant" if s else "not significant"] for lab, s in zip(labels, sig, strict=True)],
                hovertemplate="%{customdata[0]} (" + kind + "): %{x:.3g}, %{customdata[1]}<extra></extra>",
            ))
            rows.append(i)
        axis = "" if i == 1 else str(i)
        shapes.append({"type": "line", "x0": 0, "x1": 0, "y0": 0, "y1": 1, "xref": f"x{axis}",
                       "yref": f"y{axis} domain", "line": {"dash": "dot", "color": GREY}})
        layout[f"yaxis{axis}"] = {"tickvals": positions, "ticktext": labels, "range": [len(part) - 0.5, -0.5],
                                  "automargin": True}
    fig.add_traces(traces, rows=rows, cols=[1] * len(rows))
    annotations = [{**a.to_plotly_json(), "x": 0, "xanchor": "left", "font": {"size": 12}}
                   for a in fig.layout.annotations]
    fig.update_layout(shapes=shapes, annotations=annotations, **layout)
    return styled(fig, title="Change after vs before, with 95% confidence intervals", height=_height(heights))


def _forest_groups(kpis: pd.DataFrame) -> list:
    groups = [(unit, title, size, kpis[kpis["unit"] == unit]) for unit, title, size in UNIT_GROUPS]
    return [g for g in groups if len(g[3])]


def _height(panel_rows: list[int]) -> int:
    return max(320, 34 * sum(panel_rows) + 60 * len(panel_rows) + 60)


def forest_height(kpis: pd.DataFrame) -> int:
    """Height (px) of :func:`forest_figure` for these KPIs (a placeholder of its size keeps the page still)."""
    return _height([len(g[3]) + 1 for g in _forest_groups(kpis)])


# -- process-map delta ----------------------------------------------------------------------------------

def _node_width(activity: str) -> int:
    return max(110, min(260, 7 * len(str(activity)) + 24))


def _shares_text(before, after) -> str:
    return f"{format_share(before, 0)} → {format_share(after, 0)}"


def delta_elements(delta, view: str = "frequency") -> list[dict]:
    """Cytoscape elements of a map delta (``delta.nodes`` / ``delta.edges``).

    The same ids and node sizes in every ``view`` (so the layered layout is the same): ``frequency``
    (colours by status: new, gone, more, less, same; labels show each side's share of cases),
    ``time`` (edges coloured faster / slower; labels median before → after), ``before`` / ``after``
    (that side alone, coloured like the process map; elements absent on it are faded).
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(map(repr, VIEWS))}; got {view!r}")
    nodes, edges = delta.nodes, delta.edges
    out: list[dict] = []
    side_max = {s: max(float(nodes[f"share_{s}"].max()) if len(nodes) else 1.0, 1e-9) for s in ("before", "after")}
    for r in nodes.to_dict(orient="records"):
        terminal = r["kind"] in ("start", "end")
        status = r["status"]
        classes = [status]
        if terminal:
            label, colour, text_colour = r["node_id"], "#ffffff", "#102a43"
        elif view in ("before", "after"):
            share = r[f"share_{view}"]
            t = 0.0 if is_missing(share) else float(share) / side_max[view]
            label = f"{r['activity']}\n{format_share(share, 0)}"
            colour, text_colour = mix(FREQUENCY_SCALE, 0.15 + 0.7 * t), "#ffffff" if t > 0.45 else "#102a43"
            if (view == "before" and status == "new") or (view == "after" and status == "gone"):
                classes.append("absent")
        elif view == "time":
            label, colour, text_colour = r["activity"], "#f0f4f8", "#102a43"
        else:
            label = f"{r['activity']}\n{_shares_text(r['share_before'], r['share_after'])}"
            colour = STATUS_COLOURS.get(status, STATUS_COLOURS["same"])
            text_colour = "#102a43" if status in ("same", "gone") else "#ffffff"
        out.append({"data": {"id": r["node_id"], "label": label, "kind": r["kind"], "status": status,
                             "share_before": _num(r["share_before"]), "share_after": _num(r["share_after"]),
                             "color": colour, "text_color": text_colour,
                             "w": 90 if terminal else _node_width(r["activity"])},
                    "classes": " ".join(classes)})
    for r in edges.to_dict(orient="records"):
        status, time_status = r["status"], r.get("time_status")
        time_status = None if is_missing(time_status) else time_status
        share_b, share_a = _num(r["share_before"]) or 0.0, _num(r["share_after"]) or 0.0
        classes = [status] + ([time_status] if time_status else [])
        if view in ("before", "after"):
            share = share_b if view == "before" else share_a
            width = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * share
            colour = mix(FREQUENCY_SCALE, 0.2 + 0.8 * share) if share > 0 else "#d9e2ec"
            label = format_share(share, 0) if share > 0 else ""
            if share == 0:
                classes.append("absent")
        elif view == "time":
            width = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * max(share_b, share_a)
            colour = TIME_COLOURS.get(time_status, NO_TIME_COLOUR)
            label = (f"{format_duration(r['median_s_before'])} → {format_duration(r['median_s_after'])}"
                     if time_status in ("faster", "slower") else "")
        else:
            width = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * max(share_b, share_a)
            colour = STATUS_COLOURS.get(status, STATUS_COLOURS["same"])
            label = {"new": "new", "gone": "gone"}.get(status, f"{100 * (share_a - share_b):+.0f} pp"
                                                      if status in ("more", "less") else "")
        out.append({"data": {"id": edge_id(str(r["source"]), str(r["target"])), "source": str(r["source"]),
                             "target": str(r["target"]), "kind": r["kind"], "status": status,
                             "time_status": time_status, "share_before": share_b, "share_after": share_a,
                             "label": label, "width": round(width, 2), "color": colour},
                    "classes": " ".join(classes)})
    return out


def _num(value) -> float | None:
    return None if is_missing(value) else float(value)


def delta_stylesheet() -> list[dict]:
    """The process map's stylesheet, plus: gone elements dashed, absent ones (in a side view) faded."""
    return map_stylesheet("frequency") + [
        {"selector": "node.gone", "style": {"border-style": "dashed", "border-width": 2}},
        {"selector": "edge.gone", "style": {"line-style": "dashed"}},
        {"selector": "node.new", "style": {"border-width": 3, "border-color": GREEN}},
        {"selector": ".absent", "style": {"opacity": 0.12}},
    ]


def delta_legend(view: str) -> list[tuple[str, str]]:
    """(colour, text) items explaining a view of the map delta."""
    if view == "time":
        return [(TIME_COLOURS["faster"], "faster (median time between the activities, significant)"),
                (TIME_COLOURS["slower"], "slower"), (TIME_COLOURS["same"], "no significant change"),
                (NO_TIME_COLOUR, "not tested (new, gone, or too few transitions)")]
    if view in ("before", "after"):
        return [(FREQUENCY_SCALE[1], f"share of cases {view} (thicker and darker: more)"),
                ("#d9e2ec", "faded: not on this side")]
    return [(STATUS_COLOURS["new"], "new after"), (STATUS_COLOURS["gone"], "gone after (dashed)"),
            (STATUS_COLOURS["more"], "in more cases (significant)"), (STATUS_COLOURS["less"], "in fewer cases"),
            (STATUS_COLOURS["same"], "no significant change")]


def side_text(side) -> str:
    """One line about a side of the comparison (a :class:`~pipelines.mining.compare.Side`)."""
    start, end = side.window_start, side.window_end
    return (f"{side.label}: log {side.log}, {side.cases:,} cases, {start:%Y-%m-%d} → {end:%Y-%m-%d} "
            f"({side.weeks:.1f} weeks)")
