"""Acceptance of the engine against pm4py on every public log in ../shared/datasets.

Each log is ingested once per session into a temporary warehouse. pm4py gets the events exactly
as ``get_events`` returns them (grouped by case, in case order ``(timestamp, event_seq)``: the
documented ordering contract) through the adapter ``pipelines.mining._pm4py``, with explicit keys.
deskmine's SQL results must then EQUAL pm4py's: DFG edge frequencies, start/end activities and
variant counts exactly; performance-DFG mean/median and case durations within 1e-6 relative.

One check bypasses deskmine's reader entirely: the helpdesk CSV read with pandas, its timestamps
parsed, rows sorted stably by (timestamp, file row), handed to pm4py directly.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest

from pipelines.mining import _pm4py
from pipelines.mining.cases import get_events
from pipelines.mining.dfg import discover_dfg
from pipelines.mining.variants import get_case_durations, get_variants
from tests.conftest import dataset

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")

DATASETS = {
    "helpdesk_csv": "helpdesk/helpdesk.csv.gz",
    "helpdesk_xes": "helpdesk/helpdesk.xes.gz",
    "bpi2012_xes": "bpi2012/BPI_Challenge_2012.xes.gz",
    "bpi2013_closed_xes": "bpi2013-closed-problems/BPI_Challenge_2013_closed_problems.xes.gz",
    "receipt_csv": "receipt/receipt.csv.gz",
    "road_fines_csv": "road-traffic-fines-sample/roadtraffic100traces.csv",
    "road_fines_xes": "road-traffic-fines-sample/roadtraffic100traces.xes",
    "running_example_csv": "running-example/running-example.csv",
    "running_example_xes": "running-example/running-example.xes",
}
# cases / events as published in ../shared/datasets/README.md
EXPECTED_SIZE = {
    "helpdesk_csv": (4580, 21348), "helpdesk_xes": (4580, 21348), "bpi2012_xes": (13087, 262200),
    "bpi2013_closed_xes": (1487, 6660), "receipt_csv": (1434, 8577), "road_fines_csv": (100, 390),
    "road_fines_xes": (100, 390), "running_example_csv": (6, 42), "running_example_xes": (6, 42),
}
REL = 1e-6


SHARED_NAME = {  # this module's names -> tests/conftest.py DATASET_LOGS
    "helpdesk_csv": "helpdesk", "helpdesk_xes": "helpdesk_xes", "bpi2012_xes": "bpi2012",
    "bpi2013_closed_xes": "bpi2013", "receipt_csv": "receipt", "road_fines_csv": "road_csv",
    "road_fines_xes": "road_xes", "running_example_csv": "running_csv", "running_example_xes": "running_xes",
}


PARITY_NAME = {shared: mine for mine, shared in SHARED_NAME.items()}


class _Warehouse:
    """The session's dataset warehouse; each log's events are read once."""

    def __init__(self, datasets_store):
        self.datasets = datasets_store
        self.events: dict[str, pd.DataFrame] = {}

    def load(self, name: str):
        dataset(DATASETS[name])  # skip with a message when the file is absent
        log = self.datasets.log(SHARED_NAME[name])
        if name not in self.events:
            self.events[name] = get_events(log)
        return log, self.events[name]


@pytest.fixture(scope="session")
def warehouse(datasets_store) -> _Warehouse:
    return _Warehouse(datasets_store)


@pytest.fixture(params=[pytest.param(name, marks=pytest.mark.datasets) for name in sorted(DATASETS)])
def logged(request, warehouse):
    """(log handle, its events from get_events) for one dataset."""
    return warehouse.load(request.param)


def test_ingested_sizes(logged):
    log, events = logged
    assert (events["case_id"].nunique(), len(events)) == EXPECTED_SIZE[PARITY_NAME[log.name]]


def test_dfg_equals_pm4py(logged):
    log, events = logged
    ours = discover_dfg(log)
    graph, start, end = _pm4py.pm4py_dfg(events)
    mine = {(s, t): int(n) for s, t, n in zip(ours.edges["source"], ours.edges["target"], ours.edges["frequency"],
                                              strict=True)}
    assert mine == graph
    assert ours.start_activities == start
    assert ours.end_activities == end


def test_variants_equal_pm4py(logged):
    log, events = logged
    ours = get_variants(log)
    mine = {tuple(a): int(n) for a, n in zip(ours["activities"], ours["cases"], strict=True)}
    assert len(mine) == len(ours)  # activity tuples are unique
    assert mine == _pm4py.pm4py_variants(events)


def test_performance_dfg_equals_pm4py(logged):
    log, events = logged
    edges = discover_dfg(log).edges
    perf = _pm4py.pm4py_performance_dfg(events)
    assert set(zip(edges["source"], edges["target"], strict=True)) == set(perf)
    mean = {(s, t): float(v) for s, t, v in zip(edges["source"], edges["target"], edges["mean_s"], strict=True)}
    median = {(s, t): float(v) for s, t, v in zip(edges["source"], edges["target"], edges["median_s"], strict=True)}
    assert mean == pytest.approx({k: v["mean"] for k, v in perf.items()}, rel=REL)
    assert median == pytest.approx({k: v["median"] for k, v in perf.items()}, rel=REL)


def test_case_durations_equal_pm4py(logged):
    log, events = logged
    ours = sorted(get_case_durations(log)["duration_s"].astype(float))
    theirs = _pm4py.pm4py_case_durations(events)
    assert len(ours) == len(theirs) == EXPECTED_SIZE[PARITY_NAME[log.name]][0]
    assert ours == pytest.approx(theirs, rel=REL)


@pytest.mark.datasets
def test_helpdesk_csv_read_by_pandas_gives_the_same_dfg(warehouse):
    """Independent of deskmine's reader: pandas + pm4py on the raw file vs. the SQL DFG."""
    import pm4py

    path = dataset(DATASETS["helpdesk_csv"])
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = pd.DataFrame({
        "case:concept:name": raw["Case ID"],
        "concept:name": raw["Activity"],
        # naive wall-clock times, read as UTC (deskmine's default for zone-less sources)
        "time:timestamp": pd.to_datetime(raw["Complete Timestamp"], format="%Y/%m/%d %H:%M:%S.%f", utc=True),
        "file_row": range(len(raw)),
    })
    frame = frame.sort_values(["time:timestamp", "file_row"], kind="stable").reset_index(drop=True)
    graph, start, end = pm4py.discover_dfg(frame, case_id_key="case:concept:name", activity_key="concept:name",
                                           timestamp_key="time:timestamp")
    log, _events_frame = warehouse.load("helpdesk_csv")
    ours = discover_dfg(log)
    assert len(frame) == 21348
    assert {(s, t): int(n) for s, t, n in zip(ours.edges["source"], ours.edges["target"], ours.edges["frequency"],
                                              strict=True)} == {k: int(v) for k, v in graph.items()}
    assert ours.start_activities == {k: int(v) for k, v in start.items()}
    assert ours.end_activities == {k: int(v) for k, v in end.items()}
    assert sum(ours.start_activities.values()) == 4580


