"""Hand-offs, ping-pong, rework and self-loops, computed by hand; pm4py's handover-of-work network
as the reference on helpdesk (and on the tiny log, with its missing resource).

``desk`` (UTC; resource/team, ``-`` = missing):

====  ======================================================================================
case  events
====  ======================================================================================
h1    Open 10:00 r1/L1 | Analyse 10:30 r2/BO | Analyse 11:00 r2/BO | Reply 12:00 r1/L1
      | Analyse 12:00 r3/BO (same instant as Reply, listed after it) | Close 13:00 r1/-
      resource hand-offs r1>r2 (1800 s), r2>r1 (3600), r1>r3 (0), r3>r1 (3600) = 4
      team hand-offs L1>BO (1800), BO>L1 (3600), L1>BO (0) = 3 (BO>- ignored)
      teams L1 BO BO L1 BO - -> collapsed L1 BO L1 BO: 2 ping-pongs; rework 2 (Analyse x3),
      self-loops 1 (Analyse Analyse)
h2    Open 09:00 r1/L1 | Analyse 09:10 -/- | Analyse 09:40 r2/BO | Reply 10:00 r1/L1
      resource hand-offs r2>r1 (1200) = 1 (r1>- and ->r2 ignored); team hand-offs BO>L1 (1200)
      = 1; teams L1 BO L1: 1 ping-pong; rework 1, self-loops 1
h3    Open 08:00 r4/L2 (single event)
h4    Open 08:00 r4/L2 | Analyse 08:30 r5/BO | Analyse 09:00 r5/BO | Reply 09:30 r4/L2
      resource hand-offs r4>r5, r5>r4 (1800 each); team L2>BO, BO>L2 (1800 each);
      teams L2 BO BO L2 -> L2 BO L2: 1 ping-pong; rework 1, self-loops 1
====  ======================================================================================
"""

from __future__ import annotations

import math
import warnings

import pandas as pd
import pytest

from pipelines.etl.loader import ingest_log
from pipelines.mining.cases import get_events
from pipelines.mining.handoffs import (
    get_case_handoff_counts,
    get_handoffs,
    get_ping_pong,
    get_rework,
)
from pipelines.store import Store
from tests.conftest import TEST_DATA

DESK = """Case ID,Activity,Timestamp,Resource,Team
h1,Open,2024-03-01 10:00:00,r1,L1
h1,Analyse,2024-03-01 10:30:00,r2,BO
h1,Analyse,2024-03-01 11:00:00,r2,BO
h1,Reply,2024-03-01 12:00:00,r1,L1
h1,Analyse,2024-03-01 12:00:00,r3,BO
h1,Close,2024-03-01 13:00:00,r1,
h2,Open,2024-03-02 09:00:00,r1,L1
h2,Analyse,2024-03-02 09:10:00,,
h2,Analyse,2024-03-02 09:40:00,r2,BO
h2,Reply,2024-03-02 10:00:00,r1,L1
h3,Open,2024-03-03 08:00:00,r4,L2
h4,Open,2024-03-04 08:00:00,r4,L2
h4,Analyse,2024-03-04 08:30:00,r5,BO
h4,Analyse,2024-03-04 09:00:00,r5,BO
h4,Reply,2024-03-04 09:30:00,r4,L2
"""

# lifecycle events: an instance recorded as start + complete is one occurrence (its complete)
LIFECYCLE = (TEST_DATA / "tiny" / "lifecycle.csv").read_text()  # start/complete pairs, shared with test_bottlenecks

CASE_COLUMNS = ["case_id", "handoffs", "team_handoffs", "ping_pongs", "rework", "self_loops", "distinct_teams", "distinct_resources"]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    folder = tmp_path_factory.mktemp("handoffs")
    store = Store(":memory:")
    for name, text in (("desk", DESK), ("lc", LIFECYCLE)):
        path = folder / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        ingest_log(path, log=name, store=store)
    return store


def rows(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(values) for values in frame.itertuples(index=False)]


def test_resource_handoffs(store):
    frame = get_handoffs(store.log("desk"))
    assert list(frame.columns) == ["source", "target", "handoffs", "cases", "mean_gap_s", "median_gap_s"]
    assert rows(frame) == [
        ("r2", "r1", 2, 2, 2400.0, 2400.0),   # h1 3600 s, h2 1200 s
        ("r1", "r2", 1, 1, 1800.0, 1800.0),
        ("r1", "r3", 1, 1, 0.0, 0.0),         # the tie: file order puts Reply (r1) before Analyse (r3)
        ("r3", "r1", 1, 1, 3600.0, 3600.0),
        ("r4", "r5", 1, 1, 1800.0, 1800.0),
        ("r5", "r4", 1, 1, 1800.0, 1800.0),
    ]
    assert frame.dtypes["handoffs"] == "int64" and frame.dtypes["mean_gap_s"] == "float64"


def test_team_handoffs(store):
    assert rows(get_handoffs(store.log("desk"), level="team")) == [
        ("BO", "L1", 2, 2, 2400.0, 2400.0),
        ("L1", "BO", 2, 1, 900.0, 900.0),     # h1 1800 s and 0 s
        ("BO", "L2", 1, 1, 1800.0, 1800.0),
        ("L2", "BO", 1, 1, 1800.0, 1800.0),
    ]


def test_case_counts(store):
    frame = get_case_handoff_counts(store.log("desk"))
    assert list(frame.columns) == CASE_COLUMNS
    assert rows(frame) == [
        ("h1", 4, 3, 2, 2, 1, 2, 3),
        ("h2", 1, 1, 1, 1, 1, 2, 2),   # the event without team is skipped for ping-pong only
        ("h3", 0, 0, 0, 0, 0, 1, 1),
        ("h4", 2, 2, 1, 1, 1, 2, 2),
    ]
    assert all(frame.dtypes[c] == "int64" for c in CASE_COLUMNS[1:])


