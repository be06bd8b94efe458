"""/sla: service levels under an SLA policy: breach rates, what drives breaches, resolution times
(Kaplan-Meier), reopens, customer vs agent wait, and the at-risk queue of open cases.

The policy is chosen in the dropdown (``/sla?policy=sla_policy``; the choice is remembered for the
session and feeds the overview cards and the bottlenecks page) or uploaded here; see
:mod:`dashboard.policies`. Every number follows the global filter. This module also registers the
SLA cards of the overview and the customer vs agent wait section of /bottlenecks.
"""

from __future__ import annotations

import uuid

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html

from dashboard import data, extensions, ids, policies
from dashboard.components import page
from dashboard.components.cards import kpi_row
from dashboard.components.columns import wrapped
from dashboard.components.feedback import error_alert, no_cases
from dashboard.components.graphs import graph
from dashboard.components.policy import (
    invalid_files_note,
    no_policy,
    no_policy_note,
    pick_in_browser,
    policy_store,
    policy_view,
    remember_in_browser,
    sla_choices,
    upload_box,
)
from dashboard.components.sla import wait_block
from dashboard.components.tables import (
    PERCENT_FORMAT,
    SECONDS_FORMAT,
    TIME_FORMAT,
    empty_state,
    table_card,
)
from dashboard.figures.common import format_count, format_duration, format_share
from dashboard.figures.kpis import Kpi
from dashboard.figures.sla import (
    AT_RISK_THRESHOLD,
    MEASURE_LABELS,
    at_risk_count,
    at_risk_table,
    breach_rate_figure,
    breach_trend_figure,
    calibration_lines,
    drivers_figure,
    km_figure,
    overall_rates,
    reliability_figure,
    reopen_figure,
    reopen_lines,
    resolution_table,
    resolution_text,
    sla_kpi,
)
from dashboard.state import to_query
from pipelines.mining.definitions import resolution_activities
from pipelines.mining.sla import kaplan_meier

dash.register_page(__name__, path="/sla", name="SLA", title="deskmine · SLA", order=40)

AT_RISK_ROWS = 500
"""Rows of the at-risk queue sent to the browser (riskiest first; the CSV export has every row)."""

BY_OPTIONS = [{"label": "Target", "value": "target"}, {"label": "Priority", "value": "priority"},
              {"label": "Category", "value": "category"}, {"label": "Channel", "value": "channel"},
              {"label": "Team", "value": "team"}]
def rate_columns(by: str) -> list[dict]:
    """Columns of the breach-rate grid: counts per status and the rates, for both milestones."""
    cols = [{"field": by, "minWidth": 140, "pinned": "left"},
            {"field": "cases", "type": "numericColumn", "minWidth": 90}]
    for m, short in (("first_response", "1st response"), ("resolution", "resolution")):
        cols.append({"field": f"{m}_breach_rate", "headerName": f"{short} breach rate", "type": "numericColumn",
                     "minWidth": 170, "valueFormatter": PERCENT_FORMAT})
        cols += [{"field": f"{m}_{s}", "headerName": f"{short}: {s.replace('_', ' ')}", "type": "numericColumn",
                  "minWidth": 150} for s in ("met", "breached", "open", "open_breached")]
    cols.append({"field": "resolution_breach_rate_resolved", "headerName": "resolution breach rate, resolved only",
                 "type": "numericColumn", "minWidth": 170, "valueFormatter": PERCENT_FORMAT})
    return wrapped(cols)



