"""Transactional ingest: no-op re-ingest, atomic replace, append of new events only, crash safety."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.etl import loader, transforms
from pipelines.etl.errors import IngestError
from pipelines.etl.loader import IngestOptions, ingest_log
from pipelines.mining.cases import get_cases, get_events
from pipelines.schema import SCHEMA_VERSION
from pipelines.stats import log_stats
from pipelines.store import Store
from tests.conftest import sha256

HEADER = "Ticket,Activity,Timestamp,Agent\n"
PART1 = ("T1,Open,2024-03-01 09:00:00,ann\nT1,Close,2024-03-01 10:00:00,bob\n"
         "T2,Open,2024-03-02 09:00:00,ann\nT2,Open,2024-03-02 09:00:00,ann\n")
PART2 = ("T2,Open,2024-03-02 09:00:00,ann\nT2,Open,2024-03-02 09:00:00,ann\nT2,Open,2024-03-02 09:00:00,ann\n"
         "T2,Close,2024-03-02 12:00:00,bob\nT3,Open,2024-03-03 09:00:00,cy\n")


def dump(db: Path) -> dict[str, list]:
    """Every table's rows, for 'logically unchanged' comparisons."""
    store = Store(db)
    out = {}
    for name in ("logs", "events", "cases", "variants", "rejects"):
        with store.cursor() as cur:
            out[name] = cur.execute(f"select * from {name} order by all").fetchall()  # noqa: S608 - test helper
    store.close()
    return out


def test_schema_version_recorded_and_logs_side_by_side(write_csv, db_path):
    a = write_csv("a.csv", HEADER + PART1)
    b = write_csv("b.csv", HEADER + PART2)
    store = Store(db_path)
    ingest_log(a, log="alpha", store=store)
    ingest_log(b, log="beta", store=store)
    assert store.log_names() == ["alpha", "beta"]
    assert store.query_rows("store/get_meta", {"key": "schema_version"}) == [(str(SCHEMA_VERSION),)]
    assert log_stats(store.log("alpha"))["events"] == 4
    assert log_stats(store.log("beta"))["events"] == 5


def test_reingest_same_file_is_a_reported_noop(write_csv, db_path):
    path = write_csv("a.csv", HEADER + PART1)
    first = ingest_log(path, log="t", store=db_path)
    before = sha256(db_path)
    again = ingest_log(path, log="t", store=db_path)
    assert (first.status, again.status) == ("loaded", "unchanged")
    assert "nothing to do" in again.summary_lines()[0]
    assert sha256(db_path) == before


def test_same_log_other_content_needs_replace_or_append(write_csv, db_path):
    ingest_log(write_csv("a.csv", HEADER + PART1), log="t", store=db_path)
    before = sha256(db_path)
    with pytest.raises(IngestError, match="already exists with other content; pass --replace"):
        ingest_log(write_csv("b.csv", HEADER + PART2), log="t", store=db_path)
    assert sha256(db_path) == before


def test_replace_swaps_the_content(write_csv, db_path):
    ingest_log(write_csv("a.csv", HEADER + PART1), log="t", store=db_path)
    report = ingest_log(write_csv("b.csv", HEADER + PART2), log="t", store=db_path, mode="replace")
    assert report.status == "replaced"
    events = get_events(Store(db_path).log("t"))
    assert len(events) == 5
    assert sorted(events["case_id"].unique()) == ["T2", "T3"]


def test_append_adds_only_new_events_counting_duplicates(write_csv, db_path):
    ingest_log(write_csv("a.csv", HEADER + PART1), log="t", store=db_path)
    report = ingest_log(write_csv("b.csv", HEADER + PART2), log="t", store=db_path, mode="append")
    # PART1 has T2/Open twice; PART2 has it three times -> one more; plus T2/Close and T3/Open.
    assert report.status == "appended"
    assert report.events_added == 3
    store = Store(db_path)
    events = get_events(store.log("t"))
    assert len(events) == 7
    t2 = events[events["case_id"] == "T2"]
    assert t2["activity"].tolist() == ["Open", "Open", "Open", "Close"]
    cases = get_cases(store.log("t")).set_index("case_id")
    assert cases.loc["T2", "n_events"] == 4
    assert cases.loc["T2", "duration_s"] == 3 * 3600
    # the appended rows keep their own file and row; event_seq continues after the first file
    assert events["event_seq"].is_unique
    assert t2["source_file"].tolist() == [0, 0, 1, 1]
    stats = log_stats(store.log("t"))
    assert len(stats["source_files"]) == 2
    assert stats["rows_read"] == 9


def test_append_of_already_ingested_file_is_a_noop(write_csv, db_path):
    path = write_csv("a.csv", HEADER + PART1)
    ingest_log(path, log="t", store=db_path)
    assert ingest_log(path, log="t", store=db_path, mode="append").status == "unchanged"


def test_failure_midway_through_the_warehouse_transaction_leaves_it_unchanged(write_csv, db_path, monkeypatch):
    ingest_log(write_csv("a.csv", HEADER + PART1), log="t", store=db_path)
    ingest_log(write_csv("c.csv", HEADER + PART2), log="other", store=db_path)
    before = dump(db_path)
    steps = []

    def crash(step: str) -> None:
        steps.append(step)
        if step == "cases":  # events already deleted and re-inserted, cases half-way
            raise RuntimeError("killed half-way")

    monkeypatch.setattr(loader, "_after_step", crash)
    with pytest.raises(RuntimeError, match="killed half-way"):
        ingest_log(write_csv("b.csv", HEADER + PART2), log="t", store=db_path, mode="replace")
    assert steps == ["deleted", "events", "cases"]
    assert dump(db_path) == before


