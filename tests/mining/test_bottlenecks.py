"""Bottlenecks: waiting vs processing time, computed by hand on two tiny logs, plus properties on
helpdesk and an independent pandas pairing of start/complete events on BPI 2012.

``plain`` (complete-only, no lifecycle column; UTC; total duration 6,600 s):

====  ==================================================================  ========
case  events (resource, team) and the gap before each                      duration
====  ==================================================================  ========
c1    A 10:00 (r1, L1) | B 10:10 (r2, L1) +600 | C 10:30 (r2, BO) +1200    5,400
      | B 11:30 (r3, L1) +3600
c2    A 09:00 (r1, L1) | B 09:20 (r2, -) +1200 | B 09:20 (r2, L1) +0       1,200
      (the two B share a timestamp: file order decides)
c3    A 08:00 (r1, L1) (single event, no transition)                      0
====  ==================================================================  ========

``lc`` (lifecycle values in mixed case; total duration 17,100 s):

====  =======================================================================  ========  =====
case  events (resource) [instances]                                            duration  proc.
====  =======================================================================  ========  =====
p1    A start 10:00 (r1) | A complete 10:10 (r1) | B complete 10:40 (r2)         9,000     2,400
      | C schedule 11:00 (-) | C start 12:00 (r3) | C complete 12:30 (r3)
      [A 0-1: 600 s, C 4-5: 1800 s]; waiting A->B 1800, B->C 1200, C->C 3600
p2    A start 09:00 (r1) | A start 09:05 (r2) | A complete 09:20 (r1)            7,200     1,800
      | A complete 09:30 (r2) | B 10:00 (r2) | A start 10:30 (r1, never
      completed) | B 11:00 (r3)
      [FIFO: A 0-2: 1200 s, A 1-3: 1500 s]; waiting A->B 1800, B->A 1800, A->B 1800
p3    A complete 08:00 (r1, no open start) | A start 08:10 (r2)                  900       300
      | A complete 08:15 (r2)
      [A 1-2: 300 s]; waiting A->A 600
====  =======================================================================  ========  =====
"""

from __future__ import annotations

import math
from collections import deque

import pandas as pd
import pytest

from pipelines.etl.loader import IngestOptions, ingest_log
from pipelines.mining.bottlenecks import (
    BOTTLENECK_COLUMNS,
    BY,
    case_time_split,
    find_bottlenecks,
    get_activity_instances,
    get_activity_times,
)
from pipelines.mining.cases import get_events
from pipelines.store import Store
from tests.conftest import TEST_DATA

PLAIN = """Case ID,Activity,Timestamp,Resource,Team
c1,A,2024-03-01 10:00:00,r1,L1
c1,B,2024-03-01 10:10:00,r2,L1
c1,C,2024-03-01 10:30:00,r2,BO
c1,B,2024-03-01 11:30:00,r3,L1
c2,A,2024-03-02 09:00:00,r1,L1
c2,B,2024-03-02 09:20:00,r2,
c2,B,2024-03-02 09:20:00,r2,L1
c3,A,2024-03-03 08:00:00,r1,L1
"""

LIFECYCLE = (TEST_DATA / "tiny" / "lifecycle.csv").read_text()  # start/complete pairs, shared with test_handoffs

PLAIN_TOTAL = 6600.0
LC_TOTAL = 17100.0


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    """One warehouse with both logs (so a query that ignores its log would show up)."""
    folder = tmp_path_factory.mktemp("bottlenecks")
    store = Store(":memory:")
    for name, text in (("plain", PLAIN), ("lc", LIFECYCLE)):
        path = folder / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        ingest_log(path, log=name, store=store)
    return store


def rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """The frame's rows as tuples, NaN/None as None (so they compare equal)."""
    out = []
    for values in frame[columns].itertuples(index=False):
        out.append(tuple(None if (v is None or (isinstance(v, float) and math.isnan(v))) else v for v in values))
    return out


def expect(rows_: list[tuple], total: float) -> list[tuple]:
    """Append share_of_case_time, cumulative_share and rank to hand-written rows in rank order:
    (keys..., occurrences, cases, waiting total, mean, median, p90, instances, processing total,
    mean, median), so the waiting total is the 8th value from the end."""
    out, cumulative = [], 0.0
    for rank, row in enumerate(rows_, start=1):
        waiting_total = row[-8]
        cumulative += waiting_total
        out.append((*row, waiting_total / total, cumulative / total, rank))
    return out