DRIVER_COLUMNS = [
    {"field": "status", "minWidth": 170, "pinned": "left"},
    {"field": "next_status", "headerName": "next status", "minWidth": 150},
    {"field": "excess_s", "headerName": "extra per breached case", "type": "numericColumn", "minWidth": 190,
     "valueFormatter": SECONDS_FORMAT},
    {"field": "breached_mean_s", "headerName": "breached: per case", "type": "numericColumn", "minWidth": 160,
     "valueFormatter": SECONDS_FORMAT},
    {"field": "met_mean_s", "headerName": "met: per case", "type": "numericColumn", "minWidth": 130,
     "valueFormatter": SECONDS_FORMAT},
    {"field": "breached_share", "headerName": "breached: share", "type": "numericColumn", "minWidth": 140,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "met_share", "headerName": "met: share", "type": "numericColumn", "minWidth": 120,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "breached_cases", "headerName": "breached cases", "type": "numericColumn", "minWidth": 140},
    {"field": "met_cases", "headerName": "met cases", "type": "numericColumn", "minWidth": 110},
    {"field": "paused", "headerName": "paused (customer)", "minWidth": 150},
    {"field": "rank", "type": "numericColumn", "minWidth": 80},
]
AT_RISK_COLUMNS = wrapped([
    {"field": "rank", "type": "numericColumn", "minWidth": 100, "pinned": "left"},
    {"field": "case_id", "headerName": "case", "minWidth": 120, "pinned": "left",
     "cellRenderer": "DeskmineLink", "cellRendererParams": {"hrefField": "case_href"}},
    {"field": "milestone", "minWidth": 130},
    {"field": "breach_probability", "headerName": "breach probability", "type": "numericColumn", "minWidth": 150,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "left_s", "headerName": "business time left", "type": "numericColumn", "minWidth": 160,
     "valueFormatter": SECONDS_FORMAT},
    {"field": "target", "minWidth": 100}, {"field": "priority", "minWidth": 100}, {"field": "category", "minWidth": 150},
    {"field": "status", "headerName": "current status", "minWidth": 170},
    {"field": "used_share", "headerName": "target used", "type": "numericColumn", "minWidth": 120,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "reason", "flex": 1, "minWidth": 420, "tooltipField": "reason"},
    {"field": "last_event_time", "headerName": "last event (UTC)", "minWidth": 170, "valueFormatter": TIME_FORMAT},
])
RESOLUTION_COLUMNS = [{"field": "measure", "minWidth": 260}] + [
    {"field": f, "type": "numericColumn", "minWidth": 120} for f in ("cases", "resolved", "open (censored)")] + [
    {"field": f, "minWidth": 150} for f in ("Kaplan-Meier median", "Kaplan-Meier p90", "median, resolved cases only",
                                            "p90, resolved cases only")]


def _radio(component_id: str, options, value) -> dbc.RadioItems:
    return dbc.RadioItems(id=component_id, options=options, value=value, inline=True, className="mb-2")


def layout(policy: str | None = None, by: str = "target", period: str = "week", **_query):
    by = by if by in {o["value"] for o in BY_OPTIONS} else "target"
    period = period if period in ("week", "month") else "week"
    options, value = sla_choices(policy)
    chooser = dbc.Card(dbc.CardBody(dbc.Row([
        dbc.Col([
            html.Label("SLA policy", htmlFor=ids.SLA_POLICY, className="form-label small text-muted mb-0"),
            dcc.Dropdown(id=ids.SLA_POLICY, options=options, value=value, clearable=False, placeholder="no policy yet",
                         className="mb-2", style={"maxWidth": "420px"}),
            # about its size (and the summary's below): the sections under them start where they stay
            html.Div(page.reserved(340), id=ids.SLA_POLICY_VIEW),
        ], lg=8),
        dbc.Col([html.Label("Add a policy", className="form-label small text-muted mb-0"), upload_box()], lg=4),
    ])), className="mb-3")
    sections = html.Div([
        html.H4("Breach rates", className="mt-2"),
        dbc.Row([
            dbc.Col([html.Span("by ", className="small text-muted me-1"), _radio(ids.SLA_BY, BY_OPTIONS, by)], md=7),
            dbc.Col([html.Span("over time by ", className="small text-muted me-1"),
                     _radio(ids.SLA_PERIOD, [{"label": "week", "value": "week"}, {"label": "month", "value": "month"}],
                            period)], md=5),
        ], className="align-items-center"),
        page.deferred(ids.SLA_RATES),
        html.H4("What drives breaches", className="mt-4"),
        dbc.Row([
            dbc.Col(_radio(ids.SLA_DRIVERS_BY, [{"label": "by status", "value": "status"},
                                                {"label": "by transition", "value": "transition"}], "status"), md=4),
            dbc.Col(_radio(ids.SLA_DRIVERS_MILESTONE, [{"label": "resolution", "value": "resolution"},
                                                       {"label": "first response", "value": "first_response"}],
                           "resolution"), md=5),
        ]),
        page.deferred(ids.SLA_DRIVERS),
        html.H4("Resolution times", className="mt-4"),
        page.deferred(ids.SLA_RESOLUTION),
        html.H4("Reopens", className="mt-4"),
        page.deferred(ids.SLA_REOPENS),
        html.H4("Customer vs agent wait", className="mt-4"),
        page.deferred(ids.SLA_WAIT),
        html.H4("At-risk queue: open cases likely to breach", className="mt-4"),
        page.deferred(ids.SLA_AT_RISK, anchor="at-risk"),
        html.H4("How good are these probabilities?", className="mt-4"),
        html.P(["Replays the at-risk model at four earlier moments of the log and compares what it said with what "
                "happened (a few seconds on a large log, so on request). ",
                html.Button("Check the probabilities against history", id=ids.SLA_CALIBRATION_RUN, n_clicks=0,
                            className="btn btn-outline-secondary btn-sm")], className="small text-muted"),
        page.loading(html.Div(id=ids.SLA_CALIBRATION)),
    ], id=ids.SLA_SECTIONS)
    return page.frame(
        "SLA", "Service levels under an SLA policy: breaches and their causes, resolution times with open cases "
               "counted, reopens, and the open cases likely to breach next (filters above apply).",
        policy_store(),
        dcc.Store(id=ids.SLA_POLICY_PARAM, data=policy),
        dcc.Store(id=ids.SLA_POLICY_SAVED),
        dcc.Store(id=ids.SLA_POLICY_URL),
        dcc.Store(id=ids.SLA_POLICY_REMEMBERED),
        chooser,
        page.loading(html.Div(page.reserved(230), id=ids.SLA_SUMMARY)),
        sections,
    )


