"""One case: its events as a table and as a timeline (pure)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import GREY, empty_figure, format_duration, styled
from pipelines import schema

PALETTE = ["#2c6fbb", "#e8833a", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"]
EVENT_COLUMNS = ["pos", "timestamp", "activity", "resource", "team", "lifecycle", "wait_s", "since_start_s"]


def event_table(events: pd.DataFrame) -> pd.DataFrame:
    """The events of one case in case order with ``wait_s`` (since the previous event) and
    ``since_start_s`` (since the case's first event)."""
    if events.empty:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    ev = events.sort_values(schema.CASE_POS)
    ts = ev[schema.TIMESTAMP]
    out = pd.DataFrame({
        "pos": ev[schema.CASE_POS].astype("int64") + 1,
        "timestamp": ts,
        "activity": ev[schema.ACTIVITY],
        "resource": ev[schema.RESOURCE],
        "team": ev[schema.TEAM],
        "lifecycle": ev[schema.LIFECYCLE],
        "wait_s": ts.diff().dt.total_seconds(),
        "since_start_s": (ts - ts.iloc[0]).dt.total_seconds(),
    })
    return out.reset_index(drop=True)


def case_timeline(events: pd.DataFrame, case_id: str = "") -> go.Figure:
    """Events on a time axis, one row per activity (first occurrence on top), coloured by team,
    joined in case order; hover shows resource, team and the wait before each event."""
    table = event_table(events)
    if table.empty:
        return empty_figure("No events")
    order = list(dict.fromkeys(table["activity"].astype(str)))
    teams = table["team"].astype("string").fillna("(no team)").astype(str)
    colours = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(dict.fromkeys(teams))}
    fig = go.Figure(go.Scatter(x=table["timestamp"], y=table["activity"], mode="lines", line={"color": GREY, "width": 1},
                               hoverinfo="skip", showlegend=False))
    for team, colour in colours.items():
        part = table[teams == team]
        hover = [f"#{p} {a}<br>{t:%Y-%m-%d %H:%M} UTC<br>resource: {r if isinstance(r, str) else '—'}<br>"
                 f"team: {team}<br>wait before: {format_duration(w)}"
                 for p, a, t, r, w in zip(part["pos"], part["activity"], part["timestamp"], part["resource"],
                                          part["wait_s"], strict=True)]
        fig.add_trace(go.Scatter(x=part["timestamp"], y=part["activity"], mode="markers", name=team,
                                 marker={"size": 11, "color": colour, "line": {"width": 1, "color": "#ffffff"}},
                                 hovertext=hover, hoverinfo="text"))
    fig.update_yaxes(categoryorder="array", categoryarray=order[::-1], title_text=None, automargin=True)
    fig.update_xaxes(title_text="time (UTC)")
    title = f"Timeline of {case_id}" if case_id else "Timeline"
    return styled(fig, title=title, height=max(280, 30 * len(order) + 110))
