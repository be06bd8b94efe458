"""Formatting and styling shared by the figure modules (pure)."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

BLUE = "#2c6fbb"
ORANGE = "#e8833a"
RED = "#d62728"
GREY = "#8c8c8c"
GREEN = "#2ca02c"
FREQUENCY_SCALE = ("#c6dbef", "#08306b")
PERFORMANCE_SCALE = ("#fdd49e", "#b30000")


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_duration(seconds) -> str:
    """Seconds for people, two units at most: ``45s``, ``12m``, ``5h 12m``, ``3d 4h``; ``—`` when unknown."""
    if is_missing(seconds):
        return "—"
    s = float(seconds)
    sign = "-" if s < 0 else ""
    s = abs(s)
    if s < 60:
        return f"{sign}{s:.0f}s"
    if s < 3600:
        return f"{sign}{s // 60:.0f}m"
    if s < 86400:
        h, m = divmod(round(s / 60), 60)
        return f"{sign}{h}h {m}m" if m else f"{sign}{h}h"
    d, h = divmod(round(s / 3600), 24)
    return f"{sign}{d}d {h}h" if h else f"{sign}{d}d"


def format_count(n) -> str:
    return "—" if is_missing(n) else f"{int(n):,}"


def format_share(x, digits: int = 1) -> str:
    """``0.1234`` -> ``12.3%``."""
    return "—" if is_missing(x) else f"{100 * float(x):.{digits}f}%"


def duration_unit(max_seconds: float) -> tuple[str, float]:
    """A unit for an axis of durations up to ``max_seconds``: ``("hours", 3600)`` or ``("days", 86400)``..."""
    if is_missing(max_seconds) or max_seconds < 2 * 3600:
        return "minutes", 60.0
    if max_seconds < 3 * 86400:
        return "hours", 3600.0
    return "days", 86400.0


def mix(scale: tuple[str, str], t: float) -> str:
    """The colour at ``t`` in 0..1 between the two hex colours of ``scale`` (linear in RGB)."""
    t = 0.0 if is_missing(t) else min(1.0, max(0.0, float(t)))
    a = [int(scale[0][i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(scale[1][i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def _template() -> go.layout.Template:
    """plotly's ``plotly_white`` reduced to what deskmine's figures use (bars, lines, heatmaps in 2-d
    axes): the full template is deep-copied into every figure and sent with it (7 kB, and a tenth of
    a second of validation per figure, most of a chart callback's time on a warm cache)."""
    import plotly.io as pio

    full = pio.templates["plotly_white"].to_plotly_json()
    layout = {k: v for k, v in full["layout"].items()
              if k in ("autotypenumbers", "colorway", "font", "hovermode", "hoverlabel", "paper_bgcolor",
                       "plot_bgcolor", "coloraxis", "colorscale", "xaxis", "yaxis", "shapedefaults",
                       "annotationdefaults", "title")}
    data = {k: v for k, v in full["data"].items() if k in ("bar", "scatter", "heatmap")}
    return go.layout.Template(layout=layout, data=data)


TEMPLATE = _template()


def styled(fig: go.Figure, *, title: str | None = None, height: int = 320) -> go.Figure:
    """The app's look: white template, compact margins, legend on top."""
    fig.update_layout(
        template=TEMPLATE, height=height, title={"text": title, "x": 0, "font": {"size": 14}} if title else None,
        margin={"l": 50, "r": 20, "t": 40 if title else 20, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 1, "xanchor": "right"},
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12},
    )
    return fig


def empty_figure(message: str, *, height: int = 240) -> go.Figure:
    """A blank figure that says why it is blank."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 14, "color": GREY})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return styled(fig, height=height)


STEP_RESOLUTION = 0.0005
"""Steps of a drawn curve finer than this share (0.05 percentage points) are merged."""


def thin_steps(x, y, resolution: float = STEP_RESOLUTION) -> tuple[np.ndarray, np.ndarray]:
    """A monotone step curve (drawn with ``shape="hv"``) with its steps finer than ``resolution``
    merged, for the browser: a large log has a step per case (tens of thousands, megabytes of JSON),
    more than a screen can show. When there are more than ``1 / resolution`` points, a point is
    kept only where ``y`` has moved by ``resolution`` or more since the last kept one (and the last
    point is kept), so the drawn curve stays within ``resolution`` of the exact one at every ``x``,
    with at most ``1 / resolution + 1`` points, all of them exact. ``resolution=0`` keeps all.

    >>> thin_steps([1, 2, 3, 4, 5, 6, 7, 8], [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875], resolution=0.25)
    (array([1., 3., 5., 7., 8.]), array([0.   , 0.25 , 0.5  , 0.75 , 0.875]))
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if resolution <= 0 or len(y) <= 1 / resolution:
        return x, y
    bucket = np.floor(np.abs(y - y[0]) / resolution)
    keep = np.r_[True, bucket[1:] != bucket[:-1]]
    keep[-1] = True
    return x[keep], y[keep]
