"""Shape, determinism and realism invariants of simulated logs."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pandas as pd
import pytest

from pipelines.simulate import (
    ACTIVITIES,
    EVENT_COLUMNS,
    SimulationConfig,
    simulate_log,
)
from pipelines.simulate.calendar import WorkCalendar, office_spec
from pipelines.simulate.generate import csv_text

HUMAN = r"^(agent_\d{3}|dispatcher_\d{2})$"


def test_same_seed_identical_different_seed_different():
    cfg = SimulationConfig(n_cases=600, days=28, case_prefix="T-")
    a, b, c = (simulate_log(cfg, seed=s) for s in (5, 5, 6))
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert csv_text(a.events, cfg.timezone) == csv_text(b.events, cfg.timezone)
    assert not a.events["Timestamp"].equals(c.events["Timestamp"])
    assert not a.truth["resolution_s"].equals(c.truth["resolution_s"])


def test_4000_case_log_is_fast():
    cfg = SimulationConfig(n_cases=4000, case_prefix="F-")
    t0 = time.perf_counter()
    res = simulate_log(cfg, seed=99)
    elapsed = time.perf_counter() - t0
    assert res.truth.shape[0] == 4000
    assert elapsed < 5.0, f"4,000 cases took {elapsed:.2f} s"


def test_columns_and_formats(any_log):
    ev = any_log.events
    assert tuple(ev.columns) == EVENT_COLUMNS
    prefix = any_log.config.case_prefix
    assert ev["Ticket ID"].astype(str).str.fullmatch(prefix + r"\d{6}").all()
    assert ev["Customer"].astype(str).str.fullmatch(r"C-\d{5}").all()
    assert set(ev["Activity"].astype(str)) <= set(ACTIVITIES)
    assert set(ev["Channel"].astype(str)) == {"email", "phone", "chat", "web form"}
    assert set(ev["Priority"].astype(str)) == {"P1", "P2", "P3", "P4"}
    assert ev["Ticket ID"].nunique() == any_log.config.n_cases
    text = csv_text(ev.head(2000), any_log.config.timezone)
    assert text.splitlines()[0] == ",".join(EVENT_COLUMNS)
    stamps = pd.Series([line.split(",")[2] for line in text.splitlines()[1:]])
    assert stamps.str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00").all()


def test_both_dst_offsets_appear(sample_pair):
    offsets = {str(t)[-6:] for t in sample_pair["before"].events["Timestamp"]}
    assert offsets == {"+01:00", "+02:00"}  # DST starts 2025-03-30 inside the before window


def test_case_attributes_constant_and_repeat_customers(any_log):
    ev = any_log.events
    per_case = ev.groupby("Ticket ID", observed=True)[["Channel", "Priority", "Category", "Customer"]].nunique()
    assert (per_case == 1).all().all()
    cust = ev.groupby("Ticket ID", observed=True)["Customer"].first().value_counts()
    assert (cust > 1).sum() > 100


def test_time_order_window_and_file_order(any_log):
    ev = any_log.events
    lo, hi = any_log.config.window()
    secs = ((ev["Timestamp"] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)).to_numpy()
    assert (np.diff(secs) >= 0).all(), "file order is by timestamp"
    assert secs.min() >= lo and secs.max() < hi
    by_case = ev.assign(s=secs).groupby("Ticket ID", observed=True)["s"]
    assert (by_case.diff().dropna() > 0).all(), "strictly increasing inside a ticket"
    first = ev.groupby("Ticket ID", observed=True)["Activity"].first()
    assert (first == "Create ticket").all()
    assert any_log.log_end == ev["Timestamp"].max()


def test_human_steps_inside_business_hours_unless_p1(any_log):
    ev = any_log.events
    cfg = any_log.config
    lo, hi = cfg.window()
    office = WorkCalendar(office_spec(cfg.timezone, cfg.holiday_list()), lo, hi)
    human = ev["Agent"].astype(str).str.match(HUMAN) & (ev["Priority"] != "P1")
    secs = ((ev["Timestamp"] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)).to_numpy()
    assert human.sum() > 10_000
    assert office.open_mask(secs[human.to_numpy()]).all()
    # P1 work really happens around the clock, and customers write at night and at weekends
    p1 = ev["Agent"].astype(str).str.match(HUMAN) & (ev["Priority"] == "P1")
    assert (~office.open_mask(secs[p1.to_numpy()])).sum() > 10
    cust = ev["Agent"].isna().to_numpy()
    assert (~office.open_mask(secs[cust])).mean() > 0.2


def test_resources_and_teams(any_log):
    ev = any_log.events
    agent, team = ev["Agent"].astype(object), ev["Team"].astype(object)
    cust = agent.isna()
    assert team[cust].isna().all()
    assert set(ev.loc[cust, "Activity"].astype(str)) == {"Create ticket", "Customer reply"}
    assert (team[agent == "system"] == "System").all()
    assert set(ev.loc[agent == "system", "Activity"].astype(str)) == {"Reopen ticket", "Close ticket"}
    assert (team[agent.isin(["selfservice-bot", "triage-bot"])] == "Bot").all()
    assert (team[agent.astype(str).str.startswith("dispatcher_")] == "Front office L1").all()
    assert set(team.dropna()) <= {"Front office L1", "L2 support", "Back office", "Finance",
                                  "Logistics", "Bot", "System"}
    # phone tickets are created by the agent who takes the call
    phone_create = ev[(ev["Channel"] == "phone") & (ev["Activity"] == "Create ticket")]
    bot = any_log.truth.set_index("case_id")["automated_password_reset"]
    human_phone = phone_create[~bot.reindex(phone_create["Ticket ID"].astype(str)).to_numpy()]
    assert human_phone["Agent"].astype(str).str.match(r"^agent_0(0\d|[12]\d|30)$").all()


def test_process_has_the_documented_behaviours(sample_pair):
    ev = sample_pair["before"].events
    acts = ev["Activity"].value_counts()
    for a in ACTIVITIES:
        assert acts[a] > 20, a
    truth = sample_pair["before"].truth
    assert (~truth["is_resolved"]).sum() > 20, "right-censored cases exist"
    assert (truth["real_reopens"] > 0).sum() > 50
    assert (truth["thankyou_reopens"] > 0).sum() > 50
    # team ping-pong: L1 -> back office -> L1 -> back office in one ticket
    seq = ev[ev["Activity"].isin(["Transfer to back office", "Return to L1"])]
    pattern = seq.groupby("Ticket ID", observed=True)["Activity"].agg(lambda s: "|".join(s.astype(str)))
    assert (pattern.str.startswith("Transfer to back office|Return to L1|Transfer to back office")).sum() > 10


def test_auto_close_after_seven_days(any_log):
    ev = any_log.events.sort_values(["Ticket ID", "Timestamp"])
    prev_act = ev.groupby("Ticket ID", observed=True)["Activity"].shift()
    prev_t = ev.groupby("Ticket ID", observed=True)["Timestamp"].shift()
    gap = (ev["Timestamp"] - prev_t).dt.total_seconds()
    close = (ev["Activity"] == "Close ticket") & (prev_act == "Resolve ticket")
    assert close.sum() > 2000
    assert gap[close].between(7 * 86400, 7 * 86400 + 3599).all()
    no_reply = (ev["Activity"] == "Close ticket") & (prev_act == "Request information")
    assert no_reply.sum() > 10
    assert gap[no_reply].between(10 * 86400, 10 * 86400 + 3599).all()


def test_config_validation_messages():
    with pytest.raises(ValueError, match="category must be one of"):
        SimulationConfig(category_mix=(("hardware", 1.0),))
    with pytest.raises(ValueError, match="auto_triage_channels must be among 'email', 'web form'; got 'phone'"):
        SimulationConfig(auto_triage_channels=("phone",))
    with pytest.raises(ValueError, match="selfservice_password_reset_share must be within"):
        SimulationConfig(selfservice_password_reset_share=1.5)
    with pytest.raises(ValueError, match="n_cases must be >= 1"):
        SimulationConfig(n_cases=0)
    cfg = SimulationConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.n_cases = 5  # type: ignore[misc]
