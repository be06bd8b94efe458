"""The documented example policy (docs/sla_policy_helpdesk.toml) on the real helpdesk log.

The breach counts were computed once and frozen here (they are the numbers quoted in the README);
any change to the clock semantics that moves them must be deliberate. Skipped when
../shared/datasets is absent.
"""

from __future__ import annotations

import pytest

from pipelines.etl.loader import ingest_log
from pipelines.mining.sla import (
    evaluate_sla,
    get_reopens,
    get_resolution_times,
    read_policy,
    sla_breach_rates,
)
from pipelines.store import Store
from tests.conftest import ROOT, dataset

pytestmark = pytest.mark.datasets

POLICY = ROOT / "docs" / "sla_policy_helpdesk.toml"

# target: cases, first response (met, breached, open, open_breached), resolution (same)
FROZEN = {
    "service_type_2": (657, (505, 152, 0, 0), (464, 191, 0, 2)),
    "standard": (3923, (2663, 1256, 0, 4), (2884, 1028, 2, 9)),
}


@pytest.fixture(scope="module")
def helpdesk():
    path = dataset("helpdesk/helpdesk.csv.gz")
    store = Store(":memory:")
    ingest_log(path, log="helpdesk", store=store)
    return store.log("helpdesk")


@pytest.fixture(scope="module")
def policy():
    return read_policy(POLICY)


@pytest.fixture(scope="module")
def sla(helpdesk, policy):
    return evaluate_sla(helpdesk, policy)


def test_policy_documents_what_it_uses(policy):
    assert [t.name for t in policy.targets] == ["service_type_2", "standard"]
    assert policy.calendars["office"].timezone == "Europe/Rome"
    assert len(policy.calendars["office"].holidays) == 55
    assert policy.milestones.reopened == ()  # implicit reopens on this export
    assert policy.reopen.ignore_thank_you is False


def test_frozen_breach_counts_and_rates(sla):
    assert len(sla) == 4580 and sla["target"].notna().all()
    rates = sla_breach_rates(sla, by="target").set_index("target")
    for target, (cases, fr, res) in FROZEN.items():
        row = rates.loc[target]
        assert row["cases"] == cases
        assert tuple(row[[f"first_response_{s}" for s in ("met", "breached", "open", "open_breached")]]) == fr
        assert tuple(row[[f"resolution_{s}" for s in ("met", "breached", "open", "open_breached")]]) == res
    assert rates.loc["service_type_2", "first_response_breach_rate"] == pytest.approx(152 / 657)
    assert rates.loc["standard", "first_response_breach_rate"] == pytest.approx(1260 / 3923)
    assert rates.loc["service_type_2", "resolution_breach_rate"] == pytest.approx(193 / 657)
    assert rates.loc["standard", "resolution_breach_rate"] == pytest.approx(1037 / 3923)
    assert sla["first_response_breached"].sum() == 1412  # 30.8 % of 4,580
    assert sla["resolution_breached"].sum() == 1230  # 26.9 %


def test_frozen_resolution_times_fcr_and_reopens(helpdesk, policy):
    res = get_resolution_times(helpdesk, policy)
    s = res.summary.set_index("measure")
    assert tuple(s.loc["business", ["cases", "resolved", "censored"]]) == (4580, 4567, 13)
    assert s.loc["business", "naive_median_s"] == 124086.0  # 34.5 office hours
    assert s.loc["business", "km_median_s"] == 125392.0  # 34.8 office hours
    assert s.loc["sla", "km_median_s"] == 76987.0  # 21.4 office hours on the SLA clock
    assert res.fcr_breakers == ("Wait",)
    assert res.fcr_rate == pytest.approx(0.7146923582220276, abs=1e-12)
    rep = get_reopens(helpdesk, policy).summary.iloc[0]
    assert (rep["reopened_cases"], rep["reopen_events"], rep["thank_you_events"], rep["affected_cases"]) == (
        154, 164, 23, 21)
    assert (rep["resolution_breached_rule_off"], rep["resolution_breached_rule_on"]) == (1230, 1228)
