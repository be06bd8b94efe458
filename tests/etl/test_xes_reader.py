"""The XES reader: exact rows on hand-written fixtures, refusals, and pm4py as the reference."""

from __future__ import annotations

import gzip
import os
import re
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from pipelines.etl import xes_reader
from pipelines.etl.errors import IngestError
from pipelines.etl.sources import ROW, RawReject
from pipelines.etl.xes_reader import read_xes
from tests.conftest import DATASETS  # ../shared/datasets (or $DESKMINE_DATASETS)

DATA = Path(__file__).resolve().parents[1] / "data" / "xes"


def read_all(path, **kwargs):
    source = read_xes(path, **kwargs)
    batches = list(source.batches)
    return source, batches, [row for b in batches for row in b.to_pylist()]


# -- tests/data/xes/basic.xes, computed by hand --------------------------------------------------
BASIC_COLUMNS = [
    "concept:name", "time:timestamp", "org:resource", "lifecycle:transition",
    "case:concept:name", "case:priority", "effort", "cost", "ticket:id", "case:vip",
]


def _basic_row(row, activity, ts, resource, lifecycle, case, priority, effort=None, cost=None,
               ticket=None, vip=None):
    return {ROW: row, "concept:name": activity, "time:timestamp": ts, "org:resource": resource,
            "lifecycle:transition": lifecycle, "case:concept:name": case, "case:priority": priority,
            "effort": effort, "cost": cost, "ticket:id": ticket, "case:vip": vip}


BASIC_ROWS = [
    _basic_row(1, "Open ticket", "2024-01-02T09:00:00.000+01:00", "Ann", "complete", "T-1", "high"),
    _basic_row(2, "Diagnose", "2024-01-02T09:30:00.000+01:00", None, "start", "T-1", "high"),
    _basic_row(3, "Diagnose", "2024-01-02T10:15:00.000+01:00", "Bob", "complete", "T-1", "high", effort="45"),
    _basic_row(4, "Open ticket", "2024-01-03T08:00:00Z", "Ann & Co <L1> é", None, "T-2", None,
               cost="12.50", ticket="a1b2", vip="true"),
    _basic_row(5, "Close ticket", "2024-01-03T17:45:00Z", None, None, "T-2", None, vip="true"),
]


def test_basic_rows_exact():
    path = DATA / "basic.xes"
    source, batches, rows = read_all(path)
    assert source.format == "xes"
    assert rows == BASIC_ROWS
    assert source.columns == BASIC_COLUMNS
    assert batches[0].schema.names == [ROW, *BASIC_COLUMNS]
    assert batches[0].schema.field(ROW).type == pa.int64()
    assert all(batches[0].schema.field(c).type == pa.string() for c in BASIC_COLUMNS)
    assert source.case_columns == {"case:concept:name", "case:priority", "case:vip"}
    assert source.warnings == []
    assert source.rejects == []
    assert source.bytes_total == source.bytes_read == path.stat().st_size


def test_globals_and_log_level_content_are_not_events_nor_defaults():
    source, _, rows = read_all(DATA / "basic.xes")
    # <global scope="event"> says org:resource=UNKNOWN, lifecycle:transition=complete: not applied
    assert [r["org:resource"] for r in rows] == ["Ann", None, "Bob", "Ann & Co <L1> é", None]
    assert [r["lifecycle:transition"] for r in rows] == ["complete", "start", "complete", None, None]
    # log attributes ("source", "meta:events" and its nested child) are not columns
    assert not {"source", "meta:events", "Open ticket", "case:source"} & set(source.columns)


