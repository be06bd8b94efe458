"""/compare: did a change move the KPIs? Two logs (before / after) or one log split at a date.

``compare`` (bootstrap CIs, corrected p-values, mix adjustment, segments, map delta, variant
shift; see :mod:`pipelines.mining.compare`) runs in the gateway, cached on both sides' filter
states, the policy, the split and the settings, with a spinner meanwhile: the KPI tables first,
the forest chart, the segments and the map delta when their sections are scrolled to.
The global filter applies to both sides (a variant filter is left out: variant ids belong to one
log). URL: ``/compare?mode=logs&before=before&after=after&policy=sla_policy`` or
``/compare?mode=split&before=helpdesk&split=2024-03-01`` (``policy=none``: no SLA KPIs).
"""

from __future__ import annotations

import json

import dash
import dash_bootstrap_components as dbc
import dash_cytoscape as cyto
import pandas as pd
from dash import Input, Output, State, callback, clientside_callback, dcc, html

from dashboard import data, extensions, ids, policies
from dashboard.components import page
from dashboard.components.columns import wrapped
from dashboard.components.feedback import error_alert, no_cases
from dashboard.components.graphs import graph
from dashboard.components.policy import (
    NO_POLICY,
    active_name,
    pick_in_browser,
    policy_choices,
    policy_store,
)
from dashboard.components.tables import PERCENT_FORMAT, SECONDS_FORMAT, empty_state, table_card
from dashboard.figures.compare import (
    delta_elements,
    delta_legend,
    delta_stylesheet,
    forest_figure,
    forest_height,
    kpi_rows,
    side_text,
)
from dashboard.figures.process_map import LAYOUT
from dashboard.state import FilterState
from pipelines.mining.filters import Filter, Variants

dash.register_page(__name__, path="/compare", name="Compare", title="deskmine · compare", order=60)

DIMENSIONS = [{"label": d, "value": d} for d in ("category", "channel", "priority", "team")]
BOOT_OPTIONS = [{"label": f"{n:,} resamples", "value": n} for n in (500, 1000, 2000)]
VALUE_BY_UNIT = {"function": (
    "params.value == null ? '' : params.data.unit === 's' ? deskmineDuration(params.value) : "
    "params.data.unit === 'share' ? d3.format('.1%')(params.value) : d3.format(',.2f')(params.value)")}
DELTA_BY_UNIT = {"function": (
    "params.value == null ? '' : params.data.unit === 's' ? (params.value > 0 ? '+' : '') + "
    "deskmineDuration(params.value) : params.data.unit === 'share' ? d3.format('+.1f')(100 * params.value) + ' pp' "
    ": d3.format('+,.2f')(params.value)")}
