"""The DuckDB warehouse gateway: the only module that opens the warehouse file.

One :class:`Store` per warehouse file holds one DuckDB connection and hands out a cursor per use
(DuckDB refuses concurrent calls on one connection; cursors are safe across threads). Reading is
the default: the app and notebooks open the file read-only, so an ingest in another process can
take the write lock between their queries (see :meth:`Store.release`). Writing goes through
:meth:`Store.write`, one transaction that either commits whole or leaves the file as it was.

Every SQL statement lives in ``pipelines/sql/**.sql`` and is loaded with :func:`sql_text`; values
are bound as ``$name`` parameters, never formatted into the text. The only text spliced into SQL
are fragments deskmine itself owns (compiled filters) and identifiers passed through
:func:`quote_ident`.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipelines import schema

SQL_DIR = Path(__file__).parent / "sql"
DEFAULT_DB = Path("data") / "deskmine.duckdb"
DB_ENV = "DESKMINE_DB"
MEMORY = ":memory:"


class WarehouseError(RuntimeError):
    """The warehouse cannot be used as asked (missing, locked, newer schema, unknown log)."""


_TOKENS = itertools.count(1)


def resolve_db_path(path: str | os.PathLike[str] | None = None) -> str:
    """The warehouse path: ``path`` if given, else ``$DESKMINE_DB``, else ``data/deskmine.duckdb``."""
    if path is not None and str(path) != "":
        return str(path)
    return os.environ.get(DB_ENV) or str(DEFAULT_DB)


@functools.cache
def sql_text(name: str) -> str:
    """The text of ``pipelines/sql/<name>.sql`` (cached). ``name`` may contain ``/``."""
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no SQL statement {name!r} (looked for {path})")
    return path.read_text(encoding="utf-8")


_IDENT_OK = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def quote_ident(name: str) -> str:
    """Quote ``name`` as a DuckDB identifier (the one place identifiers enter SQL text).

    >>> quote_ident("team")
    '"team"'
    >>> quote_ident('we"ird')
    '"we""ird"'
    """
    if "\x00" in name:
        raise ValueError("identifier contains a NUL character")
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """Quote ``value`` as a SQL string literal, for the few statements that take no parameters
    (``ATTACH``) and for keys of struct literals.

    >>> quote_literal("it's")
    "'it''s'"
    """
    if "\x00" in value:
        raise ValueError("literal contains a NUL character")
    return "'" + value.replace("'", "''") + "'"


def render(name: str, **fragments: str) -> str:
    """``sql_text(name)`` with its ``{{fragment}}`` markers replaced by deskmine-owned SQL.

    Fragments are SQL that deskmine composes itself (e.g. a compiled filter predicate with
    ``$parameters``); user values never go through here.
    """
    text = sql_text(name)
    for key, value in fragments.items():
        text = text.replace("{{" + key + "}}", value)  # statements use only the fragments they need
    if "{{" in text:
        missing = re.findall(r"\{\{(\w+)\}\}", text)
        raise KeyError(f"SQL {name!r} needs fragments {missing}")
    return text


def bind_params(text: str, params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Only the parameters the statement uses (DuckDB rejects unused named parameters)."""
    if not params:
        return None
    used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", text))
    return {k: v for k, v in params.items() if k in used}


