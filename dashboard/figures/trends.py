"""Trends of cases by week or month: volume and resolution time (pure).

Input: ``get_kpi_trend``'s frame (``period_start``, ``cases_opened``, ``cases_closed``,
``median_duration_s``, ``p90_duration_s``).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import BLUE, GREEN, ORANGE, duration_unit, empty_figure, styled


def volume_figure(trend: pd.DataFrame, period: str = "week") -> go.Figure:
    """Cases opened and closed per period (grouped bars)."""
    if trend.empty:
        return empty_figure("No cases in scope")
    fig = go.Figure([
        go.Bar(x=trend["period_start"], y=trend["cases_opened"], name="opened", marker_color=BLUE),
        go.Bar(x=trend["period_start"], y=trend["cases_closed"], name="closed", marker_color=GREEN),
    ])
    fig.update_layout(barmode="group", bargap=0.15)
    fig.update_yaxes(title_text=f"cases per {period}")
    return styled(fig, title=f"Cases opened and closed per {period}")


def resolution_figure(trend: pd.DataFrame, period: str = "week") -> go.Figure:
    """Median and p90 resolution time of the cases closed in each period."""
    if trend.empty or trend["median_duration_s"].isna().all():
        return empty_figure("No closed cases in scope")
    unit, size = duration_unit(float(trend["p90_duration_s"].max()))
    fig = go.Figure([
        go.Scatter(x=trend["period_start"], y=trend["median_duration_s"] / size, name="median",
                   mode="lines+markers", line={"color": BLUE}),
        go.Scatter(x=trend["period_start"], y=trend["p90_duration_s"] / size, name="p90", mode="lines+markers",
                   line={"color": ORANGE, "dash": "dot"}),
    ])
    fig.update_yaxes(title_text=f"resolution ({unit})", rangemode="tozero")
    return styled(fig, title=f"Resolution time of cases closed per {period}")
