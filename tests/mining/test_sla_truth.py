"""The simulator's SLA truth is reproduced exactly from its logs (sample_logs/*_truth.csv.gz,
computed by construction from the generator's arrays, never from the files).

Tolerance: none. Every case's target, first_response_s, resolution_s, paused_s, targets, breached
flags, both statuses, the elapsed time of open clocks, first_resolution_s and resolution_calendar_s
equal the truth exactly (timestamps have whole seconds, so working seconds are exact floats).
``resolution_business_s`` is compared on non-P1 cases only: the truth measures it on the office
calendar for every case, deskmine on the case's target calendar (P1: 24x7), by design.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from pipelines.mining.policy import ReopenRule
from pipelines.mining.sla import (
    evaluate_sla,
    get_reopens,
    get_resolution_times,
    get_wait_split,
    sla_breach_rates,
)
from tests.conftest import ROOT

SAMPLES = ROOT / "sample_logs"

# sample_logs/README.md, "Truth numbers of the committed pair": (met, breached, open, open_breached)
README_RESOLUTION = {
    "before": {"P1": (145, 56, 0, 0), "P2": (694, 79, 12, 4), "P3": (1529, 214, 75, 10),
               "default": (1079, 35, 66, 2), "all": (3447, 384, 153, 16)},
    "after": {"P1": (141, 38, 0, 0), "P2": (698, 48, 13, 4), "P3": (1602, 166, 69, 3),
              "default": (1101, 24, 93, 0), "all": (3542, 276, 175, 7)},
}
README_FIRST_RESPONSE = {
    "before": {"P1": (155, 46, 0, 0), "P2": (656, 127, 6, 0), "P3": (1674, 135, 18, 1),
               "default": (1150, 23, 9, 0), "all": (3635, 331, 33, 1)},
    "after": {"P1": (158, 21, 0, 0), "P2": (756, 5, 2, 0), "P3": (1802, 22, 16, 0),
              "default": (1194, 9, 15, 0), "all": (3910, 57, 33, 0)},
}
README_COUNTS = {  # resolved, fr breached, resolution breached, paused cases, reopen events
    "before": (3831, 332, 400, 1254, 246 + 365),
    "after": (3818, 57, 283, 1150, 185 + 266),
}


@pytest.fixture(scope="module", params=["before", "after"])
def pair(request, sample_store, sample_policy):
    name = request.param
    sla = evaluate_sla(sample_store.log(name), sample_policy)
    truth = pd.read_csv(SAMPLES / f"{name}_truth.csv.gz")
    merged = truth.merge(sla, on="case_id", how="outer", suffixes=("_truth", ""), indicator=True)
    assert (merged["_merge"] == "both").all()
    return name, sla, truth, merged


def _equal(a: pd.Series, b: pd.Series) -> pd.Series:
    a, b = a.astype(object), b.astype(object)
    both_missing = a.isna() & b.isna()
    return both_missing | (a == b).fillna(False).astype(bool)


def _numbers_equal(a: pd.Series, b: pd.Series) -> pd.Series:
    x, y = a.astype(float).to_numpy(), b.astype(float).to_numpy()
    return pd.Series((x == y) | (np.isnan(x) & np.isnan(y)))


@pytest.mark.parametrize("column", [
    "target", "first_response_s", "resolution_s", "paused_s", "first_response_target_s",
    "resolution_target_s", "first_response_breached", "resolution_breached", "status",
    "first_response_status", "first_resolution_s", "resolution_calendar_s",
])
def test_every_case_equals_the_truth(pair, column):
    name, _, _, merged = pair
    truth, ours = merged[f"{column}_truth"], merged[column]
    numeric = column.endswith("_s")
    ok = _numbers_equal(truth, ours) if numeric else _equal(truth, ours.astype(object))
    bad = merged.loc[~ok.to_numpy(), ["case_id", f"{column}_truth", column]]
    assert bad.empty, f"{name}: {len(bad)} cases differ in {column}:\n{bad.head()}"


def test_open_clocks_and_business_time_equal_the_truth(pair):
    _, _, _, m = pair
    fr_open = m["first_response_s_truth"].isna()
    assert _numbers_equal(m.loc[fr_open, "first_response_open_s"],
                          m.loc[fr_open, "first_response_elapsed_s"]).all()
    res_open = m["resolution_s_truth"].isna()
    assert _numbers_equal(m.loc[res_open, "resolution_open_s"], m.loc[res_open, "resolution_elapsed_s"]).all()
    office = m["target_truth"] != "P1"  # the truth uses the office calendar even for P1
    assert _numbers_equal(m.loc[office, "resolution_business_s_truth"],
                          m.loc[office, "resolution_business_s"]).all()
    assert (m["reopens"] == m["real_reopens"] + m["thankyou_reopens"]).all()


def test_readme_breach_tables_exactly(pair):
    name, sla, _, _ = pair
    for milestone, table in (("resolution", README_RESOLUTION), ("first_response", README_FIRST_RESPONSE)):
        rates = sla_breach_rates(sla, by="target").set_index("target")
        for target, counts in table[name].items():
            cols = [f"{milestone}_{s}" for s in ("met", "breached", "open", "open_breached")]
            got = tuple(int(v) for v in (rates[cols].sum() if target == "all" else rates.loc[target, cols]))
            assert got == counts, f"{name} {milestone} {target}"


def test_readme_truth_counts(pair):
    name, sla, _, _ = pair
    resolved, fr_breached, res_breached, paused_cases, reopen_events = README_COUNTS[name]
    assert sla["resolved_time"].notna().sum() == resolved
    assert sla["first_response_breached"].sum() == fr_breached
    assert sla["resolution_breached"].sum() == res_breached
    assert (sla["paused_s"] > 0).sum() == paused_cases
    assert sla["reopens"].sum() == reopen_events


def test_first_contact_resolution_equals_the_truth(pair, sample_store, sample_policy):
    """Default FCR breakers (pause, reopen, escalation/transfer/return-to activities) are exactly
    the truth's: Escalate to L2, Transfer to *, Return to L1, Reopen ticket, Request information."""
    name, _, truth, _ = pair
    res = get_resolution_times(sample_store.log(name), sample_policy)
    assert res.fcr_breakers == ("Escalate to L2", "Reopen ticket", "Request information", "Return to L1",
                                "Transfer to back office", "Transfer to finance", "Transfer to logistics")
    m = truth.merge(res.cases, on="case_id", suffixes=("_truth", ""))
    assert (m["first_contact_resolution"].fillna(False).astype(bool) == m["first_contact_resolution_truth"]).all()
    assert res.fcr_rate == pytest.approx(truth.loc[truth["is_resolved"], "first_contact_resolution"].mean(), abs=1e-15)
    resolved = truth[truth["is_resolved"]]["resolution_calendar_s"]
    calendar = res.summary.set_index("measure").loc["calendar"]
    assert calendar["naive_median_s"] == np.quantile(resolved, 0.5)
    assert calendar["naive_p90_s"] == np.quantile(resolved, 0.9)
    assert (calendar["resolved"], calendar["censored"]) == (len(resolved), len(truth) - len(resolved))


