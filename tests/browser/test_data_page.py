"""/data in a real browser: the warehouse's logs, their stats and quality reports."""

from __future__ import annotations

import pytest

from dashboard import ids
from pipelines.stats import log_stats
from pipelines.store import Store
from tests.browser.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser


def test_data_page_lists_logs_with_stats_and_quality(page, live_app, watch):
    page.goto(f"{live_app.url}/data")
    wait_for_app(page)
    grid = page.locator(f"#{ids.DATA_LOGS_TABLE}")
    for log in ("after", "before"):
        grid.get_by_text(log, exact=True).first.wait_for()
    # stats cards show exactly what the Python API says for the selected (first) log
    stats = log_stats(Store(live_app.db).log("after"))
    cards = page.locator(f"#{ids.DATA_STATS}")
    cards.get_by_text(f"{stats['cases']:,}", exact=True).wait_for()
    cards.get_by_text(f"{stats['events']:,}", exact=True).wait_for()
    page.locator("#quality").scroll_into_view_if_needed()  # drawn when scrolled to
    quality = page.locator(f"#{ids.DATA_QUALITY}")
    quality.get_by_text("Cases with a single event").wait_for()
    page.get_by_text("None: every row of the source files was loaded.").wait_for()
    screenshot(page, "data")
    watch.assert_clean()


def test_empty_warehouse_shows_what_to_do(page, tmp_path, watch):
    from tests.browser.conftest import serve_app

    for app in serve_app(tmp_path / "none.duckdb"):
        page.goto(f"{app.url}/data")
        wait_for_app(page)
        page.get_by_text("No logs in the warehouse yet").wait_for()
        page.get_by_text("deskmine samples").first.wait_for()
    watch.assert_clean()
