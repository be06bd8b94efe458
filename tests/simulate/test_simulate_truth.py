"""The truth tables: internal consistency, and an independent recomputation from the log itself."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from pipelines.simulate import TRUTH_COLUMNS
from pipelines.simulate.calendar import italian_holidays

TZ = ZoneInfo("Europe/Rome")
HOLIDAYS = set(italian_holidays([2025, 2026]))
# target -> (24x7?, first response s, resolution s), written out by hand from the policy
TARGETS = {"P1": (True, 1800, 8 * 3600), "P2": (False, 4 * 3600, 24 * 3600),
           "P3": (False, 8 * 3600, 40 * 3600), "default": (False, 16 * 3600, 80 * 3600)}


def brute_office_seconds(a: int, b: int) -> int:
    """Office working seconds in [a, b], walking local days with datetime (no shared code)."""
    if b <= a:
        return 0
    total = 0
    day = dt.datetime.fromtimestamp(a, TZ).date() - dt.timedelta(days=1)
    last = dt.datetime.fromtimestamp(b, TZ).date()
    while day <= last:
        if day.weekday() < 5 and day.isoformat() not in HOLIDAYS:
            for h1, h2 in ((9, 13), (14, 18)):
                s = int(dt.datetime(day.year, day.month, day.day, h1, tzinfo=TZ).timestamp())
                e = int(dt.datetime(day.year, day.month, day.day, h2, tzinfo=TZ).timestamp())
                total += max(0, min(b, e) - max(a, s))
        day += dt.timedelta(days=1)
    return total


def brute_seconds(a: int, b: int, always: bool) -> int:
    return max(0, b - a) if always else brute_office_seconds(a, b)


def recompute_case(acts: list[str], ts: list[int], target: str, log_end: int) -> dict:
    """The SLA contract of sample_logs/README.md, case by case, from the log alone."""
    always, fr_target, res_target = TARGETS[target]
    start = ts[0]
    done = {"Resolve ticket", "Close ticket"}
    fr = next((t for a, t in zip(acts, ts, strict=True) if a == "First response" or a in done), None)
    reopen_idx = [i for i, a in enumerate(acts) if a == "Reopen ticket"]
    after = reopen_idx[-1] + 1 if reopen_idx else 0
    res = next((ts[i] for i in range(after, len(acts)) if acts[i] in done), None)
    nxt = ts[1:] + [log_end]

    def elapsed(upto: int) -> tuple[int, int]:
        paused = sum(
            brute_seconds(min(t, upto), min(n, upto), always)
            for a, t, n in zip(acts, ts, nxt, strict=True) if a == "Request information"
        )
        return brute_seconds(start, upto, always) - paused, paused

    fr_el, _ = elapsed(fr if fr is not None else log_end)
    res_el, paused = elapsed(res if res is not None else log_end)

    def status(reached, el, tgt):
        if reached:
            return "breached" if el > tgt else "met"
        return "open_breached" if el > tgt else "open"

    return {
        "first_response_s": fr_el if fr is not None else None,
        "resolution_s": res_el if res is not None else None,
        "paused_s": paused,
        "first_response_status": status(fr is not None, fr_el, fr_target),
        "status": status(res is not None, res_el, res_target),
        "first_response_open_s": fr_el if fr is None else None,
        "resolution_open_s": res_el if res is None else None,
    }


def _secs(ts: pd.Series) -> np.ndarray:
    return ((ts - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)).to_numpy()


@pytest.fixture(scope="module", params=["before", "after"])
def side(request, sample_pair):
    return sample_pair[request.param]


def test_truth_columns_and_one_row_per_case(side):
    tr = side.truth
    assert tuple(tr.columns) == TRUTH_COLUMNS
    assert tr["case_id"].tolist() == sorted(side.events["Ticket ID"].astype(str).unique())
    assert set(tr["status"]) == {"met", "breached", "open", "open_breached"}


def test_truth_matches_an_independent_recomputation_from_the_log(side):
    ev = side.events.assign(s=_secs(side.events["Timestamp"]))
    tr = side.truth.set_index("case_id")
    log_end = int(ev["s"].max())
    rng = np.random.default_rng(0)
    interesting = tr.index[
        (tr["priority"] == "P1") | (tr["paused_s"] > 0) | (tr["real_reopens"] + tr["thankyou_reopens"] > 0)
        | tr["status"].isin(["open", "open_breached", "breached"])
    ]
    picked = set(rng.choice(tr.index, 300, replace=False)) | set(rng.choice(interesting, 400, replace=False))
    sub = ev[ev["Ticket ID"].astype(str).isin(picked)]
    checked = 0
    for case, g in sub.groupby("Ticket ID", observed=True):
        row = tr.loc[case]
        got = recompute_case(g["Activity"].astype(str).tolist(), g["s"].tolist(), row["target"], log_end)
        for col, val in got.items():
            have = row[col]
            have = None if pd.isna(have) else int(have) if col.endswith("_s") else have
            assert have == val, (case, col, have, val)
        checked += 1
    assert checked == len(picked)


def test_breached_flags_and_statuses_are_consistent(side):
    tr = side.truth
    fr_reached = tr["first_response_s"].notna()
    res_reached = tr["resolution_s"].notna()
    assert (tr["resolution_breached"] == tr["status"].isin(["breached", "open_breached"])).all()
    assert (tr["first_response_breached"] == tr["first_response_status"].isin(["breached", "open_breached"])).all()
    assert (tr.loc[res_reached, "resolution_breached"]
            == (tr.loc[res_reached, "resolution_s"] > tr.loc[res_reached, "resolution_target_s"])).all()
    assert (tr.loc[~res_reached, "resolution_breached"]
            == (tr.loc[~res_reached, "resolution_open_s"] > tr.loc[~res_reached, "resolution_target_s"])).all()
    assert (tr.loc[fr_reached, "first_response_breached"]
            == (tr.loc[fr_reached, "first_response_s"] > tr.loc[fr_reached, "first_response_target_s"])).all()
    assert tr.loc[res_reached, "status"].isin(["met", "breached"]).all()
    assert tr.loc[~res_reached, "status"].isin(["open", "open_breached"]).all()
    assert (res_reached == tr["is_resolved"]).all()
    assert (tr["resolution_open_s"].isna() == res_reached).all()
    # a resolution is never earlier than the first one, and pauses never exceed the clock
    both = tr["first_resolution_s"].notna() & res_reached
    assert (tr.loc[both, "resolution_s"] >= tr.loc[both, "first_resolution_s"]).all()
    assert (tr["paused_s"] >= 0).all()
    target_of = {"P1": "P1", "P2": "P2", "P3": "P3", "P4": "default"}
    assert (tr["target"] == tr["priority"].map(target_of)).all()


def test_reopens_are_classified_by_what_follows(side):
    ev = side.events.sort_values(["Ticket ID", "Timestamp"])
    g = ev.groupby("Ticket ID", observed=True)
    prev_act, next_act = g["Activity"].shift(), g["Activity"].shift(-1)
    next_agent = g["Agent"].shift(-1)
    gap = (g["Timestamp"].shift(-1) - ev["Timestamp"]).dt.total_seconds()
    reopen = ev["Activity"] == "Reopen ticket"
    assert (prev_act[reopen] == "Customer reply").all()
    assert (ev.loc[reopen, "Agent"] == "system").all()
    thank = reopen & next_act.isin(["Resolve ticket", "Close ticket"])
    real = reopen & (next_act == "Take in charge")
    dangling = reopen & next_act.isna()
    assert (thank | real | dangling).equals(reopen)
    per_case = pd.DataFrame({"thank": thank, "real": real, "dangling": dangling, "case": ev["Ticket ID"].astype(str)}
                            ).groupby("case")[["thank", "real", "dangling"]].sum()
    tr = side.truth.set_index("case_id").reindex(per_case.index)
    assert (tr["thankyou_reopens"] + tr["real_reopens"] == per_case.sum(axis=1)).all()
    assert (tr["thankyou_reopens"] >= per_case["thank"]).all()
    assert (tr["thankyou_reopens"] <= per_case["thank"] + per_case["dangling"]).all()
    assert (tr["real_reopens"] >= per_case["real"]).all()
    # thank-you: closed by the system within 10 minutes, or re-resolved by a human within
    # 15 business minutes (up to next morning when the thanks arrive after hours)
    sys_close = thank & (next_agent == "system")
    assert sys_close.sum() > 20 and gap[sys_close].between(60, 600).all()
    agent_res = thank & (next_agent != "system")
    assert agent_res.sum() > 40
    assert (gap[agent_res] <= 900).mean() > 0.4
    assert tr["real_reopens"].le(2).all()


def test_automation_truth_matches_the_log(side):
    ev, tr = side.events, side.truth.set_index("case_id")
    agent = ev["Agent"].astype(object)
    bot_cases = set(ev.loc[agent == "selfservice-bot", "Ticket ID"].astype(str))
    assert bot_cases == set(tr.index[tr["automated_password_reset"]])
    triage_cases = set(ev.loc[agent == "triage-bot", "Ticket ID"].astype(str))
    assert triage_cases == set(tr.index[tr["auto_triage"]])
    assert (tr["no_human_touch"] == (tr["automated_password_reset"] & tr["is_resolved"])).all()
    create = ev[ev["Activity"] == "Create ticket"].set_index(ev.loc[ev["Activity"] == "Create ticket", "Ticket ID"].astype(str))
    assign = ev[ev["Activity"] == "Assign to team"].set_index(ev.loc[ev["Activity"] == "Assign to team", "Ticket ID"].astype(str))
    wait = (assign["Timestamp"] - create["Timestamp"].reindex(assign.index)).dt.total_seconds().astype("int64")
    assert (tr.loc[wait.index, "triage_wait_s"] == wait).all()
    assert tr.loc[~tr.index.isin(wait.index), "triage_wait_s"].isna().all()
