"""The Store's cached list of logs follows every write, in this process and in another one."""

from __future__ import annotations

import subprocess
import sys
from contextlib import closing
from pathlib import Path

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
