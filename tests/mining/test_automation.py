"""Automation candidates, the triage matrix and macro candidates.

Exact expectations on ``tests/data/automation/tiny.csv`` (4 cases, every number below computed by
hand from the file; times are minutes after 2025-01-06 09:00 UTC):

====  ========  ======================================================================
case  category  steps (resource)
====  ========  ======================================================================
c1    A email   Create 0 (customer), Triage 30 (disp), Fix 40 (disp), Resolve 50 (disp)
c2    A email   Create 60 (customer), Triage 120 (disp), Fix 140 (agent1), Resolve 145 (agent1)
c3    B phone   Create 0, Triage 2, Escalate 10 (agent2), Fix 70, Fix 80 (agent3), Resolve 90 (system)
c4    B phone   Create 180, Triage 184, Resolve 200 (agent2)
====  ========  ======================================================================

c1/c2 are priority P3, c3/c4 P1. Intake activities (in >= 90% of cases): Create, Triage, Resolve.
The acceptance on the simulator's sample logs and the runs over ../shared/datasets follow.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipelines.etl.loader import ingest_log
from pipelines.mining.automation import (
    CANDIDATE_COLUMNS,
    COMPONENTS,
    DEFAULT_WEIGHTS,
    MACRO_COLUMNS,
    find_automation_candidates,
    find_macro_candidates,
    read_triage_config,
    score_components,
    triage_matrix,
)
from pipelines.mining.automation_common import MONTH_S, fmt_duration
from pipelines.mining.automation_macros import closed_sequences
from pipelines.mining.automation_triage import (
    CHANNELS,
    DEFAULT_CONFIG_PATH,
    level_of,
    parse_triage_config,
    triage_config_from_dict,
)
from pipelines.mining.definitions import resolution_activities
from pipelines.mining.dfg import END
from pipelines.store import Store
from tests.conftest import DATASET_LOGS, TEST_DATA

DATA = TEST_DATA / "automation"
MONTHS = 86400 / MONTH_S  # the tiny log spans less than a day: one day's worth of months
H = lambda *p: -sum(x * math.log2(x) for x in p if x > 0)  # noqa: E731  entropy in bits


@pytest.fixture(scope="module")
def tiny():
    store = Store(":memory:")
    ingest_log(DATA / "tiny.csv", log="tiny", store=store)
    return store.log("tiny")


@pytest.fixture(scope="module")
def tiny_candidates(tiny):
    return find_automation_candidates(tiny)


def row(frame: pd.DataFrame, activity: str, category: str | None = None) -> pd.Series:
    if category is None:
        sel = frame[(frame["activity"] == activity) & (frame["level"] == "activity")]
    else:
        sel = frame[(frame["activity"] == activity) & (frame["category"] == category)]
    assert len(sel) == 1, f"expected one row for {activity!r} / {category!r}"
    return sel.iloc[0]


# -- candidates on the tiny log -----------------------------------------------------------------


def test_columns_rows_and_order(tiny_candidates):
    c = tiny_candidates
    assert list(c.columns) == list(CANDIDATE_COLUMNS)
    # activity rows for all 5 activities; category rows only for activities in both categories
    acts = c[c["level"] == "activity"]
    assert sorted(acts["activity"]) == ["Create", "Escalate", "Fix", "Resolve", "Triage"]
    assert acts["category"].isna().all()
    cats = c[c["level"] == "category"]
    assert sorted(zip(cats["category"], cats["activity"], strict=True)) == [
        ("A", "Create"), ("A", "Fix"), ("A", "Resolve"), ("A", "Triage"),
        ("B", "Create"), ("B", "Fix"), ("B", "Resolve"), ("B", "Triage")]
    assert c["score"].is_monotonic_decreasing
    # rank: activities by their best row, category rows share it
    best = c.groupby("activity")["score"].max().sort_values(ascending=False)
    assert dict(zip(best.index, range(1, 6), strict=True)) == dict(zip(c["activity"], c["rank"], strict=False))


def test_fix_metrics_by_hand(tiny_candidates):
    r = row(tiny_candidates, "Fix")
    # Fix steps: c1 (prev Triage by disp, same: processing 600 s), c2 (after disp -> agent1: wait
    # 1200 s), c3 (after Escalate agent2 -> agent3: wait 3600 s), c3 repeat (agent3 again: 600 s)
    assert (r.events, r.cases, r.resources) == (4, 3, 3)
    assert r.case_share == 0.75
    assert r.cases_per_month == pytest.approx(3 / MONTHS)
    assert r.events_per_month == pytest.approx(4 / MONTHS)
    assert r.human_share == 1.0
    assert r.waiting_median_s == 600.0  # waits 0, 1200, 3600, 0
    assert r.waiting_mean_s == 1200.0
    assert r.waiting_cv == pytest.approx(math.sqrt(2))  # sample std 1697.06 / 1200
    assert (r.processing_median_s, r.processing_mean_s, r.processing_cv) == (600.0, 600.0, 0.0)
    assert r.processing_basis == "same_resource_gap"
    assert r.lead_median_s == 4500.0  # 2400, 4800, 4200, 4800
    # next steps: Resolve, Resolve, Fix, Resolve
    assert (r.next_activity, r.next_share) == ("Resolve", 0.75)
    assert r.next_entropy_bits == pytest.approx(H(0.75, 0.25))
    assert r.determinism == pytest.approx(1 - H(0.75, 0.25))
    # category (or channel, or priority: the same split) leaves H = 0 in A and 1 bit in B
    assert r.branch_attribute == "category"
    assert r.branch_information_gain == pytest.approx((H(0.75, 0.25) - 0.5) / H(0.75, 0.25))
    assert r.rework_rate == 0.25
    assert r.handoff_in_rate == 0.5  # disp->disp, disp->agent1, agent2->agent3, agent3->agent3
    assert r.handoff_out_rate == 0.25  # ... only agent3 -> system
    assert r.deflectable_share == pytest.approx(2 / 3)  # c1 and c2: intake only before, Resolve after
    # savings: lead 2400 and 4800 (deflectable), waits 3600 and 0 -> median 3000, total 10800 s
    assert r.wait_hours_saved_per_month == pytest.approx(10800 / 3600 / MONTHS)
    assert r.hours_saved_per_month == pytest.approx(4 / MONTHS * 600 / 3600)
    assert np.isnan(r.breach_rate) and np.isnan(r.resolution_breach_share)


def test_fix_score_by_hand(tiny_candidates):
    r = row(tiny_candidates, "Fix")
    components = {
        "volume": 0.75,
        "delay": 3000 / (3000 + 3600),
        "brevity": 1 / (1 + 600 / 900),
        "determinism": 1 - H(0.75, 0.25),
        "rule": (H(0.75, 0.25) - 0.5) / H(0.75, 0.25),
        "consistency": 1.0,  # q1 = q3 = 600 s
        "no_rework": 0.75,
        "deflection": 2 / 3,
    }
    total = sum(DEFAULT_WEIGHTS[k] for k in components)  # no policy: no sla component
    for name, value in components.items():
        assert r[f"score_{name}"] == pytest.approx(DEFAULT_WEIGHTS[name] * value / total), name
    assert np.isnan(r.score_sla)
    assert r.score == pytest.approx(sum(DEFAULT_WEIGHTS[k] * v for k, v in components.items()) / total)


def test_other_rows_by_hand(tiny_candidates):
    c = tiny_candidates
    resolve = row(c, "Resolve")
    assert resolve.human_share == 0.75  # 'system' is a machine
    assert resolve.waiting_median_s == 0.0  # only c3's 600 s wait (agent3 -> system)
    assert resolve.processing_median_s == 600.0  # 600 (c1), 300 (c2), 960 (c4)
    assert (resolve.next_activity, resolve.next_share, resolve.determinism) == (END, 1.0, 1.0)
    assert resolve.branch_attribute is None and resolve.branch_information_gain == 0.0
    escalate = row(c, "Escalate")
    assert (escalate.events, escalate.cases, escalate.case_share) == (1, 1, 0.25)
    assert (escalate.waiting_median_s, escalate.processing_median_s) == (0.0, 480.0)
    assert escalate.deflectable_share == 0.0  # followed by Fix, not by a resolution
    assert "all in category 'B'" in escalate.reasons
    fix_a = row(c, "Fix", "A")
    assert (fix_a.events, fix_a.cases, fix_a.case_share) == (2, 2, 0.5)
    assert (fix_a.waiting_median_s, fix_a.deflectable_share, fix_a.determinism) == (600.0, 1.0, 1.0)
    assert fix_a.lead_median_s == 3600.0
    fix_b = row(c, "Fix", "B")
    assert (fix_b.waiting_median_s, fix_b.rework_rate, fix_b.determinism) == (1800.0, 0.5, 0.0)
    create = row(c, "Create")
    assert create.human_share == 0.5 and np.isnan(create.waiting_median_s)


def test_lifecycle_pairs_give_processing():
    """tests/data/automation/lifecycle.csv: Review and Approve recorded as start/complete pairs
    (except L2's Approve, a bare complete). A step is its complete event; it begins at its start."""
    store = Store(":memory:")
    ingest_log(DATA / "lifecycle.csv", log="lc", store=store)
    c = find_automation_candidates(store.log("lc")).set_index("activity")
    review = c.loc["Review"]
    # L1: Submit 09:00, start 09:30, complete 09:50; L2: Submit 09:00, start 11:00, complete 11:10
    assert (review.events, review.cases) == (2, 2)
    assert (review.processing_median_s, review.processing_basis) == (900.0, "lifecycle")  # 1200 and 600
    assert review.waiting_median_s == 4500.0 and review.lead_median_s == 4500.0  # 1800 and 7200
    approve = c.loc["Approve"]
    # L1: start 10:00 after Review's complete 09:50 (wait 600), 5 min of work; L2: a bare complete
    # 30 min after r1's Review, done by r2: all wait (1800), no processing known
    assert (approve.waiting_median_s, approve.processing_median_s) == (1200.0, 300.0)
    assert approve.handoff_in_rate == 1.0 and approve.next_activity == END
    assert "per start/complete pair" in approve.reasons


def test_filtered_log_is_its_own_scope(tiny):
    from pipelines.mining.filters import filter_case_attribute

    only_a = filter_case_attribute(tiny, "category", ["A"])
    c = find_automation_candidates(only_a)
    assert set(c["level"]) == {"activity"}  # one category in scope: no category rows
    fix = row(c, "Fix")
    assert (fix.events, fix.cases, fix.case_share, fix.waiting_median_s) == (2, 2, 1.0, 600.0)
    # intake is now every activity of A's cases (Fix is in both): nothing is deflectable
    assert fix.deflectable_share == 0.0
    m = find_macro_candidates(only_a, max_gap_s=900, min_cases=1)
    assert set(m["sequence"]) == {("Fix", "Resolve"), ("Triage", "Fix", "Resolve")}


def test_reasons_name_volume_and_waiting(tiny_candidates):
    fix = row(tiny_candidates, "Fix")
    assert fix.reasons.startswith(f"{3 / MONTHS:,.0f} cases/month, 75% of cases")
    assert "waits a median 10 min before it" in fix.reasons
    assert "customers wait a median 75 min from the case's start for it" in fix.reasons
    assert "'Resolve' follows" not in fix.reasons  # 75% < 80%: the branch attribute is named
    assert "category decides the next step" not in fix.reasons  # 38% of the uncertainty: too little
    assert "takes a median 10 min of work (estimated from same-resource gaps)" in fix.reasons
    assert "repeated in 25% of its steps (rework)" in fix.reasons


def test_weights_and_options(tiny):
    only_volume = {k: 0.0 for k in COMPONENTS} | {"volume": 1.0}
    c = find_automation_candidates(tiny, weights=only_volume, by_category=False)
    assert set(c["level"]) == {"activity"}
    # human share x case share: Create 2/4 by people (c3, c4) in 4/4 cases, Resolve 3/4 ('system')
    expected = {"Create": 0.5 * 1.0, "Triage": 1.0, "Fix": 0.75, "Escalate": 0.25, "Resolve": 0.75 * 1.0}
    got = dict(zip(c["activity"], c["score"], strict=True))
    assert got == pytest.approx(expected)
    assert c.attrs["weights"]["volume"] == 1.0 and c.attrs["months"] == pytest.approx(MONTHS)
    rare = find_automation_candidates(tiny, min_case_share=0.5)
    assert "Escalate" not in set(rare["activity"])  # 1 case of 4


@pytest.mark.parametrize("kwargs, message", [
    ({"weights": {"speed": 1.0}}, "weights key must be one of 'volume'"),
    ({"weights": {"volume": -1}}, "weight of 'volume' must be a finite number >= 0"),
    ({"weights": {k: 0 for k in DEFAULT_WEIGHTS}}, "at least one weight must be > 0"),
    ({"machine_pattern": "("}, "machine_pattern is not a valid regular expression"),
    ({"intake_share": 0}, "intake_share must be within (0, 1]"),
    ({"min_case_share": 2}, "min_case_share must be within [0, 1]"),
])
def test_bad_options(tiny, kwargs, message):
    with pytest.raises(ValueError) as err:
        find_automation_candidates(tiny, **kwargs)
    assert message in str(err.value)


def test_score_components_is_pure_and_gated():
    frame = pd.DataFrame({
        "case_share": [1.0, 1.0], "saving_median_s": [3600.0, np.nan], "processing_median_s": [np.nan, 900.0],
        "determinism": [1.0, 0.0], "branch_information_gain": [0.0, 1.0], "processing_qcd": [np.nan, 0.5],
        "rework_rate": [0.0, 1.0], "deflectable_share": [1.0, 0.0], "human_share": [1.0, 0.5],
    })
    before = frame.copy()
    out = score_components(frame, {"volume": 1, "delay": 1, "brevity": 1, "determinism": 1, "rule": 1,
                                   "consistency": 1, "no_rework": 1, "deflection": 1})
    pd.testing.assert_frame_equal(frame, before)
    # row 0: 1, 0.5, 0.5 (unknown processing), 1, 0, 0.5 (unknown dispersion), 1, 1 -> 5.5 / 8
    # row 1: 1, 0, 0.5, 0, 1, 0.5, 0, 0 -> 3 / 8, gated by human share 0.5
    assert out["score"].tolist() == pytest.approx([5.5 / 8, 0.5 * 3 / 8])
    assert out[[f"score_{c}" for c in COMPONENTS if c != "sla"]].sum(axis=1).tolist() == pytest.approx(
        out["score"].tolist())


def test_helpers():
    assert resolution_activities(["Resolve ticket", "Close ticket", "Repair completed", "Closure"]) == [
        "Close ticket", "Closure", "Resolve ticket"]
    assert [fmt_duration(s) for s in (0, 89, 600, 7560, 3 * 86400)] == ["0 s", "89 s", "10 min", "2.1 h", "3.0 d"]


# -- macros --------------------------------------------------------------------------------------


def test_macros_by_hand(tiny):
    # sessions within 15 min by one person: c1 disp [Triage, Fix, Resolve]; c2 agent1 [Fix, Resolve];
    # c3 agent2 [Create, Triage, Escalate] and agent3 [Fix, Fix]; c4 agent2 [Create, Triage] (Resolve
    # 16 min later starts a new session). 'system' is a machine; customers have no resource.
    m = find_macro_candidates(tiny, max_gap_s=900, min_cases=1)
    assert list(m.columns) == list(MACRO_COLUMNS)
    got = {r.sequence: (r.occurrences, r.cases, r.resources, r.median_span_s, r.total_span_s)
           for r in m.itertuples()}
    assert got == {
        ("Fix", "Resolve"): (2, 2, 2, 450.0, 900.0),
        ("Create", "Triage"): (2, 2, 1, 180.0, 360.0),
        ("Triage", "Fix", "Resolve"): (1, 1, 1, 1200.0, 1200.0),
        ("Create", "Triage", "Escalate"): (1, 1, 1, 600.0, 600.0),
        ("Fix", "Fix"): (1, 1, 1, 600.0, 600.0),
        # (Triage, Fix) and (Triage, Escalate) occur only inside the 3-step sequences: dropped
    }
    top = m.iloc[0]
    assert top.steps_saved_per_month == pytest.approx(2 / MONTHS)
    assert m["steps_saved_per_month"].is_monotonic_decreasing
    everything = find_macro_candidates(tiny, max_gap_s=900, min_cases=1, closed_only=False)
    assert len(everything) == 7
    frequent = find_macro_candidates(tiny, max_gap_s=900, min_cases=2)
    assert frequent["sequence"].tolist() == [("Create", "Triage"), ("Fix", "Resolve")]
    assert find_macro_candidates(tiny, max_gap_s=60, min_cases=1)["sequence"].tolist() == []


def test_closed_sequences():
    f = pd.DataFrame({"sequence": [("a", "b"), ("b", "c"), ("a", "b", "c"), ("x", "y")],
                      "occurrences": [3, 5, 3, 1]})
    assert closed_sequences(f)["sequence"].tolist() == [("b", "c"), ("a", "b", "c"), ("x", "y")]


@pytest.mark.parametrize("kwargs, message", [
    ({"min_length": 1}, "2 <= min_length <= max_length <= 12"),
    ({"min_length": 4, "max_length": 3}, "2 <= min_length <= max_length <= 12"),
    ({"max_length": 13}, "2 <= min_length <= max_length <= 12"),
    ({"min_cases": 0}, "min_cases must be >= 1"),
    ({"max_gap_s": -1}, "max_gap_s must be a number of seconds >= 0"),
    ({"min_length": 2.5}, "min_length must be an integer"),
])
def test_macro_bad_options(tiny, kwargs, message):
    with pytest.raises(ValueError) as err:
        find_macro_candidates(tiny, **kwargs)
    assert message in str(err.value)


# -- triage matrix -------------------------------------------------------------------------------

TINY_CONFIG = DATA / "triage_tiny.toml"


def test_triage_metrics_by_hand(tiny):
    tm = triage_matrix(tiny, levels=2, config=TINY_CONFIG)
    cats = tm.categories.set_index("category")
    # A: c1, c2 follow one variant; hand-offs c1 0, c2 1 (disp -> agent1); no escalation; P3;
    #    customer wait to the last Resolve 3000 and 5100 s; touches 3 and 3
    # B: 2 variants; hand-offs c3 2 (agent2 -> agent3, agent3 -> system), c4 0; c3 escalates; P1;
    #    waits 5400 and 1200 s; touches 5 (system excluded) and 3
    expected = {
        "A": {"cases": 2, "variants": 1, "variants_per_case": 0.5, "handoffs_per_case": 0.5,
              "escalation_rate": 0.0, "high_priority_share": 0.0, "customer_wait_s": 4050.0,
              "reopen_rate": 0.0, "touches_per_case": 3.0},
        "B": {"cases": 2, "variants": 2, "variants_per_case": 1.0, "handoffs_per_case": 1.0,
              "escalation_rate": 0.5, "high_priority_share": 1.0, "customer_wait_s": 3300.0,
              "reopen_rate": 0.0, "touches_per_case": 4.0},
    }
    for cat, values in expected.items():
        for key, value in values.items():
            assert cats.loc[cat, key] == value, (cat, key)
    assert cats["breach_rate"].isna().all()  # no policy


def test_triage_classes_by_hand(tiny):
    # tests/data/automation/triage_tiny.toml: complexity = max(variants_per_case, handoffs_per_case),
    # severity = high_priority_share (breach_rate needs a policy), effort = mean(customer_wait_s,
    # touches_per_case), rounded half up.
    two = triage_matrix(tiny, levels=2, config=TINY_CONFIG).categories.set_index("category")
    assert two.loc["A", ["variants_per_case_level", "handoffs_per_case_level"]].tolist() == ["low", "low"]
    assert two.loc["A", ["customer_wait_s_level", "touches_per_case_level"]].tolist() == ["high", "low"]
    assert two.loc["A", "class"] == "low/low/high" and two.loc["A", "channel"] == "bot"
    assert two.loc["B", "class"] == "high/high/high" and two.loc["B", "channel"] == "agent"
    assert two.loc["A", "breach_rate_level"] is None and two.loc["A", "unscored"] == ()
    three = triage_matrix(tiny, levels=3, config=TINY_CONFIG).categories.set_index("category")
    assert three.loc["A", ["variants_per_case_level", "handoffs_per_case_level"]].tolist() == ["low", "medium"]
    assert three.loc["A", ["customer_wait_s_level", "touches_per_case_level"]].tolist() == ["medium", "low"]
    assert three.loc["A", "class"] == "medium/low/medium" and three.loc["A", "channel"] == "automation_rule"
    assert three.loc["B", ["customer_wait_s_level", "touches_per_case_level"]].tolist() == ["low", "medium"]
    assert three.loc["B", "class"] == "high/high/medium" and three.loc["B", "channel"] == "agent"
    assert three.loc["B", "channel_label"] == "agent"


@pytest.mark.parametrize("levels, names", [(2, ("low", "high")), (3, ("low", "medium", "high"))])
def test_triage_layouts(tiny, levels, names):
    tm = triage_matrix(tiny, levels=levels, config=TINY_CONFIG)
    m = tm.matrix
    assert len(m) == len(names) ** 3 == {2: 8, 3: 27}[levels]
    assert list(m["class"]) == [f"{c}/{s}/{e}" for c in names for s in names for e in names]
    assert m["n_categories"].sum() == 2 and m["cases"].sum() == 4
    cells = {r["class"]: r["categories"] for r in m.to_dict("records") if r["n_categories"]}
    classes = dict(zip(tm.categories["category"], tm.categories["class"], strict=True))
    assert cells == {classes["A"]: ("A",), classes["B"]: ("B",)}
    assert set(m["channel"]) <= set(CHANNELS)
    as_dict = tm.to_dict()
    assert len(as_dict["matrix"]) == len(m) and as_dict["levels"] == levels


def test_default_config_mapping():
    cfg = read_triage_config()
    assert cfg.channel_of("low/low/low") == "self_service"
    assert cfg.channel_of("low/low/high") == "bot"
    assert cfg.channel_of("low/high/low") == "automation_rule"
    assert cfg.channel_of("high/low/low") == "agent"
    assert cfg.channel_of("medium/low/high") == "bot"
    assert cfg.channel_of("medium/medium/low") == "automation_rule"
    assert cfg.channel_of("medium/high/low") == "agent"
    names = ("low", "medium", "high")
    assert all(cfg.channel_of(f"{c}/{s}/{e}") in CHANNELS for c in names for s in names for e in names)


def test_level_of():
    assert level_of(np.array([0.0, 0.5, 0.99, 1.0, 2.0, np.nan]), (0.5, 1.0)).tolist() == [0, 1, 1, 2, 2, -1]


def _default_dict() -> dict:
    import tomllib

    return tomllib.loads(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize("patch, message", [
    (lambda d: d["signals"].update(words=[]), "unknown key(s) 'words' in [signals]"),
    (lambda d: d["dimensions"]["complexity"].update(combine="median"), "combine must be one of 'mean', 'max'"),
    (lambda d: d["dimensions"]["complexity"]["metrics"].update(variants_per_case={"two": 0.1, "three": [0.3, 0.2]}),
     "three thresholds must increase"),
    (lambda d: d["dimensions"]["complexity"]["metrics"].update(speed={"two": 1, "three": [1, 2]}),
     "unknown key(s) 'speed'"),
    (lambda d: d["dimensions"]["effort"]["metrics"].update(customer_wait_s={"two": "soon", "three": ["1h", "2h"]}),
     "soon"),
    (lambda d: d["dimensions"]["effort"]["metrics"].update(reopen_rate={"two": 0.1}), "needs both two = T and three"),
    (lambda d: d.pop("dimensions"), "[dimensions] must be a table"),
    (lambda d: d["rules"].append({"class": "low/low", "channel": "bot"}), "class must be 'complexity/severity/effort'"),
    (lambda d: d["rules"].append({"class": "*/*/*", "channel": "email"}), "channel must be one of 'self_service'"),
    (lambda d: d.update(rules=[]), "[[rules]] must list at least one"),
])
def test_bad_triage_config(patch, message):
    d = _default_dict()
    patch(d)
    with pytest.raises(ValueError) as err:
        triage_config_from_dict(d, source="bad.toml")
    assert message in str(err.value) and str(err.value).startswith("bad.toml: ")
    with pytest.raises(ValueError, match="not valid TOML"):
        parse_triage_config("not toml [", source="bad.toml")


def test_triage_refusals(tiny):
    with pytest.raises(ValueError, match="levels must be one of 2, 3"):
        triage_matrix(tiny, levels=4)
    with pytest.raises(ValueError, match="by must be one of 'category'"):
        triage_matrix(tiny, by="customer")
    with pytest.raises(ValueError, match="has no team values"):
        triage_matrix(tiny, by="team")
    with pytest.raises(ValueError, match="cannot read triage config"):
        read_triage_config(DATA / "missing.toml")
    d = _default_dict()
    d["rules"] = [{"class": "low/*/*", "channel": "bot"}]
    cfg = triage_config_from_dict(d, source="x.toml")
    with pytest.raises(ValueError, match='no rule matches class .high/low/low.; end the rules with class = "\\*/\\*/\\*"'):
        cfg.channel_of("high/low/low")


# -- acceptance on the simulator's sample logs (fixtures sample_store, sample_policy: conftest) ----


@pytest.mark.parametrize("with_policy", [False, True])
def test_automated_steps_rank_top3_on_before(sample_store, sample_policy, with_policy):
    """sample_logs/README.md: `after` moved 80% of password resets to a self-service bot (the step
    `Reset password`, category password reset) and triaged e-mail and web-form tickets with a bot
    (`Assign to team`, channels email / web form). Both rank in the top 3 activities of `before`."""
    c = find_automation_candidates(sample_store.log("before"), policy=sample_policy if with_policy else None)
    ranks = c.drop_duplicates("activity").set_index("activity")["rank"]
    assert ranks["Assign to team"] <= 3 and ranks["Reset password"] <= 3
    assign = row(c, "Assign to team")
    reset = row(c, "Reset password")  # all in one category: its activity row is the category's
    assert assign.case_share > 0.99 and reset.case_share == pytest.approx(1182 / 4000)
    # reasons name the volume and the waiting, and where the wait is (the channels triaged by the bot)
    assert f"{assign.cases_per_month:,.0f} cases/month" in assign.reasons
    assert f"waits a median {fmt_duration(assign.waiting_median_s)} before it" in assign.reasons
    assert "for channel 'web form'" in assign.reasons and "for channel 'email'" in assign.reasons
    assert assign.wait_driver == "channel" and set(assign.wait_driver_values) == {"email", "web form"}
    assert f"{reset.cases_per_month:,.0f} cases/month, all in category 'password reset'" in reset.reasons
    assert f"customers wait a median {fmt_duration(reset.lead_median_s)} from the case's start" in reset.reasons
    assert reset.deflectable_share > 0.7 and reset.determinism == 1.0
    if with_policy:
        # the manual triage wait is most of the breached first-response time (README)
        assert assign.first_response_breach_share > 0.5
        assert "first-response SLA time is spent waiting for it" in assign.reasons


def test_sample_triage_matrix(sample_store, sample_policy):
    tm = triage_matrix(sample_store.log("before"), levels=2, policy=sample_policy)
    classes = dict(zip(tm.categories["category"], tm.categories["channel"], strict=True))
    assert classes["password reset"] == "self_service"
    assert classes["refund/return"] == classes["warranty repair"] == "agent"
    tm3 = triage_matrix(sample_store.log("before"), levels=3, policy=sample_policy)
    assert len(tm3.matrix) == 27 and tm3.matrix["n_categories"].sum() == 5
    assert dict(zip(tm3.categories["category"], tm3.categories["channel"], strict=True))["password reset"] in (
        "self_service", "bot")


def test_sample_macros(sample_store):
    m = find_macro_candidates(sample_store.log("before"), max_gap_s=300)
    top = set(m.head(8)["sequence"])
    # phone tickets: the L1 agent on the line creates, assigns and takes the ticket within minutes
    assert ("Create ticket", "Assign to team", "Take in charge") in top
    assert ("Reset password", "Resolve ticket") in set(m["sequence"])
    assert (m["resources"] >= 1).all() and (m["median_span_s"] <= 5 * 300).all()


# -- every shared dataset -----------------------------------------------------------------------


@pytest.mark.datasets
@pytest.mark.parametrize("name", sorted(DATASET_LOGS))
def test_runs_on_every_dataset(datasets_store, name):
    log = datasets_store.log(name)
    c = find_automation_candidates(log)
    assert list(c.columns) == list(CANDIDATE_COLUMNS) and len(c) > 0
    assert c["score"].between(0, 1).all() and c["score"].is_monotonic_decreasing
    parts = c[[f"score_{k}" for k in COMPONENTS if k != "sla"]].sum(axis=1)
    assert np.allclose(parts, c["score"])
    assert sorted(c["rank"].unique()) == list(range(1, c["activity"].nunique() + 1))
    assert (c["case_share"] >= 0.01).all() and (c["events"] >= c["cases"]).all()
    assert c["determinism"].between(0, 1 + 1e-9).all() and c["human_share"].between(0, 1).all()
    assert c["reasons"].str.contains("cases/month").all()
    m = find_macro_candidates(log)
    assert list(m.columns) == list(MACRO_COLUMNS)
    assert (m["length"] >= 2).all() and (m["cases"] >= 5).all() and (m["occurrences"] >= m["cases"]).all()
    by = "category" if name.startswith("helpdesk") else "team"
    if name.startswith(("helpdesk", "receipt", "bpi2013")):
        tm = triage_matrix(log, levels=3, by=by)
        assert len(tm.matrix) == 27 and tm.matrix["n_categories"].sum() == len(tm.categories) > 0
        assert tm.categories["channel"].isin(list(CHANNELS)).all()
    else:
        with pytest.raises(ValueError, match="has no team values"):
            triage_matrix(log, by="team")
