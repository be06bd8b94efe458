"""What every reader returns: the rows of one source file, as Arrow batches, plus what it saw.

Readers (``csv_reader``, ``xes_reader``, ``parquet_reader``) do the file I/O and nothing else:
no mapping, no type conversion beyond what the format itself defines. Everything after them is
format-independent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyarrow as pa

ROW: str = "__row"
"""Name of the int64 column every batch carries: the source row of the record.

CSV: the row number a spreadsheet shows (header = row 1, first data row = row 2).
XES: the event's 1-based position in the file. Parquet: the 1-based row index.
"""

SourceFormat = Literal["csv", "xes", "parquet"]


@dataclass(frozen=True)
class RawReject:
    """A source record the reader itself could not turn into a row (e.g. too many fields)."""

    row: int | None
    raw: str
    reason: str


@dataclass
class RawSource:
    """One opened source file.

    Attributes
    ----------
    path, format:
        The file and its detected format.
    columns:
        Unique column names in source order as far as known when opened (XES readers may
        discover more while streaming: batches can carry columns not listed here).
    case_columns:
        Columns known to hold case-level attributes (XES trace attributes, written
        ``case:<key>`` like pm4py does; CSV/Parquet columns named ``case:...``).
    batches:
        Iterator of ``pyarrow.RecordBatch``: column ``__row`` (int64) plus data columns. CSV and
        XES values are strings (``None`` for absent values); Parquet keeps its own types.
    warnings:
        Things the user must be told (encoding fallback, renamed duplicate columns...);
        readers may append while batches are consumed.
    rejects:
        Records the reader dropped, with row and reason; appended while batches are consumed.
    bytes_total / bytes_read:
        Size of the (possibly compressed) file and how much has been consumed, for progress.
    """

    path: Path
    format: SourceFormat
    columns: list[str]
    batches: Iterator[pa.RecordBatch]
    case_columns: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    rejects: list[RawReject] = field(default_factory=list)
    bytes_total: int = 0
    bytes_read: int = 0
    blank_rows: int = 0
