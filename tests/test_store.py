"""The Store: its cached list of logs follows every write, in this process and in another one; a
session's staged tables are its own."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from pipelines.etl.loader import ingest_log
from pipelines.store import Store

ROOT = Path(__file__).resolve().parent.parent
GOOD_CSV = ROOT / "tests" / "data" / "bad" / "good.csv"


def test_logs_follow_writes_of_this_store_and_of_another_process(db_path):
    with closing(Store(db_path, read_only=False)) as store:
        ingest_log(GOOD_CSV, log="first", store=store)
        assert store.log_names() == ["first"]
        listed = store.logs()
        listed.loc[:, "log"] = "changed"  # a caller's copy: the cache is not touched
        assert store.log_names() == ["first"]
        ingest_log(GOOD_CSV, log="second", store=store)
        assert store.log_names() == ["first", "second"]
    reader = Store(db_path)
    try:
        assert reader.log_names() == ["first", "second"]
        reader.release()  # let the other process take the write lock
        subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(GOOD_CSV), "--log", "third",
                        "--db", str(db_path)], cwd=ROOT, check=True, capture_output=True)
        assert reader.log_names() == ["first", "second", "third"]
    finally:
        reader.close()


def test_a_session_stages_a_relation_once_for_its_own_statements_only(db_path):
    with closing(Store(db_path, read_only=False)) as store:
        ingest_log(GOOD_CSV, log="good", store=store)
    store = Store(db_path)  # read-only, as the app opens it: temporary tables still work
    relation = "select case_id, count(*) as n from events where log = $log group by case_id"
    try:
        direct = store.query("store/staged", {"log": "good"}, table=relation.join("()"))
        with store.session() as session:
            staged = session.stage("per_case", relation, {"log": "good", "unused": 1})
            assert staged.strip().endswith('select * from "per_case"')
            got = session.query("store/staged", table='"per_case"').sort_values("case_id")
        assert got.reset_index(drop=True).equals(direct.sort_values("case_id").reset_index(drop=True))
        assert len(got) > 1

        def other_session(log: str) -> list:
            with store.session() as session:
                session.stage("per_case", relation, {"log": log})
                return session.query("store/staged", table='"per_case"')["n"].tolist()

        with ThreadPoolExecutor(max_workers=2) as pool:  # same table name, one per session
            mine, empty = pool.map(other_session, ["good", "no such log"])
        assert sorted(mine) == sorted(direct["n"].tolist()) and empty == []
        with store.session() as session, pytest.raises(duckdb.CatalogException, match="per_case"):
            session.query("store/staged", table='"per_case"')  # gone with its session's cursor
    finally:
        store.close()
