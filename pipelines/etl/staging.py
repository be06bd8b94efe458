"""A private, temporary DuckDB database where an ingest is prepared before it touches the warehouse.

Everything an ingest computes (raw rows, parsed rows, rejects, ordered events, cases, variants,
quality) is built here; the warehouse only sees the final copy in one transaction. A refused file
therefore never changes the warehouse, and the warehouse's write lock is held for the copy only.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from pipelines.etl.sources import ROW
from pipelines.store import bind_params, quote_ident, quote_literal, render, sql_text

FILE = "__file"
MEMORY_ENV = "DESKMINE_INGEST_MEMORY"


def memory_limit() -> str:
    """DuckDB memory limit of an ingest: ``$DESKMINE_INGEST_MEMORY`` or a quarter of the RAM, 1-4 GB."""
    if os.environ.get(MEMORY_ENV):
        return os.environ[MEMORY_ENV]
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return "2GB"
    return f"{max(1, min(4, total // 4 // 2**30))}GB"
TRANSFORM_BATCH_ROWS = 250_000


class Staging:
    """A temporary DuckDB file (deleted on :meth:`close`)."""

    def __init__(self, temp_dir: str | None = None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="deskmine-ingest-", dir=temp_dir))
        self.path = self.dir / "staging.duckdb"
        self.con = duckdb.connect(str(self.path), config={"autoinstall_known_extensions": False})
        self.con.execute("set TimeZone = 'UTC'")
        self.con.execute(f"set temp_directory = {quote_literal(str(self.dir / 'tmp'))}")
        # bounded, spilling to the staging folder beyond it (DuckDB's default is 80% of the RAM)
        self.con.execute(f"set memory_limit = {quote_literal(memory_limit())}")
        self.columns: list[str] = []
        self._raw_types: dict[str, pa.DataType] = {}
        self.run("ingest/create_files")

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run(self, name: str, params: dict | None = None, **fragments: str) -> duckdb.DuckDBPyConnection:
        text = render(name, **fragments) if fragments else sql_text(name)
        return self.con.execute(text, bind_params(text, params))

    # -- raw rows --------------------------------------------------------------------------
    def add_file(self, idx: int, path: str) -> None:
        self.run("ingest/insert_file", {"idx": idx, "path": path})

    def add_raw_batch(self, file_index: int, batch: pa.RecordBatch) -> None:
        """Append a reader batch to ``raw`` (columns new to this batch are added first)."""
        names = [n for n in batch.schema.names if n != ROW]
        new = [n for n in names if n not in self._raw_types]
        if not self._raw_types:
            cols = "".join(f", {quote_ident(n)} {_duck_type(batch.schema.field(n).type)}" for n in new)
            self.con.execute(f"create table raw ({FILE} integer, {ROW} bigint{cols})")
        else:
            for n in new:
                self.con.execute(f"alter table raw add column {quote_ident(n)} {_duck_type(batch.schema.field(n).type)}")
        for n in new:
            self._raw_types[n] = batch.schema.field(n).type
            self.columns.append(n)
        table = pa.Table.from_batches([batch])
        table = table.append_column(FILE, pa.array([file_index] * batch.num_rows, pa.int32()))
        self.con.register("_batch", table)
        try:
            self.run("ingest/insert_raw_batch")
        finally:
            self.con.unregister("_batch")

    def raw_rows(self) -> int:
        if not self._raw_types:
            return 0
        return self.run("ingest/count_raw").fetchone()[0]

    def profile(self) -> tuple[int, dict[str, tuple[int, int]]]:
        """Rows, and per column (non-empty values, approximate distinct values)."""
        aggs = []
        for i, c in enumerate(self.columns):
            q = quote_ident(c)
            text = f"nullif(trim(cast({q} as varchar)), '')"
            aggs.append(f"count({text}) as n{i}, approx_count_distinct({text}) as d{i}")
        row = self.run("ingest/raw_profile", aggregates=", ".join(aggs) or "0").fetchone()
        rows = row[0]
        out = {c: (int(row[1 + 2 * i]), int(row[2 + 2 * i])) for i, c in enumerate(self.columns)}
        return rows, out

    def sample(self, n: int) -> pd.DataFrame:
        return self.run("ingest/raw_sample", {"n": n}).df()

    def distinct_sample(self, column: str) -> pd.Series:
        return self.run("ingest/raw_distinct_sample", column=quote_ident(column)).df()["v"]

    def date_fields_max(self, column: str) -> tuple[int | None, int | None]:
        return tuple(self.run("ingest/date_fields_max", column=quote_ident(column)).fetchone())  # type: ignore[return-value]

    def raw_batches(self) -> Iterator[pd.DataFrame]:
        reader = self.con.cursor().sql(sql_text("ingest/raw_batches")).to_arrow_reader(TRANSFORM_BATCH_ROWS)
        for batch in reader:
            yield batch.to_pandas()

    def raw_type(self, column: str) -> pa.DataType | None:
        return self._raw_types.get(column)

    # -- parsed rows -----------------------------------------------------------------------
    def add_parsed(self, frame: pd.DataFrame) -> None:
        # DuckDB scans Arrow much faster than a pandas frame of Python-backed strings
        self.con.register("_parsed", pa.Table.from_pandas(frame, preserve_index=False))
        try:
            self.run("ingest/insert_parsed")
        finally:
            self.con.unregister("_parsed")


def _duck_type(t: pa.DataType) -> str:
    """DuckDB column type for a raw Arrow column (strings stay VARCHAR; Parquet keeps types)."""
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t):
        return "varchar"
    if pa.types.is_timestamp(t):
        return "timestamptz" if t.tz else "timestamp"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_integer(t):
        return "bigint"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "double"
    return "varchar"