@pytest.mark.parametrize("name", ["log.xes.gz", "gzipped-but-named.xes"])
def test_gzip_detected_by_magic(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(gzip.compress((DATA / "basic.xes").read_bytes(), mtime=0))
    source, _, rows = read_all(path)
    assert rows == BASIC_ROWS
    assert source.bytes_total == source.bytes_read == path.stat().st_size


def test_columns_discovered_while_streaming(monkeypatch):
    monkeypatch.setattr(xes_reader, "READ_BYTES", 64)  # feed expat in tiny steps
    source = read_xes(DATA / "basic.xes", batch_rows=2)
    # opening parses up to the first trace with events: its keys are known at once
    assert source.columns == BASIC_COLUMNS[:7]
    batches = list(source.batches)
    assert [b.column(ROW).to_pylist() for b in batches] == [[1, 2], [3, 4], [5]]
    assert batches[0].schema.names == [ROW, *BASIC_COLUMNS[:7]]
    assert batches[1].schema.names == [ROW, *BASIC_COLUMNS]
    assert batches[2].schema.names == [ROW, *BASIC_COLUMNS]
    rows = [r for b in batches for r in b.to_pylist()]
    assert [{c: r.get(c) for c in [ROW, *BASIC_COLUMNS]} for r in rows] == BASIC_ROWS
    assert source.columns == BASIC_COLUMNS


def test_nested_attributes_keep_parent_value_and_warn_once_per_key():
    source, _, rows = read_all(DATA / "nested.xes")
    assert rows == [{
        ROW: 1, "concept:name": "Escalate", "time:timestamp": "2024-02-01T12:00:00+00:00",
        "org:resource": "Eve", "tags": None, "details": None, "no-tags": None,
        "case:concept:name": "N-1", "case:team": "L1",
    }]
    assert source.warnings == [
        "nested attributes under key 'team' ignored",
        "nested attributes under key 'org:resource' ignored",
        "nested attributes under key 'tags' ignored",
        "nested attributes under key 'details' ignored",
    ]
    assert source.case_columns == {"case:concept:name", "case:team"}


def test_empty_traces_and_orphan_events_are_rejected_not_dropped():
    source, _, rows = read_all(DATA / "rejects.xes")
    assert rows == [
        {ROW: 2, "concept:name": "A", "case:concept:name": "R-1"},
        {ROW: 3, "concept:name": "B", "case:concept:name": "R-1"},
        {ROW: 4, "concept:name": "C", "case:concept:name": None},
    ]
    assert source.rejects == [
        RawReject(row=1, raw='{"concept:name": "Orphan"}', reason="event 1 is outside any trace (no case)"),
        RawReject(row=None, raw='{"concept:name": "R-empty", "priority": "low"}',
                  reason="trace 'R-empty' (trace 2) has no events"),
        RawReject(row=None, raw="{}", reason="trace (trace 5) has no events"),
    ]
    assert source.warnings == [
        "1 trace(s) repeat the concept:name of an earlier trace (e.g. 'R-1'); kept as they are, "
        "so their events merge into one case",
        "1 trace(s) have no concept:name, so their events have no case id",
    ]


def test_namespace_prefixed_elements():
    _, _, rows = read_all(DATA / "prefixed.xes")
    assert rows == [{ROW: 1, "concept:name": "Open ticket", "time:timestamp": "2024-03-01T10:00:00+00:00",
                     "case:concept:name": "P-1"}]


def test_odd_elements_warn(tmp_path):
    path = tmp_path / "odd.xes"
    path.write_text(
        '<log><trace><string key="concept:name" value="c"/>'
        '<event><string key="concept:name" value="A"/><foo bar="1"><string key="x" value="y"/></foo>'
        '<string value="no key"/><string key="__row" value="7"/></event></trace></log>')
    source, _, rows = read_all(path)
    assert rows == [{ROW: 1, "concept:name": "A", "__row_attribute": "7", "case:concept:name": "c"}]
    assert source.warnings == [
        "unknown element <foo> ignored",
        "attribute element(s) without a key ignored (first at line 1)",
        "event attribute '__row' renamed '__row_attribute'",
    ]


def test_bytes_read_tracks_progress(tmp_path):
    n_traces = 20_000  # > 1 MiB: the reader's buffer
    traces = "".join(
        f'<trace><string key="concept:name" value="c{i}"/>'
        + "".join(f'<event><string key="concept:name" value="a{j}"/></event>\n' for j in range(3))
        + "</trace>\n" for i in range(n_traces))
    path = tmp_path / "big.xes"
    path.write_text(f"<log>\n{traces}</log>\n")
    source = read_xes(path, batch_rows=1000)
    seen, numbers = [source.bytes_read], []
    for batch in source.batches:
        seen.append(source.bytes_read)
        numbers += batch.column(ROW).to_pylist()
    assert numbers == list(range(1, 3 * n_traces + 1))
    assert seen == sorted(seen)
    assert seen[0] < path.stat().st_size
    assert seen[-1] == source.bytes_total == path.stat().st_size


def test_bad_batch_rows():
    with pytest.raises(ValueError, match="batch_rows must be >= 1; got 0"):
        read_xes(DATA / "basic.xes", batch_rows=0)


# -- refusals ---------------------------------------------------------------------------------
XXE_HINT = "remove the <!DOCTYPE ...> block, or export the log again without it"
SECRET = "s3cr3t-token-4815162342"


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE log [<!ENTITY x SYSTEM "{uri}">]>',
    '<!DOCTYPE log [<!ENTITY % p SYSTEM "{uri}"> %p;]>',
    '<!DOCTYPE log SYSTEM "{uri}">',
])
def test_xxe_is_refused_and_the_file_never_read(tmp_path, doctype):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    path = tmp_path / "xxe.xes"
    path.write_text('<?xml version="1.0"?>\n' + doctype.format(uri=secret.as_uri()) + "\n"
                    '<log><trace><string key="concept:name" value="&x;"/>'
                    '<event><string key="concept:name" value="&x;"/></event></trace></log>\n')
    with pytest.raises(IngestError) as info:
        read_xes(path)
    assert str(info.value) == (f"{path}: the XES declares a DTD/entities (line 2), which deskmine "
                               f"refuses for safety (XXE); {XXE_HINT}")
    assert SECRET not in str(info.value) and SECRET not in repr(info.value.__cause__)


