"""Every analysis page in a real browser, on the sample warehouse: loads clean, filters, clicks, uploads.

Numbers shown are compared with the Python API on the same filter (the numbers a notebook gets).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from dashboard import ids
from dashboard.figures.process_map import DEFAULT_ACTIVITIES, DEFAULT_PATHS
from pipelines.mining.cases import get_cases
from pipelines.mining.dfg import END, START, discover_dfg
from pipelines.mining.filters import CaseAttribute, CaseDuration, apply_filter, filter_activities
from pipelines.mining.kpis import get_kpis
from pipelines.store import Store
from tests.browser.conftest import ROOT, screenshot, serve_app, wait_for_app

pytestmark = pytest.mark.browser

GOOD_CSV = ROOT / "tests" / "data" / "bad" / "good.csv"
BINARY_CSV = ROOT / "tests" / "data" / "bad" / "binary.csv"
FIND_CY = """() => {
    const find = (el) => { if (el._cyreg && el._cyreg.cy) { return el._cyreg.cy; }
                           for (const c of el.children) { const r = find(c); if (r) { return r; } } return null; };
    const box = document.getElementById('__ID__');
    return box ? find(box) : null;
}""".replace("__ID__", ids.MAP_GRAPH)


def open_page(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)


def choose(page, dropdown_id: str, label: str) -> None:
    """Pick ``label`` in a Dash 4 dropdown (its options render in a portal)."""
    page.click(f"#{dropdown_id}")
    page.get_by_role("option", name=label, exact=True).click()
    page.keyboard.press("Escape")


def kpi_value(page, key: str) -> str | None:
    return page.locator(f"#kpi-{key}").get_attribute("data-value")


def wait_kpi(page, key: str, value) -> None:
    page.wait_for_selector(f"#kpi-{key}[data-value='{value}']", timeout=15_000)


def search_params(page) -> dict:
    from urllib.parse import parse_qs

    return parse_qs(page.evaluate("window.location.search").lstrip("?"))


def expected_kpis(db: Path, log: str, clause=None) -> dict:
    """What the overview cards must show for ``log`` narrowed by ``clause``: ``get_kpis``, and the
    resolution times of ``get_resolution_times`` with the warehouse's sample policy (Kaplan-Meier,
    calendar time: the overview's definition, shared with /sla)."""
    from pipelines.mining.policy import read_policy
    from pipelines.mining.sla import get_resolution_times
    from pipelines.samples import policy_dir

    with closing(Store(db)) as store:
        log_ = apply_filter(store.log(log), clause)
        kpis = get_kpis(log_)
        km = get_resolution_times(log_, read_policy(policy_dir(db) / "sla_policy.toml")).summary
        calendar = km.set_index("measure").loc["calendar"]
        return kpis | {"median_resolution_s": float(calendar["km_median_s"]),
                       "p90_resolution_s": float(calendar["km_p90_s"])}


def cy_graph(page) -> tuple[set, set]:
    nodes, edges = page.evaluate("() => { const cy = (" + FIND_CY + ")(); return cy ? [cy.nodes().map(n => n.id()), "
                                 "cy.edges().map(e => [e.data('source'), e.data('target')])] : [[], []]; }")
    return set(nodes), {tuple(e) for e in edges}


def expected_graph(dfg) -> tuple[set, set]:
    nodes = set(dfg.activities["activity"]) | {START, END}
    edges = set(zip(dfg.edges["source"], dfg.edges["target"], strict=True))
    edges |= {(START, a) for a in dfg.start_activities} | {(a, END) for a in dfg.end_activities}
    return nodes, edges


def download(page, button: str) -> bytes:
    """Click ``button`` and return the bytes of the file the browser downloads."""
    with page.expect_download(timeout=30_000) as info:
        page.click(button)
    return Path(info.value.path()).read_bytes()


