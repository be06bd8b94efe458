"""/: the start page. Until the overview (KPI cards) lands it shows the warehouse's logs (the /data view)."""

from __future__ import annotations

import dash

from dashboard.pages import data as data_page

dash.register_page(__name__, path="/", name="Home", title="deskmine", order=0, nav=False)


def layout(**query):
    return data_page.layout(**query)
