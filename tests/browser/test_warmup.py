"""The start-up warm-up (what `deskmine serve` runs in the background) and long tables' full export."""

from __future__ import annotations

import csv
import io
from contextlib import closing
from pathlib import Path

import pytest

from dashboard import data
from dashboard.warmup import warm_up
from pipelines.mining.cases import get_cases
from pipelines.store import Store
from tests.browser.conftest import copy_warehouse, serve_app, wait_rendered

pytestmark = pytest.mark.browser

PATHS = ("/", "/map", "/variants", "/bottlenecks", "/sla", "/automation", "/compare", "/cases", "/data")


@pytest.fixture
def fresh_app(sample_warehouse, tmp_path):
    """The app on a private copy of the sample warehouse (its caches and policies its own)."""
    yield from serve_app(copy_warehouse(sample_warehouse, tmp_path))


def test_after_the_warm_up_every_page_opens_from_cache(page, fresh_app, watch):
    gateway = fresh_app.app.server.extensions[data.EXTENSION_KEY]
    status = warm_up(fresh_app.app)
    assert status["status"] == "done" and status["failed"] == {}, status
    assert status["done"] == ["overview", "map", "variants", "bottlenecks", "sla", "automation", "compare", "cases",
                              "data"]
    computed = gateway.memo.misses
    assert computed > 0
    for path in PATHS:
        page.goto(fresh_app.url + path)
        wait_rendered(page)
        assert page.locator(".data-error").count() == 0, path
        assert gateway.memo.misses == computed, f"{path} computed {gateway.memo.misses - computed} result(s) again"
    watch.assert_clean()


def test_a_long_table_shows_its_first_rows_and_exports_every_row(page, fresh_app, watch):
    from dashboard.pages.cases import LIST_ROWS

    with closing(Store(fresh_app.db)) as store:
        cases = get_cases(store.log("after"))
    assert len(cases) > LIST_ROWS  # the sample log is long enough for the test to mean something
    page.goto(fresh_app.url + "/cases?log=after")
    wait_rendered(page)
    page.get_by_text(f"The first {LIST_ROWS:,} of {len(cases):,} rows are shown").wait_for()
    with page.expect_download() as info:
        page.get_by_role("button", name=f"Export CSV (all {len(cases):,} rows)").click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert info.value.suggested_filename == "after_cases.csv"
    assert len(rows) == len(cases)
    assert {r["case_id"] for r in rows} == set(cases["case_id"].astype(str))
    longest = cases.sort_values("duration_s", ascending=False, kind="stable")["case_id"].astype(str).head(5).tolist()
    assert [r["case_id"] for r in rows[:5]] == longest
    watch.assert_clean()
