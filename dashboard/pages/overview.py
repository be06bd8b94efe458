"""/: the overview: KPI cards of the filtered log and their trends by week or month.

Cards come from providers registered in :mod:`dashboard.extensions` (this module registers the
built-in ones; /sla adds "SLA breach rate" and "Open cases at risk" when a policy is active).

Resolution means the same on every page (:mod:`pipelines.mining.definitions`): a case is resolved
at its first resolution milestone after its last reopen (the active SLA policy's ``resolved`` and
``closed`` activities, the one chosen on /sla, else the first policy; without a policy, the
activities recognised by name). The median and p90 are Kaplan-Meier estimates on calendar time with
open cases right-censored (``get_resolution_times(log, policy).summary``), exactly what /sla shows;
/compare tests the same resolution instants over resolved cases only, and says so. The case
duration (first to last event) is not shown: on logs with a late automatic close it is another
number.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard import data, extensions, ids, policies
from dashboard.components import page
from dashboard.components.cards import kpi_row
from dashboard.components.feedback import no_cases
from dashboard.components.graphs import graph
from dashboard.components.policy import policy_store
from dashboard.figures.common import format_count, format_share
from dashboard.figures.kpis import Kpi, reopen_kpi
from dashboard.figures.sla import (
    resolution_kpis,
    resolution_text,
    resolution_trend_figure,
)
from dashboard.figures.trends import volume_figure
from pipelines.mining.definitions import resolution_activities

dash.register_page(__name__, path="/", name="Overview", title="deskmine · overview", order=0)


def _active_policy():
    """(name, policy) in effect for this request, or (None, None)."""
    try:
        active = policies.active()
    except data.DataError:
        active = None
    return active if active is not None else (None, None)


@extensions.kpi(order=10, key="cases")
def _case_kpis(state) -> list[Kpi]:
    kpis = data.kpis(state)
    _, policy = _active_policy()
    times = data.resolution_times(state, policy)
    cases, closed, open_ = kpis["cases"], kpis["closed_cases"], kpis["open_cases"]
    open_share = open_ / cases if cases else None
    milestones = resolution_activities(data.activities(state), policy)
    median, p90 = resolution_kpis(times.summary, resolved_by=resolution_text(milestones))
    return [
        Kpi("cases", "Cases", cases, format_count(cases), f"{closed:,} closed"),
        median, p90,
        Kpi("open_cases", "Open cases", open_, format_count(open_),
            f"{format_share(open_share)} of cases, still running" if open_share is not None else "no cases",
            tone="warning" if open_share and open_share > 0.1 else "secondary"),
    ]


@extensions.kpi(order=60, key="reopen")
def _reopen_kpi(state) -> Kpi:
    name, policy = _active_policy()
    if policy is not None and policy.milestones.reopened:
        summary = data.reopens(state, policy).summary.iloc[0]
        value = float(summary["reopen_rate"])
        activity = " or ".join(f"'{a}'" for a in policy.milestones.reopened)
        return Kpi("reopen_rate", "Reopen rate", value, format_share(value),
                   f"{int(summary['reopened_cases']):,} cases with {activity} (policy {name}); "
                   f"{format_share(summary['real_reopen_rate'])} without thank-you reopens",
                   tone="danger" if value >= 0.15 else "warning" if value >= 0.05 else "success")
    return reopen_kpi(data.dfg(state).activities, data.rework(state), data.n_cases(state))


def layout(**_query):
    return page.frame(
        "Overview", "How many cases, how fast they resolve, and how that moves over time (filters above apply).",
        policy_store(),
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
          Input(ids.FILTER_STORE, "data"), Input(ids.POLICY_STORE, "data"))
def show_kpis(store, policy_name):
    state = page.state_of(store)
    with page.errors() as problem, policies.selected(policy_name):
        if data.n_cases(state) == 0:
            return no_cases("overview"), None
        return kpi_row(kpis_for(state)), page.sections("overview", state)
    return problem.alert, None


@callback(Output(ids.OVERVIEW_TRENDS, "children"), Input(ids.FILTER_STORE, "data"), Input(ids.OVERVIEW_FREQ, "value"),
          Input(ids.POLICY_STORE, "data"))
def show_trends(store, freq, policy_name):
    state = page.state_of(store)
    with page.errors() as problem, policies.selected(policy_name):
        if data.n_cases(state) == 0:
            return None
        period = freq or "week"
        trend = data.kpi_trend(state, period)
        _, policy = _active_policy()
        times = data.resolution_times(state, policy)
        by_period = times.by_week if period == "week" else times.by_month
        return dbc.Row([
            dbc.Col(graph(ids.OVERVIEW_VOLUME, volume_figure(trend, period), file_name="cases_per_period"), lg=6),
            dbc.Col(graph(ids.OVERVIEW_RESOLUTION, resolution_trend_figure(by_period, period),
                          file_name="resolution_per_period"), lg=6),
        ])
    return problem.alert


@extensions.warmer("overview", order=10)
def _warm(store):
    show_kpis(store, None)
    show_trends(store, "week", None)
