"""The page shell: navigation bar, the global filter bar and state, and the page container."""

from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard import ids
from dashboard.components.filters import filter_bar, stores

log = logging.getLogger("deskmine.dashboard")
NAV_ORDER = ["/", "/map", "/variants", "/bottlenecks", "/sla", "/automation", "/compare", "/cases", "/data"]


def shell():
    pages = sorted(
        (p for p in dash.page_registry.values() if p.get("nav", True)),
        key=lambda p: NAV_ORDER.index(p["path"]) if p["path"] in NAV_ORDER else 99,
    )
    links = [dbc.NavItem(dbc.NavLink(p["name"], href=p["relative_path"], active="exact")) for p in pages]
    nav = dbc.Navbar(
        dbc.Container([
            dbc.NavbarBrand("deskmine", href="/", className="fw-bold"),
            dbc.Nav(links, navbar=True, className="me-auto"),
        ], fluid=True),
        color="dark", dark=True, id=ids.NAV, className="mb-0",
    )
    return html.Div([*stores(), nav, filter_bar(),
                     dbc.Container([html.Div(id=ids.APP_ERROR), dash.page_container], fluid=True, id=ids.PAGE)])


def on_callback_error(err: Exception):
    """Dash's global error handler: an unexpected error becomes a message (the traceback goes to the
    server log only); the failing callback's outputs stay as they were."""
    from dashboard.components.feedback import error_alert

    log.error("callback failed", exc_info=err)
    text = " ".join(str(err).split()) or "no details"
    dash.set_props(ids.APP_ERROR, {"children": dbc.Alert(
        [error_alert(f"{type(err).__name__}: {text[:300]}", title="Something went wrong in this view"),
         html.Div("The details are in the server log. Changing a filter or reloading usually helps.",
                  className="small")], color="light", dismissable=True, className="p-0 border-0")})
    return None