# -- the adapter's own contract (no dataset needed) ----------------------------------------------

def _events(rows):
    return pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"]).assign(
        timestamp=lambda f: pd.to_datetime(f["timestamp"], utc=True))


TINY = [("c1", "a", "2024-01-01 10:00"), ("c1", "b", "2024-01-01 10:00"), ("c1", "c", "2024-01-01 11:00"),
        ("c2", "a", "2024-01-02 09:00"), ("c2", "c", "2024-01-02 09:30")]


def test_adapter_keeps_the_given_order_and_leaves_the_input_alone():
    events = _events(TINY)
    before = events.copy()
    frame = _pm4py.to_pm4py_frame(events)
    assert list(frame.columns) == ["case:concept:name", "concept:name", "time:timestamp"]
    assert frame["concept:name"].tolist() == ["a", "b", "c", "a", "c"]
    graph, start, end = _pm4py.pm4py_dfg(events)
    # the tie a/b at 10:00 is broken by the given row order: a before b
    assert graph == {("a", "b"): 1, ("b", "c"): 1, ("a", "c"): 1}
    assert (start, end) == ({"a": 2}, {"c": 2})
    assert _pm4py.pm4py_variants(events) == {("a", "b", "c"): 1, ("a", "c"): 1}
    assert _pm4py.pm4py_case_durations(events) == [1800.0, 3600.0]
    assert _pm4py.pm4py_performance_dfg(events)[("a", "c")]["mean"] == 1800.0
    pd.testing.assert_frame_equal(events, before)  # pm4py's start_timestamp column never leaks back


def test_adapter_refuses_frames_not_in_case_order():
    shuffled = _events([TINY[0], TINY[3], TINY[1], TINY[2], TINY[4]])
    with pytest.raises(ValueError, match="not grouped by case"):
        _pm4py.to_pm4py_frame(shuffled)
    backwards = _events([TINY[2], TINY[0], TINY[1], TINY[3], TINY[4]])
    with pytest.raises(ValueError, match=r"not in case order \(timestamp, event_seq\)"):
        _pm4py.to_pm4py_frame(backwards)
    with pytest.raises(ValueError, match=r"lacks columns \['activity'\]"):
        _pm4py.to_pm4py_frame(_events(TINY).drop(columns="activity"))
