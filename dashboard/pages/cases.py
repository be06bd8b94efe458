"""/cases: find a case and see its story: timeline, events, attributes, variant.

``/cases?case=B-000123`` opens a case directly (the map's case lists link here). Suggestions come
from the cases in the current filter; any case of the log can be opened by its id.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, clientside_callback, dcc, html

from dashboard import data, extensions, ids
from dashboard.components import page
from dashboard.components.feedback import no_cases
from dashboard.components.graphs import graph
from dashboard.components.tables import SECONDS_FORMAT, TIME_FORMAT, empty_state, table_card
from dashboard.figures.cases import case_timeline, event_table
from dashboard.figures.common import format_duration, format_share
from dashboard.figures.variants import sequence_text
from pipelines import schema

dash.register_page(__name__, path="/cases", name="Cases", title="deskmine · cases", order=80)

LIST_ROWS = 300
EVENT_COLUMNS = [
    {"field": "pos", "headerName": "#", "type": "numericColumn", "width": 70},
    {"field": "timestamp", "headerName": "time (UTC)", "width": 180, "valueFormatter": TIME_FORMAT},
    {"field": "activity", "flex": 1},
    {"field": "resource", "width": 140},
    {"field": "team", "width": 150},
    {"field": "lifecycle", "width": 110},
    {"field": "wait_s", "headerName": "wait before", "type": "numericColumn", "width": 130, "valueFormatter": SECONDS_FORMAT},
    {"field": "since_start_s", "headerName": "since start", "type": "numericColumn", "width": 130,
     "valueFormatter": SECONDS_FORMAT},
]
CASE_LIST_COLUMNS = [
    {"field": "case_id", "headerName": "case", "width": 140, "pinned": "left"},
    {"field": "start_time", "headerName": "start (UTC)", "width": 170, "valueFormatter": TIME_FORMAT},
    {"field": "duration_s", "headerName": "duration", "type": "numericColumn", "width": 120, "valueFormatter": SECONDS_FORMAT},
    {"field": "n_events", "headerName": "events", "type": "numericColumn", "width": 90},
    {"field": "is_closed", "headerName": "closed", "width": 90},
    {"field": "last_activity", "headerName": "last activity", "width": 170},
    {"field": "priority", "width": 100}, {"field": "channel", "width": 110}, {"field": "category", "width": 150},
    {"field": "team", "width": 140}, {"field": "variant_id", "headerName": "variant", "type": "numericColumn", "width": 100},
]


def layout(case: str | None = None, **_query):
    return page.frame(
        "Cases", "Search a case by its id, or pick one from the list of cases in the current filter.",
        dbc.Row([dbc.Col(dcc.Dropdown(id=ids.CASES_SEARCH, options=[case] if case else [], value=case,
                                      placeholder="Search a case id…", searchable=True, clearable=True), md=4)],
                className="mb-3"),
        page.loading(html.Div(id=ids.CASES_DETAIL)),
        page.loading(html.Div(id=ids.CASES_LIST)),
        dcc.Store(id=ids.CASES_SEARCH + "-url"),
    )


@callback(Output(ids.CASES_SEARCH, "options"), Input(ids.CASES_SEARCH, "search_value"), Input(ids.FILTER_STORE, "data"),
          Input(ids.CASES_SEARCH, "value"))
def suggest(text, store, value):
    state = page.state_of(store)
    try:
        found = data.case_suggestions(state, text)
    except data.DataError:
        found = []
    if value and value not in found:
        found = [value, *found]
    return found


@callback(Output(ids.CASES_DETAIL, "children"), Input(ids.CASES_SEARCH, "value"), Input(ids.FILTER_STORE, "data"))
def show_case(case_id, store):
    state = page.state_of(store)
    if not case_id:
        return empty_state("No case selected", "Type part of a case id above, or click a row in the list below.")
    with page.errors() as problem:
        detail = data.case_detail(state.log, case_id)
        if detail["case"] is None:
            return empty_state(f"No case {case_id!r} in log {state.log!r}", "Check the id, or pick another log above.")
        in_scope = case_id in set(data.cases(state)[schema.CASE_ID].astype(str))
        events = detail["events"]
        return html.Div([
            None if in_scope else dbc.Alert("This case is outside the current filters (shown anyway).", color="info",
                                            className="py-1 small"),
            dbc.Row([dbc.Col(_attributes_card(detail["case"]), lg=6), dbc.Col(_variant_card(detail["variant"]), lg=6)],
                    className="mb-3"),
            graph(ids.CASES_TIMELINE, case_timeline(events, case_id), file_name=f"case_{case_id}"),
            table_card("case-events", event_table(events), title=f"{len(events)} events", height=340,
                       columns=EVENT_COLUMNS, file_name=f"{state.log}_{case_id}_events.csv"),
        ])
    return problem.alert


def _row(label: str, value) -> html.Tr:
    shown = "—" if value is None or (isinstance(value, float) and pd.isna(value)) or value == "" else str(value)
    return html.Tr([html.Td(label), html.Td(shown)])


def _attributes_card(case: dict) -> dbc.Card:
    rows = [
        _row("case", case[schema.CASE_ID]),
        _row("status", "closed" if case[schema.IS_CLOSED] else "open (still running)"),
        _row("start (UTC)", f"{pd.Timestamp(case[schema.START_TIME]):%Y-%m-%d %H:%M}"),
        _row("end (UTC)", f"{pd.Timestamp(case[schema.END_TIME]):%Y-%m-%d %H:%M}"),
        _row("duration", format_duration(case[schema.DURATION_S])),
        _row("events", case[schema.N_EVENTS]),
        *[_row(name, case.get(name)) for name in (schema.PRIORITY, schema.CHANNEL, schema.CATEGORY, schema.TEAM,
                                                  schema.CUSTOMER)],
        *[_row(k, v) for k, v in sorted((case.get(schema.ATTRIBUTES) or {}).items())],
    ]
    return dbc.Card(dbc.CardBody([html.H6("Attributes"), html.Table(rows, className="stat-table small")]),
                    className="h-100 case-attributes")


def _variant_card(variant: dict | None) -> dbc.Card:
    if variant is None:
        body = [html.H6("Variant"), html.P("unknown", className="text-muted")]
    else:
        body = [
            html.H6(f"Variant {variant['variant_id']} (rank {variant['rank']} in the log)"),
            html.P(f"{variant['cases']:,} {'case takes' if variant['cases'] == 1 else 'cases take'} this path "
                   f"({format_share(variant['share'], 1 if variant['share'] >= 0.01 else 2)} of the log); median "
                   f"duration {format_duration(variant['median_duration_s'])}.", className="small"),
            html.P(sequence_text(variant["activities"]), className="small text-muted mb-0"),
        ]
    return dbc.Card(dbc.CardBody(body), className="h-100 case-variant")


@callback(Output(ids.CASES_LIST, "children"), Input(ids.FILTER_STORE, "data"))
def show_list(store):
    state = page.state_of(store)
    with page.errors() as problem:
        cases = data.cases(state)
        if cases.empty:
            return no_cases("cases")
        longest = cases.drop(columns=[schema.ATTRIBUTES], errors="ignore").sort_values(
            schema.DURATION_S, ascending=False, kind="stable")
        note = ("Longest first. " if len(cases) > LIST_ROWS else "") + "Click a row to open the case."
        return table_card("cases", longest, title=f"Cases in the filter: {len(cases):,}", columns=CASE_LIST_COLUMNS,
                          height=420, row_selection="single", row_id="case_id", note=note,
                          file_name=f"{state.log}_cases.csv", max_rows=LIST_ROWS)
    return problem.alert


@callback(Output(ids.CASES_SEARCH, "value"), Input(ids.grid("cases"), "selectedRows"), prevent_initial_call=True)
def open_from_list(rows):
    if not rows:
        raise dash.exceptions.PreventUpdate
    return rows[0]["case_id"]


clientside_callback(
    """
    function(caseId) {
        var params = new URLSearchParams(window.location.search);
        if (caseId) { params.set("case", caseId); } else { params.delete("case"); }
        var text = params.toString();
        var search = text ? "?" + text : "";
        if (search !== window.location.search) {
            window.history.replaceState(window.history.state, "", window.location.pathname + search);
        }
        return search;
    }
    """,
    Output(ids.CASES_SEARCH + "-url", "data"),
    Input(ids.CASES_SEARCH, "value"),
)


@extensions.warmer("cases", order=80)
def _warm(store):
    suggest(None, store, None)
    show_list(store)
