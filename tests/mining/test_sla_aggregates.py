"""Breach rates, breach drivers, customer vs agent wait and reopens on the hand-made log.

The per-case clocks are derived in test_sla_clock.py. Status intervals inside each case's SLA
window (start -> resolution, or the log end Mon 31 12:00 CEST when open), business seconds on the
case's calendar / wall-clock seconds (T8 has no target: no business time):

=====  ==================  ================  ===================  ================  ===============
case   Create ticket       First response    Request information  Customer reply    other
=====  ==================  ================  ===================  ================  ===============
T1     3,600 / 3,600       3,600 / 3,600     7,200 / 10,800       14,400 / 68,400
T2     9,000 / 149,400     5,400 / 5,400                          60 / 60           Resolve 25,200 / 82,800,
                                                                                    Reopen 3,540, Take in charge
                                                                                    14,400 / 18,000
T3     1,200               6,000                                  60                Resolve 36,000, Reopen 3,540
T4     600                 17,400 (22:10 CET                     14,400
                           -> 04:00 CEST)    3,600
T5     1,800               1,800             7,200 (to the end)
T6     3,600                                                                        Take in charge 64,800 / 349,200
T7     2,700 / 225,900
T8     - / 3,600
=====  ==================  ================  ===================  ================  ===============

(24x7 cases T3, T4 have equal business and wall-clock time.) The second Take in charge of T6 and
every resolving event sit at their window's end and hold no time.

Breach drivers (resolution, thank-you rule off): breached = T3, T4 (breached) and T6
(open_breached), total 151,200 s; met = T1, T2, T7, total 89,100 s; means are per case of the group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.etl.loader import ingest_log
from pipelines.mining.policy import read_policy
from pipelines.mining.sla import (
    BREACH_BY,
    evaluate_sla,
    find_breach_drivers,
    get_reopens,
    get_wait_by_status,
    get_wait_split,
    sla_breach_rates,
)
from pipelines.mining.sla_aggregates import period_labels
from pipelines.store import Store
from tests.conftest import TEST_DATA

NAN = float("nan")


@pytest.fixture(scope="module")
def tiny():
    store = Store(":memory:")
    ingest_log(TEST_DATA / "sla" / "tiny.csv", log="tiny", store=store)
    return store.log("tiny")


@pytest.fixture(scope="module")
def policy():
    return read_policy(TEST_DATA / "sla" / "tiny_policy.toml")


@pytest.fixture(scope="module")
def sla(tiny, policy):
    return evaluate_sla(tiny, policy)


RATE_COLUMNS = [
    "cases", "first_response_met", "first_response_breached", "first_response_open",
    "first_response_open_breached", "first_response_breach_rate", "resolution_met",
    "resolution_breached", "resolution_open", "resolution_open_breached", "resolution_breach_rate",
    "resolution_breach_rate_resolved",
]


def test_breach_rates_by_target(sla):
    got = sla_breach_rates(sla, by="target")
    assert list(got.columns) == ["target"] + RATE_COLUMNS
    expected = pd.DataFrame({
        "target": ["P1", "standard", None],
        "cases": [2, 5, 1],
        "first_response_met": [2, 4, 0], "first_response_breached": [0, 0, 0],
        "first_response_open": [0, 0, 0], "first_response_open_breached": [0, 1, 0],
        "first_response_breach_rate": [0.0, 0.2, NAN],
        "resolution_met": [0, 3, 0], "resolution_breached": [2, 0, 0],
        "resolution_open": [0, 1, 0], "resolution_open_breached": [0, 1, 0],
        "resolution_breach_rate": [1.0, 0.2, NAN], "resolution_breach_rate_resolved": [1.0, 0.0, NAN],
    })
    pd.testing.assert_frame_equal(got.astype({"target": object}), expected, check_dtype=False)


def test_breach_rates_by_week_and_month(sla, tiny, policy):
    week = sla_breach_rates(sla, by="week").set_index("week")
    assert week.index.tolist() == ["2025-03-17", "2025-03-24", "2025-03-31"]  # Rome weeks (Mondays)
    assert week["cases"].tolist() == [2, 5, 1]
    mid = week.loc["2025-03-24"]  # T3 T4 T6 T7 T8
    assert (mid["first_response_met"], mid["first_response_open_breached"]) == (3, 1)
    assert mid["first_response_breach_rate"] == 0.25
    assert (mid["resolution_met"], mid["resolution_breached"], mid["resolution_open_breached"]) == (1, 2, 1)
    assert (mid["resolution_breach_rate"], mid["resolution_breach_rate_resolved"]) == (0.75, 2 / 3)
    assert np.isnan(week.loc["2025-03-31", "resolution_breach_rate_resolved"])
    month = sla_breach_rates(tiny, by="month", policy=policy)
    assert month["month"].tolist() == ["2025-03"] and month["cases"].tolist() == [8]
    assert month["resolution_breach_rate"].iloc[0] == 3 / 7


def test_breach_rates_by_case_attributes(sla):
    team = sla_breach_rates(sla, by="team").set_index("team")
    assert team["cases"].to_dict() == {"BO": 1, "L1": 4, "System": 3}
    assert team.loc["L1", "resolution_breach_rate"] == 2 / 3  # T3 T4 breached, T5 open, T8 no target
    for by in ("priority", "category", "channel"):
        assert sla_breach_rates(sla, by=by)["cases"].sum() == 8


def test_period_labels_cut_in_the_local_zone():
    late_sunday = pd.Series(pd.to_datetime(["2025-03-02T23:30Z", "2025-03-31T22:30Z"]))
    assert period_labels(late_sunday, "week", "Europe/Rome").tolist() == ["2025-03-03", "2025-03-31"]
    assert period_labels(late_sunday, "week", "UTC").tolist() == ["2025-02-24", "2025-03-31"]
    assert period_labels(late_sunday, "month", "Europe/Rome").tolist() == ["2025-03", "2025-04"]


def test_breach_rates_bad_input(sla, tiny):
    with pytest.raises(ValueError, match="by must be one of 'target', 'priority', 'category', 'channel', "
                                         "'team', 'week', 'month'; got 'year'"):
        sla_breach_rates(sla, by="year")
    assert BREACH_BY == ("target", "priority", "category", "channel", "team", "week", "month")
    with pytest.raises(ValueError, match="needs the policy"):
        sla_breach_rates(tiny)
    with pytest.raises(ValueError, match="missing columns"):
        sla_breach_rates(sla.drop(columns="status"))


def test_breach_drivers_by_status_by_hand(tiny, policy):
    got = find_breach_drivers(tiny, policy)
    b_total, m_total = 151200.0, 89100.0
    rows = [  # status, paused, breached_cases, met_cases, breached seconds, met seconds
        ("Take in charge", False, 1, 1, 64800, 14400),
        ("First response", False, 2, 2, 23400, 9000),
        ("Resolve ticket", False, 1, 1, 36000, 25200),
        ("Customer reply", False, 2, 2, 14460, 14460),
        ("Reopen ticket", False, 1, 1, 3540, 3540),
        ("Create ticket", False, 3, 3, 5400, 15300),
        ("Request information", True, 1, 1, 3600, 7200),
    ]
    expected = pd.DataFrame({
        "status": [r[0] for r in rows], "paused": [r[1] for r in rows],
        "breached_cases": [r[2] for r in rows], "met_cases": [r[3] for r in rows],
        "breached_mean_s": [r[4] / 3 for r in rows], "met_mean_s": [r[5] / 3 for r in rows],
    })
    expected["excess_s"] = expected["breached_mean_s"] - expected["met_mean_s"]
    expected["breached_share"] = [r[4] / b_total for r in rows]
    expected["met_share"] = [r[5] / m_total for r in rows]
    expected["share_diff"] = expected["breached_share"] - expected["met_share"]
    expected["rank"] = range(1, 8)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-12)
    # the excess over counted statuses is the gap of mean SLA elapsed: (147,600 - 81,900) / 3
    assert got.loc[~got["paused"], "excess_s"].sum() == pytest.approx(21900, abs=1e-9)


def test_breach_drivers_by_transition(tiny, policy):
    got = find_breach_drivers(tiny, policy, by="transition").set_index(["status", "next_status"])
    assert got.loc[("Take in charge", "Take in charge"), ["breached_cases", "met_cases"]].tolist() == [1, 0]
    assert got.loc[("Take in charge", "Take in charge"), "breached_mean_s"] == 64800 / 3
    row = got.loc[("Create ticket", "First response")]  # T3 1,200 + T4 600 vs T1 3,600 + T2 9,000
    assert (row["breached_mean_s"], row["met_mean_s"]) == (600, 4200)
    assert got["rank"].tolist() == list(range(1, len(got) + 1))
    assert got.loc[got["paused"]].index.tolist() == [("Request information", "Customer reply")]


def test_breach_drivers_first_response_and_open_cases(tiny, policy):
    """First response: breached = T6 only (open_breached at the end, still in Take in charge after
    the as_of-ended window; its second Take in charge at the end holds no time)."""
    got = find_breach_drivers(tiny, policy, milestone="first_response", by="transition")
    breached = got[got["breached_cases"] > 0].set_index(["status", "next_status"])
    assert breached["breached_mean_s"].to_dict() == {("Take in charge", "Take in charge"): 64800.0,
                                                     ("Create ticket", "Take in charge"): 3600.0}
    with pytest.raises(ValueError, match="milestone must be one of 'first_response', 'resolution'"):
        find_breach_drivers(tiny, policy, milestone="closed")
    with pytest.raises(ValueError, match="by must be one of 'status', 'transition'"):
        find_breach_drivers(tiny, policy, by="activity")


def test_wait_split_by_hand(tiny, policy):
    got = get_wait_split(tiny, policy)
    expected = pd.DataFrame({
        "case_id": [f"T{i}" for i in range(1, 9)],
        "target": ["standard", "standard", "P1", "P1", "standard", "standard", "standard", None],
        "window_calendar_s": [86400, 259200, 46800, 36000, 10800, 352800, 225900, 3600],
        "window_business_s": [28800, 57600, 46800, 36000, 10800, 68400, 2700, NAN],
        "customer_wait_calendar_s": [10800, 0, 0, 3600, 7200, 0, 0, 0],
        "customer_wait_business_s": [7200, 0, 0, 3600, 7200, 0, 0, NAN],
        "agent_wait_calendar_s": [75600, 259200, 46800, 32400, 3600, 352800, 225900, 3600],
        "agent_wait_business_s": [21600, 57600, 46800, 32400, 3600, 68400, 2700, NAN],
        "customer_share_business": [0.25, 0, 0, 0.1, 2 / 3, 0, 0, NAN],
    })
    pd.testing.assert_frame_equal(got.astype({"target": object}), expected, check_dtype=False, rtol=1e-12)


def test_wait_by_status_by_hand(tiny, policy):
    got = get_wait_by_status(tiny, policy)
    rows = [  # status, waits_for, intervals, cases, calendar total, business total, business median
        ("Take in charge", "agent", 2, 2, 367200, 79200, 39600),
        ("Resolve ticket", "agent", 2, 2, 118800, 61200, 30600),
        ("First response", "agent", 5, 5, 34200, 34200, 5400),
        ("Customer reply", "agent", 4, 4, 82920, 28920, 7230),
        ("Create ticket", "agent", 8, 8, 389700, 22500, 2700),
        ("Request information", "customer", 3, 3, 21600, 18000, 7200),
        ("Reopen ticket", "agent", 2, 2, 7080, 7080, 3540),
    ]
    assert got["status"].tolist() == [r[0] for r in rows]
    assert got["waits_for"].tolist() == [r[1] for r in rows]
    assert got["intervals"].tolist() == [r[2] for r in rows]
    assert got["cases"].tolist() == [r[3] for r in rows]
    assert got["calendar_total_s"].tolist() == [r[4] for r in rows]
    assert got["business_total_s"].tolist() == [r[5] for r in rows]
    assert got["business_median_s"].tolist() == [r[6] for r in rows]
    assert got.loc[got["status"] == "Create ticket", "business_mean_s"].item() == pytest.approx(22500 / 7)
    assert got["calendar_share"].sum() == pytest.approx(1) and got["business_share"].sum() == pytest.approx(1)
    assert got["business_share"].iloc[0] == pytest.approx(79200 / 251100)


def test_reopens_and_the_thank_you_rule(tiny, policy):
    """T2: one real reopen (worked on after it). T3: one thank-you reopen; the rule would move its
    resolution from Tue 09:00 (46,800 s, breached) back to Mon 22:00 (7,200 s, met)."""
    rep = get_reopens(tiny, policy)
    c = rep.cases.set_index("case_id")
    assert c["reopens"].to_dict() == {"T1": 0, "T2": 1, "T3": 1, "T4": 0, "T5": 0, "T6": 0, "T7": 0, "T8": 0}
    assert c.loc["T3", ["thank_you_reopens", "real_reopens"]].tolist() == [1, 0]
    assert c.loc["T2", ["thank_you_reopens", "real_reopens"]].tolist() == [0, 1]
    assert c.loc["T3", ["resolution_s_rule_off", "resolution_s_rule_on"]].tolist() == [46800, 7200]
    assert c.loc["T3", ["status_rule_off", "status_rule_on"]].tolist() == ["breached", "met"]
    assert c["affected_by_rule"].sum() == 1 and c.loc["T3", "affected_by_rule"]
    s = rep.summary.iloc[0].to_dict()
    assert s == {
        "cases": 8, "reopened_cases": 2, "reopen_rate": 0.25, "real_reopened_cases": 1,
        "real_reopen_rate": 0.125, "reopen_events": 2, "thank_you_events": 1, "thank_you_cases": 1,
        "affected_cases": 1, "resolution_breached_rule_off": 3, "resolution_breached_rule_on": 2,
        "rule_on": False, "thank_you_window_s": 7200.0,
    }
    assert rep.cycles.to_dict("list") == {"cycles": [0, 1], "cases_all": [6, 2], "cases_real": [7, 1]}
    assert rep.as_of == pd.Timestamp("2025-03-31T10:00Z")
