"""Automation opportunities, for people (pure): candidate scores by component, the triage matrix
per effort level, and the what-if prediction (resolution time distributions, before and after).

Inputs are the frames of :mod:`pipelines.mining.automation` (``find_automation_candidates``,
``triage_matrix(...).matrix``, ``simulate_automation(...).summary`` / ``.cases``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures.common import (
    BLUE,
    GREEN,
    ORANGE,
    STEP_RESOLUTION,
    duration_unit,
    empty_figure,
    format_duration,
    format_share,
    is_missing,
    styled,
    thin_steps,
)
from pipelines.mining.automation import COMPONENTS

COMPONENT_COLOURS = {
    "volume": "#08306b", "delay": "#2c6fbb", "brevity": "#6baed6", "determinism": "#2ca02c", "rule": "#98df8a",
    "consistency": "#bcbd22", "no_rework": "#8c564b", "deflection": "#e8833a", "sla": "#d62728",
}
COMPONENT_LABELS = {"no_rework": "no rework", "sla": "SLA"}
LEVEL_ORDER = {2: ("low", "high"), 3: ("low", "medium", "high")}
CHANNEL_COLOURS = {"self_service": "#2ca02c", "bot": "#2c6fbb", "automation_rule": "#e8833a", "agent": "#8c8c8c"}
WHATIF_LABELS = {
    "resolution_calendar_median_s": "median resolution, calendar time",
    "resolution_calendar_p90_s": "p90 resolution, calendar time",
    "resolution_business_median_s": "median resolution, business hours",
    "resolution_business_p90_s": "p90 resolution, business hours",
    "resolution_sla_median_s": "median resolution, SLA clock",
    "resolution_sla_p90_s": "p90 resolution, SLA clock",
    "resolution_breach_rate": "resolution SLA breach rate",
    "first_response_breach_rate": "first-response SLA breach rate",
    "resolved_share": "resolved cases",
    "handoffs_per_case": "hand-offs per case",
    "events_per_case": "events per case",
}


def candidate_label(activity: str, category) -> str:
    """``Assign to team`` for an activity row, ``Assign to team · lost card`` for a category row."""
    return str(activity) if is_missing(category) else f"{activity} · {category}"


def score_figure(candidates: pd.DataFrame, top: int = 12) -> go.Figure:
    """The ``top`` candidates' scores as stacked bars of their components' contributions
    (``score_<component>``; they add up to ``score``)."""
    if candidates.empty:
        return empty_figure("No activity is frequent enough to be a candidate")
    head = candidates.sort_values("score", ascending=False, kind="stable").head(top).iloc[::-1]
    labels = [candidate_label(a, c) for a, c in zip(head["activity"], head["category"], strict=True)]
    fig = go.Figure()
    for comp in COMPONENTS:
        col = f"score_{comp}"
        if col not in head or head[col].fillna(0).eq(0).all():
            continue
        fig.add_trace(go.Bar(y=labels, x=head[col].fillna(0).round(4).tolist(), orientation="h",
                             name=COMPONENT_LABELS.get(comp, comp), marker_color=COMPONENT_COLOURS[comp],
                             hovertemplate="%{y}: " + COMPONENT_LABELS.get(comp, comp) + " %{x:.3f}<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text="score (0..1): contribution of each component", range=[0, 1])
    fig.update_yaxes(automargin=True)
    return styled(fig, title="Automation candidates: what their score is made of", height=max(320, 30 * len(head) + 120))


def headline(candidates: pd.DataFrame) -> str:
    """One sentence about the best candidate."""
    if candidates.empty:
        return "No candidate: no activity is frequent enough."
    r = candidates.sort_values("score", ascending=False, kind="stable").iloc[0]
    hours = r["hours_saved_per_month"]
    saved = "agent time not recorded" if is_missing(hours) else f"about {hours:,.0f} agent hours a month"
    return (f"Best candidate: {candidate_label(r['activity'], r['category'])} (score {r['score']:.2f}): {saved}, "
            f"{r['wait_hours_saved_per_month']:,.0f} hours of customer waiting a month.")


# -- triage matrix ---------------------------------------------------------------------------------

def triage_cells(matrix: pd.DataFrame, levels: int, effort: str) -> tuple[list[list[int]], list[list[str]]]:
    """For one effort level: ``cases`` and cell text (channel, then the categories) as
    ``[severity][complexity]`` lists, levels low first."""
    names = LEVEL_ORDER[levels]
    z = [[0] * len(names) for _ in names]
    text = [[""] * len(names) for _ in names]
    part = matrix[matrix["effort"] == effort]
    for r in part.to_dict(orient="records"):
        i, j = names.index(r["severity"]), names.index(r["complexity"])
        z[i][j] = int(r["cases"])
        cats = list(r["categories"])
        shown = ", ".join(cats[:4]) + (f" +{len(cats) - 4}" if len(cats) > 4 else "")
        text[i][j] = f"<b>{r['channel_label']}</b><br>{shown}" if cats else f"<i>{r['channel_label']}</i>"
    return z, text


def triage_figure(matrix: pd.DataFrame, levels: int) -> go.Figure:
    """The triage matrix: one panel per effort level, complexity across, severity up; each cell shows
    the recommended channel and the categories in it, coloured by cases."""
    if matrix.empty:
        return empty_figure("No categories to classify")
    names = LEVEL_ORDER[levels]
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=[f"effort: {e}" for e in names],
                        horizontal_spacing=0.06)
    zmax = max(int(matrix["cases"].max()), 1)
    for k, effort in enumerate(names, start=1):
        z, text = triage_cells(matrix, levels, effort)
        fig.add_trace(go.Heatmap(z=z, x=list(names), y=list(names), text=text, texttemplate="%{text}",
                                 colorscale="Blues", zmin=0, zmax=zmax, showscale=k == len(names),
                                 colorbar={"title": {"text": "cases"}}, xgap=3, ygap=3,
                                 hovertemplate="complexity %{x}, severity %{y}: %{z} cases<extra></extra>"),
                      row=1, col=k)
        fig.update_xaxes(title_text="complexity", row=1, col=k)
        fig.update_yaxes(title_text="severity" if k == 1 else None, row=1, col=k)
    return styled(fig, title=f"Triage matrix ({len(names) ** 3} classes): recommended channel per kind of query",
                  height=260 + 90 * len(names))


# -- what-if ----------------------------------------------------------------------------------------------

def _value(measure: str, value) -> str:
    if is_missing(value):
        return "—"
    if measure.endswith("_s"):
        return format_duration(value)
    if measure.endswith("rate") or measure.endswith("share"):
        return format_share(value)
    return f"{float(value):,.2f}"


def _change(measure: str, value) -> str:
    if is_missing(value):
        return "—"
    v = float(value)
    if measure.endswith("_s"):
        return ("+" if v > 0 else "") + format_duration(v)
    if measure.endswith("rate") or measure.endswith("share"):
        return f"{100 * v:+.1f} pp"
    return f"{v:+,.2f}"


def whatif_table(summary: pd.DataFrame) -> pd.DataFrame:
    """``WhatIfResult.summary`` for people: measure, baseline, predicted with its interval, change
    with its interval, relative change."""
    rows = []
    for r in summary.to_dict(orient="records"):
        m = r["measure"]
        rows.append({
            "measure": WHATIF_LABELS.get(m, m), "baseline": _value(m, r["baseline"]),
            "predicted": _value(m, r["predicted"]),
            "predicted interval": f"{_value(m, r['predicted_low'])} – {_value(m, r['predicted_high'])}"
            if not is_missing(r["predicted_low"]) else "—",
            "change": _change(m, r["change"]),
            "change interval": f"{_change(m, r['change_low'])} – {_change(m, r['change_high'])}"
            if not is_missing(r["change_low"]) else "—",
            "relative change": "—" if is_missing(r["relative_change"]) else f"{100 * r['relative_change']:+.1f}%",
        })
    return pd.DataFrame(rows)


def ecdf(values, *, resolution: float = STEP_RESOLUTION) -> tuple[list[float], list[float]]:
    """Sorted values and the share of values at most each: ``([1, 2, 3], [1/3, 2/3, 1])``, its
    steps finer than ``resolution`` merged for drawing (:func:`~dashboard.figures.common.thin_steps`)."""
    v = np.sort(np.asarray(values, dtype=np.float64))
    v = v[~np.isnan(v)]
    n = len(v)
    if not n:
        return [], []
    x, y = thin_steps(v, np.arange(1, n + 1) / n, resolution)
    return x.tolist(), y.tolist()


def whatif_figure(cases: pd.DataFrame, summary: pd.DataFrame, measure: str = "calendar") -> go.Figure:
    """Resolution time distribution of the resolved cases, as they were and as predicted
    (cumulative share resolved within x), with the predicted median's bootstrap interval shaded."""
    col = {"calendar": "resolution_calendar_s", "business": "resolution_business_s", "sla": "resolution_s"}[measure]
    base = cases.loc[cases["baseline_resolved"].astype(bool), f"baseline_{col}"]
    pred = cases.loc[cases["predicted_resolved"].astype(bool), f"predicted_{col}"]
    if base.dropna().empty and pred.dropna().empty:
        return empty_figure("No resolved case to compare")
    top = float(np.nanquantile(np.concatenate([base.dropna(), pred.dropna()]), 0.95))
    unit, size = duration_unit(top)
    fig = go.Figure()
    key = {"calendar": "resolution_calendar_median_s", "business": "resolution_business_median_s",
           "sla": "resolution_sla_median_s"}[measure]
    row = summary[summary["measure"] == key]
    if len(row) and not is_missing(row.iloc[0]["predicted_low"]):
        lo, hi = float(row.iloc[0]["predicted_low"]) / size, float(row.iloc[0]["predicted_high"]) / size
        fig.add_vrect(x0=lo, x1=hi, fillcolor=GREEN, opacity=0.15, line_width=0,
                      annotation_text="predicted median (95% interval)", annotation_position="top left")
    for name, values, colour, dash in (("as it was", base, BLUE, "solid"), ("predicted", pred, ORANGE, "dash")):
        x, y = ecdf(values)
        fig.add_trace(go.Scatter(x=[v / size for v in x], y=[100 * v for v in y], mode="lines", name=name,
                                 line={"color": colour, "dash": dash, "shape": "hv"},
                                 hovertemplate="%{y:.0f}% resolved within %{x:.1f} " + unit + "<extra>" + name
                                 + "</extra>"))
    fig.update_xaxes(title_text=f"resolution time ({unit}, {measure})", range=[0, top / size])
    fig.update_yaxes(title_text="resolved cases: share resolved within (%)", range=[0, 101])
    return styled(fig, title="Resolution time distribution: as it was vs predicted")