def test_ping_pong_pairs(store):
    frame = get_ping_pong(store.log("desk"))
    assert list(frame.columns) == ["team_a", "team_b", "ping_pongs", "cases"]
    # h1's L1>BO>L1 and BO>L1>BO both count for the unordered pair (BO, L1)
    assert rows(frame) == [("BO", "L1", 3, 2), ("BO", "L2", 1, 1)]


def test_rework(store):
    frame = get_rework(store.log("desk"))
    assert list(frame.columns) == ["activity", "repeats", "cases", "share_of_cases"]
    assert rows(frame) == [("Analyse", 4, 3, 0.75)]


def test_lifecycle_occurrences(store):
    log = store.log("lc")
    # occurrences: p1 A B C; p2 A A B B (the never-completed start between the Bs is no
    # occurrence, so B B is a self-loop); p3 A A
    assert rows(get_case_handoff_counts(log)) == [
        # hand-offs count consecutive events: p1 r1>r2 (then -, r3 ignored); p2 r1>r2>r1>r2, r2>r1>r3; p3 r1>r2
        ("p1", 1, 0, 0, 0, 0, 0, 3),
        ("p2", 5, 0, 0, 2, 2, 0, 3),
        ("p3", 1, 0, 0, 1, 1, 0, 2),
    ]
    frame = get_rework(log)
    assert rows(frame[["activity", "repeats", "cases"]]) == [("A", 2, 2), ("B", 1, 1)]
    assert list(frame["share_of_cases"]) == pytest.approx([2 / 3, 1 / 3])
    assert get_ping_pong(log).empty and get_handoffs(log, level="team").empty


def test_bad_level_lists_allowed_values(store):
    with pytest.raises(ValueError, match=r"level must be one of 'resource', 'team'; got 'group'"):
        get_handoffs(store.log("desk"), level="group")


def test_filtered_log(store):
    filters = pytest.importorskip("pipelines.mining.filters")
    log = filters.filter_case_attribute(store.log("desk"), "case_id", ["h2", "h3"])
    assert rows(get_handoffs(log)) == [("r2", "r1", 1, 1, 1200.0, 1200.0)]
    assert list(get_case_handoff_counts(log)["case_id"]) == ["h2", "h3"]
    assert rows(get_ping_pong(log)) == [("BO", "L1", 1, 1)]
    assert rows(get_rework(log)) == [("Analyse", 1, 1, 0.5)]


# -- pm4py as the reference ----------------------------------------------------------------
def pm4py_counts(events: pd.DataFrame, key: str) -> dict[tuple, int]:
    """pm4py's handover-of-work network (beta=0) turned back into counts.

    pm4py divides each count by the number of consecutive event pairs of all cases (it counts
    same-resource pairs too), so multiplying by that number gives the counts back.
    """
    import pm4py

    frame = events.rename(columns={"case_id": "case:concept:name", "activity": "concept:name",
                                   "timestamp": "time:timestamp", key: "org:resource"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        network = pm4py.discover_handover_of_work_network(
            frame, beta=0, resource_key="org:resource", timestamp_key="time:timestamp",
            case_id_key="case:concept:name")
    n_pairs = len(events) - events["case_id"].nunique()
    counts = {}
    for pair, value in network.connections.items():
        count = value * n_pairs
        assert math.isclose(count, round(count), abs_tol=1e-6)
        counts[pair] = round(count)
    return counts


def ours(frame: pd.DataFrame) -> dict[tuple, int]:
    return {(s, t): int(n) for s, t, n in zip(frame["source"], frame["target"], frame["handoffs"], strict=True)}


@pytest.fixture(scope="module")
def helpdesk(helpdesk_log):
    return helpdesk_log


@pytest.mark.parametrize("level", ["resource", "team"])
def test_helpdesk_equals_pm4py_handover_network(helpdesk, level):
    events = get_events(helpdesk)  # in case order (timestamp, event_seq), as pm4py must see them
    assert events[level].notna().all()
    theirs = pm4py_counts(events, level)
    frame = get_handoffs(helpdesk, level=level)
    # every pm4py pair of two different resources/teams has exactly our count ...
    assert ours(frame) == {pair: n for pair, n in theirs.items() if pair[0] != pair[1]}
    # ... and pm4py's only extra: a resource/team followed by itself, the rest of all pairs
    self_pairs = sum(n for pair, n in theirs.items() if pair[0] == pair[1])
    assert self_pairs + frame["handoffs"].sum() == len(events) - events["case_id"].nunique() == 16768
    if level == "resource":
        assert (len(frame), int(frame["handoffs"].sum()), self_pairs) == (244, 8648, 8120)
    # and the per-case counts add up to the same hand-offs
    counts = get_case_handoff_counts(helpdesk)
    column = "handoffs" if level == "resource" else "team_handoffs"
    assert counts[column].sum() == frame["handoffs"].sum()


def test_pm4py_and_missing_resources(store):
    events = get_events(store.log("desk"))
    with pytest.raises(TypeError):  # pm4py 2.7.23.11 sorts NaN among the resource names
        pm4py_counts(events, "resource")
    theirs = pm4py_counts(events.assign(resource=events["resource"].fillna("<none>")), "resource")
    assert theirs[("r1", "<none>")] == 1 and theirs[("<none>", "r2")] == 1 and theirs[("r3", "r1")] == 1
    assert ours(get_handoffs(store.log("desk"))) == {
        pair: n for pair, n in theirs.items() if pair[0] != pair[1] and "<none>" not in pair
    }
