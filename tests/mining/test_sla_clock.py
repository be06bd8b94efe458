"""SLA clocks on a hand-made log (tests/data/sla/tiny.csv + tiny_policy.toml), every column by hand.

Calendars: ``office`` = Rome, Mon-Fri 09:00-13:00 + 14:00-18:00, holiday Wed 2025-03-19;
``always`` = Rome 24x7 (Sun 2025-03-30 has 23 hours: DST starts at 02:00). Targets: ``P1``
(priority P1, always, first response 30m = 1,800 s, resolution 4h = 14,400 s) and ``standard``
(priority P2/P3, office, 4h = 14,400 s / 16h = 57,600 s); P4 matches no target. Pause status:
``Request information``. Log end (default as_of) = Mon 31 Mar 12:00 CEST (T6's last event).
Times below are Rome local; W(a, b) = office working time.

T1 (P2, standard; pause). Create Mon 17 10:00, First response 11:00, Request information 12:00,
  Customer reply 15:00, Resolve Tue 18 10:00, Close Tue 25 10:00.
  first response: W(10:00, 11:00) = 3,600 (met). Resolution at Tue 10:00: W = Mon 10-13 (3h) +
  14-18 (4h) + Tue 9-10 (1h) = 28,800; paused 12:00-15:00 = 12-13 + 14-15 = 7,200;
  resolution_s = 21,600 (met); calendar 24h = 86,400; first resolution = the same.
T2 (P3, standard; real reopen, holiday, boundary). Create Tue 18 16:00, First response Thu 20 09:30
  (Wed 19 is a holiday): 2h + 0.5h = 9,000 (met). Resolve Thu 11:00, Customer reply Fri 21 10:00,
  Reopen 10:01, Take in charge 11:00 (agent work: a real reopen), Resolve Fri 16:00, Close Fri 28.
  Final resolution Fri 16:00: Tue 2h + Thu 8h + Fri 9-13 + 14-16 (6h) = 16h = 57,600 = target:
  met (elapsed <= target). First resolution Thu 11:00: 2h + 2h = 14,400. Calendar 72h = 259,200.
T3 (P1, always; thank-you reopen). Create Mon 24 20:00, First response 20:20 (1,200, met),
  Resolve 22:00, Customer reply Tue 25 08:00, Reopen 08:01, Resolve 09:00 (59 min after the
  reopen, nothing in between: thank-you). Rule off: resolution Tue 09:00 = 13h = 46,800 > 14,400:
  breached. Rule on: resolution Mon 22:00 = 7,200: met. First resolution 7,200 either way.
T4 (P1, always; across the DST change, pause). Create Sat 29 22:00 CET (21:00 UTC), First
  response 22:10 (600, met), Request information Sun 30 04:00 CEST, Customer reply 05:00 CEST
  (paused 3,600), Resolve Sun 09:00 CEST (07:00 UTC): 10h real (11h of wall clock) = 36,000 - 3,600
  = 32,400 > 14,400: breached.
T5 (P2, standard; open, paused at the log end). Create Mon 31 09:00, First response 09:30 (1,800),
  Request information 10:00 (lasts to the log end: paused 2h = 7,200). Not resolved: elapsed at the
  log end 3h - 2h = 3,600 <= 57,600: open.
T6 (P3, standard; missing first response, open_breached). Create Thu 27 09:00, Take in charge
  10:00, Take in charge Mon 31 12:00 (the log end). Neither milestone: elapsed = Thu 8h + Fri 8h +
  Mon 9-12 3h = 19h = 68,400 > 14,400 and > 57,600: open_breached twice.
T7 (P3, standard; closed without reply or resolve, DST weekend). Create Fri 28 17:30 CET, Close
  Mon 31 09:15 CEST: both milestones at the close: 30 min + 15 min = 2,700 (met); calendar
  16:30 UTC -> 07:15 UTC (3 days later) = 225,900.
T8 (P4: no target). Create Tue 25 10:00, Resolve 11:00: no SLA; calendar resolution 3,600.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from pipelines.etl.loader import ingest_log
from pipelines.mining.filters import filter_case_attribute
from pipelines.mining.policy import ReopenRule, parse_policy, read_policy
from pipelines.mining.sla import SLA_COLUMNS, SLA_EXTRA_COLUMNS, evaluate_sla
from pipelines.store import Store
from tests.conftest import TEST_DATA

DATA = TEST_DATA / "sla"
NAN = float("nan")
H = 3600.0


@pytest.fixture(scope="module")
def tiny():
    store = Store(":memory:")
    ingest_log(DATA / "tiny.csv", log="tiny", store=store)
    return store.log("tiny")


@pytest.fixture(scope="module")
def policy():
    return read_policy(DATA / "tiny_policy.toml")


def rule_on(policy):
    return dataclasses.replace(policy, reopen=ReopenRule(ignore_thank_you=True, thank_you_window_s=7200))


def utc(text: str | None):
    return pd.NaT if text is None else pd.Timestamp(text).tz_convert("UTC")


# case: target, fr_s, res_s, paused_s, fr_target, res_target, fr_breached, res_breached, status,
#       fr_status, fr_elapsed, res_elapsed, first_resolution_s, calendar_s, business_s,
#       reopens, thank_you, calendar
EXPECTED = {
    "T1": ("standard", 3600, 21600, 7200, 14400, 57600, False, False, "met",
           "met", 3600, 21600, 21600, 86400, 28800, 0, 0, "office"),
    "T2": ("standard", 9000, 57600, 0, 14400, 57600, False, False, "met",
           "met", 9000, 57600, 14400, 259200, 57600, 1, 0, "office"),
    "T3": ("P1", 1200, 46800, 0, 1800, 14400, False, True, "breached",
           "met", 1200, 46800, 7200, 46800, 46800, 1, 1, "always"),
    "T4": ("P1", 600, 32400, 3600, 1800, 14400, False, True, "breached",
           "met", 600, 32400, 32400, 36000, 36000, 0, 0, "always"),
    "T5": ("standard", 1800, NAN, 7200, 14400, 57600, False, False, "open",
           "met", 1800, 3600, NAN, NAN, NAN, 0, 0, "office"),
    "T6": ("standard", NAN, NAN, 0, 14400, 57600, True, True, "open_breached",
           "open_breached", 68400, 68400, NAN, NAN, NAN, 0, 0, "office"),
    "T7": ("standard", 2700, 2700, 0, 14400, 57600, False, False, "met",
           "met", 2700, 2700, 2700, 225900, 2700, 0, 0, "office"),
    "T8": (None, NAN, NAN, NAN, NAN, NAN, None, None, None,
           None, NAN, NAN, NAN, 3600, NAN, 0, 0, None),
}
COLUMNS = (
    "target", "first_response_s", "resolution_s", "paused_s", "first_response_target_s",
    "resolution_target_s", "first_response_breached", "resolution_breached", "status",
    "first_response_status", "first_response_elapsed_s", "resolution_elapsed_s",
    "first_resolution_s", "resolution_calendar_s", "resolution_business_s", "reopens",
    "thank_you_reopens", "calendar",
)
ATTRIBUTES = {  # priority, channel, category, team (last non-empty), customer
    "T1": ("P2", "email", "billing", "System", "C1"),
    "T2": ("P3", "web", "refund", "System", "C2"),
    "T3": ("P1", "chat", "lost card", "L1", "C3"),
    "T4": ("P1", "phone", "lost card", "L1", "C4"),
    "T5": ("P2", "email", "billing", "L1", "C5"),
    "T6": ("P3", "web", "refund", "BO", "C6"),
    "T7": ("P3", "email", "billing", "System", "C7"),
    "T8": ("P4", "email", "billing", "L1", "C8"),
}
INSTANTS = {  # start, first response, resolution, last event, current status
    "T1": ("2025-03-17T10:00+01:00", "2025-03-17T11:00+01:00", "2025-03-18T10:00+01:00",
           "2025-03-25T10:00+01:00", "Close ticket"),
    "T2": ("2025-03-18T16:00+01:00", "2025-03-20T09:30+01:00", "2025-03-21T16:00+01:00",
           "2025-03-28T16:00+01:00", "Close ticket"),
    "T3": ("2025-03-24T20:00+01:00", "2025-03-24T20:20+01:00", "2025-03-25T09:00+01:00",
           "2025-03-25T09:00+01:00", "Resolve ticket"),
    "T4": ("2025-03-29T22:00+01:00", "2025-03-29T22:10+01:00", "2025-03-30T09:00+02:00",
           "2025-03-30T09:00+02:00", "Resolve ticket"),
    "T5": ("2025-03-31T09:00+02:00", "2025-03-31T09:30+02:00", None,
           "2025-03-31T10:00+02:00", "Request information"),
    "T6": ("2025-03-27T09:00+01:00", None, None, "2025-03-31T12:00+02:00", "Take in charge"),
    "T7": ("2025-03-28T17:30+01:00", "2025-03-31T09:15+02:00", "2025-03-31T09:15+02:00",
           "2025-03-31T09:15+02:00", "Close ticket"),
    "T8": ("2025-03-25T10:00+01:00", "2025-03-25T11:00+01:00", "2025-03-25T11:00+01:00",
           "2025-03-25T11:00+01:00", "Resolve ticket"),
}


def same(a, b) -> bool:
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return a is None or a is pd.NA or (isinstance(a, float) and math.isnan(a))
    if isinstance(b, bool):
        return a is not pd.NA and bool(a) == b
    if isinstance(b, str):
        return a == b
    return float(a) == float(b)


def check_case(row: pd.Series, expected: tuple) -> None:
    for col, want in zip(COLUMNS, expected, strict=True):
        assert same(row[col], want), f"{row['case_id']} {col}: got {row[col]!r}, expected {want!r}"


def test_columns_exactly_as_the_issue_then_the_extras(tiny, policy):
    sla = evaluate_sla(tiny, policy)
    assert tuple(sla.columns) == SLA_COLUMNS + SLA_EXTRA_COLUMNS
    assert SLA_COLUMNS == (
        "case_id", "target", "first_response_s", "resolution_s", "paused_s",
        "first_response_target_s", "resolution_target_s", "first_response_breached",
        "resolution_breached", "status",
    )
    assert sla["case_id"].tolist() == list(EXPECTED)
    assert sla.attrs["as_of"] == utc("2025-03-31T12:00+02:00")
    assert sla.attrs["timezone"] == "Europe/Rome"


def test_every_per_case_column_by_hand_rule_off(tiny, policy):
    sla = evaluate_sla(tiny, policy).set_index("case_id", drop=False)
    for case, expected in EXPECTED.items():
        check_case(sla.loc[case], expected)


def test_every_per_case_column_by_hand_rule_on(tiny, policy):
    sla = evaluate_sla(tiny, rule_on(policy)).set_index("case_id", drop=False)
    # only T3 changes: its thank-you reopen is ignored, the clock stops at Mon 22:00
    changed = dict(EXPECTED)
    changed["T3"] = ("P1", 1200, 7200, 0, 1800, 14400, False, False, "met",
                     "met", 1200, 7200, 7200, 7200, 7200, 1, 1, "always")
    for case, expected in changed.items():
        check_case(sla.loc[case], expected)
    assert sla.loc["T3", "resolved_time"] == utc("2025-03-24T22:00+01:00")


def test_attributes_instants_and_current_status(tiny, policy):
    sla = evaluate_sla(tiny, policy).set_index("case_id")
    for case, attrs in ATTRIBUTES.items():
        assert tuple(sla.loc[case, ["priority", "channel", "category", "team", "customer"]]) == attrs
    for case, (start, fr, res, last, current) in INSTANTS.items():
        assert sla.loc[case, "start_time"] == utc(start)
        assert same_time(sla.loc[case, "first_response_time"], utc(fr)), case
        assert same_time(sla.loc[case, "resolved_time"], utc(res)), case
        assert sla.loc[case, "last_event_time"] == utc(last)
        assert sla.loc[case, "current_status"] == current
    assert str(sla["start_time"].dtype) .startswith("datetime64") and sla["start_time"].dt.tz is not None


def same_time(a, b) -> bool:
    return (pd.isna(a) and pd.isna(b)) or a == b


def test_dtypes(tiny, policy):
    sla = evaluate_sla(tiny, policy)
    for col in ("first_response_breached", "resolution_breached"):
        assert str(sla[col].dtype) == "boolean"
    for col in ("first_response_s", "resolution_s", "paused_s", "resolution_target_s"):
        assert sla[col].dtype == np.float64
    assert sla["reopens"].dtype == np.int64


def test_as_of_replays_the_log_as_it_stood(tiny, policy):
    """Fri 21 Mar 12:00 CET: T2 is reopened and worked on, not resolved again yet; T3..T8 have
    not started; T1 is resolved (its close comes later)."""
    sla = evaluate_sla(tiny, policy, as_of="2025-03-21T12:00+01:00").set_index("case_id")
    assert sla.index.tolist() == ["T1", "T2"]
    assert sla.attrs["as_of"] == utc("2025-03-21T12:00+01:00")
    t1 = sla.loc["T1"]
    assert (t1["resolution_s"], t1["status"], t1["current_status"]) == (21600, "met", "Resolve ticket")
    t2 = sla.loc["T2"]
    # Tue 16-18 (2h) + Thu 8h + Fri 9-12 (3h) = 13h, not resolved since the reopen
    assert np.isnan(t2["resolution_s"]) and t2["resolution_elapsed_s"] == 13 * H
    assert (t2["status"], t2["reopens"], t2["current_status"]) == ("open", 1, "Take in charge")
    assert t2["first_resolution_s"] == 14400


def test_as_of_before_a_thank_you_resolution_is_not_a_thank_you_yet(tiny, policy):
    """Tue 25 Mar 08:30 CET: T3's reopen (08:01) has no next event yet: open, and over its 4h."""
    for pol in (policy, rule_on(policy)):
        sla = evaluate_sla(tiny, pol, as_of=pd.Timestamp("2025-03-25T08:30+01:00")).set_index("case_id")
        t3 = sla.loc["T3"]
        assert (t3["reopens"], t3["thank_you_reopens"]) == (1, 0)
        assert t3["status"] == "open_breached" and t3["resolution_elapsed_s"] == 12.5 * H


