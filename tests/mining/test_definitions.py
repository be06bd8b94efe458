"""One definition of resolution, reopen, first-contact resolution and human work (definitions.py):
the rule by hand on event arrays, the vocabularies, and the pages agreeing on the same log.

On the sample log ``before`` the overview (``get_kpis``), the SLA page
(``get_resolution_times(...).summary``), the comparison (before side of ``compare``) and the
what-if baseline (``simulate_automation`` with nothing adopted) must show the same median (and
p90) resolution time, without a policy and with ``sample_logs/sla_policy.toml`` (then also the
business and SLA-clock medians where a page has them).
"""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.mining.compare import compare
from pipelines.mining.definitions import (
    MACHINE_PATTERN,
    NAT,
    default_fcr_breakers,
    is_machine,
    read_milestones,
    reopen_activities,
    resolution_activities,
    roles,
)
from pipelines.mining.kpis import get_kpis
from pipelines.mining.policy import read_policy
from pipelines.mining.sla import get_resolution_times
from pipelines.mining.whatif import simulate_automation
from tests.conftest import ROOT

H = 3600 * 10**6  # one hour in microseconds


# -- vocabularies ---------------------------------------------------------------------------------

def test_names_recognised_without_a_policy():
    acts = ["Create ticket", "Resolve ticket", "Closed", "RESOLVED", "Case closure", "Repair completed",
            "Reopen ticket", "Re-opened", "Escalate to L2", "Waiting for customer", "Request information",
            "Work done", "Fixed", "Fix"]
    assert resolution_activities(acts) == ["Case closure", "Closed", "Fixed", "RESOLVED", "Resolve ticket",
                                           "Work done"]
    assert reopen_activities(acts) == ["Re-opened", "Reopen ticket"]
    assert default_fcr_breakers(acts) == ("Escalate to L2", "Re-opened", "Reopen ticket", "Request information",
                                          "Waiting for customer")
    r = roles(acts)
    assert r.reopened == ("Re-opened", "Reopen ticket") and not r.implicit_reopens
    assert not r.closed_case_fallback and r.pause == () and not r.ignore_thank_you


def test_roles_follow_the_policy():
    policy = read_policy(ROOT / "sample_logs" / "sla_policy.toml")
    r = roles(["Resolve ticket", "Close ticket", "Reopened by customer", "Transfer to finance"], policy)
    assert r.resolved == ("Resolve ticket", "Close ticket") and r.reopened == ("Reopen ticket",)
    assert r.pause == ("Request information",) and r.first_response == ("First response",)
    assert r.fcr_breakers == ("Transfer to finance",)  # only activities of the log
    none = roles(["Resolve ticket", "Work"], policy, reopened=[])
    assert none.implicit_reopens and none.reopened == ()


def test_roles_without_any_resolving_activity_fall_back_to_closed_cases():
    r = roles(["Submit", "Archive"])
    assert r.resolved == () and r.implicit_reopens and r.closed_case_fallback


@pytest.mark.parametrize(("name", "machine"), [
    ("system", True), ("triage-bot", True), ("selfservice_bot", True), ("ChatBot", True), ("bots", True),
    ("RPA_01", True), ("batch_job", True), ("auto-close", True), ("Workflow engine", True),
    ("service account 7", True), ("agent_001", False), ("dispatcher_01", False), ("Talbot", False),
    ("Abbott", False), ("Jobson", False),
])
def test_one_machine_pattern(name, machine):
    assert is_machine([name], MACHINE_PATTERN).tolist() == [machine]


# -- the rule on event arrays, by hand -------------------------------------------------------------

ACTS = np.array(["Create", "Resolve", "Reopen", "Work", "Escalate"], dtype=object)
C, R, RO, W, E = range(5)  # Create, Resolve, Reopen, Work, Escalate


def milestones(events, **overrides):
    """``events``: (case, activity code, hour) in case order."""
    case, act, hour = (np.array(x, dtype=np.int64) for x in zip(*events, strict=True))
    sets = roles(ACTS.tolist(), **overrides).masks(ACTS)
    return read_milestones(case, act, hour * H, int(case.max()) + 1, sets)


