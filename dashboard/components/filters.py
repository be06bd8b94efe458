"""The global filter bar and its controller: one dcc.Store, mirrored in the URL.

Data flow (all in this module, registered per app by :func:`register`):

* **controller** (one server callback, so the bar and the store can update each other): the URL
  (on load / back-forward), the bar's widgets, the patch store ``ids.FILTER_PATCH`` and
  ``ids.GENERATION_STORE`` (bumped after an upload) -> ``ids.FILTER_STORE`` (+ the widgets' values,
  their options, loaded once per log through ``data.options``, and the chips). The store holds
  ``FilterState.to_store()``: ``{"log", "filter", "query"}``. Every input is a shell component, so
  a page mounting never re-fires it (a re-fire would supersede an answer still in flight).
* **patches**: pages change the filter by writing ``ids.FILTER_PATCH`` (``allow_duplicate=True``):
  ``{"replace": [kinds], "add": [clause dicts]}``, ``{"clear": true}`` or ``{"remove": key}``, plus a
  unique ``id``; the store remembers the last id applied (``"applied"``), so a patch is applied
  exactly once even when Dash supersedes the request that carried it. "Clear filters" buttons
  (``ids.clear_filters(where)``) and the chips' × are relayed to it by one pattern-matching callback.
* Whatever fires the controller, the widgets' current values decide the bar's clauses (see
  :func:`next_state`), so a change whose request was superseded is not lost either.
* **summary**: the store -> "201 of 4,000 cases".
* **URL writer** (client side): the store -> ``history.replaceState`` with the state's query,
  keeping non-filter parameters (``case=``). replaceState tells no Dash component, so the page is
  not re-rendered; the URL is always the shareable link of what is shown.
"""

from __future__ import annotations

import dataclasses
import json
import math
import uuid

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html

from dashboard import data, ids
from dashboard.figures.variants import variant_label
from dashboard.state import (
    BAR_ATTRIBUTES,
    FILTER_KEYS,
    MISSING,
    Bar,
    FilterState,
    from_query,
    has_state,
    split_filter,
)

LABELS = {"priority": "Priority", "channel": "Channel", "category": "Category", "team": "Team"}
_BAR_INPUTS = [ids.FILTER_DATES, *ids.FILTER_ATTRIBUTE.values(), ids.FILTER_VARIANT, ids.FILTER_DMIN, ids.FILTER_DMAX]


def _dropdown(component_id: str, placeholder: str, **kwargs) -> dcc.Dropdown:
    return dcc.Dropdown(id=component_id, options=[], value=[], multi=True, placeholder=placeholder,
                        className="filter-dropdown", **kwargs)


def _field(label: str, control, md: int | str = 2) -> dbc.Col:
    return dbc.Col([html.Label(label, className="form-label small text-muted mb-0", htmlFor=control.id), control],
                   md=md, className="mb-2")


def filter_bar() -> html.Div:
    """The bar under the navigation (every page)."""
    row1 = dbc.Row([
        _field("Log", dcc.Dropdown(id=ids.FILTER_LOG, options=[], value=None, clearable=False,
                                   placeholder="log", className="filter-dropdown"), md=2),
        _field("Cases started", dcc.DatePickerRange(id=ids.FILTER_DATES, display_format="YYYY-MM-DD",
                                                    start_date_placeholder_text="from", end_date_placeholder_text="to",
                                                    clearable=True, minimum_nights=0, first_day_of_week=1), md=3),
        _field(LABELS["priority"], _dropdown(ids.FILTER_PRIORITY, "any"), md=1),
        _field(LABELS["channel"], _dropdown(ids.FILTER_CHANNEL, "any"), md=2),
        _field(LABELS["category"], _dropdown(ids.FILTER_CATEGORY, "any"), md=2),
        _field(LABELS["team"], _dropdown(ids.FILTER_TEAM, "any"), md=2),
    ], className="g-2 align-items-end")
    row2 = dbc.Row([
        _field("Variant", _dropdown(ids.FILTER_VARIANT, "any variant", maxHeight=320), md=5),
        _field("Duration from (h)", dbc.Input(id=ids.FILTER_DMIN, type="number", min=0, step="any", debounce=True,
                                              placeholder="0", size="sm"), md=1),
        _field("to (h)", dbc.Input(id=ids.FILTER_DMAX, type="number", min=0, step="any", debounce=True,
                                   placeholder="∞", size="sm"), md=1),
        dbc.Col(html.Div(id=ids.FILTER_CHIPS, className="d-flex flex-wrap gap-1"), md=3, className="mb-2"),
        dbc.Col(html.Div([
            html.Div(id=ids.FILTER_SUMMARY, className="small text-muted me-2"),
            html.Button("Clear filters", id=ids.clear_filters("bar"), n_clicks=0,
                        className="btn btn-outline-secondary btn-sm"),
        ], className="d-flex align-items-center justify-content-end"), md=2, className="mb-2"),
    ], className="g-2 align-items-end")
    return html.Div([row1, row2, html.Div(id=ids.FILTER_ERROR)], id=ids.FILTER_BAR,
                    className="filter-bar border-bottom bg-light px-3 pt-2 mb-3")