def test_as_of_after_the_log_end_lets_open_clocks_run(tiny, policy):
    """Tue 1 Apr 10:00 CEST: T5 still paused (no time added); T6 gains Mon 12-13 + 14-18 + Tue 9-10."""
    sla = evaluate_sla(tiny, policy, as_of="2025-04-01T10:00+02:00").set_index("case_id")
    assert sla.loc["T5", "resolution_elapsed_s"] == 3600
    assert sla.loc["T5", "paused_s"] == 7200 + 6 * H
    assert sla.loc["T6", "resolution_elapsed_s"] == 68400 + 6 * H


def test_a_filtered_log_is_the_subset_with_the_same_as_of(tiny, policy):
    full = evaluate_sla(tiny, policy).set_index("case_id")
    part = evaluate_sla(filter_case_attribute(tiny, "priority", ["P3"]), policy).set_index("case_id")
    assert part.index.tolist() == ["T2", "T6", "T7"]
    pd.testing.assert_frame_equal(part, full.loc[["T2", "T6", "T7"]], check_exact=True)
    assert part.attrs["as_of"] == full.attrs["as_of"]


def test_thank_you_window_is_wall_clock_and_inclusive(tiny, policy):
    """T3's re-resolution comes 59 min after the reopen: a 59 min window still classifies it, 58
    min does not (and T2's reopen, followed by work, never is)."""
    for minutes, expected in ((59, 1), (58, 0)):
        pol = dataclasses.replace(policy, reopen=ReopenRule(True, minutes * 60.0))
        sla = evaluate_sla(tiny, pol).set_index("case_id")
        assert sla.loc["T3", "thank_you_reopens"] == expected
        assert sla.loc["T3", "resolution_s"] == (7200 if expected else 46800)
        assert sla.loc["T2", "thank_you_reopens"] == 0


