"""KPI cards (one Bootstrap card per :class:`~dashboard.figures.kpis.Kpi`)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.figures.kpis import Kpi

TONE_BORDER = {"secondary": "", "success": "border-success", "warning": "border-warning", "danger": "border-danger"}


def kpi_card(k: Kpi) -> dbc.Col:
    """A card whose DOM id is ``kpi-<key>`` and whose ``data-value`` holds the raw value (for tests)."""
    value = "" if k.value is None else repr(float(k.value)) if isinstance(k.value, float) else str(k.value)
    body = dbc.CardBody([
        html.Div(k.label, className="text-muted small kpi-label"),
        html.Div(k.text, className="fs-3 fw-semibold kpi-text"),
        html.Div(k.detail, className="small text-muted kpi-detail"),
    ])
    card = dbc.Card(body, className=f"h-100 kpi-card {TONE_BORDER.get(k.tone, '')}")
    return dbc.Col(html.Div(card, id=f"kpi-{k.key}", className="h-100", **{"data-value": value}),
                   xs=6, md=4, xl=2, className="mb-3")


def kpi_row(kpis: list[Kpi]) -> dbc.Row:
    return dbc.Row([kpi_card(k) for k in kpis], className="kpi-row g-3")
