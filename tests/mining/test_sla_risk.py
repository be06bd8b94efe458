"""The at-risk queue on a hand-made log (tests/data/sla/risk.csv, risk_policy.toml: 24x7 UTC, one
10 h resolution target, pause `Wait`), and its calibration replayed on the simulator's logs.

With ``bins=2`` elapsed shares fall in 0-50 % (bin 0) or 50-100 % (bin 1). History at the default
as_of (O2's Wait, 2025-01-10 07:00 UTC): cases with a known outcome whose 10 h would have run out
by then (H1-H5, and O7 which is open but already 13 h in: open_breached counts as breached).

====  ===  ====================================================  =======  ==============================
case  cat  events (hours after Create)                           outcome  cells visited (status, bin)
====  ===  ====================================================  =======  ==============================
H1    A    Work 2, Resolve 4                                     met      Create 0; Work 0
H2    A    Work 3, Resolve 12                                    breached Create 0; Work 0, 1
H3    A    Work 6, Resolve 8                                     met      Create 0, 1; Work 1
H4    A    Wait 1, Work 20, Resolve 25 (19 h paused: 6 h used)   met      Create 0; Wait 0; Work 0, 1
H5    B    Work 1, Resolve 11                                    breached Create 0; Work 0, 1
O7    A    Work 1; 13 h at as_of                                 breached Create 0; Work 0, 1
====  ===  ====================================================  =======  ==============================

Open cases at as_of (elapsed; status; cell) and the estimate with ``prior_weight=0, min_cases=1``
(the finest stratum with any case):

* O1 (A; 7 h; Work, bin 1): A x Work x 1 = H2 H3 H4 O7: 2/4 = 0.5
* O4 (B; 7 h; Work, bin 1): B x Work x 1 = H5: 1/1 = 1.0
* O5 (C; 7 h; Work, bin 1): no C history -> Work x 1 = H2 H3 H4 H5 O7: 3/5 = 0.6
* O6 (A; 3 h; Escalate, bin 0): no Escalate history -> bin 0 = all six: 3/6 = 0.5
* O2 (A; 1 h; Wait, bin 0): A x Wait x 0 = H4: 0/1 = 0.0
* O7: 13 h > 10 h: already breached, probability 1.
"""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.etl.loader import ingest_log
from pipelines.mining.policy import read_policy
from pipelines.mining.sla import AT_RISK_COLUMNS, calibrate_risk, find_at_risk
from pipelines.store import Store
from tests.conftest import TEST_DATA


@pytest.fixture(scope="module")
def risk():
    store = Store(":memory:")
    ingest_log(TEST_DATA / "sla" / "risk.csv", log="risk", store=store)
    return store.log("risk")


@pytest.fixture(scope="module")
def policy():
    return read_policy(TEST_DATA / "sla" / "risk_policy.toml")