IMPLICIT = """
[calendars.c]
timezone = "Europe/Rome"
mon = ["00:00-24:00"]
tue = ["00:00-24:00"]
[milestones]
first_response = ["First response"]
resolved = ["Resolve ticket"]
closed = ["Close ticket"]
pause = ["Request information"]
[[targets]]
name = "all"
calendar = "c"
resolution = "100h"
"""


def test_implicit_reopens_when_the_policy_lists_none(tiny):
    """Without `reopened`, work right after a resolution is a reopen: T2's `Customer reply` after
    its first resolve (Thu 11:00) reopens it, so the clock runs to Fri 16:00. Calendar c counts
    Mon and Tue only. T3 (Mon 20:00 -> Tue 09:00): its `Customer reply` after the Mon 22:00
    resolve is followed by `Reopen ticket`, not a resolution: a real (implicit) reopen."""
    pol = parse_policy(IMPLICIT)
    sla = evaluate_sla(tiny, pol).set_index("case_id")
    assert sla.loc["T2", "reopens"] == 1 and sla.loc["T2", "resolved_time"] == utc("2025-03-21T16:00+01:00")
    assert sla.loc["T2", "resolution_s"] == 8 * H  # Tue 18 16:00-24:00 only (Wed..Fri closed)
    assert sla.loc["T3", "reopens"] == 1 and sla.loc["T3", "resolution_s"] == 13 * H
    assert sla.loc["T1", "reopens"] == 0  # Resolve -> Close is no reopen
    explicit_off = evaluate_sla(tiny, pol, implicit_reopens=False).set_index("case_id")
    assert explicit_off.loc["T2", "reopens"] == 0
    assert explicit_off.loc["T2", "resolved_time"] == utc("2025-03-20T11:00+01:00")


