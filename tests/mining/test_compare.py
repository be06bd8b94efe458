"""compare(): every KPI by hand on a tiny before/after pair, p-values against scipy directly, the
process-map delta and the variant shift by hand, the splits, the result object and bad input.

The tiny pair (UTC; resource/team, ``-`` = customer event without resource or team):

``before`` (window 2024-01-01 09:00 .. 2024-01-15 09:00 = 2 weeks, 4 cases)

====  ===========================================================================================
B1    Create 01-01 09:00 - | Work 10:00 alice/L1 | Resolve ticket 11:00 alice/L1 | Close ticket
      12:00 system/System. Resolved at 11:00 (2 h); team hand-offs L1>System = 1; FCR; touched
      by a human.
B2    Create 01-02 09:00 - | Work 09:30 alice/L1 | Transfer to finance 10:00 alice/L1 | Work 12:00
      bob/Finance | Resolve ticket 13:00 bob/Finance. Resolved 4 h; hand-offs L1>Finance = 1;
      no FCR (transfer).
B3    Create 01-03 09:00 - | Resolve ticket 10:00 alice/L1 | Reopen ticket 11:00 system/System |
      Work 12:00 alice/L1 | Resolve ticket 15:00 alice/L1 | Close ticket 16:00 system/System.
      Resolution = first resolve after the last reopen: 15:00 (6 h); reopened; hand-offs
      L1>System>L1>System = 3; no FCR.
B4    Create 01-15 08:00 - | Work 09:00 alice/L1. Unresolved.
====  ===========================================================================================

``after`` (window 2024-02-01 09:00 .. 2024-02-08 09:00 = 1 week, 3 cases)

====  ===========================================================================================
A1    Create 02-01 09:00 - | Reset password 09:01 selfservice-bot/Bot | Resolve ticket 09:02
      selfservice-bot/Bot | Close ticket 10:02 system/System. Resolved 120 s; hand-offs
      Bot>System = 1; FCR; no human touch.
A2    Create 02-02 09:00 - | Work 10:00 alice/L1 | Resolve ticket 12:00 alice/L1. 3 h; 0; FCR.
A3    Create 02-08 01:00 - | Work 01:10 alice/L1 | Escalate to L2 01:20 alice/L1 | Work 02:00
      carol/L2 | Resolve ticket 09:00 carol/L2. 8 h; hand-offs L1>L2 = 1; no FCR (escalation).
====  ===========================================================================================
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pipelines.etl.loader import ingest_log
from pipelines.mining import compare_stats as st
from pipelines.mining.compare import ComparisonResult, KpiDefinitions, compare, kpi_names
from pipelines.mining.compare_kpis import NON_HUMAN_PATTERNS, resolve_rules, vocabulary
from pipelines.mining.compare_maps import map_delta, variant_shift
from pipelines.mining.dfg import END, START
from pipelines.mining.filters import filter_case_attribute
from pipelines.mining.policy import parse_policy
from pipelines.mining.sla import evaluate_sla
from pipelines.store import Store

HEADER = "Ticket ID,Activity,Timestamp,Agent,Team,Channel,Priority,Category"
H = 3600.0


def _rows(case, attrs, events):
    channel, priority, category = attrs
    return [f"{case},{act},{ts}+00:00,{res},{team},{channel},{priority},{category}"
            for act, ts, res, team in events]


BEFORE = [
    ("B1", ("email", "P2", "password reset"), [
        ("Create ticket", "2024-01-01T09:00:00", "", ""),
        ("Work", "2024-01-01T10:00:00", "alice", "L1"),
        ("Resolve ticket", "2024-01-01T11:00:00", "alice", "L1"),
        ("Close ticket", "2024-01-01T12:00:00", "system", "System")]),
    ("B2", ("chat", "P3", "billing"), [
        ("Create ticket", "2024-01-02T09:00:00", "", ""),
        ("Work", "2024-01-02T09:30:00", "alice", "L1"),
        ("Transfer to finance", "2024-01-02T10:00:00", "alice", "L1"),
        ("Work", "2024-01-02T12:00:00", "bob", "Finance"),
        ("Resolve ticket", "2024-01-02T13:00:00", "bob", "Finance")]),
    ("B3", ("email", "P3", "billing"), [
        ("Create ticket", "2024-01-03T09:00:00", "", ""),
        ("Resolve ticket", "2024-01-03T10:00:00", "alice", "L1"),
        ("Reopen ticket", "2024-01-03T11:00:00", "system", "System"),
        ("Work", "2024-01-03T12:00:00", "alice", "L1"),
        ("Resolve ticket", "2024-01-03T15:00:00", "alice", "L1"),
        ("Close ticket", "2024-01-03T16:00:00", "system", "System")]),
    ("B4", ("chat", "P2", "password reset"), [
        ("Create ticket", "2024-01-15T08:00:00", "", ""),
        ("Work", "2024-01-15T09:00:00", "alice", "L1")]),
]
AFTER = [
    ("A1", ("email", "P2", "password reset"), [
        ("Create ticket", "2024-02-01T09:00:00", "", ""),
        ("Reset password", "2024-02-01T09:01:00", "selfservice-bot", "Bot"),
        ("Resolve ticket", "2024-02-01T09:02:00", "selfservice-bot", "Bot"),
        ("Close ticket", "2024-02-01T10:02:00", "system", "System")]),
    ("A2", ("chat", "P3", "billing"), [
        ("Create ticket", "2024-02-02T09:00:00", "", ""),
        ("Work", "2024-02-02T10:00:00", "alice", "L1"),
        ("Resolve ticket", "2024-02-02T12:00:00", "alice", "L1")]),
    ("A3", ("email", "P3", "billing"), [
        ("Create ticket", "2024-02-08T01:00:00", "", ""),
        ("Work", "2024-02-08T01:10:00", "alice", "L1"),
        ("Escalate to L2", "2024-02-08T01:20:00", "alice", "L1"),
        ("Work", "2024-02-08T02:00:00", "carol", "L2"),
        ("Resolve ticket", "2024-02-08T09:00:00", "carol", "L2")]),
]

# per-case values by hand (see the module docstring)
RES_B, RES_A = [2 * H, 4 * H, 6 * H], [120.0, 3 * H, 8 * H]
EVENTS_B, EVENTS_A = [4, 5, 6, 2], [4, 3, 5]
HANDOFFS_B, HANDOFFS_A = [1, 1, 3, 0], [1, 0, 1]


def write_log(path, traces) -> None:
    lines = [HEADER]
    for case, attrs, events in traces:
        lines += _rows(case, attrs, events)
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    d = tmp_path_factory.mktemp("compare")
    store = Store(":memory:")
    for name, traces in (("before", BEFORE), ("after", AFTER)):
        write_log(d / f"{name}.csv", traces)
        ingest_log(d / f"{name}.csv", log=name, store=store)
    return store


@pytest.fixture(scope="module")
def result(tiny) -> ComparisonResult:
    return compare(tiny.log("before"), tiny.log("after"), n_boot=500, by=("category",))


def _row(frame: pd.DataFrame, kpi: str) -> dict:
    return frame.set_index("kpi").loc[kpi].to_dict()


# -- every KPI by hand ------------------------------------------------------------------------------


def test_kpi_rows_without_a_policy(result):
    assert result.kpis["kpi"].tolist() == [
        "cases_per_week", "resolution_median", "resolution_p90", "events_per_case", "handoffs_per_case",
        "reopen_rate", "first_contact_resolution_rate", "no_human_touch_share",
    ]
    assert result.kpis["kpi"].tolist() == [k for k in kpi_names(policy=False)]


def test_cases_per_week_is_a_poisson_rate(result):
    r = _row(result.kpis, "cases_per_week")
    assert (r["before"], r["after"], r["delta"]) == pytest.approx((2.0, 3.0, 1.0))  # 4 / 2 weeks, 3 / 1 week
    assert r["delta_pct"] == pytest.approx(50.0)
    assert r["p_value"] == pytest.approx(stats.binomtest(3, 7, 1 / 3).pvalue)
    half = stats.norm.ppf(0.975) * math.sqrt(3 / 1 + 4 / 4)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((1 - half, 1 + half))
    assert (r["n_before"], r["n_after"], r["unit"]) == (4, 3, "cases/week")
    assert result.before.weeks == pytest.approx(2.0) and result.after.weeks == pytest.approx(1.0)


def test_resolution_times(result):
    med, p90 = _row(result.kpis, "resolution_median"), _row(result.kpis, "resolution_p90")
    # resolved: before 2 h, 4 h, 6 h (B3 to its final resolution, B4 unresolved); after 120 s, 3 h, 8 h
    assert (med["before"], med["after"], med["delta"]) == (4 * H, 3 * H, -H)
    assert med["delta_pct"] == pytest.approx(-25.0)
    assert (p90["before"], p90["after"]) == pytest.approx((4 * H + 0.8 * 2 * H, 3 * H + 0.8 * 5 * H))
    assert med["p_value"] == pytest.approx(stats.mannwhitneyu(RES_A, RES_B, alternative="two-sided").pvalue)
    assert med["test"] == "Mann-Whitney U" and med["unit"] == "s"
    # p90 test: pooled p90 = 25200 s; above it: none before, 28800 after -> Fisher
    assert p90["p_value"] == pytest.approx(stats.fisher_exact([[0, 3], [1, 2]]).pvalue)
    assert (med["n_before"], med["n_after"]) == (3, 3)


def test_events_and_handoffs_per_case(result):
    ev, ho = _row(result.kpis, "events_per_case"), _row(result.kpis, "handoffs_per_case")
    assert (ev["before"], ev["after"], ev["delta"]) == pytest.approx((17 / 4, 4.0, -0.25))
    assert (ho["before"], ho["after"]) == pytest.approx((5 / 4, 2 / 3))
    assert ev["p_value"] == pytest.approx(stats.ttest_ind(EVENTS_A, EVENTS_B, equal_var=False).pvalue)
    assert ho["p_value"] == pytest.approx(stats.ttest_ind(HANDOFFS_A, HANDOFFS_B, equal_var=False).pvalue)
    assert ev["test"] == "Welch t"
    assert ho["effect_size"] == pytest.approx(st.cohen_d(np.array(HANDOFFS_B, float), np.array(HANDOFFS_A, float)))


def test_rates(result):
    reopen = _row(result.kpis, "reopen_rate")
    fcr = _row(result.kpis, "first_contact_resolution_rate")
    nht = _row(result.kpis, "no_human_touch_share")
    assert (reopen["before"], reopen["after"]) == (0.25, 0.0)  # B3 of 4; none of 3
    assert (fcr["before"], fcr["after"]) == pytest.approx((1 / 3, 2 / 3))  # B1 of 3 resolved; A1, A2 of 3
    assert (fcr["n_before"], fcr["n_after"]) == (3, 3)
    assert (nht["before"], nht["after"]) == pytest.approx((0.0, 1 / 3))  # A1: only bots and system
    assert reopen["p_value"] == pytest.approx(stats.fisher_exact([[1, 3], [0, 3]]).pvalue)
    assert fcr["p_value"] == pytest.approx(stats.fisher_exact([[1, 2], [2, 1]]).pvalue)
    assert nht["p_value"] == pytest.approx(stats.fisher_exact([[0, 4], [1, 2]]).pvalue)
    assert reopen["test"] == "Fisher exact" and reopen["unit"] == "share"
    assert fcr["effect_size"] == pytest.approx(st.cohen_h(1 / 3, 2 / 3))


def test_corrections_and_significance(result):
    k = result.kpis
    assert k["p_adjusted"].to_numpy() == pytest.approx(st.holm(k["p_value"].to_numpy()))
    assert (k["significant"] == (k["p_adjusted"] < 0.05)).all()
    assert not k["significant"].any()  # 3-4 cases per side prove nothing


def test_cis_are_seeded_and_contain_zero_width_for_constant_kpis(tiny, result):
    again = compare(tiny.log("before"), tiny.log("after"), n_boot=500, by=("category",))
    pd.testing.assert_frame_equal(result.kpis, again.kpis)
    other = compare(tiny.log("before"), tiny.log("after"), n_boot=500, by=(), seed=1)
    assert not np.allclose(other.kpis["ci_low"].iloc[1:], result.kpis["ci_low"].iloc[1:])
    nht = _row(result.kpis, "no_human_touch_share")
    assert nht["ci_low"] <= nht["delta"] <= nht["ci_high"]
    ev = _row(result.kpis, "events_per_case")
    assert ev["ci_low"] < ev["delta"] < ev["ci_high"]


def test_deferred_parts_are_the_eager_numbers_computed_once(tiny, result):
    lazy = compare(tiny.log("before"), tiny.log("after"), n_boot=500, by=("category",), eager=False)
    assert [lazy.is_ready(p) for p in ("segments", "map_delta", "variant_shift")] == [False, False, False]
    assert result.is_ready("map_delta")  # eager by default
    pd.testing.assert_frame_equal(lazy.kpis, result.kpis)
    pd.testing.assert_frame_equal(lazy.segments, result.segments)
    assert lazy.is_ready("segments") and not lazy.is_ready("map_delta")
    assert lazy.segments is lazy.segments  # computed once
    pd.testing.assert_frame_equal(lazy.map_delta.edges, result.map_delta.edges)
    pd.testing.assert_frame_equal(lazy.variant_shift, result.variant_shift)
    assert lazy.to_dict() == result.to_dict()
    with pytest.raises(ValueError, match="segments"):
        lazy.is_ready("kpis")


def test_rules_chosen_by_name(tiny):
    vocab = pd.concat([vocabulary(tiny.log("before")), vocabulary(tiny.log("after"))])
    rules = resolve_rules(KpiDefinitions(), None, vocab)
    assert set(rules.resolved) == {"Resolve ticket", "Close ticket"}
    assert rules.reopened == ("Reopen ticket",) and not rules.implicit_reopens
    assert rules.fcr_breakers == ("Escalate to L2", "Reopen ticket", "Transfer to finance")
    assert rules.non_human_resources == ("selfservice-bot", "system")
    assert rules.humans == ("alice", "bob", "carol")
    assert rules.handoff_level == "team"


@pytest.mark.parametrize(("name", "bot"), [
    ("triage-bot", True), ("selfservice_bot", True), ("ChatBot", True), ("RPA_01", True), ("SYSTEM", True),
    ("auto-close", True), ("agent_001", False), ("Abbott", False), ("Talbot", False), ("dispatcher_01", False),
])
def test_default_non_human_patterns(name, bot):
    assert any(re.search(p, name) for p in NON_HUMAN_PATTERNS) is bot


def test_definitions_override_the_defaults(tiny):
    defs = KpiDefinitions(resolved=["Close ticket"], non_human=[r"(?i)^alice$"], handoff_level="resource")
    r = compare(tiny.log("before"), tiny.log("after"), n_boot=200, by=(), definitions=defs)
    med = _row(r.kpis, "resolution_median")
    # only Close ticket resolves: before B1 (3 h), B3 (7 h: B3's reopen precedes its close); after A1 (62 min)
    assert (med["n_before"], med["n_after"]) == (2, 1)
    assert (med["before"], med["after"]) == (5 * H, 62 * 60.0)
    ho = _row(r.kpis, "handoffs_per_case")  # resources: B1 alice>system, B2 alice>bob, B3 3, B4 0
    assert ho["before"] == pytest.approx(5 / 4)
    assert r.settings["definitions"]["handoff_level"] == "resource"
    assert r.settings["definitions"]["non_human_resources"] == ["alice"]


def test_implicit_reopens_when_the_logs_have_no_reopen_activity(tmp_path):
    traces = [("C1", ("email", "P1", "x"), [
        ("Create ticket", "2024-01-01T09:00:00", "", ""),
        ("Resolve ticket", "2024-01-01T10:00:00", "ann", "L1"),
        ("Work", "2024-01-01T11:00:00", "ann", "L1"),  # work after a resolution: an implicit reopen
        ("Resolve ticket", "2024-01-01T13:00:00", "ann", "L1")]),
        ("C2", ("email", "P1", "x"), [
            ("Create ticket", "2024-01-02T09:00:00", "", ""),
            ("Resolve ticket", "2024-01-02T09:30:00", "ann", "L1")])]
    write_log(tmp_path / "l.csv", traces)
    store = Store(":memory:")
    ingest_log(tmp_path / "l.csv", log="one", store=store)
    log = store.log("one")
    r = compare(log, log, n_boot=100, by=())
    reopen = _row(r.kpis, "reopen_rate")
    assert reopen["before"] == 0.5
    med = _row(r.kpis, "resolution_median")
    assert med["before"] == pytest.approx((4 * H + 0.5 * H) / 2)  # C1 to its final resolution (4 h), C2 30 min
    assert _row(r.kpis, "first_contact_resolution_rate")["before"] == 0.5  # the reopen breaks C1's FCR
    assert any("implicit" in n for n in r.notes)


# -- mix adjustment ---------------------------------------------------------------------------------


def test_adjusted_kpis_by_hand(result):
    adj = result.adjusted.set_index("kpi")
    assert "cases_per_week" not in adj.index
    # events per case, strata category x priority: before password reset|P2 {B1 4, B4 2} -> 3,
    # billing|P3 {B2 5, B3 6} -> 5.5; after password reset|P2 {A1 4}, billing|P3 {A2 3, A3 5} -> 4.
    # Pooled mix (all cases both sides): 3 of 7 password reset, 4 of 7 billing.
    ev = adj.loc["events_per_case"]
    assert ev["before"] == pytest.approx(3 / 7 * 3 + 4 / 7 * 5.5)
    assert ev["after"] == pytest.approx(3 / 7 * 4 + 4 / 7 * 4)
    assert ev["coverage"] == 1.0
    assert ev["raw_delta"] == pytest.approx(-0.25)
    # FCR among resolved: strata of resolved cases pooled: password reset|P2 {B1, A1} = 2,
    # billing|P3 {B2, B3, A2, A3} = 4 -> weights 1/3, 2/3. Before: 1 and 0; after: 1 and 1/2.
    fcr = adj.loc["first_contact_resolution_rate"]
    assert fcr["before"] == pytest.approx(1 / 3)
    assert fcr["after"] == pytest.approx(1 / 3 + 2 / 3 * 0.5)
    assert adj["test"].eq("bootstrap z (stratified, direct standardisation)").all()


def test_adjusted_quantiles_weight_cases_by_stratum(result):
    adj = result.adjusted.set_index("kpi")
    # resolved before: password reset|P2 {B1 2 h} weight 1/3; billing|P3 {B2 4 h, B3 6 h} 1/3 each:
    # cumulative 1/3, 2/3, 1 -> median (first reaching 0.5) = 4 h. After: {A1 120 s} 1/3;
    # {A2 3 h, A3 8 h} 1/3 each -> median 3 h.
    assert adj.loc["resolution_median", "before"] == 4 * H
    assert adj.loc["resolution_median", "after"] == 3 * H


def test_strata_missing_on_one_side_are_left_out(tmp_path, tiny):
    log_b, log_a = tiny.log("before"), tiny.log("after")
    r = compare(log_b, filter_case_attribute(log_a, "category", ["billing"]), n_boot=200, by=())
    ev = r.adjusted.set_index("kpi").loc["events_per_case"]
    assert ev["coverage"] == pytest.approx(4 / 6)  # billing|P3: B2, B3, A2, A3 of 6 cases
    assert ev["before"] == pytest.approx(5.5) and ev["after"] == pytest.approx(4.0)


# -- segments ---------------------------------------------------------------------------------------


def test_segments_per_category(result):
    seg = result.segments
    assert set(seg["dimension"]) == {"category"}
    assert set(seg["segment"]) == {"password reset", "billing"}
    row = seg[(seg["segment"] == "billing") & (seg["kpi"] == "events_per_case")].iloc[0]
    assert (row["before"], row["after"]) == (5.5, 4.0)
    pr = seg[(seg["segment"] == "password reset") & (seg["kpi"] == "cases_per_week")].iloc[0]
    assert (pr["before"], pr["after"]) == (1.0, 1.0)  # 2 cases in 2 weeks, 1 in 1 week
    assert seg["p_adjusted"].to_numpy() == pytest.approx(st.holm(seg["p_value"].to_numpy()), nan_ok=True)
    effects = seg["effect_size"].abs().to_numpy()
    finite = effects[~np.isnan(effects)]
    assert (np.diff(finite) <= 0).all()  # sorted by |effect size| (nothing is significant here)
    assert np.isnan(effects[len(finite):]).all()  # volumes (no effect size) last


# -- process-map delta and variant shift by hand ------------------------------------------------------


def test_map_delta_on_the_tiny_pair(tiny):
    m = map_delta(tiny.log("before"), tiny.log("after"))
    e = m.edges.set_index(["source", "target"])
    assert e.loc[("Create ticket", "Reset password"), "status"] == "new"
    assert e.loc[("Work", "Escalate to L2"), "status"] == "new"
    assert e.loc[("Work", "Transfer to finance"), "status"] == "gone"
    assert e.loc[("Resolve ticket", "Reopen ticket"), "status"] == "gone"
    assert e.loc[("Create ticket", "Resolve ticket"), "status"] == "gone"  # B3
    cw = e.loc[("Create ticket", "Work")]  # B1, B2, B4 of 4; A2, A3 of 3
    assert (cw["cases_before"], cw["cases_after"]) == (3, 2)
    assert (cw["share_before"], cw["share_after"]) == pytest.approx((0.75, 2 / 3))
    assert cw["p_value"] == pytest.approx(stats.fisher_exact([[3, 1], [2, 1]]).pvalue)
    assert cw["status"] == "same"
    assert (cw["median_s_before"], cw["median_s_after"]) == (H, 2100.0)  # 1 h, 30 min, 1 h; 1 h, 10 min
    assert cw["time_status"] is None  # fewer than 5 transitions a side: not tested
    wr = e.loc[("Work", "Resolve ticket")]  # B1 1 h, B2 1 h, B3 3 h; A2 2 h, A3 7 h
    assert (wr["frequency_before"], wr["frequency_after"]) == (3, 2)
    assert (wr["median_s_before"], wr["median_s_after"]) == (H, 4.5 * H)
    start = e.loc[(START, "Create ticket")]
    assert (start["kind"], start["cases_before"], start["cases_after"]) == ("start", 4, 3)
    ends = e.loc[("Work", END)]
    assert (ends["kind"], ends["cases_before"], ends["cases_after"]) == ("end", 1, 0)
    n = m.nodes.set_index("node_id")
    assert n.loc["Reset password", "status"] == "new" and n.loc["Reopen ticket", "status"] == "gone"
    assert n.loc[START, "layer"] == 0 and n.loc["Create ticket", "layer"] == 1
    assert n.loc[END, "layer"] == n["layer"].max()
    assert set(m.edges["source"]) | set(m.edges["target"]) <= set(m.nodes["node_id"])


def _synthetic(path, prefix: str, n_abc: int, n_ac: int, gap_ac: float, day: str) -> None:
    """``n_abc`` cases A > B > C (60 s, then 60 + i % 5 s) and ``n_ac`` cases A > C (gap_ac + i s)."""
    lines = [HEADER]
    base = pd.Timestamp(f"{day}T00:00:00")
    for i in range(n_abc + n_ac):
        t0 = base + pd.Timedelta(hours=i)
        steps = [("A", 0.0), ("B", 60.0), ("C", 120.0 + i % 5)] if i < n_abc else [("A", 0.0), ("C", gap_ac + i)]
        for act, offset in steps:
            ts = (t0 + pd.Timedelta(seconds=offset)).isoformat()
            lines.append(f"{prefix}{i},{act},{ts}+00:00,r1,T,email,P1,x")
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def shifted(tmp_path_factory):
    d = tmp_path_factory.mktemp("shift")
    _synthetic(d / "b.csv", "b", 30, 10, 60.0, "2024-01-01")
    _synthetic(d / "a.csv", "a", 5, 35, 600.0, "2024-03-01")
    store = Store(":memory:")
    ingest_log(d / "b.csv", log="before", store=store)
    ingest_log(d / "a.csv", log="after", store=store)
    return store


def test_map_delta_more_less_faster(shifted):
    m = map_delta(shifted.log("before"), shifted.log("after"))
    e = m.edges.set_index(["source", "target"])
    ab, ac, bc = e.loc[("A", "B")], e.loc[("A", "C")], e.loc[("B", "C")]
    assert (ab["share_before"], ab["share_after"], ab["status"]) == (0.75, 0.125, "less")
    assert (ac["share_before"], ac["share_after"], ac["status"]) == (0.25, 0.875, "more")
    assert ab["p_value"] == pytest.approx(stats.chi2_contingency([[30, 10], [5, 35]], correction=False).pvalue)
    # A > C took 60 + i s (i = 30..39) before, 600 + i s (i = 5..39) after: slower
    assert ac["median_s_before"] == 60 + 34.5 and ac["median_s_after"] == 600 + 22.0
    assert ac["time_p_value"] == pytest.approx(stats.mannwhitneyu(
        600.0 + np.arange(5, 40), 60.0 + np.arange(30, 40), alternative="two-sided").pvalue)
    assert ac["time_status"] == "slower"
    assert bc["time_status"] == "same"  # 60..64 s on both sides
    assert (bc["median_s_before"], bc["median_s_after"]) == (62.0, 62.0)
    assert bc["time_p_value"] == pytest.approx(1.0)
    tested = m.edges["time_p_value"].notna()
    assert m.edges.loc[tested, "time_p_adjusted"].to_numpy() == pytest.approx(
        st.holm(m.edges.loc[tested, "time_p_value"].to_numpy()))
    assert m.counts() == {"new": 0, "gone": 0, "more": 1, "less": 2, "faster": 0, "slower": 1}  # less: A>B, B>C


def test_variant_shift_by_hand(shifted):
    v = variant_shift(shifted.log("before"), shifted.log("after"))
    assert v["variant"].tolist() == ["A -> C", "A -> B -> C"]  # both moved 62.5 points; A > C more cases
    ac, abc = v.iloc[0], v.iloc[1]
    assert (ac["cases_before"], ac["cases_after"], ac["share_before"], ac["share_after"]) == (10, 35, 0.25, 0.875)
    assert ac["delta"] == pytest.approx(0.625) and ac["status"] == "gained"
    assert abc["status"] == "lost" and abc["activities"] == ["A", "B", "C"] and abc["n_events"] == 3
    assert ac["p_value"] == pytest.approx(stats.chi2_contingency([[10, 30], [35, 5]], correction=False).pvalue)


def test_variant_shift_new_and_gone(tiny):
    v = variant_shift(tiny.log("before"), tiny.log("after")).set_index("variant")
    assert v.loc["Create ticket -> Reset password -> Resolve ticket -> Close ticket", "status"] == "new"
    assert v.loc["Create ticket -> Work", "status"] == "gone"
    assert v["share_before"].sum() == pytest.approx(1.0) and v["share_after"].sum() == pytest.approx(1.0)


# -- splits -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def joined(tmp_path_factory):
    d = tmp_path_factory.mktemp("joined")
    write_log(d / "all.csv", BEFORE + AFTER)
    store = Store(":memory:")
    ingest_log(d / "all.csv", log="all", store=store)
    return store.log("all")


def test_split_date_equals_two_logs(joined, result):
    r = compare(joined, split_date="2024-02-01", n_boot=500, by=("category",))
    for col in ("before", "after", "delta", "p_value", "n_before", "n_after"):
        ours = r.kpis.set_index("kpi")[col].drop("cases_per_week")
        ref = result.kpis.set_index("kpi")[col].drop("cases_per_week")
        pd.testing.assert_series_equal(ours, ref, check_dtype=False)
    # windows: log start .. split = 2024-01-01 09:00 .. 02-01 00:00; split .. log end 02-08 09:00
    assert r.before.window_end == pd.Timestamp("2024-02-01", tz="UTC")
    assert r.after.weeks == pytest.approx((7 * 24 + 9) / (7 * 24))
    assert _row(r.kpis, "cases_per_week")["after"] == pytest.approx(3 / r.after.weeks)
    assert r.settings["split"] == {"kind": "date", "date": "2024-02-01T00:00:00+00:00"}
    assert r.before.filter == ("case starts at or before 2024-01-31 23:59:59.999999 UTC",)


def test_split_attribute(joined):
    r = compare(joined, split_attribute=("channel", ["email"], ["chat"]), n_boot=200, by=())
    ev = _row(r.kpis, "events_per_case")
    assert (ev["n_before"], ev["n_after"]) == (4, 3)  # email: B1 B3 A1 A3; chat: B2 B4 A2
    assert ev["before"] == pytest.approx((4 + 6 + 4 + 5) / 4) and ev["after"] == pytest.approx((5 + 2 + 3) / 3)
    rest = compare(joined, split_attribute=("channel", "email"), n_boot=200, by=())
    assert _row(rest.kpis, "events_per_case")["after"] == ev["after"]  # every other value = chat here
    assert r.before.weeks == r.after.weeks  # one log: one window
    assert r.settings["split"] == {"kind": "attribute", "name": "channel", "before": ["email"], "after": ["chat"]}


# -- the result object ----------------------------------------------------------------------------------


def test_summary_puts_raw_and_adjusted_side_by_side(result):
    s = result.summary
    assert s.index.tolist() == result.kpis["kpi"].tolist()
    assert {"before", "delta", "p_adjusted", "adjusted_before", "adjusted_delta", "adjusted_significant"} <= set(s.columns)
    assert math.isnan(s.loc["cases_per_week", "adjusted_delta"])
    assert s.loc["events_per_case", "adjusted_delta"] == result.adjusted.set_index("kpi").loc["events_per_case", "delta"]


def test_to_dict_is_json_and_documented(result):
    d = result.to_dict()
    text = json.dumps(d, allow_nan=False)  # no NaN: every missing number is null
    back = json.loads(text)
    assert list(back) == ["version", "before", "after", "settings", "kpis", "adjusted", "segments", "map_delta",
                          "variant_shift", "notes"]
    assert back["version"] == 1
    assert back["before"] == {"label": "before", "log": "before", "filter": [], "cases": 4,
                              "window_start": "2024-01-01T09:00:00+00:00",
                              "window_end": "2024-01-15T09:00:00+00:00", "weeks": 2.0}
    k = {row["kpi"]: row for row in back["kpis"]}
    assert k["cases_per_week"]["effect_size"] is None
    assert k["resolution_median"]["before"] == 14400.0
    assert set(k["reopen_rate"]) == {"kpi", "label", "unit", "before", "after", "delta", "delta_pct", "ci_low",
                                     "ci_high", "p_value", "p_adjusted", "significant", "test", "effect_size",
                                     "n_before", "n_after"}
    assert set(back["map_delta"]) == {"nodes", "edges"}
    assert back["settings"]["correction"] == "holm" and back["settings"]["policy"] is False
    assert back["settings"]["definitions"]["resolved"]
    assert len(result.to_dict(top_segments=3)["segments"]) == 3


def test_describe_reads_like_a_report(result):
    text = result.describe()
    assert "median resolution time" in text and "4h" in text and "3h" in text
    assert "Adjusted to the pooled category x priority mix" in text
    assert "Process map:" in text and "Variants that moved most" in text
    assert "no SLA policy" in text
    assert str(result) == text
    assert repr(result).startswith("<ComparisonResult before (4 cases) vs after (3 cases)")


def test_frozen(result):
    with pytest.raises(AttributeError):
        result.kpis = None  # type: ignore[misc]


# -- with a policy: the SLA KPIs -------------------------------------------------------------------------

POLICY = """
[calendars.always]
timezone = "UTC"
mon = ["00:00-24:00"]
tue = ["00:00-24:00"]
wed = ["00:00-24:00"]
thu = ["00:00-24:00"]
fri = ["00:00-24:00"]
sat = ["00:00-24:00"]
sun = ["00:00-24:00"]

