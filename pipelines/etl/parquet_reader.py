"""Read a Parquet table in batches, keeping its column types (timestamps stay timestamps)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.etl.csv_reader import unique_column_names
from pipelines.etl.errors import IngestError
from pipelines.etl.sources import ROW, RawSource

BATCH_ROWS = 200_000


def read_parquet(path: str | Path) -> RawSource:
    """Open a Parquet file for streaming; ``__row`` is the 1-based row index in the file."""
    path = Path(path)
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise IngestError(f"not a readable Parquet file: {exc}", file=path, hint="write it again, or export CSV") from exc
    names = pf.schema_arrow.names
    columns, renamed = unique_column_names(names)
    warnings = []
    if renamed:
        warnings.append("duplicate or empty column names renamed: " + ", ".join(f"{a!r} -> {b!r}" for a, b in renamed))
    if pf.metadata.num_rows == 0:
        raise IngestError("the Parquet file has no rows", file=path)
    source = RawSource(
        path=path, format="parquet", columns=columns, batches=iter(()), warnings=warnings,
        case_columns={c for c in columns if c.startswith("case:")}, bytes_total=path.stat().st_size,
    )
    source.batches = _batches(pf, source)
    return source


def _batches(pf: pq.ParquetFile, source: RawSource) -> Iterator[pa.RecordBatch]:
    start = 1
    done_groups = 0
    for batch in pf.iter_batches(batch_size=BATCH_ROWS):
        n = batch.num_rows
        rows = pa.array(range(start, start + n), pa.int64())
        start += n
        arrays = [rows] + [_plain(col) for col in batch.columns]
        yield pa.RecordBatch.from_arrays(arrays, names=[ROW] + source.columns)
        done_groups += n
        source.bytes_read = int(source.bytes_total * done_groups / max(pf.metadata.num_rows, 1))
    source.bytes_read = source.bytes_total


def _plain(col: pa.Array) -> pa.Array:
    """Dictionary-encoded columns decoded; everything else as stored."""
    if pa.types.is_dictionary(col.type):
        return col.dictionary_decode()
    return col
