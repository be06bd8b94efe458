"""/automation: which steps to automate next and why, how kinds of queries should be routed, which
fixed step sequences deserve a macro, and what automating a step would buy (what-if).

Everything follows the global filter; the SLA policy (default: the active one) adds the SLA
component to the scores and the business-time and breach-rate predictions. The what-if runs in the
gateway (``simulate_automation`` with a paired bootstrap), cached per scenario.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard import data, extensions, ids, policies
from dashboard.components import page
from dashboard.components.columns import wrapped
from dashboard.components.feedback import no_cases
from dashboard.components.graphs import graph
from dashboard.components.policy import (
    NO_POLICY,
    active_name,
    pick_in_browser,
    policy_choices,
    policy_store,
)
from dashboard.components.tables import PERCENT_FORMAT, SECONDS_FORMAT, empty_state, table_card
from dashboard.figures.automation import (
    headline,
    score_figure,
    triage_figure,
    whatif_figure,
    whatif_table,
)
from pipelines.mining.automation import COMPONENTS

dash.register_page(__name__, path="/automation", name="Automation", title="deskmine · automation", order=50)

NUMBER = {"function": "params.value == null ? '' : d3.format(',.3~f')(params.value)"}
HOURS = {"function": "params.value == null ? '' : d3.format(',.0f')(params.value) + ' h'"}
CANDIDATE_COLUMNS = [
    {"field": "rank", "type": "numericColumn", "minWidth": 100, "pinned": "left"},
    {"field": "activity", "minWidth": 180, "pinned": "left"},
    {"field": "category", "headerName": "category (or all)", "minWidth": 150},
    {"field": "score", "type": "numericColumn", "minWidth": 120, "valueFormatter": NUMBER},
    {"field": "hours_saved_per_month", "headerName": "agent hours / month", "type": "numericColumn", "minWidth": 160,
     "valueFormatter": HOURS},
    {"field": "wait_hours_saved_per_month", "headerName": "customer wait hours / month", "type": "numericColumn",
     "minWidth": 200, "valueFormatter": HOURS},
    {"field": "reasons", "headerName": "why", "flex": 1, "minWidth": 520, "tooltipField": "reasons",
     "wrapText": False},
    {"field": "cases_per_month", "headerName": "cases / month", "type": "numericColumn", "minWidth": 130,
     "valueFormatter": {"function": "params.value == null ? '' : d3.format(',.0f')(params.value)"}},
    {"field": "case_share", "headerName": "share of cases", "type": "numericColumn", "minWidth": 130,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "human_share", "headerName": "done by people", "type": "numericColumn", "minWidth": 130,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "waiting_median_s", "headerName": "median wait", "type": "numericColumn", "minWidth": 120,
     "valueFormatter": SECONDS_FORMAT},
    {"field": "processing_median_s", "headerName": "median work", "type": "numericColumn", "minWidth": 120,
     "valueFormatter": SECONDS_FORMAT},
    {"field": "next_activity", "headerName": "next step", "minWidth": 150},
    {"field": "next_share", "headerName": "next step share", "type": "numericColumn", "minWidth": 130,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "deflectable_share", "headerName": "self-serviceable", "type": "numericColumn", "minWidth": 140,
     "valueFormatter": PERCENT_FORMAT},
] + [{"field": f"score_{c}", "headerName": f"score: {c.replace('_', ' ')}", "type": "numericColumn",
      "minWidth": 130, "valueFormatter": NUMBER} for c in COMPONENTS]
TRIAGE_COLUMNS = [
    {"field": "category", "minWidth": 160, "pinned": "left"},
    {"field": "class", "minWidth": 150},
    {"field": "channel_label", "headerName": "recommended channel", "minWidth": 200},
    {"field": "cases", "type": "numericColumn", "minWidth": 90},
    {"field": "complexity", "minWidth": 110}, {"field": "severity", "minWidth": 100}, {"field": "effort", "minWidth": 90},
    {"field": "variants_per_case", "headerName": "variants / case", "type": "numericColumn", "minWidth": 130,
     "valueFormatter": NUMBER},
    {"field": "handoffs_per_case", "headerName": "hand-offs / case", "type": "numericColumn", "minWidth": 130,
     "valueFormatter": NUMBER},
    {"field": "escalation_rate", "headerName": "escalations", "type": "numericColumn", "minWidth": 120,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "high_priority_share", "headerName": "high priority", "type": "numericColumn", "minWidth": 120,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "breach_rate", "headerName": "breach rate", "type": "numericColumn", "minWidth": 120,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "customer_wait_s", "headerName": "customer wait", "type": "numericColumn", "minWidth": 130,
     "valueFormatter": SECONDS_FORMAT},
    {"field": "reopen_rate", "headerName": "reopens", "type": "numericColumn", "minWidth": 110,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "touches_per_case", "headerName": "touches / case", "type": "numericColumn", "minWidth": 130,
     "valueFormatter": NUMBER},
]
MACRO_COLUMNS = [
    {"field": "steps", "headerName": "sequence", "flex": 1, "minWidth": 420, "tooltipField": "steps", "pinned": "left"},
    {"field": "length", "headerName": "steps", "type": "numericColumn", "minWidth": 90},
    {"field": "occurrences", "type": "numericColumn", "minWidth": 120},
    {"field": "cases", "type": "numericColumn", "minWidth": 90},
    {"field": "case_share", "headerName": "share of cases", "type": "numericColumn", "minWidth": 130,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "resources", "headerName": "people", "type": "numericColumn", "minWidth": 90},
    {"field": "median_span_s", "headerName": "median span", "type": "numericColumn", "minWidth": 120,
     "valueFormatter": SECONDS_FORMAT},
    {"field": "hours_per_month", "headerName": "hours / month", "type": "numericColumn", "minWidth": 130,
     "valueFormatter": HOURS},
    {"field": "steps_saved_per_month", "headerName": "clicks saved / month", "type": "numericColumn",
     "minWidth": 160, "valueFormatter": {"function": "params.value == null ? '' : d3.format(',.0f')(params.value)"}},
]
WHATIF_COLUMNS = [
    {"field": "measure", "minWidth": 230, "pinned": "left"},
    {"field": "baseline", "minWidth": 100}, {"field": "predicted", "minWidth": 110},
    {"field": "predicted interval", "minWidth": 160}, {"field": "change", "minWidth": 100},
    {"field": "change interval", "minWidth": 170}, {"field": "relative change", "minWidth": 110},
]
MODES = [{"label": "done by a bot", "value": "bot"}, {"label": "removed", "value": "remove"},
         {"label": "self-service (bot serves the customer at once)", "value": "self_service"}]


def _field(label: str, control, **col) -> dbc.Col:
    return dbc.Col([html.Label(label, className="form-label small text-muted mb-0"), control], className="mb-2", **col)


def layout(policy: str | None = None, levels: str | None = None, **_query):
    levels_value = 3 if str(levels) in ("3", "27") else 2
    policy_options, policy_value = policy_choices(None, policy, "no policy")
    whatif_form = dbc.Card(dbc.CardBody([
        dbc.Row([
            _field("Steps to automate", dcc.Dropdown(id=ids.AUTOMATION_WHATIF_ACTIVITY, options=[], value=[], multi=True,
                                                     placeholder="pick one or more activities"), md=5),
            _field("How", dbc.RadioItems(id=ids.AUTOMATION_WHATIF_MODE, options=MODES, value="bot"), md=3),
            _field("Bot latency (seconds)", dbc.Input(id=ids.AUTOMATION_WHATIF_LATENCY, type="number", min=0, step=1,
                                                      value=30, size="sm"), md=2),
            dbc.Col(html.Button("Predict", id=ids.AUTOMATION_WHATIF_RUN, n_clicks=0, className="btn btn-primary mt-3"),
                    md=2),
        ], className="align-items-end"),
        html.P("The cases in the filter are replayed with the steps automated: later events keep their working-time "
               "gaps, SLA clocks are recomputed, and a paired bootstrap (200 resamples) gives the intervals. The SLA "
               "policy chosen above decides the calendars and targets.", className="small text-muted mb-0"),
    ]), className="mb-2")
    return page.frame(
        "Automation", "Which steps to automate next and why, how each kind of query should be handled, which "
                      "step sequences deserve a macro, and what an automation would buy (filters above apply).",
        policy_store(),
        dcc.Store(id=ids.AUTOMATION_POLICY_PARAM, data=policy),
        dbc.Row([_field("SLA policy (adds the SLA part of the score and SLA predictions)",
                        dcc.Dropdown(id=ids.AUTOMATION_POLICY, options=policy_options, value=policy_value, clearable=False), md=4)]),
        html.H4("Candidates", className="mt-2"),
        page.loading(html.Div(page.reserved(600), id=ids.AUTOMATION_CANDIDATES)),
        html.H4("Triage matrix", className="mt-4"),
        dbc.RadioItems(id=ids.AUTOMATION_LEVELS, value=levels_value, inline=True, className="mb-2", options=[
            {"label": "8 classes (low / high)", "value": 2}, {"label": "27 classes (low / medium / high)", "value": 3}]),
        page.deferred(ids.AUTOMATION_TRIAGE),
        html.H4("Macro candidates", className="mt-4"),
        page.deferred(ids.AUTOMATION_MACROS),
        html.H4("What if: predict the effect of automating a step", className="mt-4"),
        whatif_form,
        page.loading(html.Div(id=ids.AUTOMATION_WHATIF)),
    )


pick_in_browser(ids.AUTOMATION_POLICY, ids.AUTOMATION_POLICY_PARAM)  # the session's policy when the URL names none


def _policy(name):
    return policies.load(name) if name and name != NO_POLICY else None


@callback(Output(ids.AUTOMATION_CANDIDATES, "children"), Output(ids.AUTOMATION_WHATIF_ACTIVITY, "options"),
          Output(ids.AUTOMATION_WHATIF_ACTIVITY, "value"),
          Input(ids.FILTER_STORE, "data"), Input(ids.AUTOMATION_POLICY, "value"),
          State(ids.AUTOMATION_WHATIF_ACTIVITY, "value"))
def show_candidates(store, name, chosen):
    state = page.state_of(store)
    if name is None:
        raise dash.exceptions.PreventUpdate
    with page.errors() as problem:
        if data.n_cases(state) == 0:
            return no_cases("automation"), [], []
        candidates = data.automation_candidates(state, _policy(name))
        activities = data.activities(state)
        options = [{"label": a, "value": a} for a in activities]
        value = [a for a in (chosen or []) if a in activities]
        if not value and len(candidates):
            value = [str(candidates.sort_values("score", ascending=False, kind="stable").iloc[0]["activity"])]
        if candidates.empty:
            return empty_state("No automation candidate", "No activity is in at least 1% of the cases in scope."), \
                options, value
        shown = candidates.copy()
        shown["category"] = shown["category"].astype("object").where(shown["category"].notna(), "(all)")
        total = candidates.loc[candidates["level"] == "activity", "hours_saved_per_month"].head(5).sum()
        return html.Div([
            html.P([html.Strong(headline(candidates)),
                    f" The five best activities together: about {total:,.0f} agent hours a month (a bot taking over "
                    "their handling). Scores are on an absolute 0..1 scale: see the components below."],
                   className="small automation-headline"),
            graph(ids.AUTOMATION_SCORE_CHART, score_figure(candidates), file_name="automation_scores"),
            table_card("automation-candidates", shown, title=f"{int(candidates['rank'].max())} activities ranked "
                                                             f"({len(candidates)} rows with per-category ones)",
                       columns=wrapped(CANDIDATE_COLUMNS), height=420, file_name=f"{state.log}_automation_candidates.csv",
                       note="Category rows score an activity within one category; they share their activity's rank. "
                            "Agent hours: human steps per month x median handling; customer wait hours: the waiting "
                            "a bot acting at once removes."),
        ]), options, value
    return problem.alert, [], []


@callback(Output(ids.AUTOMATION_TRIAGE, "children"), Input(ids.FILTER_STORE, "data"),
          Input(ids.AUTOMATION_POLICY, "value"), Input(ids.AUTOMATION_LEVELS, "value"),
          Input(ids.shown(ids.AUTOMATION_TRIAGE), "data"))
def show_triage(store, name, levels, in_view=True):
    page.require_shown(in_view)
    state = page.state_of(store)
    if name is None:
        raise dash.exceptions.PreventUpdate
    levels = int(levels or 2)
    with page.errors() as problem:
        if data.n_cases(state) == 0:
            return None
        tm = data.triage(state, levels, _policy(name))
        return html.Div([
            graph(ids.AUTOMATION_TRIAGE_CHART, triage_figure(tm.matrix, levels), file_name=f"triage_{levels ** 3}"),
            table_card(f"automation-triage-{levels}", tm.categories, title="Kinds of query and their class",
                       columns=wrapped(TRIAGE_COLUMNS), height=300, file_name=f"{state.log}_triage_{levels ** 3}.csv",
                       note="Complexity (variants, hand-offs, escalations), severity (high priority, breaches) and "
                            "effort (customer wait, reopens, touches) per category, with the default thresholds; the "
                            "class decides the channel."),
        ])
    return problem.alert


@callback(Output(ids.AUTOMATION_MACROS, "children"), Input(ids.FILTER_STORE, "data"),
          Input(ids.shown(ids.AUTOMATION_MACROS), "data"))
def show_macros(store, in_view=True):
    page.require_shown(in_view)
    state = page.state_of(store)
    with page.errors() as problem:
        if data.n_cases(state) == 0:
            return None
        macros = data.macros(state)
        if macros.empty:
            return empty_state("No macro candidate", "No sequence of steps is done back to back by one person in at "
                                                     "least 5 cases.")
        shown = macros.copy()
        shown["steps"] = [" → ".join(s) for s in shown["sequence"]]
        shown = shown.drop(columns=["sequence"])
        return table_card("automation-macros", shown, title=f"{len(macros)} sequences done back to back by one person",
                          columns=wrapped(MACRO_COLUMNS), height=340, file_name=f"{state.log}_macro_candidates.csv",
                          note="Steps by the same person, each within 5 minutes of the previous one: one click could "
                               "do them all (a helpdesk 'scenario' or macro).")
    return problem.alert


@callback(Output(ids.AUTOMATION_WHATIF, "children"), Input(ids.AUTOMATION_WHATIF_RUN, "n_clicks"),
          Input(ids.FILTER_STORE, "data"), Input(ids.AUTOMATION_POLICY, "value"),
          State(ids.AUTOMATION_WHATIF_ACTIVITY, "value"), State(ids.AUTOMATION_WHATIF_MODE, "value"),
          State(ids.AUTOMATION_WHATIF_LATENCY, "value"))
def show_whatif(n_clicks, store, name, activities, mode, latency):
    state = page.state_of(store)
    if not n_clicks:
        return html.P("Pick the steps and how they are automated, then Predict.", className="small text-muted")
    if not activities:
        return empty_state("Pick a step to automate", "Choose one or more activities above.")
    try:
        latency_s = float(latency if latency not in (None, "") else 30)
    except (TypeError, ValueError):
        latency_s = -1.0
    if latency_s < 0:
        return empty_state("Bot latency must be a number of seconds, 0 or more", "For example 30.")
    with page.errors("The prediction could not be computed") as problem:
        if data.n_cases(state) == 0:
            return no_cases("automation")
        result = data.whatif(state, tuple(activities), mode=mode or "bot", bot_latency_s=latency_s,
                             policy=_policy(name))
        table = whatif_table(result.summary)
        scenario = "; ".join(a.describe() for a in result.automations)
        return html.Div([
            html.P([html.Strong("Scenario: "), scenario, f" · {len(result.cases):,} cases replayed."],
                   className="small whatif-scenario"),
            dbc.Row([
                dbc.Col(graph(ids.AUTOMATION_WHATIF_CHART, whatif_figure(result.cases, result.summary, "calendar"),
                              file_name="whatif_resolution"), lg=6),
                dbc.Col(table_card("automation-whatif", table, title="Predicted effect (95% bootstrap intervals)",
                                   height=520, columns=wrapped(WHATIF_COLUMNS), file_name=f"{state.log}_whatif.csv"),
                        lg=6),
            ]),
            html.Ul([html.Li(n) for n in result.notes[1:]], className="small text-muted"),
        ])
    return problem.alert


@extensions.warmer("automation", order=60)
def _warm(store):
    name = active_name(None) or NO_POLICY  # the layout's default (no URL, no session)
    show_candidates(store, name, [])
    show_triage(store, name, 2)
    show_macros(store)