def wait_until(predicate, timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


# -- every page loads clean --------------------------------------------------------------------------

PAGES = {
    "overview": ("/?log=before", "#kpi-cases"),
    "variants": ("/variants?log=before", f"{ids.css(ids.grid('variants'))} .ag-row"),
    "bottlenecks": ("/bottlenecks?log=before", f"#{ids.BOTTLENECKS_CHART} .js-plotly-plot"),
    "cases": ("/cases?log=before&case=B-000003", f"#{ids.CASES_TIMELINE} .js-plotly-plot"),
    "data": ("/data?log=before", f"#{ids.DATA_STATS} .data-stats-cards"),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_clean(page, live_app, watch, name):
    path, ready = PAGES[name]
    open_page(page, live_app.url + path)
    page.wait_for_selector(ready, timeout=20_000)
    wait_for_app(page)
    assert page.locator(".data-error").count() == 0
    assert "Traceback" not in page.content()
    if name == "cases":
        page.locator(".case-attributes").get_by_text("B-000003", exact=True).wait_for()
        with closing(Store(live_app.db)) as store:
            n_events = int(get_cases(apply_filter(store.log("before"), CaseAttribute("case_id", ["B-000003"])))
                           ["n_events"].iloc[0])
        page.get_by_text(f"{n_events} events", exact=True).wait_for()
    if name != "data":  # data.png is made by test_data_page
        screenshot(page, name)
    watch.assert_clean()


def test_overview_kpis_follow_the_priority_filter_url_and_reload(page, live_app, watch):
    open_page(page, live_app.url + "/?log=before")
    everything = expected_kpis(live_app.db, "before")
    wait_kpi(page, "cases", everything["cases"])
    choose(page, ids.FILTER_PRIORITY, "P1")
    p1 = expected_kpis(live_app.db, "before", CaseAttribute("priority", ["P1"]))
    assert p1["cases"] < everything["cases"]
    wait_kpi(page, "cases", p1["cases"])
    assert float(kpi_value(page, "median_resolution")) == p1["median_resolution_s"]
    assert float(kpi_value(page, "p90_resolution")) == p1["p90_resolution_s"]
    assert int(kpi_value(page, "open_cases")) == p1["open_cases"]
    assert page.locator(f"#{ids.FILTER_SUMMARY}").inner_text() == f"{p1['cases']:,} of {everything['cases']:,} cases"
    # the URL is the shareable link of this view; a reload shows the same numbers and the same bar
    assert search_params(page) == {"log": ["before"], "priority": ["P1"]}
    page.reload()
    wait_for_app(page)
    wait_kpi(page, "cases", p1["cases"])
    assert float(kpi_value(page, "median_resolution")) == p1["median_resolution_s"]
    page.locator(f"#{ids.FILTER_PRIORITY}").get_by_text("P1").wait_for()
    watch.assert_clean()


def test_a_filter_matching_nothing_says_so_and_clears(page, live_app, watch):
    open_page(page, live_app.url + "/?log=before&dmin=999999999")
    page.get_by_text("No case matches the current filters").wait_for()
    page.get_by_role("button", name="Clear all filters").click()
    wait_kpi(page, "cases", expected_kpis(live_app.db, "before")["cases"])
    assert search_params(page) == {"log": ["before"]}
    watch.assert_clean()


def test_map_node_click_shows_stats_and_filters_the_map(page, live_app, watch):
    open_page(page, live_app.url + "/map?log=before")
    shares = {"activities": DEFAULT_ACTIVITIES / 100, "paths": DEFAULT_PATHS / 100}  # the sliders' defaults
    with closing(Store(live_app.db)) as store:
        log = store.log("before")
        before = discover_dfg(log, **shares)
        after = discover_dfg(filter_activities(log, ["Escalate to L2"]), **shares)
    wait_until(lambda: cy_graph(page) == expected_graph(before), what="the unfiltered map")
    wait_for_app(page)
    page.locator(f"#{ids.MAP_GRAPH}").scroll_into_view_if_needed()
    # click the node where cytoscape drew it (once the layout has settled)
    where = ("() => { const cy = (" + FIND_CY + ")(); const n = cy.getElementById('Escalate to L2');"
             " const r = cy.container().getBoundingClientRect();"
             " return [r.x + n.renderedPosition().x, r.y + n.renderedPosition().y]; }")
    previous = []

    def settled():
        pos = page.evaluate(where)
        stable = bool(previous) and previous[-1] == pos
        previous.append(pos)
        time.sleep(0.2)
        return pos if stable else None

    page.mouse.click(*wait_until(settled, what="the map layout to settle"))
    details = page.locator(f"#{ids.MAP_DETAILS}")
    details.get_by_text("Escalate to L2", exact=True).wait_for()
    row = before.activities.set_index("activity").loc["Escalate to L2"]
    assert f"events\t{int(row['frequency']):,}" in details.inner_text()
    page.locator(".map-case-count").get_by_text(f"{int(row['cases']):,} cases through it", exact=False).wait_for()
    csv = download(page, f"#{ids.MAP_CASES_EXPORT}")
    assert csv.decode().count("\n") == int(row["cases"]) + 1  # header + one line per case through the node
    page.click(f"#{ids.MAP_FILTER_BY}")
    page.locator(f"#{ids.FILTER_CHIPS}").get_by_text("has activity Escalate to L2").wait_for()
    wait_until(lambda: cy_graph(page) == expected_graph(after), what="the map filtered by the node")
    assert search_params(page)["clause"] == ['{"activities":["Escalate to L2"],"kind":"activities","mode":"any"}']
    screenshot(page, "map")
    watch.assert_clean()


def test_map_exports_png_svg_and_bpmn_offline(page, live_app, watch):
    open_page(page, live_app.url + "/map?log=before&channel=chat")
    wait_until(lambda: len(cy_graph(page)[0]) > 2, what="the map")
    assert download(page, f"#{ids.MAP_PNG}").startswith(b"\x89PNG")
    assert download(page, f"#{ids.MAP_SVG}").startswith(b"<svg")
    bpmn = download(page, f"#{ids.MAP_BPMN}")  # inductive miner on the filtered cases, BPMN 2.0 XML
    assert b"<bpmn:definitions" in bpmn and b"Take in charge" in bpmn
    watch.assert_clean()


def test_variants_selection_filters_every_page(page, live_app, watch):
    open_page(page, live_app.url + "/variants?log=before")
    grid = ids.css(ids.grid("variants"))
    page.wait_for_selector(f"{grid} .ag-row")
    for rank in ("1", "2"):
        page.locator(f"{grid} .ag-row[row-index='{int(rank) - 1}'] .ag-selection-checkbox input").check()
    page.click(f"#{ids.VARIANTS_FILTER}")
    wait_until(lambda: search_params(page).get("variant") == ["1", "2"], what="the variant filter in the URL")
    page.locator(f"#{ids.NAV}").get_by_text("Overview").click()
    with closing(Store(live_app.db)) as store:
        from pipelines.mining.filters import Variants

        expected = get_kpis(apply_filter(store.log("before"), Variants([1, 2])))["cases"]
    wait_kpi(page, "cases", expected)
    watch.assert_clean()


# -- adding a log: upload, preview, background ingest, lock sharing -------------------------------------

@pytest.fixture
def upload_app(sample_warehouse, tmp_path):
    """The app on a private copy of the sample warehouse, with a 10 KB upload limit."""
    db = tmp_path / "upload.duckdb"
    shutil.copy(sample_warehouse, db)
    yield from serve_app(db, max_upload_mb=10 / 1024, upload_dir=str(tmp_path / "uploads"))


def test_upload_csv_ingests_in_background_and_becomes_selectable(page, upload_app, watch, tmp_path):
    open_page(page, upload_app.url + "/data?log=before")
    page.set_input_files(f"#{ids.UPLOAD} input[type=file]", str(GOOD_CSV))
    page.locator(".upload-file-name").get_by_text("good.csv").wait_for()
    # the mapping preview: detected roles with the loader's reasons, overridable per role
    roles = page.locator(".upload-roles")
    roles.get_by_text("known name (common)").first.wait_for()
    assert page.locator(ids.css({"type": ids.UPLOAD_ROLE, "index": "case_id"})).inner_text() == "Case ID"
    page.fill(f"#{ids.UPLOAD_LOG_NAME}", "good_upload")
    page.click(f"#{ids.UPLOAD_START}")
    page.locator(".upload-done").get_by_text("log 'good_upload' loaded").wait_for(timeout=30_000)
    # the logs table lists it too
    page.locator(f"#{ids.DATA_LOGS_TABLE}").get_by_text("good_upload", exact=True).wait_for()
    page.evaluate("window.scrollTo(0, 0)")  # a grid scrolled out of view is not painted in a full-page shot
    screenshot(page, "upload")
    # the new log is in the global log selector; choosing it shows its cases
    choose(page, ids.FILTER_LOG, "good_upload")
    page.locator(f"#{ids.NAV}").get_by_text("Overview").click()
    wait_kpi(page, "cases", 2)
    assert search_params(page) == {"log": ["good_upload"]}
    watch.assert_clean()


def test_upload_refuses_bad_and_oversized_files_in_words(page, upload_app, watch, tmp_path):
    open_page(page, upload_app.url + "/data")
    page.set_input_files(f"#{ids.UPLOAD} input[type=file]", str(BINARY_CSV))
    alert = page.locator(f"#{ids.UPLOAD_PREVIEW} .data-error")
    alert.get_by_text("This file cannot be ingested").wait_for()
    assert "binary file" in alert.inner_text()
    assert "Traceback" not in page.content()
    big = tmp_path / "big.csv"
    big.write_text("Case ID,Activity,Timestamp\n" + "".join(f"T{i},Open,2024-03-01 09:00:00\n" for i in range(1000)))
    page.set_input_files(f"#{ids.UPLOAD} input[type=file]", str(big))
    page.locator(f"#{ids.UPLOAD_CLIENT_ERROR}").get_by_text("the upload limit is 10.0 KB", exact=False).wait_for()
    watch.assert_clean()


def test_an_ingest_from_another_process_gets_the_lock_while_the_app_serves(page, upload_app, watch):
    """The app releases its read connection when idle, so ``deskmine ingest`` can write meanwhile."""
    open_page(page, upload_app.url + "/?log=before")
    page.wait_for_selector("#kpi-cases")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from pipelines.cli import main; sys.exit(main())", "ingest",
         str(GOOD_CSV), "--log", "external", "--db", str(upload_app.db)],
        cwd=ROOT, capture_output=True, text=True, timeout=90,
    )
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 30
    page.reload()
    wait_for_app(page)
    choose(page, ids.FILTER_LOG, "external")
    wait_kpi(page, "cases", 2)
    watch.assert_clean()


