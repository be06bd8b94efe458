"""The SLA, Compare and Automation pages (and what they add to the overview and /bottlenecks) in a
real browser, on the sample warehouse with the sample SLA policy installed beside it.

Numbers shown are compared with the Python API on the same filter (what a notebook gets).
"""

from __future__ import annotations

import json
import re
from contextlib import closing
from pathlib import Path

import pytest

from dashboard import ids
from pipelines.mining.compare_maps import map_delta
from pipelines.mining.dfg import END, START, discover_dfg
from pipelines.mining.filters import CaseAttribute, apply_filter
from pipelines.mining.sla import (
    calibrate_risk,
    evaluate_sla,
    find_at_risk,
    get_resolution_times,
    read_policy,
    sla_breach_rates,
)
from pipelines.samples import SAMPLE_DIR, policy_dir
from pipelines.store import Store
from tests.browser.conftest import copy_warehouse, reveal_all, screenshot, serve_app, wait_for_app
from tests.browser.test_pages import choose, download, kpi_value, search_params, wait_until

pytestmark = pytest.mark.browser

POLICY = SAMPLE_DIR / "sla_policy.toml"
STATUSES = ("met", "breached", "open", "open_breached")
FIND_CY = """(id) => {
    const find = (el) => { if (el._cyreg && el._cyreg.cy) { return el._cyreg.cy; }
                           for (const c of el.children) { const r = find(c); if (r) { return r; } } return null; };
    const box = document.getElementById(id);
    const cy = box ? find(box) : null;
    return cy ? cy.nodes().map(n => n.id()) : [];
}"""


def open_page(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)


def api_breach_rate(db: Path, log: str, clause=None, policy_path: Path = POLICY) -> float:
    """Resolution breach rate over the cases with a target, from ``sla_breach_rates(evaluate_sla(...))``."""
    with closing(Store(db)) as store:
        rates = sla_breach_rates(evaluate_sla(apply_filter(store.log(log), clause), read_policy(policy_path)))
    breached = rates["resolution_breached"].sum() + rates["resolution_open_breached"].sum()
    counted = sum(rates[f"resolution_{s}"].sum() for s in STATUSES)
    return float(breached / counted)


def card_number(page, key: str) -> float:
    return float(kpi_value(page, key))


def wait_card(page, key: str, expected: float, what: str) -> None:
    """Wait until card ``key`` shows ``expected`` (compared as floats: the card holds repr(float))."""
    def shown():
        value = page.locator(f"#kpi-{key}").get_attribute("data-value") if page.locator(f"#kpi-{key}").count() else None
        return value not in (None, "") and float(value) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    wait_until(shown, timeout=30, what=what)


# -- every new page loads clean ------------------------------------------------------------------------

