"""/: the overview: KPI cards of the filtered log and their trends by week or month.

Cards come from providers registered in :mod:`dashboard.extensions` (this module registers the
built-in ones); the SLA colleague adds "SLA breach rate" and "open cases at risk" with one
decorated function each.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard import data, extensions, ids
from dashboard.components import page
from dashboard.components.cards import kpi_row
from dashboard.components.feedback import no_cases
from dashboard.components.graphs import graph
from dashboard.figures.kpis import Kpi, case_kpis, reopen_kpi
from dashboard.figures.trends import resolution_figure, volume_figure

dash.register_page(__name__, path="/", name="Overview", title="deskmine · overview", order=0)


@extensions.kpi(order=10, key="cases")
def _case_kpis(state) -> list[Kpi]:
    return case_kpis(data.kpis(state))


@extensions.kpi(order=60, key="reopen")
def _reopen_kpi(state) -> Kpi:
    return reopen_kpi(data.dfg(state).activities, data.rework(state), data.n_cases(state))


def layout(**_query):
    return page.frame(
        "Overview", "How many cases, how fast they resolve, and how that moves over time (filters above apply).",
        page.loading(html.Div(id=ids.OVERVIEW_KPIS, className="mb-2")),
        dbc.RadioItems(id=ids.OVERVIEW_FREQ, options=[{"label": "by week", "value": "week"},
                                                      {"label": "by month", "value": "month"}],
                       value="week", inline=True, className="mb-2"),
        page.loading(html.Div(id=ids.OVERVIEW_TRENDS)),
        html.Div(id=ids.OVERVIEW_SECTIONS),
    )


def kpis_for(state) -> list[Kpi]:
    """Every registered provider's cards; a failing provider shows its error in one card."""
    out: list[Kpi] = []
    for provider in extensions.kpi_providers():
        try:
            result = provider.fn(state)
        except data.DataError as exc:
            out.append(Kpi(provider.key, provider.key.replace("_", " "), None, "—", str(exc), tone="danger"))
            continue
        out.extend(result if isinstance(result, list) else [result])
    return out


@callback(Output(ids.OVERVIEW_KPIS, "children"), Output(ids.OVERVIEW_SECTIONS, "children"),
          Input(ids.FILTER_STORE, "data"))
def show_kpis(store):
    state = page.state_of(store)
    with page.errors() as problem:
        if data.n_cases(state) == 0:
            return no_cases("overview"), None
        return kpi_row(kpis_for(state)), page.sections("overview", state)
    return problem.alert, None


@callback(Output(ids.OVERVIEW_TRENDS, "children"), Input(ids.FILTER_STORE, "data"), Input(ids.OVERVIEW_FREQ, "value"))
def show_trends(store, freq):
    state = page.state_of(store)
    with page.errors() as problem:
        if data.n_cases(state) == 0:
            return None
        period = freq or "week"
        trend = data.kpi_trend(state, period)
        return dbc.Row([
            dbc.Col(graph(ids.OVERVIEW_VOLUME, volume_figure(trend, period), file_name="cases_per_period"), lg=6),
            dbc.Col(graph(ids.OVERVIEW_RESOLUTION, resolution_figure(trend, period), file_name="resolution_per_period"),
                    lg=6),
        ])
    return problem.alert
