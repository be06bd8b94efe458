"""The SLA, compare and automation figures and tables, without a browser: exact expectations on
tiny hand-made inputs (the comments say how each number comes about)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.figures import automation as fa
from dashboard.figures import compare as fc
from dashboard.figures import sla as fs
from dashboard.figures.common import STEP_RESOLUTION
from dashboard.figures.process_map import edge_id, map_stylesheet
from pipelines.mining.compare import Side
from pipelines.mining.compare_maps import EDGE_COLUMNS, NODE_COLUMNS, MapDelta
from pipelines.mining.dfg import END, START
from pipelines.mining.policy import parse_policy
from pipelines.mining.sla import kaplan_meier

NAN = float("nan")


# -- SLA: breach rates ----------------------------------------------------------------------------------
# target A: 3 cases; first response met 2, breached 1; resolution met 1, breached 1, open_breached 1
# target B: 2 cases; first response met 1, open 1;     resolution met 1, open 1
# no target: 1 case, counted in `cases` only
def rates_frame() -> pd.DataFrame:
    rows = [("A", 3, (2, 1, 0, 0), (1, 1, 0, 1)), ("B", 2, (1, 0, 1, 0), (1, 0, 1, 0)), (None, 1, (0,) * 4, (0,) * 4)]
    out = []
    for key, cases, fr, res in rows:
        row = {"target": key, "cases": cases}
        for m, counts in (("first_response", fr), ("resolution", res)):
            row.update({f"{m}_{s}": n for s, n in zip(fs.STATUSES, counts, strict=True)})
            counted = sum(counts)
            row[f"{m}_breach_rate"] = (counts[1] + counts[3]) / counted if counted else NAN
        out.append(row)
    return pd.DataFrame(out)


def test_overall_rates_sum_the_counts_over_cases_with_a_target():
    totals = fs.overall_rates(rates_frame())
    assert totals == {"cases": 6, "first_response_cases": 5, "first_response_breached": 1,
                      "first_response_breach_rate": 0.2, "resolution_cases": 5, "resolution_breached": 2,
                      "resolution_breach_rate": 0.4}


def test_overall_rates_of_nothing_are_nan():
    totals = fs.overall_rates(rates_frame().iloc[[2]])
    assert totals["resolution_cases"] == 0 and math.isnan(totals["resolution_breach_rate"])


def test_breach_rate_figure_one_bar_per_segment_and_milestone_in_percent():
    fig = fs.breach_rate_figure(rates_frame(), "target")
    fr, res = fig.data
    assert (fr.name, res.name) == ("first response", "resolution")
    assert list(fr.y) == ["A", "B", "(none)"]
    assert list(fr.x[:2]) == [33.33, 0.0] and math.isnan(fr.x[2])  # 1 of 3, 0 of 2, no target
    assert list(res.x[:2]) == [66.67, 0.0]                           # (1 breached + 1 open_breached) of 3
    assert list(fr.customdata) == [3, 2, 0]                          # cases with that objective


def test_breach_trend_figure_lines_per_period():
    rates = rates_frame().iloc[:2].rename(columns={"target": "week"}).assign(week=["2025-01-06", "2025-01-13"])
    fig = fs.breach_trend_figure(rates, "week")
    assert [t.name for t in fig.data] == ["first response", "resolution"]
    assert list(fig.data[1].x) == ["2025-01-06", "2025-01-13"] and list(fig.data[1].y) == [66.67, 0.0]


def test_empty_rates_say_so():
    fig = fs.breach_rate_figure(rates_frame().iloc[0:0], "target")
    assert fig.layout.annotations[0].text == "No case with an SLA target in scope"


# -- SLA: drivers -----------------------------------------------------------------------------------------

def drivers_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "status": ["Queue", "Work", "Wait"], "next_status": ["Work", None, "Work"], "paused": [False, False, True],
        "breached_cases": [3, 2, 1], "met_cases": [4, 4, 1], "breached_mean_s": [7200.0, 3600.0, 9000.0],
        "met_mean_s": [3600.0, 5400.0, 0.0], "excess_s": [3600.0, -1800.0, 9000.0],
        "breached_share": [0.6, 0.3, 0.1], "met_share": [0.4, 0.6, 0.0], "share_diff": [0.2, -0.3, 0.1],
        "rank": [1, 2, 3]})


def test_driver_labels_name_the_transition_or_the_status_still_held():
    assert fs.driver_labels(drivers_frame()) == ["Queue → Work", "Work → (still there)", "Wait → Work"]
    assert fs.driver_labels(drivers_frame().drop(columns="next_status")) == ["Queue", "Work", "Wait"]


def test_drivers_figure_leaves_paused_statuses_out_and_colours_by_sign():
    fig = fs.drivers_figure(drivers_frame(), "resolution")
    bar = fig.data[0]
    # the paused "Wait" is not on the clock; the rest in rank order, drawn bottom-up; 1 h = 60 minutes
    assert list(bar.y) == ["Work → (still there)", "Queue → Work"]
    assert list(bar.x) == [-30.0, 60.0]
    assert list(bar.marker.color) == [fs.GREEN, fs.RED]
    assert fig.layout.xaxis.title.text == "extra business minutes per breached case (vs met)"


# -- SLA: resolution times ----------------------------------------------------------------------------------

def summary_frame(km_p90=NAN) -> pd.DataFrame:
    return pd.DataFrame([
        {"measure": "calendar", "cases": 10, "resolved": 8, "censored": 2, "naive_median_s": 3600.0,
         "naive_p90_s": 86400.0, "km_median_s": 7200.0, "km_p90_s": km_p90, "first_contact_resolution_rate": 0.5},
        {"measure": "sla", "cases": 10, "resolved": 8, "censored": 2, "naive_median_s": 1800.0,
         "naive_p90_s": 36000.0, "km_median_s": 2700.0, "km_p90_s": 40000.0, "first_contact_resolution_rate": 0.5},
    ])


def test_resolution_table_puts_kaplan_meier_next_to_resolved_only():
    table = fs.resolution_table(summary_frame())
    assert table.to_dict(orient="records")[0] == {
        "measure": "calendar time", "cases": 10, "resolved": 8, "open (censored)": 2,
        "Kaplan-Meier median": "2h", "Kaplan-Meier p90": "—",
        "median, resolved cases only": "1h", "p90, resolved cases only": "1d"}


def test_km_curve_starts_at_one_and_steps_down():
    km = kaplan_meier([1, 2, 2, 3], [True, True, False, True])  # S: 0.75 at 1, 0.5 at 2, 0 at 3
    assert fs.km_curve(km) == ([0.0, 1.0, 2.0, 3.0], [1.0, 0.75, 0.5, 0.0])


def test_km_curve_of_a_large_log_is_thinned_within_its_resolution():
    rng = np.random.default_rng(7)
    n = 50_000
    km = kaplan_meier(rng.exponential(3600.0, n), rng.random(n) < 0.9)  # a distinct time per case
    exact_t, exact_s = fs.km_curve(km, resolution=0)
    t, s = fs.km_curve(km)
    assert len(exact_t) > 20_000 and len(t) <= 1 / STEP_RESOLUTION + 2
    assert (t[0], s[0]) == (0.0, 1.0) and (t[-1], s[-1]) == (exact_t[-1], exact_s[-1])
    drawn = np.asarray(s)[np.searchsorted(t, exact_t, side="right") - 1]  # the step drawn at each exact time
    assert np.abs(drawn - np.asarray(exact_s)).max() < STEP_RESOLUTION
    assert set(zip(t, s, strict=True)) <= set(zip(exact_t, exact_s, strict=True))  # only exact points


def test_ecdf_of_a_large_log_is_thinned_within_its_resolution():
    values = np.random.default_rng(3).lognormal(10, 1, 40_000)
    x, y = fa.ecdf(values)
    exact_x, exact_y = fa.ecdf(values, resolution=0)
    assert len(exact_x) == 40_000 and len(x) <= 1 / STEP_RESOLUTION + 1 and (x[-1], y[-1]) == (exact_x[-1], 1.0)
    drawn = np.asarray(y)[np.searchsorted(x, exact_x, side="right") - 1]
    assert np.abs(drawn - np.asarray(exact_y)).max() < STEP_RESOLUTION


def test_km_figure_in_hours_with_the_median_marked():
    km = kaplan_meier([3600, 7200, 7200, 10800], [True, True, False, True])
    fig = fs.km_figure({"calendar time": km}, {"calendar time": 7200.0})
    curve, median = fig.data
    assert list(curve.x) == [0.0, 1.0, 2.0, 3.0] and list(curve.y) == [100.0, 75.0, 50.0, 0.0]
    assert curve.line.shape == "hv"
    assert list(median.x) == [0, 2.0, 2.0] and list(median.y) == [50, 50, 0]
    assert fig.layout.xaxis.title.text == "time since the case opened (hours)"


def test_resolution_kpis_are_kaplan_meier_calendar_numbers_named_by_their_milestone():
    median, p90 = fs.resolution_kpis(summary_frame(), resolved_by="'Resolve ticket'")
    assert (median.key, median.value, median.text) == ("median_resolution", 7200.0, "2h")
    assert median.detail == ("start to the first 'Resolve ticket' after the last reopen · Kaplan-Meier, calendar "
                             "time, 2 open cases censored")
    assert (p90.key, p90.value, p90.text) == ("p90_resolution", None, "—")  # the curve never gets that low
    assert p90.detail.startswith("not reached: too many cases still open")
    median, _ = fs.resolution_kpis(summary_frame(), resolved_by=None)
    assert median.detail.startswith("start to the last event of closed cases")


def test_resolution_trend_figure_per_period():
    by_week = pd.concat([summary_frame(km_p90=10800.0).assign(week="2025-01-06"),
                         summary_frame(km_p90=14400.0).assign(week="2025-01-13")])
    fig = fs.resolution_trend_figure(by_week, "week")
    assert list(fig.data[0].x) == ["2025-01-06", "2025-01-13"]
    assert list(fig.data[0].y) == [2.0, 2.0] and list(fig.data[1].y) == [3.0, 4.0]  # hours


# -- SLA: reopens, waits, at-risk queue, calibration ------------------------------------------------------------

def test_reopen_figure_and_lines():
    cycles = pd.DataFrame({"cycles": [0, 1, 2], "cases_all": [7, 2, 1], "cases_real": [9, 1, 0]})
    fig = fs.reopen_figure(cycles)
    assert list(fig.data[0].x) == ["1×", "2×"] and list(fig.data[0].y) == [2, 1] and list(fig.data[1].y) == [1, 0]
    summary = {"cases": 10, "reopened_cases": 3, "reopen_rate": 0.3, "real_reopened_cases": 1, "real_reopen_rate": 0.1,
               "reopen_events": 4, "thank_you_events": 2, "thank_you_cases": 2, "affected_cases": 2,
               "resolution_breached_rule_off": 5, "resolution_breached_rule_on": 4, "rule_on": False,
               "thank_you_window_s": 7200.0}
    assert fs.reopen_lines(summary) == [
        ("reopened cases", "3 (30.0%)"), ("without thank-you reopens", "1 (10.0%)"),
        ("thank-you reopens", "2 in 2 cases (closed again within 2h, no agent work)"),
        ("thank-you rule in the policy", "off (they count)"),
        ("resolution breaches, rule off → on", "5 → 4 (2 cases' clocks move)")]
    assert fs.reopen_figure(cycles.iloc[:1]).layout.annotations[0].text == "No case was reopened"


def wait_frame() -> pd.DataFrame:
    return pd.DataFrame({"status": ["Work", "Wait for customer", "Queue"], "waits_for": ["agent", "customer", "agent"],
                         "business_total_s": [7200.0, 3600.0, 3600.0], "business_share": [0.5, 0.25, 0.25]})


def test_wait_totals_split_customer_and_agent():
    assert fs.wait_totals(wait_frame()) == {"customer_s": 3600.0, "agent_s": 10800.0, "customer_share": 0.25}


def test_wait_figure_stacks_customer_and_agent_time_in_hours():
    fig = fs.wait_figure(wait_frame())
    agent, customer = fig.data
    assert list(agent.y) == ["Queue", "Work"] and list(agent.x) == [1.0, 2.0]
    assert list(customer.y) == ["Wait for customer"] and list(customer.x) == [1.0]
    # drawn bottom-up: most time on top, ties by name (Queue above Wait for customer)
    assert list(fig.layout.yaxis.categoryarray) == ["Wait for customer", "Queue", "Work"]


def queue_frame() -> pd.DataFrame:
    return pd.DataFrame({"case_id": ["C 1", "C 1", "C2", "C3"], "milestone": ["resolution", "first_response",
                                                                            "resolution", "resolution"],
                         "breach_probability": [1.0, 0.4, 0.5, 0.2], "already_breached": [True, False, False, False]})


def test_at_risk_count_counts_distinct_open_cases():
    # C 1 (already breached) and C2 (exactly 0.5) are at risk; C3 is not
    assert fs.at_risk_count(queue_frame()) == {"open_cases": 3, "at_risk": 2, "already_breached": 1}


def test_at_risk_table_links_each_case_with_the_filter():
    table = fs.at_risk_table(queue_frame(), "log=before&priority=P1")
    assert table["case_href"].tolist()[:3] == ["/cases?case=C%201&log=before&priority=P1",
                                               "/cases?case=C%201&log=before&priority=P1",
                                               "/cases?case=C2&log=before&priority=P1"]
    assert table["milestone"].tolist()[:2] == ["resolution", "first response"]
    assert fs.at_risk_table(queue_frame())["case_href"].iloc[2] == "/cases?case=C2"


def test_calibration_lines_read_the_pooled_row():
    summary = pd.DataFrame({"cutoff": [pd.Timestamp("2025-01-01", tz="UTC"), pd.NaT], "cases": [10, 20],
                            "breached": [2, 5], "base_rate": [0.2, 0.25], "mean_predicted": [0.2, 0.3],
                            "brier": [0.1, 0.15], "brier_reference": [0.2, 0.2], "skill": [0.5, 0.25],
                            "auc": [0.9, 0.8]})
    assert fs.calibration_lines(summary) == [
        ("replayed cut-offs", "1"), ("cases scored with a known outcome", "20 (5 breached)"),
        ("mean predicted vs observed", "30.0% vs 25.0%"),
        ("Brier score (lower is better)", "0.150 (target base rate alone: 0.200)"),
        ("skill vs base rate", "25%"), ("ROC AUC", "0.80")]
    assert fs.calibration_lines(summary.iloc[:0]) == [("calibration", "not enough history to replay")]


def test_reliability_figure_against_the_diagonal():
    rel = pd.DataFrame({"lo": [0.0, 0.5], "hi": [0.5, 1.0], "cases": [4, 0], "mean_predicted": [0.25, NAN],
                        "observed_rate": [0.5, NAN]})
    diagonal, model = fs.reliability_figure(rel).data
    assert list(diagonal.x) == [0, 100]
    assert list(model.x) == [25.0] and list(model.y) == [50.0] and list(model.customdata) == [4]  # empty bin left out


# -- SLA: the policy as tables, and the overview card -----------------------------------------------------------

POLICY = parse_policy("""
[calendars.office]
timezone = "Europe/Rome"
mon = ["09:00-13:00", "14:00-18:00"]
fri = ["09:00-13:00"]
holidays = ["2025-12-25"]
[milestones]
first_response = ["Reply"]
resolved = ["Resolve", "Solve"]
pause = ["Wait"]
[[targets]]
name = "P1"
when = { priority = ["P1", "urgent"] }
calendar = "office"
first_response = "30m"
resolution = "40h"
[[targets]]
name = "rest"
calendar = "office"
resolution = 5400
""")


def test_policy_tables_are_readable():
    t = fs.policy_tables(POLICY)
    assert t["targets"].to_dict(orient="records") == [
        {"order": 1, "target": "P1", "applies to": "priority = P1 or urgent", "calendar": "office",
         "first response": "30m", "resolution": "40h"},
        {"order": 2, "target": "rest", "applies to": "every other case", "calendar": "office",
         "first response": "—", "resolution": "1h30m"}]
    cal = t["calendars"].iloc[0].to_dict()
    assert (cal["calendar"], cal["time zone"], cal["hours per week"], cal["holidays"]) == ("office", "Europe/Rome", 12.0, 1)
    assert (cal["Mon"], cal["Fri"], cal["Sun"]) == ("09:00–13:00, 14:00–18:00", "09:00–13:00", "closed")
    assert t["milestones"]["activities"].tolist() == ["Reply", "Resolve, Solve", "—", "—", "Wait"]
    assert fs.resolution_text(["Close ticket", "Resolve ticket", "Solved"]) == "'Resolve ticket' or 'Solved' or 'Close ticket'"
    assert fs.resolution_text([]) is None


def test_sla_kpi_is_the_resolution_rate_with_first_response_as_detail():
    k = fs.sla_kpi(rates_frame(), "office_sla")
    assert (k.key, k.value, k.text, k.tone) == ("sla_breach_rate", 0.4, "40.0%", "danger")
    assert k.detail == "resolution, 2 of 5 cases; first response 20.0% · policy office_sla"
    none = fs.sla_kpi(rates_frame().iloc[[2]], "p")
    assert none.value is None and none.text == "—"


# -- compare: text ------------------------------------------------------------------------------------------------

def test_formats_by_unit():
    assert [fc.format_value(v, u) for v, u in ((3600, "s"), (0.24, "share"), (10.5, "events/case"), (NAN, "s"))] == \
        ["1h", "24.0%", "10.50", "—"]
    assert [fc.format_delta(v, u) for v, u in ((5400, "s"), (-3600, "s"), (0.24, "share"), (-0.909, "cases/week"))] == \
        ["+1h 30m", "-1h", "+24.0 pp", "-0.91"]
    assert fc.format_ci(-0.05, -0.02, "share") == "[-5.0 pp, -2.0 pp]"
    assert fc.format_ci(NAN, 1.0, "s") == "—"
    assert [fc.format_p(p) for p in (0.0004, 0.0123, 1.0, NAN)] == ["<0.001", "0.012", "1.000", "—"]


@pytest.mark.parametrize(("kpi", "delta", "significant", "expected"), [
    ("reopen_rate", -0.03, True, "better"), ("reopen_rate", 0.03, True, "worse"),
    ("first_contact_resolution_rate", 0.09, True, "better"), ("first_contact_resolution_rate", -0.09, True, "worse"),
    ("no_human_touch_share", 0.24, True, "changed"), ("cases_per_week", -1.0, True, "changed"),
    ("reopen_rate", -0.03, False, "no change"), ("reopen_rate", NAN, True, "—"), ("reopen_rate", 0.1, None, "—"),
])
def test_verdict(kpi, delta, significant, expected):
    assert fc.verdict(kpi, delta, significant) == expected


def kpis_frame() -> pd.DataFrame:
    return pd.DataFrame([
        {"kpi": "cases_per_week", "label": "cases per week", "unit": "cases/week", "before": 300.0, "after": 310.0,
         "delta": 10.0, "ci_low": -5.0, "ci_high": 25.0, "p_value": 0.2, "p_adjusted": 0.4, "significant": False,
         "test": "Poisson"},
        {"kpi": "resolution_median", "label": "median resolution time", "unit": "s", "before": 7200.0, "after": 3600.0,
         "delta": -3600.0, "ci_low": -5400.0, "ci_high": -1800.0, "p_value": 1e-5, "p_adjusted": 2e-5,
         "significant": True, "test": "Mann-Whitney U"},
        {"kpi": "no_human_touch_share", "label": "share of cases with no human touch", "unit": "share", "before": 0.0,
         "after": 0.24, "delta": 0.24, "ci_low": 0.22, "ci_high": 0.26, "p_value": 0.0, "p_adjusted": 0.0,
         "significant": True, "test": "two-proportion z"},
    ])


def adjusted_frame() -> pd.DataFrame:
    return pd.DataFrame([
        {"kpi": "resolution_median", "before": 7000.0, "after": 3700.0, "delta": -3300.0, "ci_low": -5000.0,
         "ci_high": -1000.0, "p_adjusted": 0.01, "significant": True},
        {"kpi": "no_human_touch_share", "before": 0.0, "after": 0.2, "delta": 0.2, "ci_low": 0.1, "ci_high": 0.3,
         "p_adjusted": 0.2, "significant": False},
    ])


def test_kpi_rows_put_raw_and_adjusted_side_by_side():
    rows = fc.kpi_rows(kpis_frame(), adjusted_frame()).set_index("kpi")
    assert rows.loc["resolution_median"].to_dict() == {
        "label": "median resolution time (resolved cases)", "unit": "s", "before": "2h", "after": "1h",
        "delta": "-1h", "ci": "[-1h 30m, -30m]", "p": "<0.001", "verdict": "better",
        "adj_before": "1h 57m", "adj_after": "1h 2m", "adj_delta": "-55m", "adj_ci": "[-1h 23m, -16m]",
        "adj_p": "0.010", "adj_verdict": "better", "test": "Mann-Whitney U"}
    assert rows.loc["no_human_touch_share", ["before", "after", "delta", "verdict", "adj_verdict"]].tolist() == \
        ["0.0%", "24.0%", "+24.0 pp", "changed", "no change"]
    assert rows.loc["cases_per_week", ["delta", "verdict", "adj_delta", "adj_verdict"]].tolist() == \
        ["+10.00", "no change", "—", "—"]  # volume is not mix-adjusted


def test_forest_figure_one_panel_per_unit_raw_and_adjusted():
    fig = fc.forest_figure(kpis_frame(), adjusted_frame())
    names = [(t.name, t.xaxis) for t in fig.data]
    # panels in UNIT_GROUPS order: times, rates, cases per week; two traces each
    assert names == [("raw", "x"), ("mix-adjusted", "x"), ("raw", "x2"), ("mix-adjusted", "x2"),
                     ("raw", "x3"), ("mix-adjusted", "x3")]
    raw_time, adj_time = fig.data[0], fig.data[1]
    assert list(raw_time.x) == [-1.0] and list(raw_time.error_x.array) == [0.5] and \
        list(raw_time.error_x.arrayminus) == [0.5]  # hours: -1 h, CI [-1.5 h, -0.5 h]
    assert list(raw_time.y) == [-0.15] and list(adj_time.y) == [0.15]
    raw_share, adj_share = fig.data[2], fig.data[3]
    assert list(raw_share.x) == pytest.approx([24.0]) and list(raw_share.marker.symbol) == ["circle"]
    assert list(adj_share.x) == pytest.approx([20.0]) and list(adj_share.marker.symbol) == ["diamond-open"]
    assert math.isnan(fig.data[5].x[0])  # cases per week has no adjusted value
    assert [t.showlegend for t in fig.data] == [True, True, False, False, False, False]
    assert list(fig.layout.yaxis.ticktext) == ["median resolution time (resolved cases)"]
    assert [a.text for a in fig.layout.annotations][:3] == [g[1] for g in fc.UNIT_GROUPS if g[0] in ("s", "share", "cases/week")]
    # three panels of one KPI each: 34 px per row (a KPI and a gap each) + 60 per panel + 60
    assert fig.layout.height == fc.forest_height(kpis_frame()) == 34 * 6 + 60 * 3 + 60


# -- compare: the map delta ---------------------------------------------------------------------------------------

def tiny_delta() -> MapDelta:
    # before: start -> A -> B -> end (10 cases); after: start -> A -> end (5) and start -> A -> C -> end (5)
    nodes = pd.DataFrame([
        (START, START, "start", 0, 10, 10, 1.0, 1.0, 0.0, NAN, NAN, "same", 10, 10),
        ("A", "A", "activity", 1, 10, 10, 1.0, 1.0, 0.0, 1.0, 1.0, "same", 10, 10),
        ("B", "B", "activity", 2, 10, 0, 1.0, 0.0, -1.0, 0.0, 0.0, "gone", 10, 0),
        ("C", "C", "activity", 2, 0, 5, 0.0, 0.5, 0.5, 0.0, 0.0, "new", 0, 5),
        (END, END, "end", 3, 10, 10, 1.0, 1.0, 0.0, NAN, NAN, "same", 10, 10),
    ], columns=NODE_COLUMNS)
    edges = pd.DataFrame([
        (f"{START} -> A", START, "A", "start", 10, 10, 1.0, 1.0, 0.0, 1.0, 1.0, "same", 10, 10, NAN, NAN, NAN, NAN, NAN,
         None),
        ("A -> B", "A", "B", "flow", 10, 0, 1.0, 0.0, -1.0, 0.0, 0.0, "gone", 10, 0, 60.0, NAN, NAN, NAN, NAN, None),
        ("A -> C", "A", "C", "flow", 0, 5, 0.0, 0.5, 0.5, 0.0, 0.0, "new", 0, 5, NAN, 30.0, NAN, NAN, NAN, None),
        (f"A -> {END}", "A", END, "end", 0, 5, 0.0, 0.5, 0.5, 0.001, 0.002, "more", 0, 5, NAN, NAN, NAN, NAN, NAN,
         None),
        ("B -> C", "B", "C", "flow", 8, 6, 0.8, 0.6, -0.2, 0.01, 0.02, "less", 8, 6, 7200.0, 3600.0, -3600.0, 0.001,
         0.002, "faster"),
    ], columns=EDGE_COLUMNS)
    return MapDelta(nodes=nodes, edges=edges)


def test_delta_elements_same_ids_and_sizes_in_every_view():
    views = {v: {e["data"]["id"]: e for e in fc.delta_elements(tiny_delta(), v)} for v in fc.VIEWS}
    ids_ = [set(v) for v in views.values()]
    assert all(i == ids_[0] for i in ids_)
    assert {START, "A", "B", "C", END, edge_id("A", "B"), edge_id("B", "C")} <= ids_[0]
    for node in (START, "A", "B", "C"):  # same node widths: the layered layout does not move
        assert len({views[v][node]["data"]["w"] for v in fc.VIEWS}) == 1


def test_delta_elements_frequency_view_colours_by_status():
    els = {e["data"]["id"]: e for e in fc.delta_elements(tiny_delta(), "frequency")}
    assert els["B"]["data"]["label"] == "B\n100% → 0%" and els["B"]["classes"] == "gone"
    assert els["B"]["data"]["color"] == fc.STATUS_COLOURS["gone"]
    assert els["C"]["data"]["color"] == fc.STATUS_COLOURS["new"]
    assert els[edge_id("A", "B")]["data"]["label"] == "gone"
    assert els[edge_id("B", "C")]["data"]["label"] == "-20 pp"
    assert els[edge_id("B", "C")]["data"]["width"] == round(1.0 + 9.0 * 0.8, 2)  # the larger side's share
    assert els[edge_id("B", "C")]["classes"] == "less faster"


def test_delta_elements_time_and_side_views():
    time = {e["data"]["id"]: e for e in fc.delta_elements(tiny_delta(), "time")}
    assert time[edge_id("B", "C")]["data"]["color"] == fc.TIME_COLOURS["faster"]
    assert time[edge_id("B", "C")]["data"]["label"] == "2h → 1h"
    assert time[edge_id("A", "B")]["data"]["color"] == fc.NO_TIME_COLOUR and time[edge_id("A", "B")]["data"]["label"] == ""
    before = {e["data"]["id"]: e for e in fc.delta_elements(tiny_delta(), "before")}
    assert "absent" in before["C"]["classes"] and "absent" not in before["B"]["classes"]
    assert "absent" in before[edge_id("A", "C")]["classes"]
    after = {e["data"]["id"]: e for e in fc.delta_elements(tiny_delta(), "after")}
    assert "absent" in after["B"]["classes"] and after["C"]["data"]["label"] == "C\n50%"
    with pytest.raises(ValueError, match="view must be one of 'frequency', 'time', 'before', 'after'; got 'x'"):
        fc.delta_elements(tiny_delta(), "x")


def test_delta_stylesheet_extends_the_map_style():
    sheet = fc.delta_stylesheet()
    assert sheet[: len(map_stylesheet("frequency"))] == map_stylesheet("frequency")
    assert {s["selector"] for s in sheet[len(map_stylesheet("frequency")):]} == {"node.gone", "edge.gone", "node.new",
                                                                                  ".absent"}
    assert [t for _, t in fc.delta_legend("time")][0].startswith("faster")


def test_side_text():
    side = Side("before", "before", (), 4000, pd.Timestamp("2025-01-06", tz="UTC"), pd.Timestamp("2025-04-07", tz="UTC"))
    assert fc.side_text(side) == "before: log before, 4,000 cases, 2025-01-06 → 2025-04-07 (13.0 weeks)"


# -- automation ----------------------------------------------------------------------------------------------------

def candidates_frame() -> pd.DataFrame:
    rows = []
    for activity, category, volume, delay, hours in (("Assign", None, 0.2, 0.1, 26.0), ("Reset", "password", 0.05, 0.2,
                                                                                            NAN)):
        row = {"activity": activity, "category": category, "score": volume + delay, "hours_saved_per_month": hours,
               "wait_hours_saved_per_month": 1000.0}
        for c in fa.COMPONENTS:
            row[f"score_{c}"] = 0.0
        row.update({"score_volume": volume, "score_delay": delay})
        rows.append(row)
    return pd.DataFrame(rows)


def test_candidate_label_and_headline():
    assert fa.candidate_label("Assign", None) == "Assign"
    assert fa.candidate_label("Assign", "lost card") == "Assign · lost card"
    assert fa.headline(candidates_frame()) == ("Best candidate: Assign (score 0.30): about 26 agent hours a month, "
                                               "1,000 hours of customer waiting a month.")
    assert fa.headline(candidates_frame().iloc[:0]) == "No candidate: no activity is frequent enough."


def test_score_figure_stacks_the_components_present():
    fig = fa.score_figure(candidates_frame())
    assert [t.name for t in fig.data] == ["volume", "delay"]  # all-zero components are left out
    assert list(fig.data[0].y) == ["Reset · password", "Assign"]  # best on top
    assert list(fig.data[0].x) == [0.05, 0.2] and list(fig.data[1].x) == [0.2, 0.1]


def triage_matrix_frame() -> pd.DataFrame:
    rows = []
    for c in ("low", "high"):
        for s in ("low", "high"):
            for e in ("low", "high"):
                rows.append({"complexity": c, "severity": s, "effort": e, "class": f"{c}/{s}/{e}",
                             "channel": "agent", "channel_label": "agent", "n_categories": 0, "categories": (),
                             "cases": 0})
    frame = pd.DataFrame(rows)
    frame.loc[0, ["channel", "channel_label", "n_categories", "cases"]] = ["self_service", "self-service", 2, 30]
    frame.at[0, "categories"] = ("billing", "password")
    return frame


def test_triage_cells_put_channel_and_categories_in_their_cell():
    z, text = fa.triage_cells(triage_matrix_frame(), 2, "low")
    assert z == [[30, 0], [0, 0]]  # [severity][complexity]
    assert text[0][0] == "<b>self-service</b><br>billing, password"
    assert text[1][1] == "<i>agent</i>"
    fig = fa.triage_figure(triage_matrix_frame(), 2)
    assert len(fig.data) == 2 and [t.showscale for t in fig.data] == [False, True]
    assert fig.layout.title.text.startswith("Triage matrix (8 classes)")


def test_whatif_table_and_ecdf():
    summary = pd.DataFrame([
        {"measure": "resolution_calendar_median_s", "baseline": 7200.0, "predicted": 3600.0, "predicted_low": 3000.0,
         "predicted_high": 4200.0, "change": -3600.0, "change_low": -4200.0, "change_high": -3000.0,
         "relative_change": -0.5},
        {"measure": "resolution_breach_rate", "baseline": 0.1, "predicted": 0.08, "predicted_low": NAN,
         "predicted_high": NAN, "change": -0.02, "change_low": NAN, "change_high": NAN, "relative_change": -0.2},
    ])
    assert fa.whatif_table(summary).to_dict(orient="records") == [
        {"measure": "median resolution, calendar time", "baseline": "2h", "predicted": "1h",
         "predicted interval": "50m – 1h 10m", "change": "-1h", "change interval": "-1h 10m – -50m",
         "relative change": "-50.0%"},
        {"measure": "resolution SLA breach rate", "baseline": "10.0%", "predicted": "8.0%", "predicted interval": "—",
         "change": "-2.0 pp", "change interval": "—", "relative change": "-20.0%"}]
    assert fa.ecdf([3.0, 1.0, NAN, 2.0]) == ([1.0, 2.0, 3.0], [1 / 3, 2 / 3, 1.0])


def test_whatif_figure_compares_the_distributions():
    cases = pd.DataFrame({"baseline_resolved": [True, True, False], "predicted_resolved": [True, True, True],
                          "baseline_resolution_calendar_s": [3600.0, 7200.0, NAN],
                          "predicted_resolution_calendar_s": [1800.0, 3600.0, 5400.0]})
    summary = pd.DataFrame([{"measure": "resolution_calendar_median_s", "predicted_low": 1800.0,
                             "predicted_high": 5400.0}])
    fig = fa.whatif_figure(cases, summary)
    before, after = fig.data
    assert list(before.x) == [60.0, 120.0] and list(before.y) == [50.0, 100.0]  # minutes: 2 resolved before
    assert list(after.x) == [30.0, 60.0, 90.0] and list(after.y) == pytest.approx([100 / 3, 200 / 3, 100.0])
    assert (fig.layout.shapes[0].x0, fig.layout.shapes[0].x1) == (30.0, 90.0)  # the predicted median's interval
    assert np.isclose(fig.layout.xaxis.range[1], np.nanquantile([3600, 7200, 1800, 3600, 5400], 0.95) / 60)
