"""What every analysis page shares: the header, unpacking the filter state, extension sections.

A new page is one module (see dashboard/pages/variants.py for the smallest example)::

    dash.register_page(__name__, path="/sla", name="SLA", order=40)

    def layout(**_query):
        return page.frame("SLA", "What breaches and why.", page.loading(html.Div(id="sla-content")))

    @callback(Output("sla-content", "children"), Input(ids.FILTER_STORE, "data"))
    def show(store):
        state = page.state_of(store)              # PreventUpdate until the filter store is set
        with page.errors() as problem:            # DataError -> readable alert
            if data.n_cases(state) == 0:
                return no_cases("sla")
            return figures...                    # from data.compute("sla", state)
        return problem.alert

    # a section below the fold, computed once it is scrolled into view (Grafana's lazy panels):
    #   layout:   page.deferred("sla-queue")              (instead of page.loading(html.Div(id=...)))
    #   callback: Input(ids.shown("sla-queue"), "data")   -> def show_queue(store, in_view=True):
    #                                                           page.require_shown(in_view) ...

    # changing the global filter from a page (e.g. "filter to these cases"):
    @callback(page.patch_output(), Input("sla-filter", "n_clicks"), prevent_initial_call=True)
    def narrow(n):
        return page.patch(add=[CaseAttribute("priority", ["P1"])])
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import dash
from dash import Output, html

from dashboard import data, extensions, ids
from dashboard.components.feedback import deferred, error_alert, loading, require_shown, reserved
from dashboard.state import FilterState

__all__ = ["frame", "state_of", "errors", "loading", "deferred", "reserved", "require_shown", "sections", "patch_output", "patch"]


def frame(title: str, lead: str, *children) -> html.Div:
    """A page: title, one-line lead, content."""
    return html.Div([html.H3(title, className="mb-1"), html.P(lead, className="text-muted"), *children])


def patch_output():
    """The Output a page callback returns a filter patch to (see :func:`patch`)."""
    return Output(ids.FILTER_PATCH, "data", allow_duplicate=True)


def patch(*, add=(), replace=()) -> dict:
    """A change of the global filter: drop clauses of the ``replace`` kinds, then AND the ``add`` clauses.

    Each patch gets a unique id: the controller applies it exactly once.
    """
    return {"replace": list(replace), "add": [c.to_dict() for c in add], "id": uuid.uuid4().hex}


def state_of(store: dict | None) -> FilterState:
    """The filter state of the store payload (with the default log); PreventUpdate until it is set."""
    if not store:
        raise dash.exceptions.PreventUpdate
    return data.resolve_state(FilterState.from_store(store))


class Problem:
    alert = None


@contextmanager
def errors(title: str = "This view could not be computed"):
    """Turn a :class:`DataError` inside the block into ``problem.alert`` (a readable message)."""
    problem = Problem()
    try:
        yield problem
    except data.DataError as exc:
        problem.alert = error_alert(str(exc), title=title)


def sections(page_name: str, state: FilterState) -> list:
    """The extension sections registered for ``page_name`` (see dashboard.extensions), rendered."""
    out = []
    for s in extensions.sections(page_name):
        try:
            body = s.fn(state)
        except data.DataError as exc:
            body = error_alert(str(exc), title=f"{s.title} could not be computed")
        out.append(html.Section([html.H4(s.title, className="mt-4"), body],
                                className="extension-section", id=f"section-{page_name}-{_slug(s.title)}"))
    return out


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")