P_FORMAT = {"function": "params.value == null ? '' : params.value < 0.001 ? '<0.001' : d3.format('.3f')(params.value)"}
PP_FORMAT = {"function": "params.value == null ? '' : d3.format('+.1f')(100 * params.value) + ' pp'"}
SEGMENT_COLUMNS = [
    {"field": "dimension", "minWidth": 110, "pinned": "left"},
    {"field": "segment", "minWidth": 150, "pinned": "left"},
    {"field": "label", "headerName": "KPI", "minWidth": 230},
    {"field": "before", "type": "numericColumn", "minWidth": 110, "valueFormatter": VALUE_BY_UNIT},
    {"field": "after", "type": "numericColumn", "minWidth": 110, "valueFormatter": VALUE_BY_UNIT},
    {"field": "delta", "headerName": "change", "type": "numericColumn", "minWidth": 120, "valueFormatter": DELTA_BY_UNIT},
    {"field": "ci_low", "headerName": "CI low", "type": "numericColumn", "minWidth": 110, "valueFormatter": DELTA_BY_UNIT},
    {"field": "ci_high", "headerName": "CI high", "type": "numericColumn", "minWidth": 110,
     "valueFormatter": DELTA_BY_UNIT},
    {"field": "p_adjusted", "headerName": "p (adjusted)", "type": "numericColumn", "minWidth": 120,
     "valueFormatter": P_FORMAT},
    {"field": "significant", "minWidth": 110},
    {"field": "effect_size", "headerName": "effect size", "type": "numericColumn", "minWidth": 120,
     "valueFormatter": {"function": "params.value == null ? '' : d3.format('+.2f')(params.value)"}},
    {"field": "n_before", "headerName": "cases before", "type": "numericColumn", "minWidth": 120},
    {"field": "n_after", "headerName": "cases after", "type": "numericColumn", "minWidth": 110},
    {"field": "unit", "hide": True},
    {"field": "kpi", "hide": True},
]
VARIANT_COLUMNS = [
    {"field": "status", "minWidth": 100, "pinned": "left"},
    {"field": "share_before", "headerName": "share before", "type": "numericColumn", "minWidth": 120,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "share_after", "headerName": "share after", "type": "numericColumn", "minWidth": 120,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "delta", "headerName": "change", "type": "numericColumn", "minWidth": 110, "valueFormatter": PP_FORMAT},
    {"field": "p_adjusted", "headerName": "p (adjusted)", "type": "numericColumn", "minWidth": 120,
     "valueFormatter": P_FORMAT},
    {"field": "cases_before", "headerName": "cases before", "type": "numericColumn", "minWidth": 120},
    {"field": "cases_after", "headerName": "cases after", "type": "numericColumn", "minWidth": 110},
    {"field": "n_events", "headerName": "events", "type": "numericColumn", "minWidth": 90},
    {"field": "variant", "headerName": "activities", "flex": 1, "minWidth": 420, "tooltipField": "variant"},
]
EDGE_COLUMNS = [
    {"field": "edge_id", "headerName": "path", "minWidth": 280, "pinned": "left"},
    {"field": "status", "minWidth": 90},
    {"field": "share_before", "headerName": "cases before", "type": "numericColumn", "minWidth": 120,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "share_after", "headerName": "cases after", "type": "numericColumn", "minWidth": 120,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "p_adjusted", "headerName": "p (adjusted)", "type": "numericColumn", "minWidth": 120,
     "valueFormatter": P_FORMAT},
    {"field": "time_status", "headerName": "timing", "minWidth": 100},
    {"field": "median_s_before", "headerName": "median before", "type": "numericColumn", "minWidth": 130,
     "valueFormatter": SECONDS_FORMAT},
    {"field": "median_s_after", "headerName": "median after", "type": "numericColumn", "minWidth": 130,
     "valueFormatter": SECONDS_FORMAT},
    {"field": "time_p_adjusted", "headerName": "timing p (adjusted)", "type": "numericColumn", "minWidth": 150,
     "valueFormatter": P_FORMAT},
]
SHOWN_ROWS = 200
"""Rows of the variant-shift table sent to the browser (biggest movers first; the export has all)."""
VERDICT_COLOURS = {"better": "success", "worse": "danger", "changed": "primary", "no change": "secondary"}


def _field(label: str, control, **col) -> dbc.Col:
    return dbc.Col([html.Label(label, className="form-label small text-muted mb-0"), control], className="mb-2", **col)


def _defaults(mode, before, after, split):
    """Controls' initial values: the URL's, else before/after logs when there are such logs."""
    try:
        names = data.log_names()
    except data.DataError:
        names = []
    if before not in names:
        before = "before" if "before" in names else (names[0] if names else None)
    if after not in names:
        rest = [n for n in names if n != before]
        after = "after" if "after" in rest else (rest[0] if rest else None)
    if mode not in ("logs", "split"):
        mode = "logs" if after else "split"
    if not split and before:
        try:
            opts = data.options(before)
            if opts["start"] is not None:
                split = (opts["start"] + (opts["end"] - opts["start"]) / 2).strftime("%Y-%m-%d")
        except data.DataError:
            split = None
    return names, mode, before, after, split


