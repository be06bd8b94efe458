"""Messages instead of data: errors in words, the empty filter result, loading wrappers."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.components.tables import empty_state


def error_alert(message: str, *, title: str = "This view could not be computed") -> dbc.Alert:
    """A readable error (never a traceback): what failed and the engine's one-line reason."""
    return dbc.Alert([html.Div(title, className="fw-semibold"), html.Div(message, className="small")],
                     color="danger", className="my-2 data-error")


def no_cases(page: str) -> html.Div:
    """The filters match no case: say so and offer to clear them."""
    return empty_state(
        "No case matches the current filters",
        "Remove a filter chip above, widen the date range, or start again from the whole log.",
        children=[html.Button("Clear all filters", id=ids.clear_filters(page), n_clicks=0,
                              className="btn btn-primary btn-sm mt-2")],
    )


def loading(*children, loading_id: str | None = None) -> dcc.Loading:
    """A spinner over ``children`` while their callbacks run (delayed, so fast updates do not flicker)."""
    kwargs = {"id": loading_id} if loading_id else {}
    return dcc.Loading(list(children), type="default", delay_show=250, overlay_style={"visibility": "visible",
                       "opacity": 0.5}, **kwargs)
