"""Tables: dash-ag-grid with sorting, filtering and CSV export."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import pandas as pd
from dash import MATCH, Input, Output, State, dcc, html

from dashboard import data, ids
from pipelines.output import frame_records

SECONDS_FORMAT = {"function": "params.value == null ? '' : deskmineDuration(params.value)"}
"""A ``valueFormatter`` showing seconds as ``3d 4h`` (see assets/deskmine.js); sorting stays numeric."""
PERCENT_FORMAT = {"function": "params.value == null ? '' : d3.format('.1%')(params.value)"}
TIME_FORMAT = {"function": "deskmineTime(params.value)"}
"""A ``valueFormatter`` showing an ISO UTC time as ``2025-01-06 03:42:04``."""


def grid(grid_id: str | dict, frame: pd.DataFrame | None = None, *, height: int = 360,
         columns: list[dict] | None = None, file_name: str = "export.csv", row_selection: str | None = None,
         row_id: str | None = None) -> dag.AgGrid:
    """An AG Grid over ``frame`` (JSON-safe records); exportable with :func:`export_button`."""
    frame = frame if frame is not None else pd.DataFrame()
    options = {"animateRows": False, "enableCellTextSelection": True, "ensureDomOrder": True,
               "suppressMenuHide": False}
    if row_selection:
        options["rowSelection"] = {"mode": "singleRow" if row_selection == "single" else "multiRow",
                                   "checkboxes": row_selection != "single", "headerCheckbox": False,
                                   "enableClickSelection": True}
    extra = {"getRowId": f"'' + params.data[{row_id!r}]"} if row_id else {}
    return dag.AgGrid(
        id=grid_id,
        rowData=frame_records(frame),
        columnDefs=columns or column_defs(frame),
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "minWidth": 90},
        columnSize="responsiveSizeToFit",
        dashGridOptions=options,
        csvExportParams={"fileName": file_name},
        style={"height": f"{height}px"},
        **extra,
    )


def column_defs(frame: pd.DataFrame) -> list[dict]:
    defs = []
    for col in frame.columns:
        d = {"field": str(col), "headerName": str(col).replace("_", " "), "minWidth": 110}
        if isinstance(frame[col].dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(frame[col].dtype):
            d["valueFormatter"] = TIME_FORMAT
            if "UTC" not in d["headerName"]:
                d["headerName"] += " (UTC)"
            d["minWidth"] = 170
        elif pd.api.types.is_numeric_dtype(frame[col].dtype) and not pd.api.types.is_bool_dtype(frame[col].dtype):
            d["type"] = "numericColumn"
            if str(col).endswith("_s"):
                d["valueFormatter"] = SECONDS_FORMAT
                d["headerName"] = str(col)[:-2].replace("_", " ")
            elif "share" in str(col):
                d["valueFormatter"] = PERCENT_FORMAT
            else:
                d["valueFormatter"] = {"function": "params.value == null ? '' : d3.format(',.4~f')(params.value)"}
        defs.append(d)
    return defs


def export_button(button_id: str | dict, label: str = "Export CSV") -> html.Button:
    return html.Button(label, id=button_id, n_clicks=0, className="btn btn-outline-secondary btn-sm")


def table_card(name: str, frame: pd.DataFrame, *, title: str, file_name: str | None = None, height: int = 360,
               columns: list[dict] | None = None, row_selection: str | None = None, note: str | None = None,
               row_id: str | None = None, actions: list | None = None, max_rows: int | None = None) -> html.Div:
    """A titled grid (id ``ids.grid(name)``) with its Export CSV button (``ids.grid_export(name)``).

    The export works for any grid built here through one pattern-matching callback (:func:`register`).
    ``max_rows``: a longer ``frame`` (already in the order that matters) ships only its first
    ``max_rows`` rows to the browser, says so, and its Export CSV downloads every row from the server
    (:func:`dashboard.data.stash`): a browser grid of tens of thousands of rows takes seconds to
    transfer and draw, and nobody reads past the first few hundred.
    """
    file_name = file_name or f"{name}.csv"
    shown, parts = frame, []
    if max_rows is not None and len(frame) > max_rows:
        shown = frame.head(max_rows)
        button = export_button(ids.grid_part(ids.GRID_EXPORT_ALL, name), f"Export CSV (all {len(frame):,} rows)")
        parts = [dcc.Store(id=ids.grid_part(ids.GRID_ROWS, name), data={"token": data.stash(frame), "file": file_name}),
                 dcc.Download(id=ids.grid_part(ids.GRID_DOWNLOAD, name))]
        shown_note = f"The first {max_rows:,} of {len(frame):,} rows are shown; Export CSV downloads all of them."
        note = f"{note} {shown_note}" if note else shown_note
    else:
        button = export_button(ids.grid_export(name))
    head = [html.H5(title, className="d-inline-block me-3 mb-0"), button]
    head += actions or []
    return html.Div([
        html.Div(head, className="d-flex align-items-center gap-2 mb-2 mt-3"),
        html.P(note, className="small text-muted mb-2") if note else None,
        grid(ids.grid(name), shown, height=height, columns=columns, file_name=file_name,
             row_selection=row_selection, row_id=row_id),
        *parts,
    ], className="table-card")


def empty_state(title: str, *lines: str, children: list | None = None) -> html.Div:
    """A helpful message where data would be, with what to do next."""
    return html.Div(
        [html.H5(title, className="mb-2")] + [html.P(line, className="mb-1 text-muted") for line in lines]
        + (children or []),
        className="border rounded p-4 bg-light text-center my-3 empty-state",
    )


def register(app) -> None:
    """The CSV export of every :func:`table_card` grid: one MATCH callback client side (the rows in the
    grid), one server side (every row of a long table, see ``max_rows``)."""
    app.clientside_callback(
        "function(n) { return n > 0; }",
        Output({"type": ids.GRID, "index": MATCH}, "exportDataAsCsv"),
        Input({"type": ids.GRID_EXPORT, "index": MATCH}, "n_clicks"),
        prevent_initial_call=True,
    )
    app.callback(
        Output({"type": ids.GRID_DOWNLOAD, "index": MATCH}, "data"),
        Input({"type": ids.GRID_EXPORT_ALL, "index": MATCH}, "n_clicks"),
        State({"type": ids.GRID_ROWS, "index": MATCH}, "data"),
        prevent_initial_call=True,
    )(export_all)


def export_all(n_clicks, rows):
    """Every row of a long table (see ``max_rows``) as CSV, from the server's stash."""
    if not n_clicks or not rows:
        raise dash.exceptions.PreventUpdate
    try:
        frame = data.stashed(rows.get("token"))
    except data.DataError as exc:
        return dcc.send_string(f"# {exc}\n", "export_failed.txt")
    return dcc.send_data_frame(frame.to_csv, rows.get("file") or "export.csv", index=False)
