"""KPIs and their trend, on a tiny hand-made log with hand-computed values."""

from __future__ import annotations

import math

import pytest

from pipelines.etl.loader import IngestOptions, ingest_log
from pipelines.mining.dfg import discover_dfg
from pipelines.mining.filters import filter_case_attribute
from pipelines.mining.kpis import get_kpi_trend, get_kpis
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
