"""Messages instead of data: errors in words, the empty filter result, loading wrappers."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.components.tables import empty_state

DEFERRED_HEIGHT = 280
"""Height (px) a deferred section keeps until it is drawn, so that sections below it stay below the fold."""


def deferred(section_id: str, *, height: int = DEFERRED_HEIGHT, anchor: str | None = None) -> html.Div:
    """A section drawn once it scrolls into view, like Grafana's panels below the fold.

    Holds ``html.Div(id=section_id)`` (the callback's output, a placeholder until then) and a
    ``dcc.Store(id=ids.shown(section_id))`` that deskmine.js sets to true once the section has been
    within 100 px of the viewport for 0.2 s (an IntersectionObserver); every section is drawn before
    printing, and the one named by the URL's ``#anchor`` is scrolled to. The section's callback
    takes that store as an Input and calls :func:`require_shown` first, so a page opens with the
    work of what is on screen, and a filter change recomputes only the sections already seen.
    """
    placeholder = html.Div("Drawn when scrolled into view.", className="deferred-placeholder small text-muted",
                           style={"minHeight": f"{height}px"})
    return html.Div([dcc.Store(id=ids.shown(section_id), data=False),
                     loading(html.Div(placeholder, id=section_id))],
                    className="dm-deferred", id=anchor or f"{section_id}-section",
                    **{"data-deferred": ids.shown(section_id)})


def reserved(height: int) -> html.Div:
    """Blank space of about the height a section will take, shown until its callback answers, so
    that the deferred sections below it do not all start in view as the page opens."""
    return html.Div(className="reserved-space", style={"minHeight": f"{height}px"})


def require_shown(shown) -> None:
    """PreventUpdate until a deferred section has been in view (``shown`` is its store's data)."""
    if not shown:
        raise dash.exceptions.PreventUpdate


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