def test_raw_empirical_rates_by_hand(risk, policy):
    q = find_at_risk(risk, policy, bins=2, prior_weight=0, min_cases=1)
    assert tuple(q.columns) == AT_RISK_COLUMNS
    assert q["case_id"].tolist() == ["O7", "O4", "O5", "O1", "O6", "O2"]  # probability, then time left
    assert q["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    got = q.set_index("case_id")
    assert got["breach_probability"].to_dict() == {"O7": 1.0, "O4": 1.0, "O5": 0.6, "O1": 0.5, "O6": 0.5, "O2": 0.0}
    assert got["already_breached"].to_dict() == {"O7": True, "O4": False, "O5": False, "O1": False,
                                                 "O6": False, "O2": False}
    assert got["status"].to_dict() == {"O7": "Work", "O4": "Work", "O5": "Work", "O1": "Work",
                                       "O6": "Escalate", "O2": "Wait"}
    assert got["elapsed_s"].tolist() == [13 * 3600, 7 * 3600, 7 * 3600, 7 * 3600, 3 * 3600, 3600]
    assert got["left_s"].tolist() == [-3 * 3600, 3 * 3600, 3 * 3600, 3 * 3600, 7 * 3600, 9 * 3600]
    assert got["used_share"].tolist() == [1.3, 0.7, 0.7, 0.7, 0.3, 0.1]
    assert got[["similar_cases", "similar_breached"]].loc["O5"].tolist() == [5, 3]
    assert got["basis"].to_dict() == {
        "O7": "target+category+status+elapsed", "O4": "target+category+status+elapsed",
        "O5": "target+status+elapsed", "O1": "target+category+status+elapsed",
        "O6": "target+elapsed", "O2": "target+category+status+elapsed",
    }
    assert (q["milestone"] == "resolution").all() and (q["target"] == "std").all()


def test_reasons_in_plain_language(risk, policy):
    got = find_at_risk(risk, policy, bins=2, prior_weight=0, min_cases=1).set_index("case_id")["reason"]
    assert got["O7"] == "std resolution: already breached by 3h (13h of 10h used); status 'Work'"
    assert got["O1"] == ("std resolution: 7h of 10h used, 3h left; status 'Work'; 2 of 4 past std 'A' "
                         "cases in this status with 50-100% of the target used breached")
    assert got["O5"] == ("std resolution: 7h of 10h used, 3h left; status 'Work'; 3 of 5 past std "
                         "cases in this status with 50-100% of the target used breached")
    assert got["O6"] == ("std resolution: 3h of 10h used, 7h left; status 'Escalate'; 3 of 6 past std "
                         "cases with 0-50% of the target used breached")


def test_shrinkage_towards_coarser_strata_by_hand(risk, policy):
    """Defaults (prior_weight 10, min_cases 20): O1 = all 3/6 with a flat prior 0.5 -> (3+5)/16 = 1/2;
    target the same 1/2; bin 1 (H2 H3 H4 H5 O7: 3/5) -> (3+5)/15 = 8/15; Work x 1 (3/5) ->
    (3+80/15)/15 = 5/9; A x Work x 1 (2/4) -> (2+50/9)/14 = 34/63. No stratum has 20 cases: the
    reason falls back on all past cases."""
    q = find_at_risk(risk, policy, bins=2).set_index("case_id")
    assert q.loc["O1", "breach_probability"] == pytest.approx(34 / 63, abs=1e-15)
    assert q.loc["O7", "breach_probability"] == 1.0
    assert (q["basis"] == "all").all() and (q["similar_cases"] == 6).all()
    assert q.loc["O1", "reason"].endswith("; 3 of 6 past cases breached")
    assert q["breach_probability"].between(0, 1).all()


def test_options(risk, policy):
    q = find_at_risk(risk, policy, include_breached=False)
    assert "O7" not in q["case_id"].tolist() and q["rank"].tolist() == list(range(1, len(q) + 1))
    assert find_at_risk(risk, policy, milestone="first_response").empty  # the target sets none
    early = find_at_risk(risk, policy, as_of="2025-01-06T07:00Z", bins=2, prior_weight=0, min_cases=1)
    assert early["case_id"].tolist() == ["H2"]  # H1 resolved but not mature: no history yet
    assert early["breach_probability"].iloc[0] == 0.5 and early["basis"].iloc[0] == "all"
    assert early["reason"].iloc[0] == ("std resolution: 1h of 10h used, 9h left; status 'Create'; "
                                       "no finished past cases to compare with yet (50% by default)")
    with pytest.raises(ValueError, match="milestone must be one of"):
        find_at_risk(risk, policy, milestone="closed")
    with pytest.raises(ValueError, match="bins must be a positive integer"):
        find_at_risk(risk, policy, bins=0)
    with pytest.raises(ValueError, match="min_cases must be a positive integer"):
        find_at_risk(risk, policy, min_cases=0)


# -- calibration on the simulator's logs -------------------------------------------------------

@pytest.fixture(scope="module")
def samples(sample_store, sample_policy):
    return sample_store, sample_policy


# pooled over the 4 default cut-offs (20/40/60/80 % of the log span): cases, breached, brier,
# brier_reference, auc -- frozen from the first run (deterministic)
CALIBRATION = {
    "before": (579, 147, 0.135731394294, 0.211553008683, 0.852332136558),
    "after": (549, 87, 0.104063727824, 0.137350831849, 0.828531621635),
}


@pytest.mark.parametrize("name", ["before", "after"])
def test_calibration_replayed_at_cutoffs(samples, name):
    store, policy = samples
    cal = calibrate_risk(store.log(name), policy)
    pooled = cal.summary.iloc[-1]
    assert pd.isna(pooled["cutoff"]) and len(cal.summary) == 5
    cases, breached, brier, reference, auc = CALIBRATION[name]
    assert (pooled["cases"], pooled["breached"]) == (cases, breached)
    assert pooled["brier"] == pytest.approx(brier, abs=1e-9)
    assert pooled["brier_reference"] == pytest.approx(reference, abs=1e-9)
    assert pooled["auc"] == pytest.approx(auc, abs=1e-9)
    assert pooled["skill"] == pytest.approx(1 - brier / reference, abs=1e-9)
    # the reliability table pools the same predictions
    rel = cal.reliability
    assert rel["cases"].sum() == cases
    assert (rel["observed_rate"] * rel["cases"]).sum() == pytest.approx(breached)
    preds = cal.predictions
    assert len(preds) == cases and preds["predicted"].between(0, 1).all()
    assert (preds["used_share"] <= 1).all()  # only cases not yet breached at their cut-off are scored
    assert cal.milestone == "resolution"


def test_calibration_explicit_cutoffs(samples):
    store, policy = samples
    cal = calibrate_risk(store.log("before"), policy, cutoffs=["2025-03-01T00:00+01:00"])
    assert cal.summary["cutoff"].iloc[0] == pd.Timestamp("2025-02-28T23:00Z")
    assert cal.summary["cases"].iloc[0] == cal.summary["cases"].iloc[-1] > 0
    with pytest.raises(ValueError, match="n_cutoffs must be a positive integer"):
        calibrate_risk(store.log("before"), policy, n_cutoffs=0)