def test_bad_input_fails_fast(tiny, policy):
    with pytest.raises(ValueError, match="as_of must be a tz-aware instant.*naive"):
        evaluate_sla(tiny, policy, as_of="2025-03-31 12:00")
    with pytest.raises(ValueError, match="as_of must be a tz-aware instant"):
        evaluate_sla(tiny, policy, as_of="not a date")
    with pytest.raises(ValueError, match="policy must be an SlaPolicy"):
        evaluate_sla(tiny, {"targets": []})
    empty = Store(":memory:")
    ingest_log(DATA / "tiny.csv", log="tiny", store=empty)
    from pipelines.mining.sla_clock import resolve_as_of
    assert resolve_as_of(empty.log("tiny")) == int(utc("2025-03-31T12:00+02:00").value // 1000)


def test_targets_match_case_attribute_keys(write_csv):
    """`when` on a key of the case attributes (a `case:` column) and on the case's last team."""
    path = write_csv("attrs.csv", (
        "case_id,activity,timestamp,team,case:region\n"
        "a,Create,2025-03-03T10:00:00Z,L1,north\n"
        "a,Resolve,2025-03-03T11:00:00Z,L2,north\n"
        "b,Create,2025-03-03T10:00:00Z,L1,south\n"
        "b,Resolve,2025-03-03T12:00:00Z,L1,south\n"
        "c,Create,2025-03-03T10:00:00Z,L1,\n"
        "c,Resolve,2025-03-03T13:00:00Z,BO,\n"
    ))
    store = Store(":memory:")
    ingest_log(path, log="attrs", store=store)
    pol = parse_policy("""
[calendars.c]
timezone = "UTC"
mon = ["00:00-24:00"]
[milestones]
resolved = ["Resolve"]
[[targets]]
name = "north"
when = { region = "north" }
calendar = "c"
resolution = "1h"
[[targets]]
name = "l1"
when = { team = "L1" }
calendar = "c"
resolution = "1h"
""")
    sla = evaluate_sla(store.log("attrs"), pol).set_index("case_id")
    assert sla["target"].tolist()[:2] == ["north", "l1"] and pd.isna(sla.loc["c", "target"])
    assert sla["status"].tolist()[:2] == ["met", "breached"]
