"""Read a CSV export (any common delimiter, quoted fields, gzip, UTF-8 with/without BOM, Latin-1).

Parsing is pyarrow's streaming CSV reader (about 1 M rows/s here), all columns as strings, so
nothing is converted before the mapping decides what each column means. Records whose field
count differs from the header's are not loaded: they become :class:`RawReject` with their row
number (header = row 1, as a spreadsheet shows it) and the raw text. Blank rows are skipped and
counted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipelines.etl.errors import IngestError
from pipelines.etl.sniff import detect_encoding, open_bytes, read_head
from pipelines.etl.sources import ROW, RawReject, RawSource

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
BLOCK_SIZE = 4 << 20
MAX_REPORTED_BLANK_ROWS = 5


def read_csv(path: str | Path, *, encoding: str | None = None, delimiter: str | None = None) -> RawSource:
    """Open a CSV file for streaming; see the module docstring for what is detected and reported.

    Parameters
    ----------
    encoding:
        Force a text encoding (any Python codec name); default: detected (UTF-8, else Latin-1).
    delimiter:
        Force the field delimiter; default: detected among comma, semicolon, tab and pipe.
    """
    path = Path(path)
    warnings: list[str] = []
    if encoding is None:
        encoding, enc_warnings = detect_encoding(path)
        warnings += enc_warnings
    head_text = read_head(path).decode(encoding, errors="replace")
    if encoding == "utf-8-sig" or head_text.startswith("\ufeff"):
        head_text = head_text.lstrip("\ufeff")
    if delimiter is None:
        delimiter = sniff_delimiter(head_text)
        if delimiter != ",":
            warnings.append(f"delimiter detected: {DELIMITER_NAMES[delimiter]} ({delimiter!r})")
    header = _parse_header(head_text, delimiter, path)
    columns, renamed = unique_column_names(header)
    if renamed:
        warnings.append("duplicate or empty column names renamed: " + ", ".join(f"{a!r} -> {b!r}" for a, b in renamed))
    source = RawSource(
        path=path, format="csv", columns=columns, batches=iter(()), warnings=warnings,
        case_columns={c for c in columns if c.startswith("case:")}, bytes_total=path.stat().st_size,
    )
    source.batches = _batches(path, source, encoding, delimiter)
    return source


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most, equally many, fields.

    >>> sniff_delimiter("a;b;c\\n1;2;3\\n")
    ';'
    >>> sniff_delimiter("a,b\\n1,2\\n")
    ','
    """
    lines = text.splitlines()[:50]
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut the last line
    best, best_score = ",", (-1, -1)
    for cand in DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=cand)]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(1 for c in counts if c == counts[0])
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = cand, score
    return best


def _parse_header(text: str, delimiter: str, path: Path) -> list[str]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise IngestError("the file has no header row", file=path) from None
    except csv.Error as exc:
        raise IngestError(f"cannot parse the header row: {exc}", file=path, row=1) from exc
    if len(header) < 2:
        raise IngestError(
            f"the header has only one column ({header[0][:40]!r}) with any of the delimiters , ; tab |",
            file=path, row=1, hint="an event log needs at least case id, activity and timestamp columns",
        )
    try:
        next(reader)
    except StopIteration:
        raise IngestError("the file has a header but no data rows", file=path, hint="export the log with its events") from None
    except csv.Error:
        pass  # a broken data row is the loader's business, row by row
    return [h.strip() for h in header]


def unique_column_names(names: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Make names unique (``category``, ``category_2``...) and non-empty (``column_4``).

    >>> unique_column_names(["a", "b", "a", ""])
    (['a', 'b', 'a_2', 'column_4'], [('a', 'a_2'), ('', 'column_4')])
    """
    out: list[str] = []
    renamed: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i, name in enumerate(names):
        new = name or f"column_{i + 1}"
        if new in seen:
            k = 2
            while f"{name}_{k}" in seen or f"{name}_{k}" in names:
                k += 1
            new = f"{name}_{k}"
        if new != name:
            renamed.append((name, new))
        seen.add(new)
        out.append(new)
    return out, renamed


def _batches(path: Path, source: RawSource, encoding: str, delimiter: str) -> Iterator[pa.RecordBatch]:
    bad_rows: list[int] = []

    def on_invalid(row) -> str:
        source.rejects.append(
            RawReject(row=row.number, raw=row.text,
                      reason=f"row has {row.actual_columns} fields, the header has {row.expected_columns}")
        )
        bad_rows.append(row.number)
        return "skip"

    opened = open_bytes(path)
    reader = pacsv.open_csv(
        opened.stream,
        read_options=pacsv.ReadOptions(
            use_threads=False, column_names=source.columns, skip_rows=1, block_size=BLOCK_SIZE,
            encoding="utf8" if encoding in ("utf-8", "utf-8-sig") else encoding,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=on_invalid,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in source.columns},
            strings_can_be_null=False, quoted_strings_can_be_null=False,
        ),
    )
    last_row = 1  # the header
    try:
        for batch in reader:
            rows = _row_numbers(batch.num_rows, last_row, bad_rows)
            if len(rows):
                last_row = int(rows[-1])
            source.bytes_read = opened.counter.count
            batch = _drop_blank_rows(batch, rows, source)
            if batch.num_rows:
                yield batch
    except pa.ArrowInvalid as exc:
        raise IngestError(f"cannot parse the CSV after row {last_row}: {exc}", file=path, row=last_row + 1,
                          hint="check quoting around that row") from exc
    finally:
        source.bytes_read = source.bytes_total
        opened.close()


def _row_numbers(n: int, last_row: int, bad_rows: list[int]) -> np.ndarray:
    """Row numbers of the next ``n`` good records after ``last_row``, skipping reported bad rows.

    Bad row j (sorted, after ``last_row``) sits before good record v when
    ``bad_j - last_row - 1 - j <= v``; so good record v is row ``last_row + 1 + v + #such j``.
    """
    bad = np.array(sorted(b for b in bad_rows if b > last_row), dtype=np.int64)
    v = np.arange(n, dtype=np.int64)
    if not len(bad):
        return last_row + 1 + v
    offsets = bad - last_row - 1 - np.arange(len(bad), dtype=np.int64)
    return last_row + 1 + v + np.searchsorted(offsets, v, side="right")


def _drop_blank_rows(batch: pa.RecordBatch, rows: np.ndarray, source: RawSource) -> pa.RecordBatch:
    blank = None
    for col in batch.columns:
        empty = pc.equal(pc.utf8_length(col), 0)
        blank = empty if blank is None else pc.and_(blank, empty)
    blank_np = blank.to_numpy(zero_copy_only=False)
    n_blank = int(blank_np.sum())
    if n_blank:
        first = rows[blank_np][: MAX_REPORTED_BLANK_ROWS]
        if source.blank_rows < MAX_REPORTED_BLANK_ROWS:
            source.warnings.append("blank row(s) skipped at row " + ", ".join(str(r) for r in first))
        source.blank_rows += n_blank
    keep = ~blank_np
    out = pa.RecordBatch.from_arrays(
        [pa.array(rows[keep], pa.int64())] + [c.filter(pa.array(keep)) for c in batch.columns],
        names=[ROW] + batch.schema.names,
    )
    return out