def test_xxe_in_gzip_is_refused(tmp_path):
    path = tmp_path / "xxe.xes.gz"
    path.write_bytes(gzip.compress(b'<?xml version="1.0"?>\n\n<!DOCTYPE log [<!ENTITY x SYSTEM '
                                   b'"file:///etc/passwd">]><log><trace><event><string key="a" '
                                   b'value="&x;"/></event></trace></log>', mtime=0))
    with pytest.raises(IngestError, match=re.escape("DTD/entities (line 3), which deskmine refuses")):
        read_xes(path)


def test_billion_laughs_is_refused():
    path = DATA / "billion_laughs.xes"
    with pytest.raises(IngestError) as info:
        read_xes(path)
    assert str(info.value) == (f"{path}: the XES declares a DTD/entities (line 2), which deskmine "
                               f"refuses for safety (XXE); {XXE_HINT}")


def test_undeclared_entity_is_malformed(tmp_path):
    path = tmp_path / "entity.xes"
    path.write_text('<log>\n<trace><event><string key="a" value="&x;"/></event></trace></log>')
    with pytest.raises(IngestError) as info:
        read_xes(path)
    assert str(info.value) == (f"{path}: not well-formed XML at line 2, column 15: undefined entity; "
                               "the file is damaged or not XML: export the log again")


def test_malformed_xml_names_line_and_column():
    path = DATA / "malformed.xes"
    with pytest.raises(IngestError) as info:
        read_xes(path)
    assert str(info.value) == (f"{path}: not well-formed XML at line 7, column 7: mismatched tag; "
                               "the file is damaged or not XML: export the log again")


def test_undeclared_latin1_is_refused_with_encoding_hint(tmp_path):
    path = tmp_path / "latin1.xes"
    path.write_bytes(b'<log>\n<trace><string key="concept:name" value="caf\xe9"/></trace></log>\n')
    with pytest.raises(IngestError) as info:
        read_xes(path)
    assert str(info.value) == (f"{path}: not well-formed XML at line 2, column 45: not well-formed "
                               "(invalid token); the file is damaged, or its text is not UTF-8 and its "
                               "<?xml ... ?> line declares no encoding: export the log again")


def test_declared_encoding_is_honoured(tmp_path):
    path = tmp_path / "cp1252.xes"
    path.write_bytes('<?xml version="1.0" encoding="windows-1252"?>\n<log><trace><string key="concept:name" '
                     'value="café €"/><event><string key="concept:name" value="Résolu"/></event></trace>'
                     '</log>'.encode("cp1252"))
    _, _, rows = read_all(path)
    assert rows == [{ROW: 1, "concept:name": "Résolu", "case:concept:name": "café €"}]


def test_malformed_xml_mid_file(tmp_path):
    path = tmp_path / "broken.xes"
    good = '<trace><string key="concept:name" value="c"/><event/></trace>\n' * 5000
    path.write_text(f"<log>\n{good}<trace><event></trace>\n{good}</log>\n")
    source = read_xes(path)
    with pytest.raises(IngestError) as info:
        list(source.batches)
    assert str(info.value) == (f"{path}: not well-formed XML at line 5002, column 17: mismatched tag; "
                               "the file is damaged or not XML: export the log again")


def test_truncated_xml_names_line():
    path = DATA / "truncated.xes"
    with pytest.raises(IngestError) as info:
        read_xes(path)
    assert str(info.value) == (f"{path}: not well-formed XML at line 9, column 7: unclosed token; "
                               "the file ends before the log is closed (truncated?): export it again")


def test_truncated_gzip_small(tmp_path):
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(gzip.compress((DATA / "basic.xes").read_bytes(), mtime=0)[:-30])
    with pytest.raises(IngestError) as info:
        read_xes(path)
    assert str(info.value) == (
        f"{path}: the gzip stream is truncated or corrupt after line 1 (Compressed file ended before "
        "the end-of-stream marker was reached); check the file is a complete .gz (download or export it again)")