# -- the policy: choice, view, upload ---------------------------------------------------------------

# The dropdown opens on the URL's policy or the first one (layout); the browser switches it to the
# session's choice without a round trip, and keeps a choice the user makes for the other pages.
pick_in_browser(ids.SLA_POLICY, ids.SLA_POLICY_PARAM, remember_param=True)


@callback(Output(ids.SLA_POLICY_VIEW, "children"), Input(ids.SLA_POLICY, "value"), Input(ids.SLA_POLICY_SAVED, "data"))
def show_policy(name, _saved):
    note = invalid_files_note()
    if not name:
        return note
    with page.errors("This policy cannot be shown") as problem:
        return html.Div([policy_view(name, policies.load(name), policies.text(name)), note])
    return html.Div([problem.alert, note])


@callback(
    Output(ids.SLA_POLICY_MESSAGE, "children"),
    Output(ids.SLA_POLICY_SAVED, "data"),
    Output(ids.SLA_POLICY, "options"),
    Output(ids.SLA_POLICY, "value", allow_duplicate=True),
    Input(ids.SLA_POLICY_UPLOAD, "contents"),
    State(ids.SLA_POLICY_UPLOAD, "filename"),
    State(ids.SLA_POLICY_REPLACE, "value"),
    prevent_initial_call=True,
)
def upload_policy(contents, file_name, replace):
    if not contents:
        raise dash.exceptions.PreventUpdate
    try:
        name = policies.save_upload(file_name, contents, replace=bool(replace))
    except data.DataError as exc:
        return (error_alert(str(exc), title=f"{file_name or 'The file'} was not saved"), dash.no_update,
                dash.no_update, dash.no_update)
    message = dbc.Alert(f"Policy {name!r} saved and selected.", color="success", dismissable=True,
                        className="py-1 px-2 small mt-2 policy-saved")
    options, _ = sla_choices(name)
    return message, {"name": name, "id": uuid.uuid4().hex}, options, name


remember_in_browser(ids.SLA_POLICY, ids.SLA_POLICY_REMEMBERED)


clientside_callback(
    """
    function(name) {
        var params = new URLSearchParams(window.location.search);
        if (name) { params.set("policy", name); } else { params.delete("policy"); }
        var text = params.toString();
        var search = text ? "?" + text : "";
        if (search !== window.location.search) {
            window.history.replaceState(window.history.state, "", window.location.pathname + search);
        }
        return search;
    }
    """,
    Output(ids.SLA_POLICY_URL, "data"),
    Input(ids.SLA_POLICY, "value"),
)


# -- the analyses -------------------------------------------------------------------------------------

def _scope(store, name):
    """(state, policy) for a section, or PreventUpdate when there is nothing to show (the summary says why)."""
    state = page.state_of(store)
    if not name:
        raise dash.exceptions.PreventUpdate
    return state, policies.load(name)


@callback(Output(ids.SLA_SUMMARY, "children"), Output(ids.SLA_SECTIONS, "style"),
          Input(ids.FILTER_STORE, "data"), Input(ids.SLA_POLICY, "value"))
