"""/map: the process map (directly-follows graph), simplified with sliders, clickable, filterable.

Click a node or an edge: its statistics and the cases through it appear on the right, and
"Filter by it" adds the matching clause (``Activities``, ``DirectlyFollows``, ``StartActivities``
or ``EndActivities``) to the global filter. Exports: PNG/SVG of the map (cytoscape, in the
browser), BPMN of the discovered model (inductive miner on the filtered log).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import dash_cytoscape as cyto
from dash import Input, Output, State, callback, ctx, dcc, html

from dashboard import data, extensions, ids
from dashboard.components import page
from dashboard.components.feedback import error_alert, no_cases
from dashboard.figures.common import format_count, format_duration
from dashboard.figures.process_map import (
    DEFAULT_ACTIVITIES,
    DEFAULT_PATHS,
    LAYOUT,
    dfg_elements,
    edge_stats,
    legend,
    map_stylesheet,
    node_stats,
    selection_clause,
)
from pipelines import schema

dash.register_page(__name__, path="/map", name="Process map", title="deskmine · process map", order=10)

BOTTLENECKS = 3
CASE_LIST = 100
MAP_HEIGHT = 480  # minimum; the map fills the window below the controls


def _slider(component_id: str, value: int) -> dcc.Slider:
    return dcc.Slider(id=component_id, min=5, max=100, step=5, value=value, updatemode="mouseup",
                      marks={v: f"{v}%" for v in (5, 25, 50, 75, 100)}, tooltip={"placement": "bottom"})


def _percent(value, default: int) -> int:
    try:
        v = int(value)
    except (TypeError, ValueError):
        return default
    return min(100, max(5, v))


def layout(measure: str = "frequency", activities=None, paths=None, **_query):
    measure = measure if measure in ("frequency", "performance") else "frequency"
    bpmn_ok = data.discovery_available()
    controls = dbc.Row([
        dbc.Col([html.Label("Measure", className="form-label small text-muted mb-0"),
                 dbc.RadioItems(id=ids.MAP_MEASURE, value=measure, inline=True, options=[
                     {"label": "Frequency", "value": "frequency"}, {"label": "Performance", "value": "performance"}])],
                md=3),
        dbc.Col([html.Label("Activities shown", className="form-label small text-muted mb-0"),
                 _slider(ids.MAP_ACTIVITIES, _percent(activities, DEFAULT_ACTIVITIES))], md=3),
        dbc.Col([html.Label("Paths shown", className="form-label small text-muted mb-0"),
                 _slider(ids.MAP_PATHS, _percent(paths, DEFAULT_PATHS))], md=3),
        dbc.Col(html.Div([
            html.Button("PNG", id=ids.MAP_PNG, n_clicks=0, className="btn btn-outline-secondary btn-sm",
                        title="Download the map as PNG"),
            html.Button("SVG", id=ids.MAP_SVG, n_clicks=0, className="btn btn-outline-secondary btn-sm",
                        title="Download the map as SVG"),
            html.Button("BPMN", id=ids.MAP_BPMN, n_clicks=0, className="btn btn-outline-secondary btn-sm",
                        disabled=not bpmn_ok,
                        title="Download the process model (inductive miner on the filtered cases) as BPMN 2.0"
                        if bpmn_ok else "process discovery is not available in this build"),
            dcc.Download(id=ids.MAP_BPMN_DOWNLOAD),
        ], className="d-flex gap-2 justify-content-end"), md=3),
    ], className="align-items-end mb-2")
    graph = cyto.Cytoscape(id=ids.MAP_GRAPH, elements=[], layout=LAYOUT, stylesheet=map_stylesheet(measure),
                           style={"width": "100%", "height": "calc(100vh - 360px)", "minHeight": f"{MAP_HEIGHT}px"},
                           minZoom=0.1, maxZoom=3,
                           boxSelectionEnabled=False, autoungrabify=False)
    details = html.Div([
        html.H5("Details", className="mb-2"),
        html.Div(id=ids.MAP_DETAILS, children=html.P("Click an activity or a path on the map to see its numbers "
                                                     "and the cases through it.", className="text-muted small")),
        html.Div([
            html.Button("Filter by it", id=ids.MAP_FILTER_BY, n_clicks=0, disabled=True,
                        className="btn btn-primary btn-sm"),
            html.Button("Export its cases (CSV)", id=ids.MAP_CASES_EXPORT, n_clicks=0, disabled=True,
                        className="btn btn-outline-secondary btn-sm"),
            dcc.Download(id=ids.MAP_CASES_DOWNLOAD),
        ], className="d-flex gap-2 my-2"),
        page.loading(html.Div(id=ids.MAP_CASES)),
    ], className="map-details")
    return page.frame(
        "Process map", "Every path cases take between activities; thicker and darker means more (or slower).",
        controls,
        html.Div(id=ids.MAP_MESSAGE),
        dbc.Row([
            dbc.Col([page.loading(html.Div(graph, className="map-box")),
                     html.Div(id=ids.MAP_SUMMARY, className="small text-muted mt-1"),
                     html.Div(id=ids.MAP_LEGEND, className="map-legend mt-1")], lg=9),
            dbc.Col(details, lg=3),
        ]),
        dcc.Store(id=ids.MAP_SELECTION),
    )


def _shares(activities, paths) -> tuple[float, float]:
    return _percent(activities, DEFAULT_ACTIVITIES) / 100, _percent(paths, DEFAULT_PATHS) / 100


@callback(
    Output(ids.MAP_GRAPH, "elements"),
    Output(ids.MAP_GRAPH, "stylesheet"),
    Output(ids.MAP_SUMMARY, "children"),
    Output(ids.MAP_LEGEND, "children"),
    Output(ids.MAP_MESSAGE, "children"),
    Input(ids.FILTER_STORE, "data"),
    Input(ids.MAP_MEASURE, "value"),
    Input(ids.MAP_ACTIVITIES, "value"),
    Input(ids.MAP_PATHS, "value"),
)
def show_map(store, measure, activities, paths):
    state = page.state_of(store)
    measure = measure or "frequency"
    with page.errors() as problem:
        if data.n_cases(state) == 0:
            return [], map_stylesheet(measure), None, None, no_cases("map")
        act, pth = _shares(activities, paths)
        dfg = data.dfg(state, activities=act, paths=pth)
        full = data.dfg(state)
        elements = dfg_elements(dfg, measure=measure, bottlenecks=BOTTLENECKS)
        summary = (f"{len(dfg.activities)} of {len(full.activities)} activities, {len(dfg.edges)} of "
                   f"{len(full.edges)} paths, {format_count(dfg.n_cases)} cases"
                   + (f" · {len(dfg.added_for_connectivity)} paths kept to stay connected"
                      if dfg.added_for_connectivity else ""))
        items = [html.Span([html.Span(className="swatch", style={"background": colour}), text], className="me-3")
                 for colour, text in legend(measure, BOTTLENECKS)]
        return elements, map_stylesheet(measure), summary, items, None
    return [], map_stylesheet(measure), None, None, problem.alert


@callback(Output(ids.MAP_SELECTION, "data"), Input(ids.MAP_GRAPH, "tapNodeData"), Input(ids.MAP_GRAPH, "tapEdgeData"),
          prevent_initial_call=True)
def select(node, edge):
    prop = ctx.triggered[0]["prop_id"] if ctx.triggered else ""
    if prop.endswith("tapNodeData") and node:
        return {"kind": "node", "id": node["id"]}
    if prop.endswith("tapEdgeData") and edge:
        return {"kind": "edge", "source": edge["source"], "target": edge["target"]}
    raise dash.exceptions.PreventUpdate


@callback(
    Output(ids.MAP_DETAILS, "children"),
    Output(ids.MAP_FILTER_BY, "disabled"),
    Output(ids.MAP_CASES_EXPORT, "disabled"),
    Output(ids.MAP_CASES, "children"),
    Input(ids.MAP_SELECTION, "data"),
    Input(ids.FILTER_STORE, "data"),
    Input(ids.MAP_ACTIVITIES, "value"),
    Input(ids.MAP_PATHS, "value"),
    prevent_initial_call=True,
)
def show_details(selection, store, activities, paths):
    if not selection:
        raise dash.exceptions.PreventUpdate
    state = page.state_of(store)
    with page.errors() as problem:
        act, pth = _shares(activities, paths)
        dfg = data.dfg(state, activities=act, paths=pth)
        if selection["kind"] == "node":
            title, rows = selection["id"], node_stats(dfg, selection["id"])
        else:
            title = f"{selection['source']} → {selection['target']}"
            rows = edge_stats(dfg, selection["source"], selection["target"])
        table = html.Table([html.Tr([html.Td(k), html.Td(v)]) for k, v in rows], className="stat-table small")
        clause = selection_clause(selection)
        head = [html.H6(title, className="fw-semibold map-selected"), table]
        if clause is None:
            return head, True, True, None
        head.append(html.P(f"Filter: {clause.describe()}", className="small text-muted mb-0"))
        return head, False, False, _case_list(data.cases(data.with_clause(state, clause)))
    return problem.alert, True, True, None


def _case_list(cases) -> html.Div:
    if cases.empty:
        return html.P("No case goes through it with the current filters.", className="small text-muted")
    top = cases.sort_values(schema.DURATION_S, ascending=False).head(CASE_LIST)
    rows = [html.Tr([html.Td(dcc.Link(str(r[schema.CASE_ID]), href=f"/cases?case={r[schema.CASE_ID]}")),
                     html.Td(format_duration(r[schema.DURATION_S])),
                     html.Td("closed" if r[schema.IS_CLOSED] else "open")])
            for r in top.to_dict(orient="records")]
    more = f" (the {len(top)} longest shown)" if len(cases) > len(top) else ""
    return html.Div([
        html.Div(f"{len(cases):,} cases through it{more}", className="small fw-semibold mt-2 map-case-count"),
        html.Table([html.Thead(html.Tr([html.Th("case"), html.Th("duration"), html.Th("")])), html.Tbody(rows)],
                   className="table table-sm small mb-0"),
    ])


@callback(page.patch_output(), Input(ids.MAP_FILTER_BY, "n_clicks"), State(ids.MAP_SELECTION, "data"),
          prevent_initial_call=True)
def filter_by(n_clicks, selection):
    clause = selection_clause(selection)
    if not n_clicks or clause is None:
        raise dash.exceptions.PreventUpdate
    return page.patch(add=[clause])


@callback(Output(ids.MAP_CASES_DOWNLOAD, "data"), Input(ids.MAP_CASES_EXPORT, "n_clicks"),
          State(ids.MAP_SELECTION, "data"), State(ids.FILTER_STORE, "data"), prevent_initial_call=True)
def export_cases(n_clicks, selection, store):
    clause = selection_clause(selection)
    if not n_clicks or clause is None:
        raise dash.exceptions.PreventUpdate
    state = page.state_of(store)
    try:
        cases = data.cases(data.with_clause(state, clause))
    except data.DataError:
        raise dash.exceptions.PreventUpdate from None
    frame = cases.drop(columns=[schema.ATTRIBUTES], errors="ignore")
    return dcc.send_data_frame(frame.to_csv, f"{state.log}_cases_through_selection.csv", index=False)


@callback(Output(ids.MAP_GRAPH, "generateImage"), Input(ids.MAP_PNG, "n_clicks"), Input(ids.MAP_SVG, "n_clicks"),
          prevent_initial_call=True)
def export_image(_png, _svg):
    kind = "svg" if ctx.triggered_id == ids.MAP_SVG else "png"
    options = {"bg": "#ffffff", "full": True, "scale": 2} if kind == "png" else {"full": True, "bg": "#ffffff"}
    return {"type": kind, "action": "download", "filename": "process_map", "options": options}


@callback(Output(ids.MAP_BPMN_DOWNLOAD, "data"), Output(ids.MAP_MESSAGE, "children", allow_duplicate=True),
          Input(ids.MAP_BPMN, "n_clicks"), State(ids.FILTER_STORE, "data"), prevent_initial_call=True)
def export_bpmn(n_clicks, store):
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    state = page.state_of(store)
    try:
        xml = data.bpmn(state)
    except data.DataError as exc:
        return dash.no_update, error_alert(str(exc), title="The BPMN model could not be exported")
    return dcc.send_string(xml, f"{state.log}_process.bpmn"), None


@extensions.warmer("map", order=20)
def _warm(store):
    show_map(store, "frequency", None, None)