def test_truncated_gzip_large_names_the_line_reached(tmp_path):
    lines = [f'<trace><string key="concept:name" value="c{i}"/><event><string key="concept:name" '
             f'value="a{i % 7}"/></event></trace>' for i in range(40_000)]
    data = gzip.compress(("<log>\n" + "\n".join(lines) + "\n</log>\n").encode(), mtime=0)
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(data[: len(data) // 2])
    source = read_xes(path)
    with pytest.raises(IngestError) as info:
        list(source.batches)
    m = re.fullmatch(rf"{re.escape(str(path))}: the gzip stream is truncated or corrupt after line (\d+) "
                     r"\(Compressed file ended before the end-of-stream marker was reached\); "
                     r"check the file is a complete \.gz \(download or export it again\)", str(info.value))
    assert m is not None, str(info.value)
    assert 2 < int(m.group(1)) < len(lines)


def test_not_xes_root_is_refused():
    path = DATA / "not_xes.xml"
    with pytest.raises(IngestError) as info:
        read_xes(path)
    assert str(info.value) == (f"{path}: the root element at line 2, column 1 is <project>, not <log>: "
                               "this is not an XES log; ingest an XES event log (root element <log>), "
                               "or a CSV/Parquet file")


@pytest.mark.parametrize(("body", "expected"), [
    ('<log>\n<trace><event><event/></event></trace></log>',
     "<event> at line 2, column 15 is inside an <event>; an XES <event> belongs directly in a <trace>"),
    ('<log>\n<trace><trace/></trace></log>',
     "<trace> at line 2, column 8 is inside a <trace>; an XES <trace> belongs directly in the <log>"),
])
def test_misplaced_event_or_trace_is_refused(tmp_path, body, expected):
    path = tmp_path / "nesting.xes"
    path.write_text(body)
    with pytest.raises(IngestError) as info:
        read_xes(path)
    assert str(info.value) == f"{path}: {expected}"


# -- pm4py as the reference --------------------------------------------------------------------
KEYS = ("case:concept:name", "concept:name", "time:timestamp", "org:resource", "lifecycle:transition")


def pm4py_frame(path: Path) -> pd.DataFrame:
    os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")
    pm4py = pytest.importorskip("pm4py")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pm4py.read_xes(str(path), return_legacy_log_object=False, show_progress_bar=False)


def assert_same_as_pm4py(path: Path) -> tuple[pd.DataFrame, list[dict]]:
    ref = pm4py_frame(path)
    source = read_xes(path)
    table = pa.Table.from_batches(list(source.batches))
    assert table.num_rows == len(ref)
    assert set(source.columns) == set(ref.columns)
    for key in KEYS:
        if key not in ref.columns:
            assert key not in source.columns
            continue
        if key == "time:timestamp":  # pm4py parsed the instants (UTC); compare instants
            ours = pd.to_datetime(table.column(key).to_pandas(), utc=True, format="ISO8601")
            assert ours.dt.as_unit("us").equals(ref[key].dt.as_unit("us").reset_index(drop=True)), key
        else:
            theirs = [None if pd.isna(v) else v for v in ref[key].tolist()]
            assert table.column(key).to_pylist() == theirs, key
    return ref, table


@pytest.mark.parametrize("name", ["basic.xes", "prefixed.xes"])
def test_fixtures_match_pm4py(name):
    assert_same_as_pm4py(DATA / name)


REAL_LOGS = [
    ("helpdesk/helpdesk.xes.gz", 21_348, 4_580),
    ("bpi2012/BPI_Challenge_2012.xes.gz", 262_200, 13_087),
    ("bpi2013-closed-problems/BPI_Challenge_2013_closed_problems.xes.gz", 6_660, 1_487),
    ("road-traffic-fines-sample/roadtraffic100traces.xes", 390, 100),
    ("running-example/running-example.xes", 42, 6),
]


@pytest.mark.skipif(not DATASETS.is_dir(), reason=f"public datasets not found at {DATASETS} "
                    "(set DESKMINE_DATASETS to the folder holding them)")
@pytest.mark.parametrize(("relpath", "n_events", "n_cases"), REAL_LOGS, ids=[r[0].split("/")[0] for r in REAL_LOGS])
def test_real_logs_match_pm4py(relpath, n_events, n_cases):
    path = DATASETS / relpath
    if not path.exists():
        pytest.skip(f"{path} not found")
    ref, table = assert_same_as_pm4py(path)
    assert table.num_rows == n_events
    assert len(set(table.column("case:concept:name").to_pylist())) == n_cases == ref["case:concept:name"].nunique()
    assert table.column(ROW).to_pylist() == list(range(1, n_events + 1))