def show_summary(store, name):
    state = page.state_of(store)
    hidden = {"display": "none"}
    if not name:
        return no_policy("Breach rates, resolution times and the at-risk queue"), hidden
    with page.errors() as problem:
        if data.n_cases(state) == 0:
            return no_cases("sla"), hidden
        policy = policies.load(name)
        rates = data.breach_rates(state, policy, "target")
        totals = overall_rates(rates)
        queue = data.at_risk(state, policy)
        times = data.resolution_times(state, policy)
        sla_row = times.summary[times.summary["measure"] == "sla"].iloc[0]
        counts = at_risk_count(queue)
        cards = [
            sla_kpi(rates, name),
            Kpi("first_response_breach_rate", "First-response breach rate", totals["first_response_breach_rate"],
                format_share(totals["first_response_breach_rate"]),
                f"{format_count(totals['first_response_breached'])} of {format_count(totals['first_response_cases'])} "
                "cases with a first-response target"),
            Kpi("sla_at_risk", "Open cases at risk", counts["at_risk"], format_count(counts["at_risk"]),
                f"breach probability ≥ {AT_RISK_THRESHOLD:.0%}, {format_count(counts['already_breached'])} already "
                f"breached; {format_count(counts['open_cases'])} open cases with a pending target"),
            Kpi("sla_median_clock", "Median SLA resolution", sla_row["km_median_s"],
                format_duration(sla_row["km_median_s"]), "SLA clock (business time, pauses stopped), Kaplan-Meier"),
            Kpi("fcr_rate", "First-contact resolution", times.fcr_rate, format_share(times.fcr_rate),
                "resolved cases with no escalation, transfer, wait for the customer or reopen"),
        ]
        as_of = f"{times.as_of:%Y-%m-%d %H:%M} UTC"
        return html.Div([kpi_row(cards), html.P(f"Clocks read at {as_of} (the log's last event); open cases count "
                                                "with the time they have run so far.", className="small text-muted")]), {}
    return problem.alert, hidden


@callback(Output(ids.SLA_RATES, "children"), Input(ids.FILTER_STORE, "data"), Input(ids.SLA_POLICY, "value"),
          Input(ids.SLA_BY, "value"), Input(ids.SLA_PERIOD, "value"), Input(ids.shown(ids.SLA_RATES), "data"))
def show_rates(store, name, by, period, in_view=True):
    page.require_shown(in_view)
    by, period = by or "target", period or "week"
    with page.errors() as problem:
        state, policy = _scope(store, name)
        if data.n_cases(state) == 0:
            return None
        rates = data.breach_rates(state, policy, by)
        trend = data.breach_rates(state, policy, period)
        shown = rates.copy()
        shown[by] = shown[by].astype("string").fillna("(none)")
        return html.Div([
            dbc.Row([
                dbc.Col(graph(ids.SLA_RATES_CHART, breach_rate_figure(rates, by), file_name=f"sla_breach_rate_by_{by}"),
                        lg=6),
                dbc.Col(graph(ids.SLA_TREND_CHART, breach_trend_figure(trend, period),
                              file_name=f"sla_breach_rate_per_{period}"), lg=6),
            ]),
            table_card(f"sla-rates-{by}", shown, title=f"Breach rates by {by}", height=300, columns=rate_columns(by),
                       file_name=f"{state.log}_sla_breach_rates_by_{by}.csv",
                       note="breach rate = (breached + open and already over target) / cases with that target; "
                            "'resolution breach rate resolved' counts resolved cases only."),
        ])
    return problem.alert


@callback(Output(ids.SLA_DRIVERS, "children"), Input(ids.FILTER_STORE, "data"), Input(ids.SLA_POLICY, "value"),
          Input(ids.SLA_DRIVERS_BY, "value"), Input(ids.SLA_DRIVERS_MILESTONE, "value"),
          Input(ids.shown(ids.SLA_DRIVERS), "data"))
