"""/data: the logs in the warehouse, their provenance, data-quality reports and rejected rows;
and adding a log: upload a file, check the column mapping, ingest it in the background.

Upload flow: ``dcc.Upload`` (size-limited in the browser and again on the server) -> the file is
saved and previewed with the loader's own mapping rules (``data.preview_upload``) -> the user may
override roles -> ``data.start_ingest`` runs ``ingest_log`` in a thread with a progress callback ->
a ``dcc.Interval`` polls ``data.job`` -> on success the shell's generation store is bumped, so the
global log selector lists the new log.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, callback, dcc, html

from dashboard import data, extensions, ids
from dashboard.components import page
from dashboard.components.feedback import error_alert
from dashboard.components.tables import empty_state, export_button, grid
from pipelines import schema
from pipelines.output import frame_records

dash.register_page(__name__, path="/data", name="Data", title="deskmine · data", order=90)

SEVERITY_COLORS = {"ok": "success", "info": "secondary", "warning": "warning"}


def layout(log: str | None = None, **_query):
    try:
        logs = data.logs()
    except data.DataError as exc:
        return html.Div([html.H3("Data"), error_alert(str(exc), title="The warehouse cannot be read"), upload_section()])
    if logs.empty:
        return html.Div([
            html.H3("Data"),
            empty_state(
                "No logs in the warehouse yet",
                "Load the bundled sample logs:  deskmine samples   (make run does this on first start)",
                "or ingest your own export:  deskmine ingest FILE.csv --log my_log   (or upload it below)",
            ),
            upload_section(),
        ])
    names = logs["log"].tolist()
    selected = log if log in names else names[0]
    table = _logs_table(logs)
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
        html.H5("Data quality", className="mt-4"),
        page.deferred(ids.DATA_QUALITY_SECTION, height=480, anchor="quality"),
        upload_section(),
    ])


def _logs_table(logs: pd.DataFrame) -> pd.DataFrame:
    return logs[["log", "n_cases", "n_events", "n_activities", "n_variants", "start_time", "end_time",
                 "rows_rejected", "source_timezone"]].rename(columns={
                     "n_cases": "cases", "n_events": "events", "n_activities": "activities",
                     "n_variants": "variants", "start_time": "first event (UTC)", "end_time": "last event (UTC)",
                     "rows_rejected": "rejected rows", "source_timezone": "zone of zone-less times"})


@callback(Output(ids.DATA_LOGS_TABLE, "rowData"), Output(ids.DATA_LOG, "options"),
          Input(ids.GENERATION_STORE, "data"), prevent_initial_call=True)
def refresh_logs(_generation):
    """After an upload: the new log in the table and the selector."""
    try:
        logs = data.logs()
    except data.DataError:
        raise dash.exceptions.PreventUpdate from None
    return frame_records(_logs_table(logs)), logs["log"].tolist()


@callback(
    Output(ids.DATA_STATS, "children"),
    Output(ids.DATA_MAPPING, "children"),
    Output(ids.DATA_WARNINGS, "children"),
    Input(ids.DATA_LOG, "value"),
)
def show_log(log: str | None):
    if not log:
        raise dash.exceptions.PreventUpdate
    try:
        stats = data.stats(log)
    except data.DataError as exc:
        return error_alert(str(exc), title=f"Log {log!r} cannot be read"), None, None
    return _stats_cards(stats), _mapping_table(stats["mapping"]), _warnings(stats["warnings"])


@callback(Output(ids.DATA_QUALITY_SECTION, "children"), Input(ids.DATA_LOG, "value"),
          Input(ids.shown(ids.DATA_QUALITY_SECTION), "data"))
def show_quality(log: str | None, in_view=True):
    """The quality report and the rejected rows (below the fold: drawn when scrolled to)."""
    page.require_shown(in_view)
    if not log:
        raise dash.exceptions.PreventUpdate
    try:
        stats = data.stats(log)
        quality = data.quality(log)
        rejects = data.rejects(log)
    except data.DataError as exc:
        return error_alert(str(exc), title=f"The quality report of {log!r} cannot be read")
    return html.Div([
        html.Div(export_button(ids.DATA_QUALITY_EXPORT), className="mb-1"),
        grid(ids.DATA_QUALITY, pd.DataFrame(_quality_rows(quality)), columns=_quality_columns(), height=380,
             file_name="quality.csv"),
        html.Div([html.H5("Rejected rows", className="mt-4 d-inline-block me-3"), export_button(ids.DATA_REJECTS_EXPORT)]),
        html.Div(_rejects_view(rejects, stats), id=ids.DATA_REJECTS),
    ])


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


# -- upload a new log -----------------------------------------------------------------------------

ROLE_LABELS = {
    schema.CASE_ID: "case id (required)", schema.ACTIVITY: "activity (required)",
    schema.TIMESTAMP: "timestamp (required)", schema.RESOURCE: "resource", schema.LIFECYCLE: "lifecycle",
    schema.TEAM: "team", schema.PRIORITY: "priority", schema.CHANNEL: "channel", schema.CATEGORY: "category",
    schema.CUSTOMER: "customer",
}


def upload_section() -> html.Div:
    limit = data.max_upload_bytes()
    box = dcc.Upload(
        id=ids.UPLOAD, multiple=False, max_size=limit,
        children=html.Div(["Drop a CSV, XES or Parquet file here, or ", html.A("choose one", className="link-primary")]),
        className="upload-box", accept=",".join(data.UPLOAD_SUFFIXES),
    )
    return html.Div([
        html.Hr(className="mt-5"),
        html.H4("Add a log", className="mt-3"),
        html.P(["Upload an event log export (", html.Code(", ".join(data.UPLOAD_SUFFIXES)), f") up to "
                f"{data.format_size(limit)}. Columns are mapped like ",
                html.Code("deskmine ingest"), " does; check the mapping, then ingest."],
               className="text-muted small", id=ids.UPLOAD_LIMIT_NOTE),
        html.Div(box, **{"data-max-bytes": str(limit), "data-error-target": ids.UPLOAD_CLIENT_ERROR}),
        html.Div(id=ids.UPLOAD_CLIENT_ERROR, className="text-danger small mt-2 upload-client-error"),
        dcc.Store(id=ids.UPLOAD_TOKEN),
        dcc.Store(id=ids.UPLOAD_JOB),
        dcc.Interval(id=ids.UPLOAD_POLL, interval=400, disabled=True),
        dcc.Loading(html.Div(id=ids.UPLOAD_PREVIEW, className="upload-preview mt-3"), delay_show=200),
        html.Div(id=ids.UPLOAD_PROGRESS, className="mt-3"),
        html.Div(id=ids.UPLOAD_STATUS, className="mt-2"),
    ], className="mb-5")


@callback(
    Output(ids.UPLOAD_TOKEN, "data"),
    Output(ids.UPLOAD_PREVIEW, "children"),
    Output(ids.UPLOAD_STATUS, "children", allow_duplicate=True),
    Output(ids.UPLOAD_PROGRESS, "children", allow_duplicate=True),
    Output(ids.UPLOAD_CLIENT_ERROR, "children"),
    Input(ids.UPLOAD, "contents"),
    State(ids.UPLOAD, "filename"),
    prevent_initial_call=True,
)
def receive_upload(contents, filename):
    if not contents:
        raise dash.exceptions.PreventUpdate
    try:
        upload = data.save_upload(filename or "upload", contents)
        preview = data.preview_upload(upload.token)
    except data.DataError as exc:
        return None, error_alert(str(exc), title="This file cannot be ingested"), None, None, None
    detected = {role: info["column"] for role, info in preview["mapping"].items()}
    return {"token": upload.token, "detected": detected}, _preview(preview), None, None, None


def _preview(p: dict) -> html.Div:
    columns = p["columns"]
    sample = dbc.Table(
        [html.Thead(html.Tr([html.Th(c) for c in columns])),
         html.Tbody([html.Tr([html.Td(r.get(c, "")) for c in columns]) for r in p["sample"][:8]])],
        bordered=False, striped=True, size="sm", responsive=True, className="mb-2",
    )
    role_rows = []
    for role, label in ROLE_LABELS.items():
        info = p["mapping"].get(role)
        role_rows.append(html.Tr([
            html.Td(label, className="small"),
            html.Td(dcc.Dropdown(id={"type": ids.UPLOAD_ROLE, "index": role}, options=columns,
                                 value=info["column"] if info else None, placeholder="(not mapped)",
                                 clearable=role not in schema.REQUIRED_ROLES, style={"minWidth": "220px"})),
            html.Td(info["reason"] if info else "", className="small text-muted"),
        ]))
    problem = dbc.Alert(["The columns could not be mapped automatically: ", p["problem"],
                         ". Choose the columns below."], color="warning", className="small") if p["problem"] else None
    notes = [html.Li(n) for n in p["notes"] + p["warnings"]]
    return dbc.Card(dbc.CardBody([
        html.H5(f"{p['file']} ({data.format_size(p['size'])}, {p['format'].upper()})", className="upload-file-name"),
        html.P(f"{len(columns)} columns; first rows (mapping detected on the first {p['rows_sampled']:,} rows):",
               className="small text-muted mb-1"),
        sample,
        problem,
        html.Ul(notes, className="small text-muted") if notes else None,
        html.H6("Column roles", className="mt-3"),
        html.Table([html.Tbody(role_rows)], className="table table-sm w-auto upload-roles"),
        dbc.Row([
            dbc.Col([html.Label("Log name", htmlFor=ids.UPLOAD_LOG_NAME, className="form-label small mb-0"),
                     dbc.Input(id=ids.UPLOAD_LOG_NAME, value=p["suggested_log"], size="sm",
                               pattern="[a-z][a-z0-9_]{0,62}")], md=3),
            dbc.Col(dbc.Checkbox(id=ids.UPLOAD_REPLACE, value=False, label="replace a log of that name"), md="auto",
                    className="pt-3"),
            dbc.Col(html.Button("Ingest", id=ids.UPLOAD_START, n_clicks=0, className="btn btn-primary"), md="auto",
                    className="pt-3"),
        ], className="align-items-center"),
    ]), className="upload-card")


@callback(
    Output(ids.UPLOAD_JOB, "data"),
    Output(ids.UPLOAD_POLL, "disabled"),
    Output(ids.UPLOAD_STATUS, "children", allow_duplicate=True),
    Output(ids.UPLOAD_START, "disabled"),
    Input(ids.UPLOAD_START, "n_clicks"),
    State(ids.UPLOAD_TOKEN, "data"),
    State(ids.UPLOAD_LOG_NAME, "value"),
    State(ids.UPLOAD_REPLACE, "value"),
    State({"type": ids.UPLOAD_ROLE, "index": ALL}, "value"),
    State({"type": ids.UPLOAD_ROLE, "index": ALL}, "id"),
    prevent_initial_call=True,
)
def start_ingest(n_clicks, upload, log_name, replace, role_values, role_ids):
    if not n_clicks or not upload:
        raise dash.exceptions.PreventUpdate
    chosen = {i["index"]: v for i, v in zip(role_ids, role_values, strict=True) if v}
    overrides = {role: col for role, col in chosen.items() if upload["detected"].get(role) != col}
    try:
        job_id = data.start_ingest(upload["token"], (log_name or "").strip(), overrides, replace=bool(replace))
    except data.DataError as exc:
        return dash.no_update, True, error_alert(str(exc), title="The ingest could not start"), False
    return job_id, False, None, True


@callback(
    Output(ids.UPLOAD_PROGRESS, "children"),
    Output(ids.UPLOAD_POLL, "disabled", allow_duplicate=True),
    Output(ids.UPLOAD_STATUS, "children"),
    Output(ids.GENERATION_STORE, "data"),
    Input(ids.UPLOAD_POLL, "n_intervals"),
    State(ids.UPLOAD_JOB, "data"),
    State(ids.GENERATION_STORE, "data"),
    prevent_initial_call=True,
)
def poll_ingest(_n, job_id, generation):
    if not job_id:
        raise dash.exceptions.PreventUpdate
    try:
        job = data.job(job_id)
    except data.DataError as exc:
        return None, True, error_alert(str(exc), title="Ingest status unknown"), dash.no_update
    percent = round(100 * job["fraction"])
    if job["status"] == "running":
        bar = dbc.Progress(value=max(percent, 3), label=f"{job['phase']} · {percent}%", striped=True, animated=True,
                           className="upload-progress", style={"height": "1.4rem"})
        return bar, False, html.Div(f"Ingesting {job['file_name']} as {job['log']!r}… ({job['seconds']} s)",
                                    className="small text-muted"), dash.no_update
    if job["status"] == "failed":
        return None, True, error_alert(job["message"], title=f"{job['file_name']} was not ingested"), dash.no_update
    done = dbc.Progress(value=100, label="done", color="success", className="upload-progress",
                        style={"height": "1.4rem"})
    status = dbc.Alert([
        html.Div(job["message"], className="fw-semibold upload-done"),
        html.Ul([html.Li(line) for line in job["lines"][1:]], className="small mb-1"),
        html.Div(["It is now in the log selector above. ",
                  dcc.Link("Open its overview", href=f"/?log={job['log']}", className="alert-link"), " · ",
                  dcc.Link("its process map", href=f"/map?log={job['log']}", className="alert-link")]),
    ], color="success")
    return done, True, status, (generation or 0) + 1


@extensions.warmer("data", order=90)
def _warm(store):
    show_log(store["log"])
    show_quality(store["log"])