def stores() -> list:
    """The shell's state components: URL, the filter store, the generation store, the URL writer's output."""
    return [
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Store(id=ids.FILTER_STORE, storage_type="memory"),
        dcc.Store(id=ids.GENERATION_STORE, data=0),
        dcc.Store(id=ids.FILTER_PATCH),
        dcc.Store(id=ids.URL_SYNC),
    ]


# -- pure helpers (tested without a browser) ----------------------------------------------------------

def hours_to_seconds(value) -> float | None:
    if value is None or value == "":
        return None
    v = float(value)
    if math.isnan(v) or v < 0:
        raise ValueError(f"a duration bound must be a non-negative number of hours; got {value!r}")
    return v * 3600.0


def seconds_to_hours(value: float | None) -> float | None:
    return None if value is None else round(value / 3600.0, 6)


def bar_from_widgets(start_date, end_date, attributes: dict, variants, dmin_h, dmax_h) -> Bar:
    """The bar's widget values as a :class:`Bar` (ValueError with a readable message when invalid)."""
    return Bar(
        date_from=(start_date or "")[:10] or None, date_to=(end_date or "")[:10] or None,
        attributes={k: tuple(v) for k, v in attributes.items() if v},
        variants=tuple(int(v) for v in (variants or [])),
        min_s=hours_to_seconds(dmin_h), max_s=hours_to_seconds(dmax_h),
    )


def widget_values(state: FilterState) -> list:
    """Values for the bar's widgets in output order: log, start, end, attributes..., variants, dmin, dmax."""
    bar, _ = split_filter(state.filter)
    return [state.log, bar.date_from[:10] if bar.date_from else None, bar.date_to[:10] if bar.date_to else None,
            *[list(bar.attributes.get(name, ())) for name in BAR_ATTRIBUTES], list(bar.variants),
            seconds_to_hours(bar.min_s), seconds_to_hours(bar.max_s)]


def chips(state: FilterState) -> list:
    """One removable chip per clause the bar cannot show (e.g. added from the process map)."""
    from dashboard.state import clause_key_of

    _, extras = split_filter(state.filter)
    return [html.Span([c.describe(), html.Button("×", id={"type": ids.CHIP_REMOVE, "index": clause_key_of(c)},
                                                  n_clicks=0, title="remove this filter",
                                                  className="btn btn-sm btn-link p-0 ms-1 chip-remove")],
                      className="badge rounded-pill text-bg-primary filter-chip") for c in extras]


def next_state(trigger: str, current: FilterState | None, *, search: str | None, widgets: dict,
               log_names: list[str], patch: dict | None = None,
               applied: str | None = None) -> tuple[FilterState, str | None]:
    """The new filter state (pure; the controller's whole logic). Returns ``(state, message or None)``.

    1. No state yet (page load) or ``trigger == "url"`` with a URL that carries a state (a shared
       link, back/forward): the URL decides (unknown log: the first log, and a message).
    2. Otherwise the bar's widgets decide the bar's clauses (and the log), whatever fired: Dash
       drops the answer to a request superseded by a newer one, and the newer request carries the
       widgets as the user left them, so no change is lost. Clauses the bar cannot show stay.
    3. Then a page's ``patch`` is applied once (its ``id`` differs from ``applied``, the last one
       applied): ``{"clear": true}``, ``{"remove": clause key}`` or ``{"replace": [kinds], "add":
       [clause dicts]}`` (see :meth:`FilterState.patched`).
    """
    if current is None or (trigger == "url" and has_state(search)):
        state, error = _from_url(search, log_names)
    else:
        state, error = _from_widgets(current, widgets)
    if patch and patch.get("id") != applied:
        try:
            state = _patched(state, patch)
        except ValueError as exc:
            error = f"filter not applied: {exc}"
    return state, error


