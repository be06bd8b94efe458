"""Bottlenecks: waiting vs processing by key, hand-off heatmap, rework (pure)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import BLUE, ORANGE, RED, duration_unit, empty_figure, styled

KEY_LABELS = {"transition": "transition", "activity": "activity (waiting before it)",
              "resource": "resource (who picked the work up)", "team": "team (that picked the work up)"}


def key_labels(frame: pd.DataFrame, by: str) -> pd.Series:
    """One readable label per row: ``A → B`` for transitions, the key otherwise (missing: ``(none)``)."""
    if by == "transition":
        return frame["source"].astype(str) + " → " + frame["target"].astype(str)
    col = {"source_resource": "source_resource", "source_team": "source_team"}.get(by, by)
    return frame[col].astype("string").fillna("(none)").astype(str)


def time_split_figure(frame: pd.DataFrame, by: str, top: int = 15) -> go.Figure:
    """Total waiting and processing time of the ``top`` keys by waiting (horizontal stacked bars)."""
    if frame.empty:
        return empty_figure("No waiting or processing time in scope")
    head = frame.sort_values("rank").head(top).iloc[::-1]
    labels = key_labels(head, by)
    unit, size = duration_unit(float((head["waiting_total_s"] + head["processing_total_s"].fillna(0)).max()))
    fig = go.Figure([
        go.Bar(y=labels, x=head["waiting_total_s"] / size, name="waiting", orientation="h", marker_color=ORANGE),
        go.Bar(y=labels, x=head["processing_total_s"].fillna(0) / size, name="processing", orientation="h",
               marker_color=BLUE),
    ])
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=f"total time ({unit})")
    fig.update_yaxes(automargin=True)
    return styled(fig, title=f"Where the time goes, by {KEY_LABELS.get(by, by)}", height=max(320, 28 * len(head) + 90))


def handoff_matrix(handoffs: pd.DataFrame) -> pd.DataFrame:
    """Hand-off counts as a square matrix (rows: from, columns: to), teams sorted by name."""
    if handoffs.empty:
        return pd.DataFrame()
    names = sorted(set(handoffs["source"].astype(str)) | set(handoffs["target"].astype(str)))
    matrix = handoffs.pivot_table(index="source", columns="target", values="handoffs", aggfunc="sum", fill_value=0)
    return matrix.reindex(index=names, columns=names, fill_value=0).astype("int64")


def handoff_heatmap(handoffs: pd.DataFrame, level: str = "team") -> go.Figure:
    """Heatmap of hand-offs: how often work went from the row's team to the column's."""
    matrix = handoff_matrix(handoffs)
    if matrix.empty:
        return empty_figure(f"No hand-offs between {level}s in scope")
    fig = go.Figure(go.Heatmap(
        z=matrix.values, x=list(matrix.columns), y=list(matrix.index), colorscale="Blues",
        text=matrix.values, texttemplate="%{text}", hovertemplate="%{y} → %{x}: %{z} hand-offs<extra></extra>",
        colorbar={"title": {"text": "hand-offs"}},
    ))
    fig.update_xaxes(title_text=f"to {level}", side="bottom", tickangle=-30)
    fig.update_yaxes(title_text=f"from {level}", autorange="reversed")
    return styled(fig, title=f"Hand-offs between {level}s", height=max(320, 34 * len(matrix) + 140))


def rework_figure(rework: pd.DataFrame, top: int = 12) -> go.Figure:
    """Repeated occurrences per activity (the ``top`` activities)."""
    if rework.empty:
        return empty_figure("No activity is repeated within a case")
    head = rework.head(top).iloc[::-1]
    fig = go.Figure(go.Bar(
        y=head["activity"], x=head["repeats"], orientation="h", marker_color=RED,
        customdata=head["share_of_cases"], hovertemplate="%{y}: %{x} repeats in %{customdata:.1%} of cases<extra></extra>",
    ))
    fig.update_xaxes(title_text="repeats (occurrences beyond the first in a case)")
    fig.update_yaxes(automargin=True)
    return styled(fig, title="Rework: activities done again", height=max(300, 26 * len(head) + 90))