class Store:
    """A deskmine warehouse (one DuckDB file, or ``":memory:"``).

    Parameters
    ----------
    path:
        Warehouse file; ``None`` means ``$DESKMINE_DB`` or ``data/deskmine.duckdb``.
    read_only:
        Open the file read-only (default). Writes still work through :meth:`write`, which
        closes the read connection, takes the write lock for one transaction, and releases it.
    lock_timeout_s:
        How long to keep retrying while another process holds the file's write lock.

    Example
    -------
    >>> store = Store(":memory:")
    >>> store.logs().empty
    True
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        read_only: bool = True,
        lock_timeout_s: float = 60.0,
    ) -> None:
        self.path = resolve_db_path(path)
        self.token = next(_TOKENS)  # identity for cache keys, never reused (unlike id())
        self.in_memory = self.path == MEMORY
        self.read_only = read_only and not self.in_memory
        self.lock_timeout_s = lock_timeout_s
        self._con: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.RLock()
        self._active = 0
        self._logs_cache: tuple[tuple, pd.DataFrame] | None = None
        if self.in_memory:
            self._con = _connect(self.path, read_only=False)
            _ensure_schema(self._con)

    # -- connections ---------------------------------------------------------------------
    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"Store({self.path!r}, {mode})"

    def exists(self) -> bool:
        """Whether the warehouse file exists (an in-memory store always does)."""
        return self.in_memory or Path(self.path).is_file()

    def _connection(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._con is None:
                if not Path(self.path).is_file():
                    if self.read_only:
                        raise WarehouseError(
                            f"no warehouse at {self.path}: ingest a log first "
                            "(deskmine ingest FILE --log NAME) or pass --db"
                        )
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                con = self._open_with_retry(read_only=self.read_only)
                if self.read_only:
                    _check_schema(con, self.path)
                else:
                    _ensure_schema(con)
                self._con = con
            return self._con

    def _open_with_retry(self, *, read_only: bool) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.lock_timeout_s
        delay = 0.05
        while True:
            try:
                return _connect(self.path, read_only=read_only)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise WarehouseError(
                        f"cannot open {self.path}: another process holds it "
                        f"(an ingest or a read-write session?); tried for {self.lock_timeout_s:.0f} s"
                    ) from exc
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of the shared connection for one use (thread-safe)."""
        with self._lock:
            con = self._connection()
            cur = con.cursor()
            self._active += 1
        try:
            yield cur
        finally:
            cur.close()
            with self._lock:
                self._active -= 1

    def release(self) -> None:
        """Close the connection when no cursor is in use, so other processes can write.

        The next query reopens it. Long-lived readers (the app) call this when idle.
        """
        with self._lock:
            if self._con is not None and not self.in_memory and self._active == 0:
                self._con.close()
                self._con = None

    def close(self) -> None:
        """Close the connection (an in-memory store loses its data)."""
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    @contextmanager
    def write(self, *, staging: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction: commits when the block ends, rolls back on any exception.

        For a file warehouse the read connection is closed first and a read-write connection is
        held only for the block, so readers in other processes are blocked as briefly as possible.
        ``staging``: a DuckDB file attached read-only as ``stg`` for the block (an ingest's staging).
        """
        with self._lock:
            if self.in_memory:
                con = self._connection()
                own = False
            else:
                if self._active:
                    raise WarehouseError("cannot write while a cursor of this store is open")
                self.close()
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                con = self._open_with_retry(read_only=False)
                _ensure_schema(con)
                own = True
            try:
                if staging is not None:
                    con.execute(render("store/attach_staging", path=quote_literal(staging)))
                try:
                    con.execute("begin transaction")
                    try:
                        yield con
                        _bump_generation(con)
                        con.execute("commit")
                    except BaseException:
                        con.execute("rollback")
                        raise
                finally:
                    if staging is not None:
                        con.execute(sql_text("store/detach_staging"))
            finally:
                if own:
                    con.close()

    # -- queries -------------------------------------------------------------------------
    def query(self, name: str, params: Mapping[str, Any] | None = None, **fragments: str) -> pd.DataFrame:
        """Run ``pipelines/sql/<name>.sql`` (with fragments) and return a DataFrame."""
        with self.session() as session:
            return session.query(name, params, **fragments)

    def query_rows(self, name: str, params: Mapping[str, Any] | None = None, **fragments: str) -> list[tuple]:
        """Like :meth:`query` but returns plain tuples (cheap for tiny results)."""
        text = render(name, **fragments) if fragments else sql_text(name)
        with self.cursor() as cur:
            return cur.execute(text, bind_params(text, params)).fetchall()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One cursor for several statements that share temporary tables: a relation that several
        queries read (:meth:`Session.stage`) is computed once. The tables vanish with the cursor."""
        with self.cursor() as cur:
            yield Session(cur)

    def generation(self) -> int:
        """A counter that changes whenever the warehouse changes (for cache keys)."""
        if not self.exists():
            return 0
        rows = self.query_rows("store/generation")
        return int(rows[0][0]) if rows else 0

    def logs(self) -> pd.DataFrame:
        """The logs in the warehouse, one row each, with their stats (see ``logs`` DDL)."""
        if not self.exists():
            return self._empty_logs()
        key = (self.generation(), None if self.in_memory else _file_signature(self.path))
        cached = self._logs_cache
        if cached is None or cached[0] != key:  # every filter and log handle reads it: once per write
            cached = self._logs_cache = (key, self.query("store/logs"))
        return cached[1].copy()

    def _empty_logs(self) -> pd.DataFrame:
        con = _connect(MEMORY, read_only=False)
        try:
            _ensure_schema(con)
            return con.execute(sql_text("store/logs")).df()
        finally:
            con.close()

    def log_names(self) -> list[str]:
        """Names of the logs in the warehouse, sorted."""
        return sorted(self.logs()[schema.LOG].tolist())

    def log(self, name: str):
        """A handle on one log for the mining API (:class:`pipelines.log.Log`)."""
        from pipelines.log import Log

        if not self.exists():
            raise WarehouseError(f"no warehouse at {self.path}: ingest a log first (deskmine ingest FILE --log NAME)")
        if name not in self.log_names():
            known = ", ".join(self.log_names()) or "none yet"
            raise WarehouseError(f"no log {name!r} in {self.path} (logs: {known})")
        return Log(self, name)


class Session:
    """Statements on one cursor (see :meth:`Store.session`)."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection) -> None:
        self._cur = cursor

    def stage(self, table: str, relation: str, params: Mapping[str, Any] | None = None) -> str:
        """Materialise ``relation`` (deskmine-owned SQL, e.g. a rendered fragment) as the temporary
        table ``table``; returns a fragment that reads it (``select * from "table"``)."""
        text = render("store/stage", table=quote_ident(table), relation=relation)
        self._cur.execute(text, bind_params(text, params))
        return render("store/staged", table=quote_ident(table))

    def query(self, name: str, params: Mapping[str, Any] | None = None, **fragments: str) -> pd.DataFrame:
        """Like :meth:`Store.query`, on this session's cursor (its staged tables in reach)."""
        text = render(name, **fragments) if fragments else sql_text(name)
        return self._cur.execute(text, bind_params(text, params)).df()


def _connect(path: str, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        path,
        read_only=read_only,
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": True},
    )
    con.execute("set TimeZone = 'UTC'")
    return con


def _ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables if missing and record the schema version (idempotent)."""
    for path in sorted((SQL_DIR / "schema").glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))
    version = _schema_version(con)
    if version is None:
        con.execute(sql_text("store/set_meta"), {"key": "schema_version", "value": str(schema.SCHEMA_VERSION)})
        con.execute(sql_text("store/set_meta"), {"key": "generation", "value": "0"})
    elif version > schema.SCHEMA_VERSION:
        raise WarehouseError(
            f"warehouse schema version {version} is newer than this deskmine ({schema.SCHEMA_VERSION}); upgrade deskmine"
        )


def _schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    rows = con.execute(sql_text("store/get_meta"), {"key": "schema_version"}).fetchall()
    return int(rows[0][0]) if rows else None


def _check_schema(con: duckdb.DuckDBPyConnection, path: str) -> None:
    try:
        version = _schema_version(con)
    except duckdb.CatalogException as exc:
        raise WarehouseError(f"{path} is not a deskmine warehouse (no meta table)") from exc
    if version is None or version > schema.SCHEMA_VERSION:
        raise WarehouseError(
            f"{path} has schema version {version}; this deskmine reads version {schema.SCHEMA_VERSION}"
        )


def _bump_generation(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(sql_text("store/bump_generation"))


def _file_signature(path: str) -> tuple[int, int, int]:
    """(inode, size, mtime) of the warehouse file: a file replaced by another one reads as changed."""
    st = os.stat(path)
    return st.st_ino, st.st_size, st.st_mtime_ns
