"""Tables: dash-ag-grid with sorting, filtering and CSV export."""

from __future__ import annotations

import dash_ag_grid as dag
import pandas as pd
from dash import html

from pipelines.output import frame_records


def grid(grid_id: str, frame: pd.DataFrame | None = None, *, height: int = 360, columns: list[dict] | None = None,
         file_name: str = "export.csv", row_selection: str | None = None) -> dag.AgGrid:
    """An AG Grid over ``frame`` (JSON-safe records); exportable with :func:`export_button`."""
    frame = frame if frame is not None else pd.DataFrame()
    options = {"animateRows": False, "enableCellTextSelection": True, "ensureDomOrder": True,
               "suppressMenuHide": False}
    if row_selection:
        options["rowSelection"] = {"mode": "singleRow" if row_selection == "single" else "multiRow",
                                   "checkboxes": False, "enableClickSelection": True}
    return dag.AgGrid(
        id=grid_id,
        rowData=frame_records(frame),
        columnDefs=columns or column_defs(frame),
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "minWidth": 90},
        columnSize="responsiveSizeToFit",
        dashGridOptions=options,
        csvExportParams={"fileName": file_name},
        style={"height": f"{height}px"},
    )


def column_defs(frame: pd.DataFrame) -> list[dict]:
    defs = []
    for col in frame.columns:
        d = {"field": str(col), "headerName": str(col).replace("_", " ")}
        if pd.api.types.is_numeric_dtype(frame[col].dtype) and not pd.api.types.is_bool_dtype(frame[col].dtype):
            d["type"] = "numericColumn"
            d["valueFormatter"] = {"function": "params.value == null ? '' : d3.format(',.4~f')(params.value)"}
        defs.append(d)
    return defs


def export_button(button_id: str, label: str = "Export CSV") -> html.Button:
    return html.Button(label, id=button_id, n_clicks=0, className="btn btn-outline-secondary btn-sm")


def empty_state(title: str, *lines: str) -> html.Div:
    """A helpful message where data would be, with what to do next."""
    return html.Div(
        [html.H5(title, className="mb-2")] + [html.P(line, className="mb-1 text-muted") for line in lines],
        className="border rounded p-4 bg-light text-center my-3 empty-state",
    )
