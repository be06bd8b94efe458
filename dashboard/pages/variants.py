"""/variants: the distinct paths cases take, ranked, with shares and durations; select to filter."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, html

from dashboard import data, extensions, ids
from dashboard.components import page
from dashboard.components.feedback import no_cases
from dashboard.components.graphs import graph
from dashboard.components.tables import PERCENT_FORMAT, SECONDS_FORMAT, table_card
from dashboard.figures.variants import coverage_figure, variant_table
from pipelines.mining.filters import Variants

dash.register_page(__name__, path="/variants", name="Variants", title="deskmine · variants", order=20)

GRID = "variants"
SHOWN_ROWS = 500
"""Variants sent to the browser (most frequent first; the CSV export has all of them)."""
COLUMNS = [
    {"field": "rank", "type": "numericColumn", "width": 90, "pinned": "left"},
    {"field": "variant_id", "headerName": "variant", "type": "numericColumn", "width": 100},
    {"field": "cases", "type": "numericColumn", "width": 100},
    {"field": "share", "headerName": "share", "type": "numericColumn", "width": 100, "valueFormatter": PERCENT_FORMAT},
    {"field": "cumulative_share", "headerName": "cumulative", "type": "numericColumn", "width": 120,
     "valueFormatter": PERCENT_FORMAT},
    {"field": "n_events", "headerName": "events", "type": "numericColumn", "width": 90},
    {"field": "median_duration_s", "headerName": "median duration", "type": "numericColumn", "width": 140,
     "valueFormatter": SECONDS_FORMAT},
    {"field": "mean_duration_s", "headerName": "mean duration", "type": "numericColumn", "width": 140,
     "valueFormatter": SECONDS_FORMAT},
    {"field": "sequence", "headerName": "activities", "flex": 1, "minWidth": 400, "tooltipField": "sequence"},
]


def layout(**_query):
    return page.frame(
        "Variants", "The distinct sequences of activities, most frequent first. Tick variants and filter to them.",
        page.loading(html.Div(id=ids.VARIANTS_CONTENT)),
    )


@callback(Output(ids.VARIANTS_CONTENT, "children"), Input(ids.FILTER_STORE, "data"))
def show_variants(store):
    state = page.state_of(store)
    with page.errors() as problem:
        if data.n_cases(state) == 0:
            return no_cases("variants")
        variants = data.variants(state)
        table = variant_table(variants)
        filter_button = html.Button("Filter to selected variants", id=ids.VARIANTS_FILTER, n_clicks=0,
                                    className="btn btn-primary btn-sm")
        return html.Div([
            graph(ids.VARIANTS_COVERAGE, coverage_figure(variants), file_name="variant_coverage"),
            table_card(GRID, table, title=f"{len(table):,} variants", file_name=f"{state.log}_variants.csv",
                       height=520, columns=COLUMNS, row_selection="multi", row_id="variant_id", max_rows=SHOWN_ROWS,
                       actions=[filter_button, html.Span(id=ids.VARIANTS_SELECTED, className="small text-muted")],
                       note="Durations are first to last event; open cases count with their duration so far."),
        ])
    return problem.alert


@callback(Output(ids.VARIANTS_SELECTED, "children"), Input(ids.grid(GRID), "selectedRows"), prevent_initial_call=True)
def count_selected(rows):
    return f"{len(rows or [])} selected" if rows else ""


@callback(page.patch_output(), Input(ids.VARIANTS_FILTER, "n_clicks"),
          State(ids.grid(GRID), "selectedRows"), prevent_initial_call=True)
def filter_to_selected(n_clicks, rows):
    if not n_clicks or not rows:
        raise dash.exceptions.PreventUpdate
    chosen = sorted({int(r["variant_id"]) for r in rows})
    return page.patch(replace=["variants"], add=[Variants(chosen)])


@extensions.warmer("variants", order=30)
def _warm(store):
    show_variants(store)