def _from_url(search: str | None, log_names: list[str]) -> tuple[FilterState, str | None]:
    error = None
    try:
        state = from_query(search)
    except ValueError as exc:
        state, error = FilterState(), str(exc)
    if state.log not in log_names:
        if state.log:
            error = (f"there is no log {state.log!r} in the warehouse; showing {log_names[0]!r}" if log_names
                     else f"there is no log {state.log!r}: the warehouse is empty")
        state = FilterState(log_names[0] if log_names else None, state.filter)
    return state, error


def _from_widgets(current: FilterState, widgets: dict) -> tuple[FilterState, str | None]:
    log = widgets.get("log") or current.log
    state = current.with_log(log)
    old_bar, _ = split_filter(current.filter)
    try:
        bar = bar_from_widgets(widgets.get("start"), widgets.get("end"), widgets.get("attributes") or {},
                               widgets.get("variants") if log == current.log else [],
                               widgets.get("dmin"), widgets.get("dmax"))
    except ValueError as exc:
        return state, f"filter not applied: {exc}"
    # durations round-trip through hours in the widgets: keep the exact seconds when unchanged
    if seconds_to_hours(old_bar.min_s) == seconds_to_hours(bar.min_s):
        bar = dataclasses.replace(bar, min_s=old_bar.min_s)
    if seconds_to_hours(old_bar.max_s) == seconds_to_hours(bar.max_s):
        bar = dataclasses.replace(bar, max_s=old_bar.max_s)
    try:
        return state.with_bar(bar), None
    except ValueError as exc:
        return state, f"filter not applied: {exc}"


def _patched(state: FilterState, patch: dict) -> FilterState:
    if patch.get("clear"):
        return state.cleared()
    if patch.get("remove"):
        return state.without(patch["remove"])
    return state.patched(patch)


def bar_options(log: str | None, names: list[str]) -> list:
    """Options for the bar's dropdowns and date picker (log list, attribute values, variants, date bounds)."""
    log_options = [{"label": n, "value": n} for n in names]
    try:
        opts = data.options(log) if log in names else None
    except data.DataError:
        opts = None
    if opts is None:
        return [log_options, *[[] for _ in BAR_ATTRIBUTES], [], None, None, None]
    attribute_options = [[{"label": "(missing)" if v is None else v, "value": MISSING if v is None else v}
                          for v in opts[name]] for name in BAR_ATTRIBUTES]
    variant_options = [{"label": variant_label(r), "value": int(r["variant_id"])}
                       for r in opts["variants"].to_dict(orient="records")]
    start = opts["start"].strftime("%Y-%m-%d") if opts["start"] is not None else None
    end = opts["end"].strftime("%Y-%m-%d") if opts["end"] is not None else None
    return [log_options, *attribute_options, variant_options, start, end, start]


# -- callbacks -------------------------------------------------------------------------------------