def check(frame: pd.DataFrame, keys: list[str], expected: list[tuple]) -> None:
    assert list(frame.columns) == [*keys, *BOTTLENECK_COLUMNS]
    assert_rows(frame, expected)


def assert_rows(frame: pd.DataFrame, expected: list[tuple]) -> None:
    got = rows(frame, list(frame.columns))
    assert len(got) == len(expected), got
    for g, e in zip(got, expected, strict=True):
        assert len(g) == len(e) and all(map(same, g, e)), (g, e)


def same(got, expected) -> bool:
    """Equal, with floats compared to 1e-12 relative (hand values like 600 + 0.9 * 600)."""
    if isinstance(expected, float) and isinstance(got, int | float):
        return math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-9)
    return got == expected and type(got) is type(expected)


# -- complete-only log ---------------------------------------------------------------------
def test_plain_by_transition(store):
    frame = find_bottlenecks(store.log("plain"))
    check(frame, ["source", "target"], expect([
        ("C", "B", 1, 1, 3600.0, 3600.0, 3600.0, 3600.0, 0, None, None, None),
        ("A", "B", 2, 2, 1800.0, 900.0, 900.0, 600 + 0.9 * 600, 0, None, None, None),
        ("B", "C", 1, 1, 1200.0, 1200.0, 1200.0, 1200.0, 0, None, None, None),
        ("B", "B", 1, 1, 0.0, 0.0, 0.0, 0.0, 0, None, None, None),  # the tie: a 0 s self-loop
    ], PLAIN_TOTAL))
    # all time of a complete-only log is waiting: the shares add up to 1
    assert frame["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    assert frame.dtypes["occurrences"] == "int64" and frame.dtypes["processing_total_s"] == "float64"


def test_plain_by_activity(store):
    # waiting before B: 600, 3600, 1200, 0 -> median (600+1200)/2, p90 at rank 2.7: 1200 + 0.7*2400
    check(find_bottlenecks(store.log("plain"), by="activity"), ["activity"], expect([
        ("B", 4, 2, 5400.0, 1350.0, 900.0, 2880.0, 0, None, None, None),
        ("C", 1, 1, 1200.0, 1200.0, 1200.0, 1200.0, 0, None, None, None),
    ], PLAIN_TOTAL))


def test_plain_by_resource_and_source_resource(store):
    log = store.log("plain")
    check(find_bottlenecks(log, by="resource"), ["resource"], expect([
        ("r3", 1, 1, 3600.0, 3600.0, 3600.0, 3600.0, 0, None, None, None),
        ("r2", 4, 2, 3000.0, 750.0, 900.0, 1200 + 0.7 * 0, 0, None, None, None),
    ], PLAIN_TOTAL))
    check(find_bottlenecks(log, by="source_resource"), ["source_resource"], expect([
        ("r2", 3, 2, 4800.0, 1600.0, 1200.0, 1200 + 0.8 * 2400, 0, None, None, None),
        ("r1", 2, 2, 1800.0, 900.0, 900.0, 1140.0, 0, None, None, None),
    ], PLAIN_TOTAL))


def test_plain_by_team_ties_and_missing_teams(store):
    log = store.log("plain")
    # the first B of c2 (no team) comes first in the file, so A->B's 1200 s waits with team None,
    # and the 0 s B->B gap ends at the second B (L1). BO and None tie at 1200 s: missing sorts last.
    check(find_bottlenecks(log, by="team"), ["team"], expect([
        ("L1", 3, 2, 4200.0, 1400.0, 600.0, 600 + 0.8 * 3000, 0, None, None, None),
        ("BO", 1, 1, 1200.0, 1200.0, 1200.0, 1200.0, 0, None, None, None),
        (None, 1, 1, 1200.0, 1200.0, 1200.0, 1200.0, 0, None, None, None),
    ], PLAIN_TOTAL))
    check(find_bottlenecks(log, by="source_team"), ["source_team"], expect([
        ("BO", 1, 1, 3600.0, 3600.0, 3600.0, 3600.0, 0, None, None, None),
        ("L1", 3, 2, 3000.0, 1000.0, 1200.0, 1200.0, 0, None, None, None),
        (None, 1, 1, 0.0, 0.0, 0.0, 0.0, 0, None, None, None),
    ], PLAIN_TOTAL))


def test_plain_activity_times(store):
    frame = get_activity_times(store.log("plain"))
    assert list(frame.columns) == [
        "activity", "events", "starts", "completes", "instances", "processing_total_s", "processing_mean_s",
        "processing_median_s", "processing_p90_s", "waits", "waiting_total_s", "waiting_mean_s",
        "waiting_median_s", "waiting_p90_s",
    ]
    assert_rows(frame, [
        ("B", 4, 0, 0, 0, None, None, None, None, 4, 5400.0, 1350.0, 900.0, 2880.0),
        ("A", 3, 0, 0, 0, None, None, None, None, 0, 0.0, None, None, None),
        ("C", 1, 0, 0, 0, None, None, None, None, 1, 1200.0, 1200.0, 1200.0, 1200.0),
    ])


def test_plain_case_time_split(store):
    frame = case_time_split(store.log("plain"))
    assert list(frame.columns) == ["case_id", "duration_s", "processing_s", "waiting_s"]
    assert rows(frame, list(frame.columns)) == [("c1", 5400.0, 0.0, 5400.0), ("c2", 1200.0, 0.0, 1200.0), ("c3", 0.0, 0.0, 0.0)]
    assert get_activity_instances(store.log("plain")).empty


# -- lifecycle log -------------------------------------------------------------------------
def test_instances_fifo_unmatched_and_case_insensitive(store):
    frame = get_activity_instances(store.log("lc"))
    assert list(frame.columns) == [
        "case_id", "activity", "start_pos", "complete_pos", "start_time", "complete_time", "processing_s", "resource", "team",
    ]
    assert rows(frame, ["case_id", "activity", "start_pos", "complete_pos", "processing_s", "resource"]) == [
        ("p1", "A", 0, 1, 600.0, "r1"),
        ("p1", "C", 4, 5, 1800.0, "r3"),  # START/Complete pair up; Schedule is an instant event
        ("p2", "A", 0, 2, 1200.0, "r1"),  # FIFO: the first complete closes the first start
        ("p2", "A", 1, 3, 1500.0, "r2"),
        ("p3", "A", 1, 2, 300.0, "r2"),   # the leading complete had no open start
    ]                                      # p2's start at 10:30 is never completed: no instance
    assert frame["start_time"].iloc[0] == pd.Timestamp("2024-03-01 10:00", tz="UTC")
    assert frame["complete_time"].iloc[0] == pd.Timestamp("2024-03-01 10:10", tz="UTC")


def test_lifecycle_case_time_split(store):
    frame = case_time_split(store.log("lc"))
    # p2: instances 09:00-09:20 and 09:05-09:30 overlap; their union (1800 s) is processing
    assert rows(frame, list(frame.columns)) == [
        ("p1", 9000.0, 2400.0, 6600.0), ("p2", 7200.0, 1800.0, 5400.0), ("p3", 900.0, 300.0, 600.0),
    ]


def test_lifecycle_by_transition(store):
    frame = find_bottlenecks(store.log("lc"))
    # instances count for the transition into their start event; p1's and p2's first A instances
    # start their case and belong to no transition. p2's gap before its second start (09:00-09:05)
    # is inside the first instance: processing, not waiting.
    check(frame, ["source", "target"], expect([
        ("A", "B", 3, 2, 5400.0, 1800.0, 1800.0, 1800.0, 0, None, None, None),
        ("C", "C", 1, 1, 3600.0, 3600.0, 3600.0, 3600.0, 1, 1800.0, 1800.0, 1800.0),
        ("B", "A", 1, 1, 1800.0, 1800.0, 1800.0, 1800.0, 0, None, None, None),
        ("B", "C", 1, 1, 1200.0, 1200.0, 1200.0, 1200.0, 0, None, None, None),
        ("A", "A", 1, 1, 600.0, 600.0, 600.0, 600.0, 2, 1800.0, 900.0, 900.0),
    ], LC_TOTAL))
    # the waiting in the table is exactly the waiting of the cases
    assert frame["waiting_total_s"].sum() == pytest.approx(case_time_split(store.log("lc"))["waiting_s"].sum())


def test_lifecycle_by_activity(store):
    check(find_bottlenecks(store.log("lc"), by="activity"), ["activity"], expect([
        ("B", 3, 2, 5400.0, 1800.0, 1800.0, 1800.0, 0, None, None, None),
        ("C", 2, 1, 4800.0, 2400.0, 2400.0, 3360.0, 1, 1800.0, 1800.0, 1800.0),
        ("A", 2, 2, 2400.0, 1200.0, 1200.0, 1680.0, 4, 3600.0, 900.0, 900.0),
    ], LC_TOTAL))


def test_lifecycle_by_resource(store):
    # waiting: the resource of the event it ends at (the Schedule has none); processing: the start's
    check(find_bottlenecks(store.log("lc"), by="resource"), ["resource"], expect([
        ("r3", 2, 2, 5400.0, 2700.0, 2700.0, 1800 + 0.9 * 1800, 1, 1800.0, 1800.0, 1800.0),
        ("r2", 3, 3, 4200.0, 1400.0, 1800.0, 1800.0, 2, 1800.0, 900.0, 900.0),
        ("r1", 1, 1, 1800.0, 1800.0, 1800.0, 1800.0, 2, 1800.0, 900.0, 900.0),
        (None, 1, 1, 1200.0, 1200.0, 1200.0, 1200.0, 0, None, None, None),
    ], LC_TOTAL))


def test_lifecycle_activity_times(store):
    frame = get_activity_times(store.log("lc"))
    assert_rows(frame, [
        # processing of A: 300, 600, 1200, 1500 -> median 900, p90 at rank 2.7: 1200 + 0.7*300
        ("A", 10, 5, 5, 4, 3600.0, 900.0, 900.0, 1410.0, 2, 2400.0, 1200.0, 1200.0, 1680.0),
        ("B", 3, 0, 3, 0, None, None, None, None, 3, 5400.0, 1800.0, 1800.0, 1800.0),
        ("C", 3, 1, 1, 1, 1800.0, 1800.0, 1800.0, 1800.0, 2, 4800.0, 2400.0, 2400.0, 3360.0),
    ])


# -- edge cases and validation ---------------------------------------------------------------
def test_single_event_cases_only(tmp_path):
    path = tmp_path / "single.csv"
    path.write_text("Case ID,Activity,Timestamp\nx,A,2024-01-01 10:00:00\ny,B,2024-01-01 11:00:00\n", encoding="utf-8")
    store = Store(":memory:")
    ingest_log(path, log="single", store=store, options=IngestOptions(case_id="Case ID"))
    log = store.log("single")
    for by in BY:
        frame = find_bottlenecks(log, by=by)
        assert frame.empty and list(frame.columns)[-len(BOTTLENECK_COLUMNS):] == BOTTLENECK_COLUMNS
        assert frame.dtypes["rank"] == "int64"
    assert rows(case_time_split(log), ["case_id", "duration_s", "processing_s", "waiting_s"]) == [
        ("x", 0.0, 0.0, 0.0), ("y", 0.0, 0.0, 0.0),
    ]
    assert rows(get_activity_times(log), ["activity", "events", "waits", "waiting_total_s"]) == [("A", 1, 0, 0.0), ("B", 1, 0, 0.0)]


def test_bad_by_lists_allowed_values(store):
    with pytest.raises(ValueError, match=r"by must be one of 'transition', 'activity', 'resource', 'team', "
                                         r"'source_resource', 'source_team'; got 'case'"):
        find_bottlenecks(store.log("plain"), by="case")


def test_filtered_log_equals_its_cases(store):
    filters = pytest.importorskip("pipelines.mining.filters")
    log = filters.filter_case_attribute(store.log("lc"), "case_id", ["p2", "p3"])
    total = 7200.0 + 900.0
    check(find_bottlenecks(log), ["source", "target"], expect([
        ("A", "B", 2, 1, 3600.0, 1800.0, 1800.0, 1800.0, 0, None, None, None),
        ("B", "A", 1, 1, 1800.0, 1800.0, 1800.0, 1800.0, 0, None, None, None),
        ("A", "A", 1, 1, 600.0, 600.0, 600.0, 600.0, 2, 1800.0, 900.0, 900.0),
    ], total))
    assert list(get_activity_instances(log)["case_id"]) == ["p2", "p2", "p3"]
    assert list(case_time_split(log)["case_id"]) == ["p2", "p3"]


# -- real logs -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def helpdesk(helpdesk_log):
    return helpdesk_log


def test_helpdesk_all_time_is_waiting(helpdesk):
    split = case_time_split(helpdesk)
    assert len(split) == 4580
    assert (split["processing_s"] == 0).all()
    assert split["waiting_s"].to_numpy() == pytest.approx(split["duration_s"].to_numpy())
    transitions = find_bottlenecks(helpdesk)
    assert transitions["occurrences"].sum() == 21348 - 4580
    assert transitions["waiting_total_s"].sum() == pytest.approx(split["duration_s"].sum())
    assert transitions["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    assert transitions["waiting_total_s"].is_monotonic_decreasing
    assert list(transitions["rank"]) == list(range(1, len(transitions) + 1))
    # the dominating wait is the automatic closing after resolution (see the datasets README)
    assert tuple(transitions.loc[0, ["source", "target"]]) == ("Resolve ticket", "Closed")
    for by in ("activity", "resource", "team", "source_team"):
        assert find_bottlenecks(helpdesk, by=by)["waiting_total_s"].sum() == pytest.approx(split["duration_s"].sum())


@pytest.fixture(scope="module")
def bpi2012(bpi2012_log):
    return bpi2012_log


def fifo_pairs(events: pd.DataFrame) -> list[tuple]:
    """Independent reference: start/complete pairing per case and activity with a FIFO queue,
    walking the events in case order (as ``get_events`` returns them)."""
    lifecycle = events["lifecycle"].str.lower()
    rows_ = events.assign(lifecycle=lifecycle)[lifecycle.isin(["start", "complete"])]
    queues: dict[tuple, deque] = {}
    pairs = []
    for case_id, activity, pos, ts, kind in zip(rows_["case_id"], rows_["activity"], rows_["case_pos"],
                                                 rows_["timestamp"], rows_["lifecycle"], strict=True):
        queue = queues.setdefault((case_id, activity), deque())
        if kind == "start":
            queue.append((pos, ts))
        elif queue:
            start_pos, start_ts = queue.popleft()
            pairs.append((case_id, activity, start_pos, pos, (ts - start_ts).total_seconds()))
    return sorted(pairs)


def test_bpi2012_processing_times_match_pandas_pairing(bpi2012):
    times = get_activity_times(bpi2012).set_index("activity")
    w_activities = [a for a in times.index if a.startswith("W_")]
    with_starts = times.loc[w_activities][times.loc[w_activities, "starts"] > 0]
    assert len(with_starts) >= 5
    assert (with_starts["instances"] > 0).all() and (with_starts["processing_total_s"] > 0).all()
    others = times.loc[[a for a in times.index if not a.startswith("W_")]]
    assert (others["instances"] == 0).all() and others["processing_total_s"].isna().all()

    instances = get_activity_instances(bpi2012)
    sample = sorted(pd.Series(instances["case_id"].unique()).sample(300, random_state=7))
    events = get_events(bpi2012, case_ids=sample)
    expected = fifo_pairs(events)
    got = instances[instances["case_id"].isin(sample)]
    got = sorted(zip(got["case_id"], got["activity"], got["start_pos"], got["complete_pos"], got["processing_s"], strict=True))
    assert len(got) == len(expected) > 1000
    for g, e in zip(got, expected, strict=True):
        assert g[:4] == e[:4] and g[4] == pytest.approx(e[4], abs=1e-6)
    # and in total: every instance of the log, against the same pairing on all events
    assert len(instances) == len(fifo_pairs(get_events(bpi2012)))


def test_bpi2012_time_split_adds_up(bpi2012):
    split = case_time_split(bpi2012)
    assert len(split) == 13087
    assert (split["processing_s"] + split["waiting_s"]).to_numpy() == pytest.approx(split["duration_s"].to_numpy(), abs=1e-3)
    assert split["processing_s"].sum() > 0
    transitions = find_bottlenecks(bpi2012)
    assert transitions["waiting_total_s"].sum() == pytest.approx(split["waiting_s"].sum())
    activities = find_bottlenecks(bpi2012, by="activity").set_index("activity")
    times = get_activity_times(bpi2012).set_index("activity")
    assert activities["processing_total_s"].sum() == pytest.approx(times["processing_total_s"].sum())