def test_an_unexpected_error_is_a_message_not_a_traceback(page, upload_app, watch, monkeypatch):
    from dashboard import data

    def broken(log, **_options):
        raise RuntimeError("variants exploded")

    monkeypatch.setitem(data.ANALYSES, "variants", broken)
    open_page(page, upload_app.url + "/variants?log=before")
    page.locator(f"#{ids.APP_ERROR}").get_by_text("RuntimeError: variants exploded").wait_for()
    assert "Traceback" not in page.content()
    watch.assert_clean()  # handled on the server: no failed request, no console error


def test_background_ingest_shares_the_store_with_concurrent_readers(upload_app):
    """An upload ingests through the app's own Store while other requests keep querying it: the
    write waits for running queries, holds new ones for the final copy, and nobody fails."""
    import base64
    import threading

    from dashboard import data
    from dashboard.state import FilterState
    from pipelines.mining.filters import Filter

    app = upload_app.server.app  # werkzeug's server holds the Flask app
    errors: list[BaseException] = []
    answers: list[int] = []
    stop = threading.Event()

    def reader(i: int) -> None:
        with app.app_context():
            n = 0
            while not stop.is_set():
                try:  # a different filter each time: no cache hit, a real query on the shared Store
                    state = FilterState("before", Filter((CaseDuration(min_s=float(i * 100_000 + n)),)))
                    answers.append(data.kpis(state)["cases"])
                    data.store().query_rows("store/generation")
                except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                    errors.append(exc)
                n += 1

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    try:
        with app.app_context():
            contents = "data:text/csv;base64," + base64.b64encode(GOOD_CSV.read_bytes()).decode()
            upload = data.save_upload("good.csv", contents)
            job_id = data.start_ingest(upload.token, "concurrent")
            job = wait_until(lambda: (j := data.job(job_id))["status"] != "running" and j, timeout=60,
                             what="the background ingest")
            assert job["status"] == "done", job["message"]
            assert "concurrent" in data.log_names()
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert errors == []
    assert answers and all(a > 0 for a in answers)  # every reader got answers; none failed or saw nothing
