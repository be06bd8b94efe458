"""The page shell: navigation bar, the global filter bar and state, and the page container."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard import ids
from dashboard.components.filters import filter_bar, stores

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
    return html.Div([*stores(), nav, filter_bar(), dbc.Container(dash.page_container, fluid=True, id=ids.PAGE)])
