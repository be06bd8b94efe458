"""/bottlenecks: where the time goes (waiting vs processing), hand-offs between teams, rework.

The time split is drawn as the page opens; hand-offs, rework and the sections below them when
scrolled to (``page.deferred``). Sections that arrive with other features register themselves with
``dashboard.extensions.section("bottlenecks", ...)`` and appear at the end: /sla adds "Customer vs
agent wait", which needs the active SLA policy (its pause statuses), so the sections are rendered
with the user's policy selection announced (``policies.selected``).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard import data, extensions, ids, policies
from dashboard.components import page
from dashboard.components.feedback import no_cases
from dashboard.components.graphs import graph
from dashboard.components.policy import policy_store
from dashboard.components.tables import table_card
from dashboard.figures.bottlenecks import handoff_heatmap, rework_figure, time_split_figure

dash.register_page(__name__, path="/bottlenecks", name="Bottlenecks", title="deskmine · bottlenecks", order=30)

BY_OPTIONS = [
    {"label": "Transition", "value": "transition"},
    {"label": "Activity", "value": "activity"},
    {"label": "Resource", "value": "resource"},
    {"label": "Team", "value": "team"},
    {"label": "Resource holding the work", "value": "source_resource"},
    {"label": "Team holding the work", "value": "source_team"},
]


def layout(by: str = "transition", **_query):
    by = by if by in {o["value"] for o in BY_OPTIONS} else "transition"
    return page.frame(
        "Bottlenecks", "Waiting is the time between events while nothing is in progress; processing is the time "
                       "between an activity's start and complete.",
        dbc.RadioItems(id=ids.BOTTLENECKS_BY, options=BY_OPTIONS, value=by, inline=True, className="mb-2"),
        page.loading(html.Div(page.reserved(900), id=ids.BOTTLENECKS_CONTENT)),
        html.H4("Hand-offs and ping-pong between teams", className="mt-4"),
        page.deferred(ids.BOTTLENECKS_HANDOFFS, anchor="handoffs"),
        html.H4("Rework", className="mt-4"),
        page.deferred(ids.BOTTLENECKS_REWORK, anchor="rework"),
        page.deferred(ids.BOTTLENECKS_SECTIONS, anchor="more"),
        policy_store(),
    )


@callback(Output(ids.BOTTLENECKS_CONTENT, "children"), Input(ids.FILTER_STORE, "data"), Input(ids.BOTTLENECKS_BY, "value"))
def show_time_split(store, by):
    state = page.state_of(store)
    by = by or "transition"
    with page.errors() as problem:
        if data.n_cases(state) == 0:
            return no_cases("bottlenecks")
        frame = data.bottlenecks(state, by)
        return html.Div([
            graph(ids.BOTTLENECKS_CHART, time_split_figure(frame, by), file_name=f"bottlenecks_by_{by}"),
            table_card(f"bottlenecks-{by}", frame, title=f"By {by.replace('_', ' ')}", height=400,
                       file_name=f"{state.log}_bottlenecks_by_{by}.csv",
                       note="share of case time = waiting total / summed case durations in scope."),
        ])
    return problem.alert


@callback(Output(ids.BOTTLENECKS_HANDOFFS, "children"), Input(ids.FILTER_STORE, "data"),
          Input(ids.shown(ids.BOTTLENECKS_HANDOFFS), "data"))
def show_handoffs(store, in_view=True):
    page.require_shown(in_view)
    state = page.state_of(store)
    with page.errors() as problem:
        if data.n_cases(state) == 0:
            return None
        handoffs = data.handoffs(state, "team")
        ping_pong = data.ping_pong(state)
        return dbc.Row([
            dbc.Col(graph(ids.BOTTLENECKS_HEATMAP, handoff_heatmap(handoffs, "team"), file_name="team_handoffs"), lg=7),
            dbc.Col([
                table_card("ping-pong", ping_pong, title="Ping-pong (A → B → A)", height=300,
                           file_name=f"{state.log}_ping_pong.csv"),
                table_card("handoffs-team", handoffs, title="Hand-offs", height=300,
                           file_name=f"{state.log}_team_handoffs.csv"),
            ], lg=5),
        ])
    return problem.alert


@callback(Output(ids.BOTTLENECKS_REWORK, "children"), Input(ids.FILTER_STORE, "data"),
          Input(ids.shown(ids.BOTTLENECKS_REWORK), "data"))
def show_rework(store, in_view=True):
    page.require_shown(in_view)
    state = page.state_of(store)
    with page.errors() as problem:
        if data.n_cases(state) == 0:
            return None
        rework = data.rework(state)
        return dbc.Row([
            dbc.Col(graph(ids.BOTTLENECKS_REWORK_CHART, rework_figure(rework), file_name="rework"), lg=6),
            dbc.Col(table_card("rework", rework, title="Repeated activities", height=340,
                               file_name=f"{state.log}_rework.csv"), lg=6),
        ])
    return problem.alert


@callback(Output(ids.BOTTLENECKS_SECTIONS, "children"), Input(ids.FILTER_STORE, "data"),
          Input(ids.POLICY_STORE, "data"), Input(ids.shown(ids.BOTTLENECKS_SECTIONS), "data"))
def show_sections(store, policy_name, in_view=True):
    page.require_shown(in_view)
    state = page.state_of(store)
    with page.errors() as problem, policies.selected(policy_name):
        if data.n_cases(state) == 0:
            return None
        return page.sections("bottlenecks", state)
    return problem.alert


@extensions.warmer("bottlenecks", order=40)
def _warm(store):
    show_time_split(store, "transition")
    show_handoffs(store)
    show_rework(store)
    show_sections(store, None)