PAGES = {
    "sla": ("/sla?log=before", f"{ids.css(ids.grid('sla-at-risk'))} .ag-row"),
    "compare": ("/compare?log=before", f"#{ids.COMPARE_KPIS} tr[data-kpi='no_human_touch_share']"),
    "automation": ("/automation?log=before", f"{ids.css(ids.grid('automation-candidates'))} .ag-row"),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_new_page_loads_clean(page, live_app, watch, name):
    path, ready = PAGES[name]
    open_page(page, live_app.url + path)
    reveal_all(page, timeout=90_000)  # sections below the fold are drawn when scrolled to
    page.wait_for_selector(ready, timeout=90_000, state="attached")  # grids below the fold keep rows hidden
    if name == "automation":  # run a what-if so the screenshot shows a prediction
        page.click(f"#{ids.AUTOMATION_WHATIF_RUN}")
        page.wait_for_selector(f"{ids.css(ids.grid('automation-whatif'))} .ag-row", timeout=60_000, state="attached")
        page.get_by_text("Scenario:").wait_for()
    wait_for_app(page, timeout=90_000)
    assert page.locator(".data-error").count() == 0
    assert "Traceback" not in page.content()
    screenshot(page, name)
    watch.assert_clean()


# -- overview cards -----------------------------------------------------------------------------------

def test_overview_sla_cards_equal_the_api_and_follow_the_filter(page, live_app, watch):
    open_page(page, live_app.url + "/?log=before")
    policy = read_policy(POLICY)
    wait_card(page, "sla_breach_rate", api_breach_rate(live_app.db, "before"), "the SLA card, unfiltered")
    with closing(Store(live_app.db)) as store:
        log = store.log("before")
        km = get_resolution_times(log, policy).summary.set_index("measure").loc["calendar"]
        queue = find_at_risk(log, policy)
    # median / p90 resolution: Kaplan-Meier on calendar time to the policy's resolution milestone
    assert card_number(page, "median_resolution") == float(km["km_median_s"])
    assert card_number(page, "p90_resolution") == float(km["km_p90_s"])
    assert "'Resolve ticket'" in page.locator("#kpi-median_resolution").inner_text()
    assert "Kaplan-Meier" in page.locator("#kpi-median_resolution").inner_text()
    at_risk = queue.loc[queue["breach_probability"] >= 0.5, "case_id"].nunique()
    assert int(kpi_value(page, "open_at_risk")) == at_risk
    unfiltered = card_number(page, "sla_breach_rate")
    # a priority filter moves the card to the API's number for that filter
    choose(page, ids.FILTER_PRIORITY, "P1")
    p1 = api_breach_rate(live_app.db, "before", CaseAttribute("priority", ["P1"]))
    assert p1 != pytest.approx(unfiltered)
    wait_card(page, "sla_breach_rate", p1, "the SLA card for priority P1")
    # the at-risk card links to the queue (P1 cases are all done: the queue says so)
    page.locator("#kpi-open_at_risk").get_by_role("link", name="see the queue").click()
    page.locator(f"#{ids.SLA_AT_RISK}").get_by_text("No open case with a pending SLA target").wait_for(timeout=30_000)
    assert page.evaluate("window.location.pathname") == "/sla"
    assert search_params(page)["priority"] == ["P1"]
    watch.assert_clean()


# -- /sla -----------------------------------------------------------------------------------------------

def test_at_risk_queue_links_to_the_case_page(page, live_app, watch):
    open_page(page, live_app.url + "/sla?log=before")
    grid = ids.css(ids.grid("sla-at-risk"))
    wait_for_app(page)
    # the queue is below the fold: drawn once it is scrolled to, not before
    assert page.locator(f"#{ids.SLA_AT_RISK} .deferred-placeholder").get_by_text("Drawn when scrolled into view").count() == 1
    assert page.locator(grid).count() == 0
    page.locator("#at-risk").scroll_into_view_if_needed()
    page.wait_for_selector(f"{grid} .ag-row", timeout=30_000, state="attached")
    wait_for_app(page)
    page.locator(grid).scroll_into_view_if_needed()  # AG Grid shows the rows of a grid once it is in view
    first = page.locator(f"{grid} .ag-row[row-index='0'] a.deskmine-link")
    first.wait_for(timeout=30_000)
    case_id = first.text_content()
    with closing(Store(live_app.db)) as store:
        queue = find_at_risk(store.log("before"), read_policy(POLICY))
    assert case_id == queue.iloc[0]["case_id"]  # ranked like the API: most likely to breach first
    first.click()
    wait_until(lambda: page.evaluate("window.location.pathname") == "/cases", what="the case page")
    page.locator(".case-attributes").get_by_text(case_id, exact=True).wait_for(timeout=30_000)
    params = search_params(page)
    assert params["case"] == [case_id] and params["log"] == ["before"]  # the filter state came along
    watch.assert_clean()


def test_risk_calibration_on_request_equals_the_api(page, live_app, watch):
    open_page(page, live_app.url + "/sla?log=before")
    reveal_all(page)
    page.wait_for_selector(f"{ids.css(ids.grid('sla-at-risk'))} .ag-row", timeout=30_000, state="attached")
    wait_for_app(page)
    assert page.locator(".calibration-table").count() == 0  # a few seconds on a large log: not on page load
    page.click(f"#{ids.SLA_CALIBRATION_RUN}")
    table = page.locator(".calibration-table")
    table.wait_for(timeout=60_000)
    with closing(Store(live_app.db)) as store:
        summary = calibrate_risk(store.log("before"), read_policy(POLICY), milestone="resolution").summary
    pooled = summary[summary["cutoff"].isna()].iloc[0]
    assert f"{pooled['brier']:.3f}" in table.inner_text() and f"{pooled['auc']:.2f}" in table.inner_text()
    watch.assert_clean()


def test_policy_upload_valid_becomes_selectable_invalid_shows_its_error(page, sample_warehouse, tmp_path, watch):
    db = copy_warehouse(sample_warehouse, tmp_path)
    strict = tmp_path / "Strict SLA.toml"
    strict.write_text(POLICY.read_text(encoding="utf-8").replace('resolution = "8h"', 'resolution = "2h"')
                      .replace('resolution = "24h"', 'resolution = "8h"'), encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(POLICY.read_text(encoding="utf-8").replace('resolution = "8h"', 'resolution = "1.5h"'),
                      encoding="utf-8")
    for app in serve_app(db):
        open_page(page, app.url + "/sla?log=before")
        page.wait_for_selector("#kpi-sla_breach_rate", timeout=30_000)
        # an invalid file: the parser's message, and nothing saved
        page.set_input_files(f"#{ids.SLA_POLICY_UPLOAD} input[type=file]", str(broken))
        alert = page.locator(f"#{ids.SLA_POLICY_MESSAGE} .data-error")
        alert.get_by_text("broken.toml was not saved").wait_for()
        assert "bad duration '1.5h'" in alert.inner_text()
        assert not (policy_dir(db) / "broken.toml").exists()
        # a valid one: saved, selected, in the URL, and its numbers shown
        page.set_input_files(f"#{ids.SLA_POLICY_UPLOAD} input[type=file]", str(strict))
        page.locator(".policy-saved").get_by_text("Policy 'strict_sla' saved and selected.").wait_for()
        assert (policy_dir(db) / "strict_sla.toml").is_file()
        page.locator(".policy-name").get_by_text("strict_sla", exact=True).wait_for()
        wait_until(lambda: search_params(page).get("policy") == ["strict_sla"], what="the policy in the URL")
        expected = api_breach_rate(db, "before", policy_path=policy_dir(db) / "strict_sla.toml")
        assert expected != pytest.approx(api_breach_rate(db, "before"))
        wait_card(page, "sla_breach_rate", expected, "the SLA card under the uploaded policy")
        # both policies are selectable; the choice is the active policy on the overview too
        page.click(f"#{ids.SLA_POLICY}")
        wait_until(lambda: set(page.get_by_role("option").all_inner_texts()) == {"sla_policy", "strict_sla"},
                   what="two policies")
        page.keyboard.press("Escape")
        page.locator(f"#{ids.NAV}").get_by_text("Overview").click()
        wait_card(page, "sla_breach_rate", expected, "the overview card under the uploaded policy")
        assert "policy strict_sla" in page.locator("#kpi-sla_breach_rate").inner_text()
        # pages opened afresh (no ?policy=) switch to the session's choice in the browser
        for path, dropdown in (("/sla", ids.SLA_POLICY), ("/automation", ids.AUTOMATION_POLICY),
                               ("/compare", ids.COMPARE_POLICY)):
            open_page(page, app.url + path + "?log=before")
            page.locator(f"#{dropdown}").get_by_text("strict_sla", exact=True).wait_for(timeout=30_000)
        # a shared link's policy wins, and on /sla it becomes the session's choice
        open_page(page, app.url + "/sla?log=before&policy=sla_policy")
        page.locator(".policy-name").get_by_text("sla_policy", exact=True).wait_for(timeout=30_000)
        open_page(page, app.url + "/automation?log=before")
        page.locator(f"#{ids.AUTOMATION_POLICY}").get_by_text("sla_policy", exact=True).wait_for(timeout=30_000)
    watch.assert_clean()


def test_without_a_policy_pages_say_how_to_add_one(page, sample_warehouse, tmp_path, watch):
    db = copy_warehouse(sample_warehouse, tmp_path, policies=False)
    for app in serve_app(db):
        open_page(page, app.url + "/sla?log=before")
        page.get_by_text("No SLA policy yet").wait_for(timeout=30_000)
        page.get_by_text("deskmine samples", exact=False).first.wait_for()
        open_page(page, app.url + "/bottlenecks?log=before#more")  # drawn when scrolled to: the anchor does
        section = page.locator("#section-bottlenecks-customer-vs-agent-wait")
        section.locator(".no-policy-note").wait_for(timeout=30_000)
        assert section.get_by_role("link").get_attribute("href") == "/sla"
        open_page(page, app.url + "/?log=before")
        page.wait_for_selector("#kpi-median_resolution", timeout=30_000)
        assert page.locator("#kpi-sla_breach_rate").count() == 0
        with closing(Store(db)) as store:
            km = get_resolution_times(store.log("before")).summary.set_index("measure").loc["calendar"]
        assert card_number(page, "median_resolution") == float(km["km_median_s"])
        # no policy: the same definition, milestones recognised by name
        assert "'Resolve ticket' or 'Close ticket'" in page.locator("#kpi-median_resolution").inner_text()
    watch.assert_clean()


def test_bottlenecks_show_customer_vs_agent_wait(page, live_app, watch):
    open_page(page, live_app.url + "/bottlenecks?log=before")
    page.locator(f"#{ids.BOTTLENECKS_CHART} .main-svg").first.wait_for(timeout=30_000)
    assert page.locator("#section-bottlenecks-customer-vs-agent-wait").count() == 0  # below the fold
    page.locator("#more").scroll_into_view_if_needed()
    section = page.locator("#section-bottlenecks-customer-vs-agent-wait")
    section.locator(f"#{ids.BOTTLENECKS_WAIT_CHART} .main-svg").first.wait_for(timeout=30_000)
    text = section.locator(".wait-summary").inner_text()
    from pipelines.mining.sla import get_wait_by_status

    with closing(Store(live_app.db)) as store:
        wait = get_wait_by_status(store.log("before"), read_policy(POLICY))
    customer = wait.loc[wait["waits_for"] == "customer", "business_total_s"].sum() / 3600
    assert f"{customer:,.0f} business hours for the customer" in text
    watch.assert_clean()


# -- /compare -----------------------------------------------------------------------------------------------

def percent(text: str) -> float:
    return float(re.search(r"(-?\d+(?:\.\d+)?)%", text).group(1))


def test_compare_shows_the_injected_effects_of_the_sample_pair(page, live_app, watch):
    open_page(page, live_app.url + "/compare?log=before")
    table = page.locator(f"#{ids.COMPARE_KPIS}")
    row = table.locator("tr[data-kpi='no_human_touch_share']")
    row.wait_for(timeout=90_000)
    cells = row.locator("td").all_inner_texts()
    # share of cases with no human touch: 0% before, about 24% after (the bot), significant
    assert percent(cells[1]) == 0.0 and 20.0 <= percent(cells[2]) <= 28.0, cells
    assert row.get_attribute("data-verdict") == "changed"
    assert row.get_attribute("data-adjusted-verdict") == "changed"
    # first-response SLA breach rate drops (the policy is on by default), significantly
    fr = table.locator("tr[data-kpi='first_response_breach_rate']")
    fr_cells = fr.locator("td").all_inner_texts()
    assert percent(fr_cells[2]) < percent(fr_cells[1]), fr_cells
    assert fr.get_attribute("data-verdict") == "better"
    assert search_params(page)["policy"] == ["sla_policy"]
    # the forest chart, the segments and the map delta are computed and drawn when scrolled to
    assert page.locator(f"#{ids.COMPARE_MAP}").count() == 0
    assert page.locator(ids.css(ids.grid("compare-segments"))).count() == 0
    page.locator("#forest").scroll_into_view_if_needed()
    page.locator(f"#{ids.COMPARE_FOREST} .main-svg").first.wait_for()
    # the password-reset segment tops the segments (largest effect)
    page.locator("#segments").scroll_into_view_if_needed()
    grid = ids.css(ids.grid("compare-segments"))
    page.wait_for_selector(f"{grid} .ag-row", state="attached")
    page.locator(grid).scroll_into_view_if_needed()
    top = page.locator(f"{grid} .ag-row[row-index='0'] [col-id='segment']")
    top.wait_for()
    assert top.inner_text() == "password reset"
    # the map delta: the union of both sides' activities, same ids as /map
    with closing(Store(live_app.db)) as store:
        union = set(discover_dfg(store.log("before")).activities["activity"]) | set(
            discover_dfg(store.log("after")).activities["activity"]) | {START, END}
    page.locator("#map-delta").scroll_into_view_if_needed()
    wait_until(lambda: set(page.evaluate(FIND_CY, ids.COMPARE_MAP)) == union, what="the map delta")
    # the JSON export is the engine's to_dict
    exported = json.loads(download(page, f"#{ids.COMPARE_JSON}"))
    kpis = {k["kpi"]: k for k in exported["kpis"]}
    assert kpis["no_human_touch_share"]["significant"] is True
    assert kpis["no_human_touch_share"]["before"] == 0.0
    assert exported["settings"]["policy"] is True and exported["before"]["log"] == "before"
    csv = download(page, f"#{ids.COMPARE_CSV}").decode()
    assert csv.splitlines()[0].startswith("kpi,label,unit,before,after")
    watch.assert_clean()


def test_compare_redraws_its_sections_for_a_new_result(page, live_app, watch):
    """A filter change brings a new comparison whose deferred sections start undrawn again and are
    drawn for it when scrolled to."""
    open_page(page, live_app.url + "/compare?log=before#map-delta")
    counts = page.locator(".compare-map-counts")
    counts.wait_for(timeout=90_000)
    before = counts.inner_text()
    choose(page, ids.FILTER_PRIORITY, "P1")
    wait_until(lambda: counts.count() == 0, timeout=60, what="the P1 comparison")
    page.locator(f"#{ids.COMPARE_KPIS}").wait_for()
    page.locator("#map-delta").scroll_into_view_if_needed()
    wait_until(lambda: counts.count() == 1 and counts.inner_text() != before, timeout=60,
               what="the map delta of the P1 comparison")
    with closing(Store(live_app.db)) as store:
        only = CaseAttribute("priority", ["P1"])
        c = map_delta(apply_filter(store.log("before"), only), apply_filter(store.log("after"), only)).counts()
    assert counts.inner_text().startswith(f"Paths: {c['new']} new, {c['gone']} gone, {c['more']} in more cases")
    watch.assert_clean()


def test_compare_one_log_split_at_a_date(page, live_app, watch):
    open_page(page, live_app.url + "/compare?log=before&mode=split&before=before&split=2025-02-17&policy=none")
    row = page.locator(f"#{ids.COMPARE_KPIS} tr[data-kpi='cases_per_week']")
    row.wait_for(timeout=90_000)
    sides = page.locator(".compare-side").all_inner_texts()
    assert sides[0].startswith("before: log before") and "→ 2025-02-17" in sides[0]
    assert page.locator(f"#{ids.COMPARE_KPIS} tr[data-kpi='first_response_breach_rate']").count() == 0  # no policy
    page.get_by_text("no SLA policy: SLA KPIs left out", exact=False).wait_for()
    watch.assert_clean()