def test_thank_you_classification_equals_the_truth(pair, sample_store, sample_policy):
    """With an unbounded window, reopens directly re-resolved are exactly the simulator's thank-you
    reopens, except one per log: a thank-you reopen that is the case's last event (cut by the log
    end), which the simulator classifies by its cause and a log cannot."""
    name, _, truth, _ = pair
    wide = dataclasses.replace(sample_policy, reopen=ReopenRule(True, 400 * 86400.0))
    sla = evaluate_sla(sample_store.log(name), wide)
    m = truth.merge(sla, on="case_id")
    differ = m[m["thank_you_reopens"] != m["thankyou_reopens"]]
    assert len(differ) == 1
    row = differ.iloc[0]
    assert (row["thankyou_reopens"], row["thank_you_reopens"], row["current_status"]) == (1, 0, "Reopen ticket")
    expected = {"before": "B-003645", "after": "A-003662"}[name]
    assert row["case_id"] == expected


def test_wait_split_adds_up_to_the_clock(pair, sample_store, sample_policy):
    name, sla, _, _ = pair
    split = get_wait_split(sample_store.log(name), sample_policy)
    assert (split["customer_wait_business_s"].to_numpy() == sla["paused_s"].to_numpy()).all()
    assert (split["agent_wait_business_s"].to_numpy() == sla["resolution_elapsed_s"].to_numpy()).all()


def test_reopen_report(sample_store, sample_policy):
    """before: 585 cases reopened (truth: real + thank-you > 0); 2h window: 311 thank-you reopens
    (the truth has 365 thank-yous, 54 of them re-resolved more than 2 h after the reopen)."""
    rep = get_reopens(sample_store.log("before"), sample_policy)
    s = rep.summary.iloc[0]
    truth = pd.read_csv(SAMPLES / "before_truth.csv.gz")
    assert s["reopened_cases"] == ((truth["real_reopens"] + truth["thankyou_reopens"]) > 0).sum() == 585
    assert s["reopen_rate"] == pytest.approx(0.14625, abs=1e-12)
    assert (s["reopen_events"], s["thank_you_events"], s["thank_you_cases"], s["affected_cases"]) == (611, 311, 311, 311)
    assert (s["resolution_breached_rule_off"], s["resolution_breached_rule_on"]) == (400, 394)
    assert rep.cycles["cases_all"].tolist() == [3415, 559, 26]
    assert rep.cycles["cases_all"].sum() == 4000