def layout(mode: str | None = None, before: str | None = None, after: str | None = None, split: str | None = None,
           policy: str | None = None, **_query):
    names, mode, before, after, split = _defaults(mode, before, after, split)
    if not names:
        return page.frame("Compare", "Before and after a change.",
                          empty_state("No logs in the warehouse yet", "Load logs on the Data page first."))
    log_options = [{"label": n, "value": n} for n in names]
    policy_options, policy_value = policy_choices(None, policy, "no policy (no SLA KPIs)")
    controls = dbc.Card(dbc.CardBody([
        dbc.RadioItems(id=ids.COMPARE_MODE, value=mode, inline=True, className="mb-2", options=[
            {"label": "Two logs: before and after", "value": "logs"},
            {"label": "One log, split at a date", "value": "split"}]),
        dbc.Row([
            _field("Before (or the log to split)", dcc.Dropdown(id=ids.COMPARE_BEFORE, options=log_options, value=before,
                                                                clearable=False), md=3),
            _field("After", dcc.Dropdown(id=ids.COMPARE_AFTER, options=log_options, value=after, clearable=False),
                   md=3, id=ids.COMPARE_AFTER_FIELD),
            _field("Split date (cases started before / from it)",
                   dcc.DatePickerSingle(id=ids.COMPARE_SPLIT, date=split, display_format="YYYY-MM-DD",
                                        first_day_of_week=1), md=3, id=ids.COMPARE_SPLIT_FIELD),
            _field("SLA policy", dcc.Dropdown(id=ids.COMPARE_POLICY, options=policy_options, value=policy_value, clearable=False), md=2),
            dbc.Col(html.Button("Compare", id=ids.COMPARE_RUN, n_clicks=0, className="btn btn-primary mt-3"), md=1),
        ], className="align-items-end"),
        dbc.Row([
            _field("Segments by", dbc.Checklist(id=ids.COMPARE_BY, options=DIMENSIONS,
                                                value=["category", "channel", "team"], inline=True), md=5),
            _field("Bootstrap", dcc.Dropdown(id=ids.COMPARE_BOOT, options=BOOT_OPTIONS, value=1000, clearable=False),
                   md=2),
            dbc.Col(html.P("The global filter above applies to both sides (a variant filter is left out). Confidence "
                           "intervals are percentile bootstrap intervals; p-values are corrected per table (Holm).",
                           className="small text-muted mb-0"), md=5),
        ], className="align-items-end"),
    ]), className="mb-3")
    spinner = html.Div([dbc.Spinner(size="sm", color="primary"),
                        html.Span(" Comparing: bootstrap resamples of both sides take a few seconds…", className="ms-2")],
                       className="d-flex align-items-center justify-content-center p-4 bg-white border rounded")
    return page.frame(
        "Compare", "Before and after a change (an automation, a new routing rule): which KPIs moved, with confidence "
                   "intervals, whether a different ticket mix explains it, where, and how the process map changed.",
        policy_store(),
        dcc.Store(id=ids.COMPARE_POLICY_PARAM, data=policy),
        dcc.Store(id=ids.COMPARE_KEY),
        dcc.Store(id=ids.COMPARE_URL),
        controls,
        dcc.Loading(html.Div(id=ids.COMPARE_RESULT, className="compare-result"), custom_spinner=spinner,
                    delay_show=200, overlay_style={"visibility": "visible", "opacity": 0.35}),
    )


@callback(Output(ids.COMPARE_AFTER_FIELD, "style"), Output(ids.COMPARE_SPLIT_FIELD, "style"), Input(ids.COMPARE_MODE, "value"))
def toggle_mode(mode):
    hidden = {"display": "none"}
    return (None, hidden) if mode == "logs" else (hidden, None)


pick_in_browser(ids.COMPARE_POLICY, ids.COMPARE_POLICY_PARAM)  # the session's policy when the URL names none


def compare_filter(state: FilterState) -> Filter:
    """The global filter without its variant clauses (variant ids belong to one log)."""
    return Filter(tuple(c for c in state.filter if not isinstance(c, Variants)))


def request_of(store, mode, before, after, split, policy, by, boot) -> dict:
    """What to compare, as a JSON-able dict (kept in ``ids.COMPARE_KEY`` for the exports and the URL)."""
    state = FilterState.from_store(store)
    flt = compare_filter(state)
    return {"mode": mode, "before": before, "after": after if mode == "logs" else None,
            "split": (split or "")[:10] or None if mode == "split" else None,
            "policy": policy if policy and policy != NO_POLICY else None,
            "by": sorted(by or []), "n_boot": int(boot or 1000), "filter": flt.to_dict(),
            "dropped_variants": len(flt) != len(state.filter)}


