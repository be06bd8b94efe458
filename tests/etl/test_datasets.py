"""Every real log of ../shared/datasets ingests auto-mapped, with the figures its README publishes."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.mining.cases import get_cases
from pipelines.stats import log_stats

pytestmark = pytest.mark.datasets

# cases, events, activities and first/last event (UTC) as published in ../shared/datasets/README.md
PUBLISHED = {
    "helpdesk": (4580, 21348, 14, "2010-01-13 08:40", "2014-01-03 13:20"),
    "helpdesk_xes": (4580, 21348, 14, "2010-01-13 08:40", "2014-01-03 13:20"),
    "bpi2012": (13087, 262200, 24, "2011-09-30 22:38", "2012-03-14 15:04"),
    "bpi2013": (1487, 6660, 7, "2006-01-11", "2012-05-31"),
    "receipt": (1434, 8577, 27, "2010-10-02", "2012-01-23"),
    "road_xes": (100, 390, 10, None, None),
    "road_csv": (100, 390, 10, None, None),
    "running_xes": (6, 42, 8, "2010-12-30", "2011-01-24"),
    "running_csv": (6, 42, 8, "2010-12-30", "2011-01-24"),
}


@pytest.mark.parametrize("log", list(PUBLISHED))
def test_cases_events_activities_and_span_equal_the_readme(datasets_store, log):
    cases, events, activities, first, last = PUBLISHED[log]
    stats = log_stats(datasets_store.log(log))
    assert (stats["cases"], stats["events"], stats["activities"]) == (cases, events, activities)
    assert stats["rows_rejected"] == 0
    assert stats["rows_read"] == events
    if first:
        assert pd.Timestamp(stats["start"]).strftime("%Y-%m-%d %H:%M").startswith(first)
        assert pd.Timestamp(stats["end"]).strftime("%Y-%m-%d %H:%M").startswith(last)


def _quality(store, log) -> dict:
    return {c["check"]: c for c in log_stats(store.log(log), quality=True)["quality"]}


def test_helpdesk_quality_traps_are_reported(datasets_store):
    for log in ("helpdesk", "helpdesk_xes"):
        q = _quality(datasets_store, log)
        assert q["duplicate_events"]["count"] == 127  # README: 127 exact duplicate rows (all kept)
        assert q["timestamp_ties"]["count"] == 260  # README: 260 events share a timestamp in their case
    cases = get_cases(datasets_store.log("helpdesk"))
    starts = cases["first_activity"].value_counts()
    assert (starts["Assign seriousness"], starts["Insert ticket"]) == (4384, 118)
    assert (cases["last_activity"] != "Closed").sum() == 23
    assert cases["duration_s"].max() <= 60.0 * 86400 + 86400  # README: never exceeds 60.0 days
    assert round(cases["duration_s"].median() / 86400, 1) == 39.9  # README: median 39.9 days


def test_helpdesk_csv_and_xes_hold_the_same_events(datasets_store):
    from pipelines.mining.cases import get_events

    cols = ["case_id", "case_pos", "activity", "timestamp", "resource"]

    def events(log):  # the XES lists cases in another order; events within a case must agree
        frame = get_events(datasets_store.log(log))[cols]
        return frame.sort_values(["case_id", "case_pos"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(events("helpdesk"), events("helpdesk_xes"))


def test_bpi2012_traps(datasets_store):
    q = _quality(datasets_store, "bpi2012")
    assert q["missing_resources"]["count"] == 18010  # README: 18,010 events without resource
    assert q["timestamp_ties"]["count"] == 25369  # README: 25,369 events share a timestamp
    stats = log_stats(datasets_store.log("bpi2012"))
    assert stats["mapping"]["lifecycle"]["column"] == "lifecycle:transition"


def test_receipt_and_bpi2013_and_road_traps(datasets_store):
    assert _quality(datasets_store, "receipt")["single_event_cases"]["count"] == 116
    assert _quality(datasets_store, "bpi2013")["single_event_cases"]["count"] == 1
    assert _quality(datasets_store, "road_xes")["timestamp_ties"]["count"] == 20
    bpi2013 = get_cases(datasets_store.log("bpi2013"))
    assert round(bpi2013["duration_s"].max() / 86400) == 2255  # README: max 2,255 days
