"""Variants: the ranked table and the coverage (Pareto) chart (pure)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import BLUE, ORANGE, empty_figure, styled

ARROW = " → "
VARIANT_TABLE_COLUMNS = ["rank", "variant_id", "cases", "share", "cumulative_share", "n_events",
                         "median_duration_s", "mean_duration_s", "sequence"]


def sequence_text(activities, limit: int | None = None) -> str:
    """``A → B → C`` (``limit``: at most that many activities, then ``… (+n)``)."""
    acts = [str(a) for a in activities]
    if limit is not None and len(acts) > limit:
        return ARROW.join(acts[:limit]) + f" … (+{len(acts) - limit})"
    return ARROW.join(acts)


def variant_table(variants: pd.DataFrame) -> pd.DataFrame:
    """``get_variants`` as the ranked table the page shows (rank 1 = most frequent in scope)."""
    out = variants.copy()
    out.insert(0, "rank", range(1, len(out) + 1))
    out["sequence"] = out["activities"].map(sequence_text)
    return out[VARIANT_TABLE_COLUMNS].reset_index(drop=True)


def variant_label(row, *, limit: int = 6) -> str:
    """A dropdown label: ``#1 · 23.4% · A → B → … (+3)``."""
    return f"#{int(row['variant_id'])} · {100 * float(row['share']):.1f}% · {sequence_text(row['activities'], limit)}"


def coverage_figure(variants: pd.DataFrame, top: int = 30) -> go.Figure:
    """Share of cases of the ``top`` variants (bars) and the cumulative share (line)."""
    if variants.empty:
        return empty_figure("No variants in scope")
    head = variants.head(top)
    ranks = list(range(1, len(head) + 1))
    hover = [f"variant {v}<br>{sequence_text(a, 8)}" for v, a in zip(head["variant_id"], head["activities"], strict=True)]
    fig = go.Figure([
        go.Bar(x=ranks, y=head["share"], name="share of cases", marker_color=BLUE, hovertext=hover),
        go.Scatter(x=ranks, y=head["cumulative_share"], name="cumulative share", mode="lines+markers",
                   line={"color": ORANGE}, yaxis="y"),
    ])
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02], title_text="share of cases")
    fig.update_xaxes(title_text="variant rank", dtick=1 if len(head) <= 30 else None)
    return styled(fig, title=f"How much the top {len(head)} variants cover", height=300)