def _result(req: dict):
    """The (cached) ComparisonResult of a request."""
    flt = Filter.from_dict(req["filter"])
    before = FilterState(req["before"], flt)
    after = FilterState(req["after"], flt) if req["mode"] == "logs" else None
    policy = policies.load(req["policy"]) if req["policy"] else None
    return data.comparison(before, after, policy=policy, split_date=req["split"], by=tuple(req["by"]),
                           n_boot=req["n_boot"])


@callback(
    Output(ids.COMPARE_RESULT, "children"),
    Output(ids.COMPARE_KEY, "data"),
    Input(ids.COMPARE_RUN, "n_clicks"),
    Input(ids.FILTER_STORE, "data"),
    Input(ids.COMPARE_POLICY, "value"),
    State(ids.COMPARE_MODE, "value"),
    State(ids.COMPARE_BEFORE, "value"),
    State(ids.COMPARE_AFTER, "value"),
    State(ids.COMPARE_SPLIT, "date"),
    State(ids.COMPARE_BY, "value"),
    State(ids.COMPARE_BOOT, "value"),
)
def run(_n, store, policy, mode, before, after, split, by, boot):
    if not store or policy is None:
        raise dash.exceptions.PreventUpdate
    req = request_of(store, mode, before, after, split, policy, by, boot)
    if not req["before"] or (mode == "logs" and not req["after"]):
        return empty_state("Pick what to compare", "Choose two logs, or one log and a split date."), None
    if mode == "logs" and req["before"] == req["after"]:
        return empty_state("Pick two different logs", "Or compare one log with itself split at a date."), None
    if mode == "split" and not req["split"]:
        return empty_state("Pick a split date", "Cases started before it are 'before', the others 'after'."), None
    with page.errors("The comparison could not be computed") as problem:
        for side in filter(None, (req["before"], req["after"])):
            if data.n_cases(FilterState(side, Filter.from_dict(req["filter"]))) == 0:
                return no_cases("compare"), None
        return result_view(_result(req), req), req
    return problem.alert, None


def kpi_table(rows: pd.DataFrame) -> html.Table:
    """The KPI table: raw and mix-adjusted side by side (each ``tr`` carries ``data-kpi``)."""
    def verdict_badge(text: str):
        return dbc.Badge(text, color=VERDICT_COLOURS.get(text, "light"), className="verdict",
                         text_color="dark" if text not in VERDICT_COLOURS else None)

    head = html.Thead([
        html.Tr([html.Th(""), html.Th("raw", colSpan=6, className="text-center border-end"),
                 html.Th("mix-adjusted (category × priority)", colSpan=6, className="text-center")]),
        html.Tr([html.Th("KPI")] + [html.Th(h) for h in ("before", "after", "change", "95% CI", "p adj.")]
                + [html.Th("", className="border-end")]
                + [html.Th(h) for h in ("before", "after", "change", "95% CI", "p adj.", "")]),
    ])
    body = []
    for r in rows.to_dict(orient="records"):
        body.append(html.Tr([
            html.Td(r["label"], title=r["test"]),
            html.Td(r["before"]), html.Td(r["after"]), html.Td(r["delta"], className="fw-semibold"),
            html.Td(r["ci"], className="text-muted"), html.Td(r["p"]),
            html.Td(verdict_badge(r["verdict"]), className="border-end"),
            html.Td(r["adj_before"]), html.Td(r["adj_after"]), html.Td(r["adj_delta"], className="fw-semibold"),
            html.Td(r["adj_ci"], className="text-muted"), html.Td(r["adj_p"]),
            html.Td(verdict_badge(r["adj_verdict"]) if r["adj_verdict"] != "—" else "—"),
        ], **{"data-kpi": r["kpi"], "data-verdict": r["verdict"], "data-adjusted-verdict": r["adj_verdict"]}))
    return html.Table([head, html.Tbody(body)], id=ids.COMPARE_KPIS,
                      className="table table-sm table-hover small compare-kpis bg-white")


