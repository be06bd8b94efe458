"""SLA blocks shown on more than one page (the customer vs agent wait on /sla and /bottlenecks)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard import data
from dashboard.components.graphs import graph
from dashboard.components.tables import PERCENT_FORMAT, SECONDS_FORMAT, table_card
from dashboard.figures.common import format_share
from dashboard.figures.sla import wait_figure, wait_totals

WAIT_COLUMNS = [
    {"field": "status", "flex": 1, "minWidth": 180},
    {"field": "waits_for", "headerName": "waits for", "minWidth": 120},
    {"field": "cases", "type": "numericColumn", "minWidth": 100},
    {"field": "intervals", "type": "numericColumn", "minWidth": 110},
    {"field": "business_total_s", "headerName": "business time", "type": "numericColumn", "minWidth": 140,
     "valueFormatter": SECONDS_FORMAT},
    {"field": "business_share", "headerName": "share", "type": "numericColumn", "minWidth": 100,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "business_median_s", "headerName": "median stay", "type": "numericColumn", "minWidth": 130,
     "valueFormatter": SECONDS_FORMAT},
    {"field": "calendar_total_s", "headerName": "calendar time", "type": "numericColumn", "minWidth": 140,
     "valueFormatter": SECONDS_FORMAT},
]


def wait_block(state, name: str, policy, *, graph_id: str, grid_name: str) -> html.Div:
    """Customer vs agent wait inside the SLA windows (``get_wait_by_status``) under policy ``name``."""
    wait = data.wait_by_status(state, policy)
    totals = wait_totals(wait)
    line = (f"Inside the SLA windows (case start to resolution, or now when open), cases waited "
            f"{totals['customer_s'] / 3600:,.0f} business hours for the customer (pause statuses: the clock stops) and "
            f"{totals['agent_s'] / 3600:,.0f} for the desk: the customer's share is "
            f"{format_share(totals['customer_share'])}. Policy {name}.")
    return html.Div([
        html.P(line, className="small wait-summary"),
        dbc.Row([
            dbc.Col(graph(graph_id, wait_figure(wait), file_name="customer_vs_agent_wait"), lg=7),
            dbc.Col(table_card(grid_name, wait, title="Time by status", columns=WAIT_COLUMNS, height=360,
                               file_name=f"{state.log}_wait_by_status.csv"), lg=5),
        ]),
    ])