def test_resolved_at_the_first_resolution_after_the_last_reopen():
    m = milestones([(0, C, 0), (0, R, 1), (0, RO, 3), (0, W, 4), (0, R, 6), (0, R, 7),  # reopened: 6 h
                    (1, C, 0), (1, R, 2), (1, R, 5),                                      # never: 2 h
                    (2, C, 0), (2, R, 1), (2, RO, 2)])                                     # reopened, open
    assert (m.resolved_us // H).tolist()[:2] == [6, 2] and m.resolved_us[2] == NAT
    assert m.reopens.tolist() == [1, 0, 1]
    assert (m.first_resolved_us // H).tolist() == [1, 2, 1]
    assert m.fcr_broken.tolist() == [True, False, True]


def test_implicit_reopens_and_the_thank_you_window():
    # no reopen activity named: work right after a resolution reopens; case 1's reopen is answered
    # by a resolution within the 2 h window: a thank-you reopen (counted unless the rule is on)
    events = [(0, C, 0), (0, R, 1), (0, W, 5), (0, R, 8),
              (1, C, 0), (1, R, 1), (1, W, 2), (1, R, 3)]
    m = milestones(events, reopened=[])
    assert m.reopens.tolist() == [1, 1] and m.thank_you_reopens.tolist() == [0, 1]
    assert (m.resolved_us // H).tolist() == [8, 3] and (m.resolved_real_us // H).tolist() == [8, 1]
    assert m.fcr_broken.tolist() == [True, True]


def test_fcr_breakers_break_a_case_without_reopen():
    m = milestones([(0, C, 0), (0, E, 1), (0, R, 2), (1, C, 0), (1, R, 1)])
    assert m.fcr_broken.tolist() == [True, False] and m.reopens.tolist() == [0, 0]


# -- the pages agree -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def before(sample_store):
    return sample_store.log("before")


@pytest.mark.parametrize("with_policy", [False, True], ids=["no policy", "sla_policy.toml"])
def test_every_page_shows_the_same_resolution_times(before, with_policy):
    policy = read_policy(ROOT / "sample_logs" / "sla_policy.toml") if with_policy else None
    sla = get_resolution_times(before, policy).summary.set_index("measure")
    cmp = compare(before, before, policy=policy, n_boot=100, by=(), mix_by=()).kpis.set_index("kpi")
    whatif = simulate_automation(before, activity="Reset password", share=0.0, policy=policy,
                                 n_boot=0).summary.set_index("measure")["baseline"]
    cal = sla.loc["calendar"]
    for name in ("median", "p90"):
        sla_value = cal[f"naive_{name}_s"]
        assert cmp.loc[f"resolution_{name}", "before"] == sla_value
        assert whatif[f"resolution_calendar_{name}_s"] == pytest.approx(sla_value, rel=1e-12)
    assert cmp.loc["resolution_median", "n_before"] == cal["resolved"]
    assert whatif["resolved_share"] == pytest.approx(cal["resolved"] / cal["cases"], rel=1e-12)
    assert cmp.loc["first_contact_resolution_rate", "before"] == pytest.approx(
        cal["first_contact_resolution_rate"], rel=1e-12)
    if policy is None:
        kpis = get_kpis(before)
        assert (kpis["median_resolution_s"], kpis["p90_resolution_s"]) == (cal["naive_median_s"], cal["naive_p90_s"])
        assert kpis["resolved_cases"] == cal["resolved"]
        assert cal["naive_median_s"] == 141576.0  # the README's before-side median resolution
    else:
        for name in ("median", "p90"):
            assert cmp.loc[f"sla_resolution_{name}", "before"] == sla.loc["sla", f"naive_{name}_s"]
            assert whatif[f"resolution_sla_{name}_s"] == pytest.approx(sla.loc["sla", f"naive_{name}_s"], rel=1e-12)
            assert whatif[f"resolution_business_{name}_s"] == pytest.approx(
                sla.loc["business", f"naive_{name}_s"], rel=1e-12)