def result_view(result, req: dict) -> html.Div:
    notes = list(result.notes)
    if req.get("dropped_variants"):
        notes.append("the variant filter of the filter bar is not applied here (variant ids belong to one log)")
    rows = kpi_rows(result.kpis, result.adjusted)
    changed = int(result.kpis["significant"].sum())
    exports = html.Div([
        html.Button("Export JSON", id=ids.COMPARE_JSON, n_clicks=0, className="btn btn-outline-secondary btn-sm"),
        html.Button("Export KPI table (CSV)", id=ids.COMPARE_CSV, n_clicks=0,
                    className="btn btn-outline-secondary btn-sm"),
        dcc.Download(id=ids.COMPARE_JSON_DOWNLOAD), dcc.Download(id=ids.COMPARE_CSV_DOWNLOAD),
    ], className="d-flex gap-2")
    return html.Div([
        html.Div([html.Div(side_text(result.before), className="small compare-side"),
                  html.Div(side_text(result.after), className="small compare-side"),
                  html.Div(f"{result.settings['ci']}; {changed} of {len(result.kpis)} KPIs changed significantly.",
                           className="small text-muted")], className="mb-2"),
        dbc.Alert([html.Div(n) for n in notes], color="info", className="py-1 small") if notes else None,
        html.Div([html.H4("KPIs", className="mb-0 me-3"), exports], className="d-flex align-items-center mb-2"),
        html.Div(kpi_table(rows), className="table-responsive"),
        html.P("Mix-adjusted: each side re-weighted to the same category × priority mix (direct standardisation), so a "
               "change that survives adjustment is not explained by a different ticket mix. Resolution times here are "
               "over resolved cases (each case needs a value for the tests); the overview and SLA pages show "
               "Kaplan-Meier estimates, which also count the cases still open. Hover a KPI for its test.",
               className="small text-muted"),
        page.deferred(ids.COMPARE_FOREST_SECTION, height=forest_height(result.kpis) + 30, anchor="forest"),
        page.deferred(ids.COMPARE_SEGMENTS_SECTION, height=500, anchor="segments"),
        html.H4("Process map: what changed", className="mt-4"),
        page.deferred(ids.COMPARE_MAP_SECTION, height=700, anchor="map-delta"),
    ])


def forest_view(result) -> html.Div:
    return graph(ids.COMPARE_FOREST, forest_figure(result.kpis, result.adjusted), file_name="compare_forest")


def segments_view(result) -> html.Div:
    return table_card("compare-segments", result.segments, title="Segments, largest effects first", height=420,
                      columns=wrapped(SEGMENT_COLUMNS), file_name="compare_segments.csv",
                      note="Each KPI per category, channel, team...; effect size is standardised (0.2 small, 0.5 medium, "
                           "0.8 large) so rows of different KPIs sort together. All rows are one correction family.")


def map_view(result) -> html.Div:
    """The map delta (view switch, counts, map, legend), its paths and the variant shift."""
    counts = result.map_delta.counts()
    view = "frequency"
    cy = cyto.Cytoscape(id=ids.COMPARE_MAP, elements=delta_elements(result.map_delta, view), layout=LAYOUT,
                        stylesheet=delta_stylesheet(), minZoom=0.1, maxZoom=3, boxSelectionEnabled=False,
                        style={"width": "100%", "height": "620px"})
    return html.Div([
        dbc.RadioItems(id=ids.COMPARE_MAP_VIEW, value=view, inline=True, className="mb-1", options=[
            {"label": "Frequency change", "value": "frequency"}, {"label": "Timing change", "value": "time"},
            {"label": "Before", "value": "before"}, {"label": "After", "value": "after"}]),
        html.P(f"Paths: {counts['new']} new, {counts['gone']} gone, {counts['more']} in more cases, {counts['less']} "
               f"in fewer; {counts['faster']} faster, {counts['slower']} slower. Same layout in every view.",
               className="small text-muted mb-1 compare-map-counts"),
        html.Div(cy, className="map-box"),
        html.Div(_legend(view), id=ids.COMPARE_MAP_LEGEND, className="map-legend mt-1"),
        table_card("compare-map-edges", result.map_delta.edges, title="Paths, before and after", height=320,
                   columns=wrapped(EDGE_COLUMNS), file_name="compare_map_delta_edges.csv"),
        table_card("compare-variants", result.variant_shift, title="Variant shift: the biggest movers", height=360,
                   columns=wrapped(VARIANT_COLUMNS), file_name="compare_variant_shift.csv", max_rows=SHOWN_ROWS),
    ])


