"""The before/after pair differs exactly by the two documented automation switches."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pipelines.simulate import SimulationConfig, before_after_configs, simulate_log
from pipelines.simulate.model import DEFAULT_CATEGORY_MIX


def test_configs_differ_only_by_the_switches():
    before, after = before_after_configs()
    diff = {k for k, v in dataclasses.asdict(before).items() if dataclasses.asdict(after)[k] != v}
    assert diff == {"start", "case_prefix", "selfservice_password_reset_share", "auto_triage_channels"}
    assert (before.start, before.days, after.start, after.days) == ("2025-01-06", 91, "2025-04-07", 91)
    assert before.selfservice_password_reset_share == 0.0 and before.auto_triage_channels == ()
    assert after.selfservice_password_reset_share == 0.8
    assert after.auto_triage_channels == ("email", "web form")
    b2, a2 = before_after_configs(same_window=True, n_cases=100)
    assert (b2.start, a2.start, b2.n_cases) == ("2025-01-06", "2025-01-06", 100)


def test_before_has_no_automation(sample_pair, fresh_pair):
    for pair in (sample_pair, fresh_pair):
        agents = set(pair["before"].events["Agent"].dropna().astype(str))
        assert "selfservice-bot" not in agents and "triage-bot" not in agents
        assert pair["before"].truth["no_human_touch"].sum() == 0


@pytest.mark.parametrize("which", ["sample", "fresh"])
def test_selfservice_share_and_bot_path(which, sample_pair, fresh_pair):
    res = (sample_pair if which == "sample" else fresh_pair)["after"]
    tr = res.truth
    pr = tr[tr["category"] == "password reset"]
    share = pr["automated_password_reset"].mean()
    assert abs(share - 0.8) < 3 * np.sqrt(0.8 * 0.2 / len(pr))
    assert not tr.loc[tr["category"] != "password reset", "automated_password_reset"].any()
    ev = res.events
    bot = ev[ev["Ticket ID"].astype(str).isin(set(pr.loc[pr["automated_password_reset"], "case_id"]))]
    traces = bot.groupby("Ticket ID", observed=True)["Activity"].agg(lambda s: "|".join(s.astype(str)))
    full = "Create ticket|Reset password|Resolve ticket|Close ticket"
    assert traces.map(lambda t: full.startswith(t)).all()
    assert (traces == full).mean() > 0.85
    agents = bot.groupby("Ticket ID", observed=True)["Agent"].agg(lambda s: tuple(s.astype(object)))
    assert agents.map(lambda a: a[1:3] in ((), ("selfservice-bot",), ("selfservice-bot", "selfservice-bot"))).all()
    t = bot.pivot_table(index="Ticket ID", columns="Activity", values="Timestamp", aggfunc="first", observed=True)
    secs = (t["Resolve ticket"] - t["Create ticket"]).dt.total_seconds().dropna()
    assert secs.between(60, 260).all() and len(secs) > 600


@pytest.mark.parametrize("which", ["sample", "fresh"])
def test_auto_triage_only_on_email_and_web_form(which, sample_pair, fresh_pair):
    pair = sample_pair if which == "sample" else fresh_pair
    for side in ("before", "after"):
        ev = pair[side].events
        assign = ev[ev["Activity"] == "Assign to team"]
        mail = assign["Channel"].isin(["email", "web form"])
        who = assign["Agent"].astype(str)
        if side == "after":
            assert (who[mail] == "triage-bot").all()
            create = ev[ev["Activity"] == "Create ticket"].set_index("Ticket ID")["Timestamp"]
            wait = (assign.loc[mail, "Timestamp"].to_numpy() - create.reindex(assign.loc[mail, "Ticket ID"]).to_numpy())
            wait_s = pd.to_timedelta(wait).total_seconds()
            assert wait_s.min() >= 5 and wait_s.max() <= 60
        else:
            assert who[mail].str.match(r"^dispatcher_0[1-4]$").all()
        assert who[~mail].str.match(r"^agent_0(0\d|[12]\d|30)$").all()  # the L1 agent on the line


def test_manual_triage_wait_is_about_two_business_hours(sample_pair):
    tr = sample_pair["before"].truth
    mail = tr[tr["channel"].isin(["email", "web form"]) & tr["triage_wait_business_s"].notna()]
    median_h = mail["triage_wait_business_s"].median() / 3600
    assert 1.7 < median_h < 2.3, median_h
    after = sample_pair["after"].truth
    assert after.loc[after["auto_triage"], "triage_wait_s"].between(5, 60).all()


def _unaffected(res):
    tr = res.truth
    keep = (tr["category"] != "password reset") & tr["channel"].isin(["phone", "chat"])
    return tr[keep]


@pytest.mark.parametrize("which", ["sample", "fresh"])
def test_unaffected_segment_has_the_same_distributions(which, sample_pair, fresh_pair):
    """Non-password-reset phone/chat tickets: no injected change touches them."""
    pair = sample_pair if which == "sample" else fresh_pair
    b, a = _unaffected(pair["before"]), _unaffected(pair["after"])
    assert len(b) > 1000 and len(a) > 1000
    for col in ("n_events", "handoffs", "resolution_business_s", "first_response_s", "paused_s"):
        x, y = b[col].dropna().astype(float), a[col].dropna().astype(float)
        assert stats.ks_2samp(x, y).pvalue > 0.01, col
    for col in ("first_contact_resolution", "resolution_breached", "escalated", "transferred"):
        table = pd.crosstab(pd.concat([b[col], a[col]]), np.r_[np.zeros(len(b)), np.ones(len(a))])
        assert stats.chi2_contingency(table).pvalue > 0.01, col


@pytest.mark.parametrize("which", ["sample", "fresh"])
def test_case_mix_is_the_same(which, sample_pair, fresh_pair):
    pair = sample_pair if which == "sample" else fresh_pair
    key = lambda t: t["category"] + "|" + t["channel"] + "|" + t["priority"]  # noqa: E731
    b, a = key(pair["before"].truth), key(pair["after"].truth)
    table = pd.crosstab(pd.concat([b, a]), np.r_[np.zeros(len(b)), np.ones(len(a))])
    assert stats.chi2_contingency(table).pvalue > 0.01


def test_injected_effects_are_visible(sample_pair):
    b, a = sample_pair["before"].truth, sample_pair["after"].truth
    mail = lambda t: t[t["channel"].isin(["email", "web form"]) & (t["category"] != "password reset")]  # noqa: E731
    assert mail(a)["first_response_s"].median() < mail(b)["first_response_s"].median() - 3600
    pr = lambda t: t[t["category"] == "password reset"]  # noqa: E731
    assert pr(a)["resolution_calendar_s"].median() < 300 < pr(b)["resolution_calendar_s"].median()
    assert a["no_human_touch"].mean() > 0.2


def test_category_mix_knob_changes_mix_not_behaviour():
    mix = (("password reset", 0.1), ("refund/return", 0.1), ("warranty repair", 0.1),
           ("lost card", 0.1), ("billing question", 0.6))
    base = simulate_log(SimulationConfig(n_cases=4000, case_prefix="M1-"), seed=21).truth
    other = simulate_log(SimulationConfig(n_cases=4000, category_mix=mix, case_prefix="M2-"), seed=22).truth
    assert dict(DEFAULT_CATEGORY_MIX)["billing question"] == 0.25
    share = (other["category"] == "billing question").mean()
    assert abs(share - 0.6) < 3 * np.sqrt(0.6 * 0.4 / 4000)
    for cat in ("billing question", "password reset"):
        x = base.loc[base["category"] == cat, "resolution_business_s"].dropna()
        y = other.loc[other["category"] == cat, "resolution_business_s"].dropna()
        assert stats.ks_2samp(x, y).pvalue > 0.01, cat