def show_drivers(store, name, by, milestone, in_view=True):
    page.require_shown(in_view)
    by, milestone = by or "status", milestone or "resolution"
    with page.errors() as problem:
        state, policy = _scope(store, name)
        if data.n_cases(state) == 0:
            return None
        drivers = data.breach_drivers(state, policy, by, milestone)
        if drivers.empty or int(drivers["breached_cases"].sum()) == 0:
            return empty_state("No breach to explain", "No case in scope breached this target: nothing drives breaches.")
        columns = wrapped([c for c in DRIVER_COLUMNS if c["field"] in drivers.columns])
        return dbc.Row([
            dbc.Col(graph(ids.SLA_DRIVERS_CHART, drivers_figure(drivers, milestone), file_name=f"sla_drivers_by_{by}"),
                    lg=6),
            dbc.Col(table_card(f"sla-drivers-{by}", drivers, title=f"Breached vs met cases, by {by}", height=380,
                               columns=columns, file_name=f"{state.log}_sla_breach_drivers_by_{by}.csv",
                               note="Business time per case inside the SLA window; excess = breached mean - met mean. "
                                    "Paused statuses (waiting for the customer) do not count on the clock."), lg=6),
        ])
    return problem.alert


@callback(Output(ids.SLA_RESOLUTION, "children"), Input(ids.FILTER_STORE, "data"), Input(ids.SLA_POLICY, "value"),
          Input(ids.shown(ids.SLA_RESOLUTION), "data"))
def show_resolution(store, name, in_view=True):
    page.require_shown(in_view)
    with page.errors() as problem:
        state, policy = _scope(store, name)
        if data.n_cases(state) == 0:
            return None
        times = data.resolution_times(state, policy)
        cases = times.cases
        curves, medians = {}, {}
        for measure in ("calendar", "sla"):
            ok = cases[f"{measure}_s"].notna()
            curves[MEASURE_LABELS[measure]] = kaplan_meier(cases.loc[ok, f"{measure}_s"], cases.loc[ok, "resolved"])
            row = times.summary[times.summary["measure"] == measure]
            medians[MEASURE_LABELS[measure]] = float(row["km_median_s"].iloc[0]) if len(row) else None
        table = resolution_table(times.summary)
        milestone = resolution_text(resolution_activities(data.activities(state), policy))
        return html.Div([dbc.Row([
            dbc.Col(graph(ids.SLA_KM_CHART, km_figure(curves, medians), file_name="kaplan_meier_resolution"), lg=6),
            dbc.Col([
                html.P([f"A case is resolved at its first {milestone} after its last reopen. Kaplan-Meier counts open "
                        "cases as lasting at least until now (right-censored); the numbers over resolved cases only "
                        "(the naive ones, which /compare tests) are biased low while slow cases are still open. The "
                        "overview's median and p90 resolution are the Kaplan-Meier calendar-time numbers below."],
                       className="small text-muted mt-2"),
                html.P([html.Strong(f"First-contact resolution: {format_share(times.fcr_rate)}"),
                        " of resolved cases needed nothing beyond the first contact (no "
                        f"{', '.join(times.fcr_breakers[:6])}{'…' if len(times.fcr_breakers) > 6 else ''}, no reopen)."],
                       className="small fcr-line"),
            ], lg=6),
        ]), table_card("sla-resolution", table, title="Median and p90: Kaplan-Meier vs resolved cases only", height=190,
                       columns=RESOLUTION_COLUMNS, file_name=f"{state.log}_resolution_times.csv")])
    return problem.alert


@callback(Output(ids.SLA_REOPENS, "children"), Input(ids.FILTER_STORE, "data"), Input(ids.SLA_POLICY, "value"),
          Input(ids.shown(ids.SLA_REOPENS), "data"))
def show_reopens(store, name, in_view=True):
    page.require_shown(in_view)
    with page.errors() as problem:
        state, policy = _scope(store, name)
        if data.n_cases(state) == 0:
            return None
        report = data.reopens(state, policy)
        summary = report.summary.iloc[0].to_dict()
        rows = [html.Tr([html.Td(k), html.Td(v)]) for k, v in reopen_lines(summary)]
        return dbc.Row([
            dbc.Col(html.Table(rows, className="stat-table small reopen-table"), lg=6),
            dbc.Col(graph(ids.SLA_REOPENS_CHART, reopen_figure(report.cycles), file_name="reopens"), lg=6),
        ])
    return problem.alert


@callback(Output(ids.SLA_WAIT, "children"), Input(ids.FILTER_STORE, "data"), Input(ids.SLA_POLICY, "value"),
          Input(ids.shown(ids.SLA_WAIT), "data"))