[milestones]
first_response = ["Work"]
resolved = ["Resolve ticket"]
closed = ["Close ticket"]
reopened = ["Reopen ticket"]

[[targets]]
name = "all"
calendar = "always"
first_response = "30m"
resolution = "5h"
"""


def test_sla_kpis_follow_evaluate_sla(tiny):
    policy = parse_policy(POLICY)
    r = compare(tiny.log("before"), tiny.log("after"), policy=policy, n_boot=300, by=())
    assert r.kpis["kpi"].tolist() == kpi_names(policy=True)
    for side, log in (("before", tiny.log("before")), ("after", tiny.log("after"))):
        frame = evaluate_sla(log, policy)
        res = frame["resolution_s"].dropna().to_numpy(dtype=float)
        assert _row(r.kpis, "sla_resolution_median")[side] == pytest.approx(np.quantile(res, 0.5))
        assert _row(r.kpis, "sla_resolution_p90")[side] == pytest.approx(np.quantile(res, 0.9))
        breached = frame["resolution_breached"].dropna().astype(bool)
        assert _row(r.kpis, "resolution_breach_rate")[side] == pytest.approx(breached.mean())
    # by hand on the 24x7 calendar without pauses: resolution = wall clock; 5 h target
    assert _row(r.kpis, "sla_resolution_median")["before"] == 4 * H
    assert _row(r.kpis, "resolution_breach_rate")["before"] == 0.25  # B3 (6 h); B4 open, 1 h elapsed
    assert _row(r.kpis, "resolution_breach_rate")["after"] == pytest.approx(1 / 3)  # A3 (8 h)
    # first response (Work, or a resolution): B1 1 h, B2 30 min, B3 1 h (resolve), B4 1 h > 30 min
    assert _row(r.kpis, "first_response_breach_rate")["before"] == 0.75


def test_policy_path_is_read(tiny, tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(POLICY)
    r = compare(tiny.log("before"), tiny.log("after"), policy=str(path), n_boot=200, by=())
    assert r.settings["policy"] is True and "resolution_breach_rate" in r.kpis["kpi"].tolist()


# -- bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "give exactly one of: an 'after' log, split_date, or split_attribute"),
    ({"split_date": "2024-02-01", "after": "x"}, "give exactly one of"),
    ({"split_date": "2030-01-01"}, "split_date 2030-01-01T00:00:00+00:00 is outside the log's span"),
    ({"split_date": "next tuesday"}, "cannot read 'next tuesday' as an ISO 8601 time"),
    ({"split_attribute": ("colour", ["red"])}, "split_attribute name must be one of 'category', 'channel', 'priority', 'team'"),
    ({"split_attribute": "channel"}, "split_attribute must be"),
    ({"split_attribute": ("channel", ["email"], ["email", "chat"])}, "on both sides"),
    ({"split_date": "2024-02-01", "by": "customer"}, "by must be one of 'category', 'channel', 'priority', 'team'; got 'customer'"),
    ({"split_date": "2024-02-01", "mix_by": ["category", "category"]}, "mix_by lists a dimension twice"),
    ({"split_date": "2024-02-01", "n_boot": 10}, "n_boot must be an integer of at least 100"),
    ({"split_date": "2024-02-01", "alpha": 0.7}, "alpha must be a number in"),
    ({"split_date": "2024-02-01", "seed": -1}, "seed must be a non-negative integer"),
    ({"split_date": "2024-02-01", "correction": "bonferroni"}, "correction must be one of 'holm', 'bh'"),
    ({"split_date": "2024-02-01", "policy": 42}, "policy must be an SlaPolicy or the path of a policy file"),
    ({"split_date": "2024-02-01", "definitions": {"resolved": []}}, "definitions must be a KpiDefinitions"),
])
def test_bad_arguments_fail_fast(joined, kwargs, message):
    kwargs = dict(kwargs)
    if kwargs.get("after") == "x":
        kwargs["after"] = joined
    with pytest.raises(ValueError, match=re.escape(message)):
        compare(joined, **kwargs)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"resolved": []}, "resolved must name at least one activity"),
    ({"non_human": ["(unclosed"]}, "non_human pattern '(unclosed' is not a valid regular expression"),
    ({"handoff_level": "queue"}, "handoff_level must be one of 'auto', 'team', 'resource'; got 'queue'"),
    ({"fcr_breakers": [1]}, "fcr_breakers must be a list of non-empty strings"),
])
def test_bad_definitions_fail_fast(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        KpiDefinitions(**kwargs)


def test_bh_correction_applies_to_every_table(tiny):
    r = compare(tiny.log("before"), tiny.log("after"), n_boot=200, by=("category",), correction="bh")
    assert r.kpis["p_adjusted"].to_numpy() == pytest.approx(st.benjamini_hochberg(r.kpis["p_value"].to_numpy()))
    assert r.settings["correction"] == "bh"
