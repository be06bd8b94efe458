"""KPIs and their trend, on a tiny hand-made log with hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipelines.etl.loader import IngestOptions, ingest_log
from pipelines.mining.clock import case_clocks, load_case_events
from pipelines.mining.dfg import discover_dfg
from pipelines.mining.filters import filter_case_attribute
from pipelines.mining.kpis import _resolutions, count_cases, get_kpi_trend, get_kpis
from pipelines.store import Store

LOG = """Case,Activity,Timestamp,Priority
A,Open,2024-01-01 09:00:00,P1
A,Close,2024-01-01 10:00:00,P1
B,Open,2024-01-02 09:00:00,P2
B,Work,2024-01-02 11:00:00,P2
B,Close,2024-01-02 13:00:00,P2
C,Open,2024-01-09 09:00:00,P2
C,Close,2024-02-01 09:00:00,P2
D,Open,2024-02-05 09:00:00,P1
D,Work,2024-02-05 10:00:00,P1
"""


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    path = tmp_path_factory.mktemp("kpi") / "k.csv"
    path.write_text(LOG)
    store = Store(":memory:")
    ingest_log(path, log="k", store=store, options=IngestOptions(end_activities=("Close",)))
    return store.log("k")


def test_kpis_by_hand(log):
    k = get_kpis(log)
    # closed: A 1 h, B 4 h, C 23 days; D open (excluded from durations)
    durations = sorted([3600.0, 4 * 3600.0, 23 * 86400.0])
    assert (k["cases"], k["events"], k["closed_cases"], k["open_cases"], k["variants"]) == (4, 9, 3, 1, 3)
    assert k["median_duration_s"] == durations[1]
    assert math.isclose(k["p90_duration_s"], durations[1] + 0.8 * (durations[2] - durations[1]))
    assert math.isclose(k["mean_duration_s"], sum(durations) / 3)
    assert k["mean_events_per_case"] == 9 / 4
    assert str(k["start_time"]) == "2024-01-01 09:00:00+00:00"


def test_kpis_follow_the_filter(log):
    k = get_kpis(filter_case_attribute(log, "priority", ["P1"]))
    assert (k["cases"], k["closed_cases"], k["open_cases"], k["median_duration_s"]) == (2, 1, 1, 3600.0)


def test_count_cases_is_the_kpis_count(log):
    assert count_cases(log) == get_kpis(log)["cases"] == 4
    assert count_cases(filter_case_attribute(log, "priority", ["P1"])) == 2  # A and D
    assert count_cases(filter_case_attribute(log, "priority", ["P9"])) == 0


def test_monthly_trend_by_hand(log):
    trend = get_kpi_trend(log, period="month")
    assert [str(p)[:7] for p in trend["period_start"]] == ["2024-01", "2024-02"]
    assert trend["cases_opened"].tolist() == [3, 1]
    assert trend["cases_closed"].tolist() == [2, 1]  # A, B closed in January; C in February
    assert trend["median_duration_s"].tolist() == [(3600.0 + 4 * 3600.0) / 2, 23 * 86400.0]


def test_weekly_trend_starts_on_monday(log):
    trend = get_kpi_trend(log, period="week")
    assert [str(p)[:10] for p in trend["period_start"]] == ["2024-01-01", "2024-01-08", "2024-01-29", "2024-02-05"]
    assert trend["cases_opened"].tolist() == [2, 1, 0, 1]


def test_bad_period_lists_allowed_values(log):
    with pytest.raises(ValueError, match="period must be one of 'week', 'month'; got 'day'"):
        get_kpi_trend(log, period="day")


def test_frequency_only_map_has_counts_and_no_times(log):
    freq = discover_dfg(log, performance=False)
    full = discover_dfg(log)
    assert freq.edges[["source", "target", "frequency", "cases"]].equals(full.edges[["source", "target", "frequency", "cases"]])
    assert freq.edges["mean_s"].isna().all()
    assert full.edges.set_index(["source", "target"]).loc[("Open", "Work"), "mean_s"] == (2 * 3600 + 3600) / 2


# -- the overview's resolution instants (SQL) equal the clock core's (numpy) ----------------------

def _clock_resolutions(log) -> pd.DataFrame:
    """The reference: the SLA clock core without a policy, on every event of the scope."""
    c = case_clocks(load_case_events(log))
    c = c[c["resolved"].to_numpy(dtype=bool)]
    return pd.DataFrame({"resolved_us": c["resolved_us"].to_numpy(dtype=np.int64),
                         "resolution_s": c["resolution_calendar_s"].to_numpy(dtype=float)})


def _assert_resolutions_equal(log) -> int:
    mine = _resolutions(log)
    ref = _clock_resolutions(log)
    assert str(mine["resolved_time"].dtype) == "datetime64[us, UTC]"
    got = (mine["resolved_time"] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(microseconds=1)
    assert got.tolist() == ref["resolved_us"].tolist()
    assert mine["resolution_s"].tolist() == ref["resolution_s"].tolist()
    return len(mine)


# implicit reopens (no reopen activity named): work right after a resolution reopens the case;
# a reopen answered by a resolution within 2 h is a thank-you reopen
IMPLICIT = """Case,Activity,Timestamp
r1,Open,2024-01-01 09:00:00
r1,Resolve,2024-01-01 10:00:00
r1,Work,2024-01-02 09:00:00
r1,Resolve,2024-01-02 12:00:00
r2,Open,2024-01-01 09:00:00
r2,Resolve,2024-01-01 10:00:00
r2,Customer reply,2024-01-01 10:30:00
r2,Resolve,2024-01-01 11:00:00
r3,Open,2024-01-01 09:00:00
r3,Resolve,2024-01-01 09:30:00
r3,Resolve,2024-01-01 09:40:00
r4,Open,2024-01-01 09:00:00
r4,Resolve,2024-01-01 09:30:00
r4,Work,2024-01-01 10:00:00
"""
# explicit reopens, ties and a case never resolved
EXPLICIT = """Case,Activity,Timestamp
e1,Open,2024-01-01 09:00:00
e1,Resolve,2024-01-01 10:00:00
e1,Reopen,2024-01-03 09:00:00
e1,Resolve,2024-01-03 12:00:00
e1,Close,2024-01-04 12:00:00
e2,Open,2024-01-01 09:00:00
e2,Resolve,2024-01-01 10:00:00
e2,Reopen,2024-01-01 10:00:00
e2,Resolve,2024-01-01 10:00:00
e3,Open,2024-01-01 09:00:00
e3,Work,2024-01-01 10:00:00
"""
# no resolution activity at all: a closed case is resolved at its last event
FALLBACK = """Case,Activity,Timestamp
f1,Open,2024-01-01 09:00:00
f1,Done,2024-01-01 11:00:00
f2,Open,2024-01-01 09:00:00
f2,Work,2024-01-01 09:30:00
"""


@pytest.mark.parametrize("text,options,expected", [
    # r1 resolved again after the implicit reopen; r2 thank-you reopen counts (not ignored by
    # default), so its last resolution; r3 two resolutions in a row: the first; r4 reopened, open
    (IMPLICIT, {}, {"r1": 27 * 3600.0, "r2": 2 * 3600.0, "r3": 1800.0}),
    (EXPLICIT, {}, {"e1": 51 * 3600.0, "e2": 3600.0}),
    (FALLBACK, {"end_activities": ("Done",)}, {"f1": 7200.0}),
], ids=["implicit", "explicit", "fallback"])
def test_resolutions_by_hand_equal_the_clock_core(tmp_path, text, options, expected):
    path = tmp_path / "r.csv"
    path.write_text(text)
    store = Store(":memory:")
    ingest_log(path, log="r", store=store, options=IngestOptions(**options))
    lg = store.log("r")
    assert _assert_resolutions_equal(lg) == len(expected)
    got = _resolutions(lg)
    assert dict(zip(got["case_id"], got["resolution_s"], strict=True)) == expected


def test_resolutions_equal_the_clock_core_on_the_sample_pair(sample_store):
    for name in ("before", "after"):
        lg = sample_store.log(name)
        assert _assert_resolutions_equal(lg) > 3000
        assert _assert_resolutions_equal(filter_case_attribute(lg, "priority", ["P1"])) > 100


@pytest.mark.parametrize("name", ["helpdesk", "bpi2012", "bpi2013", "receipt", "running_csv", "road_csv"])
def test_resolutions_equal_the_clock_core_on_the_datasets(datasets_store, name):
    _assert_resolutions_equal(datasets_store.log(name))