def show_wait(store, name, in_view=True):
    page.require_shown(in_view)
    with page.errors() as problem:
        state, policy = _scope(store, name)
        if data.n_cases(state) == 0:
            return None
        return wait_block(state, name, policy, graph_id=ids.SLA_WAIT_CHART, grid_name="sla-wait")
    return problem.alert


@callback(Output(ids.SLA_AT_RISK, "children"), Input(ids.FILTER_STORE, "data"), Input(ids.SLA_POLICY, "value"),
          Input(ids.shown(ids.SLA_AT_RISK), "data"))
def show_at_risk(store, name, in_view=True):
    page.require_shown(in_view)
    with page.errors() as problem:
        state, policy = _scope(store, name)
        if data.n_cases(state) == 0:
            return None
        queue = data.at_risk(state, policy)
        if queue.empty:
            return empty_state("No open case with a pending SLA target",
                               "Every case in scope has reached its milestones (or has no target).")
        counts = at_risk_count(queue)
        table = at_risk_table(queue, to_query(state))
        return table_card("sla-at-risk", table, title=f"{len(queue):,} pending milestones of {counts['open_cases']:,} "
                                                    f"open cases; {counts['at_risk']:,} at risk",
                          columns=AT_RISK_COLUMNS, height=440, file_name=f"{state.log}_at_risk.csv", max_rows=AT_RISK_ROWS,
                          note="Probability: the share of similar past cases (same target and category, same status, "
                               "same share of the target used) that breached, shrunk towards broader groups when "
                               "few are similar. Click a case to open it.")
    return problem.alert


@callback(Output(ids.SLA_CALIBRATION, "children"), Input(ids.SLA_CALIBRATION_RUN, "n_clicks"),
          Input(ids.FILTER_STORE, "data"), Input(ids.SLA_POLICY, "value"))
def show_calibration(clicks, store, name):
    if not clicks:  # on request only; once asked, it follows the filters
        return None
    with page.errors() as problem:
        state, policy = _scope(store, name)
        if data.n_cases(state) == 0:
            return None
        cal = data.risk_calibration(state, policy, "resolution")
        rows = [html.Tr([html.Td(k), html.Td(v)]) for k, v in calibration_lines(cal.summary)]
        return dbc.Row([
            dbc.Col([html.P("The model is replayed at earlier moments of the log: fitted on what was known then, it "
                            "scored the open cases, which are compared with what happened to them.",
                            className="small text-muted"),
                     html.Table(rows, className="stat-table small calibration-table")], lg=5),
            dbc.Col(graph(ids.SLA_CALIBRATION_CHART, reliability_figure(cal.reliability), file_name="risk_calibration"),
                    lg=7),
        ])
    return problem.alert


# -- what SLA adds to other pages ------------------------------------------------------------------------

def _active():
    try:
        return policies.active()
    except data.DataError:
        return None


@extensions.kpi(order=30, key="sla_breach_rate")
def _sla_breach_card(state):
    active = _active()
    if active is None:
        return []
    name, policy = active
    return sla_kpi(data.breach_rates(state, policy, "target"), name)


@extensions.kpi(order=40, key="open_at_risk")
def _at_risk_card(state):
    active = _active()
    if active is None:
        return []
    name, policy = active
    counts = at_risk_count(data.at_risk(state, policy))
    detail = [f"breach probability ≥ {AT_RISK_THRESHOLD:.0%} ({format_count(counts['already_breached'])} already "
              f"breached) of {format_count(counts['open_cases'])} open · ", dcc.Link("see the queue", href="/sla#at-risk")]
    tone = "danger" if counts["at_risk"] else "success"
    return Kpi("open_at_risk", "Open cases at risk", counts["at_risk"], format_count(counts["at_risk"]), detail,
               tone=tone)


@extensions.section("bottlenecks", "Customer vs agent wait", order=10)
def _wait_section(state):
    active = _active()
    if active is None:
        return no_policy_note("Splitting waiting time into customer and agent wait")
    name, policy = active
    return wait_block(state, name, policy, graph_id=ids.BOTTLENECKS_WAIT_CHART, grid_name="bottlenecks-wait")


@extensions.warmer("sla", order=50)
def _warm(store):
    name = policies.resolve(None)
    if name is None:
        return
    show_summary(store, name)
    show_rates(store, name, "target", "week")
    show_drivers(store, name, "status", "resolution")
    show_resolution(store, name)
    show_reopens(store, name)
    show_wait(store, name)
    show_at_risk(store, name)