# The forest chart, the segments, the map and the tables under it are computed and drawn when
# scrolled to: the result is the one the KPI table came from (cached), whose segments, map delta
# and variant shift are computed when first read (compare(..., eager=False)). Each section arrives
# with each result, its store false: only its reveal calls its callback (no request per result).
DEFERRED_VIEWS = (  # section, its view of the cached result, what is said when it fails
    (ids.COMPARE_FOREST_SECTION, forest_view, "The chart could not be drawn"),
    (ids.COMPARE_SEGMENTS_SECTION, segments_view, "The segments could not be computed"),
    (ids.COMPARE_MAP_SECTION, map_view, "The map delta could not be computed"),
)


def _register_deferred(section: str, view, failure: str) -> None:
    @callback(Output(section, "children"), Input(ids.shown(section), "data"), State(ids.COMPARE_KEY, "data"),
              prevent_initial_call=True)
    def show(in_view, req):
        page.require_shown(in_view)
        if not req:
            raise dash.exceptions.PreventUpdate
        with page.errors(failure) as problem:
            return view(_result(req))
        return problem.alert


for _section, _view, _failure in DEFERRED_VIEWS:
    _register_deferred(_section, _view, _failure)


def _legend(view: str) -> list:
    return [html.Span([html.Span(className="swatch", style={"background": colour}), text], className="me-3")
            for colour, text in delta_legend(view)]


@callback(Output(ids.COMPARE_MAP, "elements"), Output(ids.COMPARE_MAP_LEGEND, "children"),
          Input(ids.COMPARE_MAP_VIEW, "value"), State(ids.COMPARE_KEY, "data"), prevent_initial_call=True)
def switch_view(view, req):
    if not req:
        raise dash.exceptions.PreventUpdate
    try:
        result = _result(req)
    except data.DataError:
        raise dash.exceptions.PreventUpdate from None
    return delta_elements(result.map_delta, view or "frequency"), _legend(view or "frequency")


@callback(Output(ids.COMPARE_JSON_DOWNLOAD, "data"), Input(ids.COMPARE_JSON, "n_clicks"),
          State(ids.COMPARE_KEY, "data"), prevent_initial_call=True)
def export_json(n, req):
    if not n or not req:
        raise dash.exceptions.PreventUpdate
    try:
        result = _result(req)
    except data.DataError as exc:
        dash.set_props(ids.APP_ERROR, {"children": error_alert(str(exc), title="The export failed")})
        raise dash.exceptions.PreventUpdate from None
    text = json.dumps(result.to_dict(top_segments=None, top_variants=None), indent=2, ensure_ascii=False)
    return dcc.send_string(text, f"compare_{req['before']}_{req['after'] or 'split'}.json")


@callback(Output(ids.COMPARE_CSV_DOWNLOAD, "data"), Input(ids.COMPARE_CSV, "n_clicks"),
          State(ids.COMPARE_KEY, "data"), prevent_initial_call=True)
def export_csv(n, req):
    if not n or not req:
        raise dash.exceptions.PreventUpdate
    try:
        result = _result(req)
    except data.DataError:
        raise dash.exceptions.PreventUpdate from None
    return dcc.send_data_frame(result.summary.reset_index().to_csv, "compare_kpis.csv", index=False)


clientside_callback(
    """
    function(req) {
        if (!req) { return window.dash_clientside.no_update; }
        var params = new URLSearchParams(window.location.search);
        ["mode", "before", "after", "split", "policy"].forEach(function(k) { params.delete(k); });
        params.set("mode", req.mode);
        params.set("before", req.before);
        if (req.after) { params.set("after", req.after); }
        if (req.split) { params.set("split", req.split); }
        params.set("policy", req.policy || "none");
        var search = "?" + params.toString();
        if (search !== window.location.search) {
            window.history.replaceState(window.history.state, "", window.location.pathname + search);
        }
        return search;
    }
    """,
    Output(ids.COMPARE_URL, "data"),
    Input(ids.COMPARE_KEY, "data"),
)


@extensions.warmer("compare", order=70)
def _warm(store):
    _, mode, before, after, split = _defaults(None, None, None, None)
    policy = active_name(None) or NO_POLICY  # the layout's default (no URL, no session)
    by = ["category", "channel", "team"]
    _, req = run(0, store, policy, mode, before, after, split, by, 1000)
    if req:  # the parts drawn when scrolled to, so that they open at once too
        for _, view, _ in DEFERRED_VIEWS:
            view(_result(req))