def test_failure_while_reading_batches_leaves_the_warehouse_byte_identical(write_csv, db_path, monkeypatch):
    ingest_log(write_csv("a.csv", HEADER + PART1), log="t", store=db_path)
    before = sha256(db_path)
    real = transforms.transform_batch
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("killed after two batches")
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "transform_batch", failing)
    monkeypatch.setattr("pipelines.etl.staging.TRANSFORM_BATCH_ROWS", 2)
    big = write_csv("big.csv", HEADER + PART2 * 3)
    with pytest.raises(RuntimeError, match="killed after two batches"):
        ingest_log(big, log="t", store=db_path, mode="replace")
    assert calls["n"] == 3
    assert sha256(db_path) == before


def test_event_seq_is_source_position_and_breaks_timestamp_ties(write_csv, db_path):
    text = HEADER + ("T1,B,2024-03-01 09:00:00,x\nT1,A,2024-03-01 09:00:00,x\n"
                     "T1,C,2024-03-01 08:00:00,x\nT1,D,2024-03-01 09:00:00,x\n")
    ingest_log(write_csv("ties.csv", text), log="t", store=db_path)
    events = get_events(Store(db_path).log("t"))
    assert events["activity"].tolist() == ["C", "B", "A", "D"]
    assert events["event_seq"].tolist() == [2, 0, 1, 3]
    assert events["source_row"].tolist() == [4, 2, 3, 5]


def test_materialised_next_event_and_case_table(write_csv, db_path):
    ingest_log(write_csv("a.csv", HEADER + PART1 + PART2), log="t", store=db_path)
    store = Store(db_path)
    cases = get_cases(store.log("t")).set_index("case_id")
    assert cases.loc["T1", ["first_activity", "last_activity", "n_events", "n_activities"]].tolist() == \
        ["Open", "Close", 2, 2]
    assert cases.loc["T1", "duration_s"] == 3600.0
    assert bool(cases.loc["T1", "is_closed"]) and not bool(cases.loc["T3", "is_closed"])


def test_end_activities_option_and_closed_flag(write_csv, db_path):
    path = write_csv("a.csv", HEADER + PART1 + PART2)
    ingest_log(path, log="t", store=db_path, options=IngestOptions(end_activities=("Open",)))
    cases = get_cases(Store(db_path).log("t")).set_index("case_id")
    assert cases["is_closed"].to_dict() == {"T1": False, "T2": False, "T3": True}


def test_null_tokens_make_values_missing(write_csv, db_path):
    text = HEADER + "T1,Open,2024-03-01 09:00:00,NULL\nT1,Close,2024-03-01 10:00:00,bob\nNULL,Open,2024-03-01 10:00:00,x\n"
    report = ingest_log(write_csv("n.csv", text), log="t", store=db_path, options=IngestOptions(null_tokens=("NULL",)))
    assert (report.n_events, report.rows_rejected) == (2, 1)
    events = get_events(Store(db_path).log("t"))
    assert events["resource"].isna().tolist() == [True, False]


def test_quality_report_counts(write_csv, db_path):
    text = HEADER + ("T1,Open,2024-03-01 09:00:00,ann\nT1,Open,2024-03-01 09:00:00,ann\n"  # duplicate + tie
                     "T1,Close,2024-03-01 08:00:00,\n"  # out of file order, missing resource
                     "T2,open ,1980-01-01 00:00:00,bob\n")  # single event, implausible date, near-duplicate label
    ingest_log(write_csv("q.csv", text), log="t", store=db_path)
    q = {c["check"]: c for c in log_stats(Store(db_path).log("t"), quality=True)["quality"]}
    assert q["duplicate_events"]["count"] == 1
    assert q["timestamp_ties"]["count"] == 2
    assert q["out_of_file_order"]["count"] == 1
    assert q["single_event_cases"]["count"] == 1 and q["single_event_cases"]["examples"] == ["T2"]
    assert q["missing_resources"]["count"] == 1
    assert q["implausible_dates"]["count"] == 1
    assert q["similar_activity_labels"]["count"] == 1
    assert q["similar_activity_labels"]["examples"] == ["'Open' ~ 'open'"]


def test_whitespace_around_roles_is_trimmed_and_reported(write_csv, db_path):
    text = HEADER + "T1, Open ,2024-03-01 09:00:00,ann\nT1,Open,2024-03-01 10:00:00,ann\n"
    report = ingest_log(write_csv("w.csv", text), log="t", store=db_path)
    assert report.n_activities == 1
    assert "surrounding spaces removed from 1 activity values" in report.warnings


def test_default_warehouse_path_from_environment(write_csv, tmp_path, monkeypatch):
    target = tmp_path / "env.duckdb"
    monkeypatch.setenv("DESKMINE_DB", str(target))
    ingest_log(write_csv("a.csv", HEADER + PART1), log="t")
    assert target.exists()
    assert Store().log_names() == ["t"]


def test_read_only_store_refuses_missing_warehouse(tmp_path):
    from pipelines.store import WarehouseError

    with pytest.raises(WarehouseError, match="no warehouse at"):
        Store(tmp_path / "none.duckdb").log("x")

