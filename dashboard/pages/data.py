"""/data: the logs in the warehouse, their provenance, data-quality reports and rejected rows."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard import data, ids
from dashboard.components.tables import empty_state, export_button, grid

dash.register_page(__name__, path="/data", name="Data", title="deskmine · data", order=90)

SEVERITY_COLORS = {"ok": "success", "info": "secondary", "warning": "warning"}


def layout(log: str | None = None, **_query):
    logs = data.logs()
    if logs.empty:
        return html.Div([
            html.H3("Data"),
            empty_state(
                "No logs in the warehouse yet",
                "Load the bundled sample logs:  deskmine samples   (make run does this on first start)",
                "or ingest your own export:  deskmine ingest FILE.csv --log my_log",
            ),
        ])
    names = logs["log"].tolist()
    selected = log if log in names else names[0]
    table = logs[["log", "n_cases", "n_events", "n_activities", "n_variants", "start_time", "end_time",
                  "rows_rejected", "source_timezone"]].rename(columns={
                      "n_cases": "cases", "n_events": "events", "n_activities": "activities",
                      "n_variants": "variants", "start_time": "first event (UTC)", "end_time": "last event (UTC)",
                      "rows_rejected": "rejected rows", "source_timezone": "zone of zone-less times"})
    return html.Div([
        html.H3("Data"),
        html.P("Every log in the warehouse, how it was read, and what to know before trusting its numbers.",
               className="text-muted"),
        html.Div([export_button(ids.DATA_LOGS_EXPORT)], className="mb-2"),
        grid(ids.DATA_LOGS_TABLE, table, height=min(80 + 42 * len(table), 320), file_name="logs.csv"),
        html.Hr(),
        dbc.Row([
            dbc.Col(html.Label("Log", htmlFor=ids.DATA_LOG, className="fw-semibold"), width="auto"),
            dbc.Col(dcc.Dropdown(id=ids.DATA_LOG, options=names, value=selected, clearable=False), md=4),
        ], className="align-items-center mb-3"),
        dcc.Loading(html.Div(id=ids.DATA_STATS)),
        html.H5("Column mapping", className="mt-4"),
        html.Div(id=ids.DATA_MAPPING),
        html.Div(id=ids.DATA_WARNINGS, className="mt-3"),
        html.Div([html.H5("Data quality", className="mt-4 d-inline-block me-3"), export_button(ids.DATA_QUALITY_EXPORT)]),
        grid(ids.DATA_QUALITY, height=380, file_name="quality.csv"),
        html.Div([html.H5("Rejected rows", className="mt-4 d-inline-block me-3"), export_button(ids.DATA_REJECTS_EXPORT)]),
        html.Div(id=ids.DATA_REJECTS),
    ])


@callback(
    Output(ids.DATA_STATS, "children"),
    Output(ids.DATA_MAPPING, "children"),
    Output(ids.DATA_WARNINGS, "children"),
    Output(ids.DATA_QUALITY, "rowData"),
    Output(ids.DATA_QUALITY, "columnDefs"),
    Output(ids.DATA_REJECTS, "children"),
    Input(ids.DATA_LOG, "value"),
)
def show_log(log: str | None):
    if not log:
        raise dash.exceptions.PreventUpdate
    stats = data.stats(log)
    quality = data.quality(log)
    rejects = data.rejects(log)
    return (_stats_cards(stats), _mapping_table(stats["mapping"]), _warnings(stats["warnings"]),
            _quality_rows(quality), _quality_columns(), _rejects_view(rejects, stats))


def _card(label: str, value: str) -> dbc.Col:
    return dbc.Col(dbc.Card(dbc.CardBody([html.Div(label, className="text-muted small"),
                                          html.Div(value, className="fs-4 fw-semibold")])), md=2, className="mb-2")


def _stats_cards(s: dict):
    span = f"{pd.Timestamp(s['start']):%Y-%m-%d} → {pd.Timestamp(s['end']):%Y-%m-%d}"
    return html.Div([
        dbc.Row([
            _card("Cases", f"{s['cases']:,}"), _card("Events", f"{s['events']:,}"),
            _card("Activities", f"{s['activities']:,}"), _card("Variants", f"{s['variants']:,}"),
            _card("Rows rejected", f"{s['rows_rejected']:,} of {s['rows_read']:,}"), _card("Span (UTC)", span),
        ], className="data-stats-cards"),
        html.Div(f"Source: {', '.join(s['source_files'])} · zone-less timestamps read as {s['source_timezone']} · "
                 f"ingested {pd.Timestamp(s['ingested_at']):%Y-%m-%d %H:%M} UTC", className="small text-muted"),
    ])


def _mapping_table(mapping: dict):
    rows = [html.Tr([html.Td(role), html.Td(html.Code(info["column"])), html.Td(info["reason"])])
            for role, info in mapping.items()]
    return dbc.Table([html.Thead(html.Tr([html.Th("role"), html.Th("source column"), html.Th("why")])),
                      html.Tbody(rows)], bordered=False, striped=True, size="sm", className="w-auto")


def _warnings(warnings: list[str]):
    if not warnings:
        return None
    return dbc.Alert([html.Div("What was assumed or changed while reading:", className="fw-semibold"),
                      html.Ul([html.Li(w) for w in warnings], className="mb-0")], color="info")


def _quality_rows(quality: pd.DataFrame) -> list[dict]:
    out = []
    for r in quality.to_dict(orient="records"):
        out.append({
            "severity": r["severity"], "check": r["title"], "count": r["count"], "unit": r["unit"],
            "share": round(100 * r["share"], 2), "examples": "; ".join(r["examples"]), "advice": r["advice"],
        })
    return out


def _quality_columns() -> list[dict]:
    return [
        {"field": "severity", "width": 110, "cellClassRules": {
            "text-success": "params.value == 'ok'", "text-warning fw-bold": "params.value == 'warning'"}},
        {"field": "check", "flex": 2, "wrapText": True, "autoHeight": True},
        {"field": "count", "type": "numericColumn", "width": 110},
        {"field": "unit", "width": 90}, {"field": "share", "headerName": "share %", "type": "numericColumn", "width": 110},
        {"field": "examples", "flex": 2}, {"field": "advice", "flex": 3, "wrapText": True, "autoHeight": True},
    ]


def _rejects_view(rejects: pd.DataFrame, stats: dict):
    if rejects.empty:
        return html.P("None: every row of the source files was loaded.", className="text-success")
    shown = f"first {len(rejects):,} of {stats['rows_rejected']:,}" if stats["rows_rejected"] > len(rejects) else \
        f"{len(rejects):,}"
    return html.Div([html.P(f"Showing {shown} rejected rows (deskmine rejects --log {stats['log']} lists all).",
                            className="small text-muted"),
                     grid(ids.DATA_REJECTS + "-grid", rejects, height=320, file_name=f"{stats['log']}_rejects.csv")])


@callback(Output(ids.DATA_LOGS_TABLE, "exportDataAsCsv"), Input(ids.DATA_LOGS_EXPORT, "n_clicks"),
          prevent_initial_call=True)
def export_logs(_n):
    return True


@callback(Output(ids.DATA_QUALITY, "exportDataAsCsv"), Input(ids.DATA_QUALITY_EXPORT, "n_clicks"),
          prevent_initial_call=True)
def export_quality(_n):
    return True


@callback(Output(ids.DATA_REJECTS + "-grid", "exportDataAsCsv"), Input(ids.DATA_REJECTS_EXPORT, "n_clicks"),
          State(ids.DATA_LOG, "value"), prevent_initial_call=True)
def export_rejects(_n, _log):
    return True