def register(app) -> None:
    attribute_ids = [ids.FILTER_ATTRIBUTE[name] for name in BAR_ATTRIBUTES]

    @app.callback(
        Output(ids.FILTER_STORE, "data"),
        Output(ids.FILTER_LOG, "value"),
        Output(ids.FILTER_DATES, "start_date"),
        Output(ids.FILTER_DATES, "end_date"),
        *[Output(i, "value") for i in attribute_ids],
        Output(ids.FILTER_VARIANT, "value"),
        Output(ids.FILTER_DMIN, "value"),
        Output(ids.FILTER_DMAX, "value"),
        Output(ids.FILTER_CHIPS, "children"),
        Output(ids.FILTER_ERROR, "children"),
        Output(ids.FILTER_SUMMARY, "children"),
        # options travel with the values: a Dash 4 dropdown drops values missing from its options
        Output(ids.FILTER_LOG, "options"),
        *[Output(i, "options") for i in attribute_ids],
        Output(ids.FILTER_VARIANT, "options"),
        Output(ids.FILTER_DATES, "min_date_allowed"),
        Output(ids.FILTER_DATES, "max_date_allowed"),
        Output(ids.FILTER_DATES, "initial_visible_month"),
        Input(ids.URL, "search"),
        Input(ids.FILTER_LOG, "value"),
        Input(ids.FILTER_DATES, "start_date"),
        Input(ids.FILTER_DATES, "end_date"),
        *[Input(i, "value") for i in attribute_ids],
        Input(ids.FILTER_VARIANT, "value"),
        Input(ids.FILTER_DMIN, "value"),
        Input(ids.FILTER_DMAX, "value"),
        Input(ids.FILTER_PATCH, "data"),
        Input(ids.GENERATION_STORE, "data"),
        State(ids.FILTER_STORE, "data"),
    )
    def control(search, log, start, end, *rest):
        attrs = dict(zip(BAR_ATTRIBUTES, rest[:len(BAR_ATTRIBUTES)], strict=True))
        variants, dmin, dmax, patch, _generation, store = rest[len(BAR_ATTRIBUTES):]
        trigger = _trigger()
        current = FilterState.from_store(store) if store else None
        widgets = {"log": log, "start": start, "end": end, "attributes": attrs, "variants": variants,
                   "dmin": dmin, "dmax": dmax}
        try:
            names = data.log_names()
        except data.DataError as exc:
            names, problem = [], str(exc)
        else:
            problem = None
        applied = (store or {}).get("applied")
        state, error = next_state(trigger, current, search=search, widgets=widgets, log_names=names,
                                  patch=patch, applied=applied)
        error = error or problem
        new_store = {**state.to_store(), "applied": (patch or {}).get("id", applied)}
        alert = dbc.Alert(error, color="warning", dismissable=True, className="py-1 px-2 small mb-2") if error else None
        store_out = dash.no_update if store == new_store else new_store
        same_log = current is not None and current.log == state.log and trigger not in ("url", "generation")
        options = [dash.no_update] * (len(BAR_ATTRIBUTES) + 5) if same_log else bar_options(state.log, names)
        values, chip_row = widget_values(state), chips(state)
        if same_log:  # a widget changed: leave alone what the bar already shows (each prop set costs the
            # browser a pass over the callback graph before the page's callbacks are sent)
            shown = [log, start, end, *attrs.values(), variants, dmin, dmax]
            values = [dash.no_update if v == w else v for v, w in zip(values, shown, strict=True)]
            if split_filter(current.filter)[1] == split_filter(state.filter)[1]:
                chip_row = dash.no_update
        return (store_out, *values, chip_row, alert, summary(state), *options)

    @app.callback(
        Output(ids.FILTER_PATCH, "data", allow_duplicate=True),
        Input({"type": ids.CLEAR_FILTERS, "index": ALL}, "n_clicks"),
        Input({"type": ids.CHIP_REMOVE, "index": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def relay_buttons(_clears, _removes):
        """"Clear filters" buttons (bar, empty states) and chip removal, as patches to the filter."""
        tid = ctx.triggered_id
        clicked = ctx.triggered[0]["value"] if ctx.triggered else None
        if not isinstance(tid, dict) or not clicked:  # a button just appeared: nothing was clicked
            raise dash.exceptions.PreventUpdate
        if tid["type"] == ids.CLEAR_FILTERS:
            return {"clear": True, "id": uuid.uuid4().hex}
        return {"remove": tid["index"], "id": uuid.uuid4().hex}

    app.clientside_callback(
        """
        function(store, pathname) {
            if (!store) { return window.dash_clientside.no_update; }
            var keys = __FILTER_KEYS__;
            var current = new URLSearchParams(window.location.search);
            var kept = new URLSearchParams();
            current.forEach(function(v, k) { if (keys.indexOf(k) < 0) { kept.append(k, v); } });
            var parts = [store.query || "", kept.toString()].filter(function(x) { return x; });
            var search = parts.length ? "?" + parts.join("&") : "";
            if (search !== window.location.search) {
                window.history.replaceState(window.history.state, "", window.location.pathname + search + window.location.hash);
            }
            return search;
        }
        """.replace("__FILTER_KEYS__", json.dumps(list(FILTER_KEYS))),
        Output(ids.URL_SYNC, "data"),
        Input(ids.FILTER_STORE, "data"),
        Input(ids.URL, "pathname"),
    )


def summary(state: FilterState):
    """"n of N cases" under the bar, sent with the filter itself (one count, cached; no extra request)."""
    try:
        state = data.resolve_state(state)
        if not state.log:
            return "no log"
        total = data.stats(state.log)["cases"]
        shown = data.n_cases(state) if len(state.filter) else total
    except data.DataError:
        return ""
    if shown == 0:
        return html.Span("no case matches", className="text-danger fw-semibold")
    return f"{shown:,} of {total:,} cases"


def _trigger() -> str:
    """What fired the controller: ``url`` (also the first call), ``generation`` or ``widgets``."""
    tid = ctx.triggered_id
    if tid is None or tid == ids.URL:
        return "url"
    if tid == ids.GENERATION_STORE:
        return "generation"
    return "widgets"
