"""The bad-input corpus (tests/data/bad): each file gets the behaviour a user would want.

Driven through the real CLI (``pipelines.cli.main``) against a real warehouse file that already
holds a good log, so "unchanged" means byte-identical.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.mining.cases import get_cases, get_events
from pipelines.stats import get_rejects, log_stats
from pipelines.store import Store
from tests.conftest import TEST_DATA, sha256

BAD = TEST_DATA / "bad"


@pytest.fixture
def warehouse(db_path: Path) -> Path:
    """A warehouse holding the good log ``base``."""
    assert main(["ingest", str(BAD / "good.csv"), "--log", "base", "--db", str(db_path), "--quiet"]) == 0
    Store(db_path).close()
    return db_path


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


REFUSED = [
    # file, extra args, words the one-line reason must contain
    ("empty.csv", [], ["empty.csv", "empty"]),
    ("header_only.csv", [], ["header_only.csv", "no data rows"]),
    ("binary.csv", [], ["binary.csv", "binary"]),
    ("no_case_id.csv", [], ["no_case_id.csv", "case id", "--case-id"]),
    ("no_timestamp.csv", [], ["no_timestamp.csv", "timestamps", "--timestamp"]),
    ("bad_timestamps.csv", [], ["bad_timestamps.csv", "column 'Timestamp'", "every timestamp is unparseable"]),
    ("malformed.xes", [], ["malformed.xes", "line"]),
    ("good.csv", ["--case-id", "Ticket"], ["good.csv", "unknown column 'Ticket'", "--case-id", "'Case ID'"]),
]


@pytest.mark.parametrize(("name", "extra", "words"), REFUSED, ids=[r[0] + "".join(r[1]) for r in REFUSED])
def test_refused_with_exit_2_one_line_and_unchanged_warehouse(warehouse, capsys, name, extra, words):
    before = sha256(warehouse)
    code, out, err = run_cli(capsys, "ingest", str(BAD / name), "--log", "bad", "--db", str(warehouse), *extra)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("deskmine: error: ")
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert sha256(warehouse) == before
    assert not Path(str(warehouse) + ".wal").exists()
    assert Store(warehouse).log_names() == ["base"]


def test_refused_input_creates_no_warehouse(db_path, capsys):
    code, _, err = run_cli(capsys, "ingest", str(BAD / "empty.csv"), "--log", "x", "--db", str(db_path))
    assert code == 2 and "empty" in err
    assert not db_path.exists()


ACCEPTED = [
    # file, extra args, warning words, expected (cases, events)
    ("bom.csv", [], ["BOM"], (2, 4)),
    ("latin1.csv", [], ["Latin-1", "line 2"], (1, 2)),
    ("semicolon.csv", [], ["semicolon"], (2, 4)),
    ("tab.tsv", [], ["tab"], (2, 4)),
    ("duplicate_columns.csv", [], ["'category' -> 'category_2'"], (1, 2)),
    ("zoneless.csv", [], ["without a time zone", "read as UTC"], (2, 4)),
    ("zoneless.csv", ["--timezone", "Europe/Rome"], ["read as Europe/Rome"], (2, 4)),
    ("mixed_offsets.csv", [], ["mixed UTC offsets", "converted to UTC"], (2, 4)),
]


@pytest.mark.parametrize(("name", "extra", "words", "size"), ACCEPTED, ids=[a[0] + "".join(a[1]) for a in ACCEPTED])
def test_accepted_with_a_warning_in_the_summary(db_path, capsys, name, extra, words, size):
    code, out, err = run_cli(capsys, "ingest", str(BAD / name), "--log", "ok", "--db", str(db_path),
                             "--format", "json", *extra)
    assert code == 0, err
    report = json.loads(out)
    text = " ".join(report["warnings"])
    for word in words:
        assert word in text, (word, report["warnings"])
    assert (report["n_cases"], report["n_events"]) == size
    assert report["rows_rejected"] == 0


def test_latin1_text_is_decoded(db_path):
    assert main(["ingest", str(BAD / "latin1.csv"), "--log", "fr", "--db", str(db_path), "--quiet"]) == 0
    rows = Store(db_path).query("store/rejects", {"log": "fr", "limit": 10})
    assert rows.empty
    events = _events(db_path, "fr")
    assert events["resource"].tolist() == ["Hélène", "Zoë"]
    assert events["activity"].tolist() == ["Ouverture", "Clôture"]


def test_zoneless_timestamps_use_the_given_zone(db_path):
    assert main(["ingest", str(BAD / "zoneless.csv"), "--log", "rome", "--db", str(db_path),
                 "--timezone", "Europe/Rome", "--quiet"]) == 0
    first = _events(db_path, "rome")["timestamp"].iloc[0]
    assert first.isoformat() == "2024-03-01T08:00:00+00:00"  # 09:00 CET
    assert log_stats(Store(db_path).log("rome"))["source_timezone"] == "Europe/Rome"


def test_mixed_offsets_are_converted_to_utc(db_path):
    assert main(["ingest", str(BAD / "mixed_offsets.csv"), "--log", "mix", "--db", str(db_path), "--quiet"]) == 0
    got = [t.isoformat() for t in _events(db_path, "mix")["timestamp"]]
    assert got == ["2024-03-01T08:00:00+00:00", "2024-06-01T07:00:00+00:00",
                   "2024-03-02T08:00:00+00:00", "2024-03-02T14:00:00+00:00"]


def test_duplicate_column_kept_as_renamed_attribute(db_path):
    assert main(["ingest", str(BAD / "duplicate_columns.csv"), "--log", "dup", "--db", str(db_path), "--quiet"]) == 0
    cases = get_cases(Store(db_path).log("dup"))
    assert cases["category"].tolist() == ["billing"]
    assert dict(cases["attributes"].iloc[0]) == {"category_2": "refund"}


def test_row_with_too_many_fields_is_rejected_with_row_number(db_path):
    assert main(["ingest", str(BAD / "too_many_fields.csv"), "--log", "tm", "--db", str(db_path), "--quiet"]) == 0
    log = Store(db_path).log("tm")
    rejects = get_rejects(log)
    assert rejects[["source_row", "reason", "raw"]].to_dict(orient="records") == [
        {"source_row": 3, "reason": "row has 4 fields, the header has 3", "raw": "T1,Close,2024-03-01 10:00:00,surprise"},
    ]
    assert rejects["source_file"].iloc[0].endswith("too_many_fields.csv")
    stats = log_stats(log)
    assert (stats["events"], stats["rows_read"], stats["rows_rejected"]) == (3, 4, 1)


def test_bad_rows_among_good_ones_are_rejected_with_reasons(db_path):
    assert main(["ingest", str(BAD / "bad_rows.csv"), "--log", "br", "--db", str(db_path), "--quiet"]) == 0
    log = Store(db_path).log("br")
    rejects = get_rejects(log)
    assert rejects["source_row"].tolist() == [3, 4]
    assert rejects["column_name"].tolist() == ["Timestamp", "Case ID"]
    assert rejects["reason"].iloc[0].startswith("unparseable timestamp '31/31/2024 25:00' (column 'Timestamp'")
    assert rejects["reason"].iloc[1] == "empty case id (column 'Case ID')"
    assert json.loads(rejects["raw"].iloc[1]) == {"Case ID": "", "Activity": "Open", "Timestamp": "2024-03-02 09:00:00"}
    stats = log_stats(log)
    assert (stats["cases"], stats["events"], stats["rows_read"], stats["rows_rejected"]) == (2, 3, 5, 2)


def test_gzip_csv_reads_like_plain(db_path):
    assert main(["ingest", str(BAD / "good.csv.gz"), "--log", "gz", "--db", str(db_path), "--quiet"]) == 0
    assert main(["ingest", str(BAD / "good.csv"), "--log", "plain", "--db", str(db_path), "--quiet"]) == 0
    cols = ["case_id", "activity", "timestamp", "resource"]
    assert _events(db_path, "gz")[cols].equals(_events(db_path, "plain")[cols])


def test_xes_with_external_entity_never_reads_the_file(tmp_path, db_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4711")
    xes = tmp_path / "xxe.xes"
    xes.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY leak SYSTEM "file://{secret}">]>\n'
        '<log xes.version="1.0"><trace><string key="concept:name" value="c1"/>'
        '<event><string key="concept:name" value="&leak;"/>'
        '<date key="time:timestamp" value="2024-01-01T00:00:00+00:00"/></event></trace></log>\n'
    )
    code, out, err = run_cli(capsys, "ingest", str(xes), "--log", "xxe", "--db", str(db_path))
    assert code == 2
    assert "TOP-SECRET" not in out + err
    assert "xxe.xes" in err
    assert not db_path.exists()


def test_invalid_log_name_is_refused(db_path, capsys):
    code, _, err = run_cli(capsys, "ingest", str(BAD / "good.csv"), "--log", "My Log", "--db", str(db_path))
    assert code == 2 and "invalid log name 'My Log'" in err


def test_missing_file_is_refused(db_path, capsys, tmp_path):
    code, _, err = run_cli(capsys, "ingest", str(tmp_path / "nope.csv"), "--log", "x", "--db", str(db_path))
    assert code == 2 and "nope.csv: no such file" in err


def test_corpus_is_documented():
    documented = (BAD / "README.md").read_text()
    for path in BAD.iterdir():
        if path.name != "README.md":
            assert path.name.split(".")[0] in documented, path.name


def _events(db_path: Path, log: str):
    return get_events(Store(db_path).log(log))


