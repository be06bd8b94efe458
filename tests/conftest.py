"""Shared fixtures: warehouses in temporary files, the shared datasets, small CSV writers."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")

ROOT = Path(__file__).resolve().parent.parent
DATASETS = Path(os.environ.get("DESKMINE_DATASETS", ROOT.parent / "shared" / "datasets"))
TEST_DATA = Path(__file__).resolve().parent / "data"


def dataset(relative: str) -> Path:
    """A file of ../shared/datasets, or skip the test with a clear message."""
    path = DATASETS / relative
    if not path.is_file():
        pytest.skip(f"dataset {relative} not found under {DATASETS} (set DESKMINE_DATASETS to its folder)")
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Path of a fresh warehouse file (not created yet)."""
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def write_csv(tmp_path: Path):
    """Write text (or bytes) to a file in tmp_path and return its path."""

    def write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        data = content if isinstance(content, bytes) else content.encode(encoding)
        path.write_bytes(data)
        return path

    return write


def sha256(path: Path) -> str | None:
    """Digest of a file, or None when it does not exist (warehouse byte-identity checks)."""
    if not path.exists():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the shared datasets, ingested once per test session ------------------------------------------
DATASET_LOGS: dict[str, tuple[str, dict]] = {
    # log name: (file under ../shared/datasets, ingest options) -- all auto-mapped, no flags needed
    "helpdesk": ("helpdesk/helpdesk.csv.gz", {}),
    "helpdesk_xes": ("helpdesk/helpdesk.xes.gz", {}),
    "bpi2012": ("bpi2012/BPI_Challenge_2012.xes.gz", {}),
    "bpi2013": ("bpi2013-closed-problems/BPI_Challenge_2013_closed_problems.xes.gz", {}),
    "receipt": ("receipt/receipt.csv.gz", {}),
    "road_xes": ("road-traffic-fines-sample/roadtraffic100traces.xes", {}),
    "road_csv": ("road-traffic-fines-sample/roadtraffic100traces.csv", {}),
    "running_xes": ("running-example/running-example.xes", {}),
    "running_csv": ("running-example/running-example.csv", {}),
}


class DatasetWarehouse:
    """One warehouse file for the session; each dataset is ingested the first time a test asks for it."""

    def __init__(self, path: Path) -> None:
        from pipelines.store import Store

        self.store = Store(path)
        self._loaded: set[str] = set()

    def log(self, name: str):
        from pipelines.etl.loader import IngestOptions, ingest_log

        relative, options = DATASET_LOGS[name]
        if name not in self._loaded:
            ingest_log(dataset(relative), log=name, store=self.store, options=IngestOptions(**options))
            self._loaded.add(name)
        return self.store.log(name)


@pytest.fixture(scope="session")
def datasets_store(tmp_path_factory) -> DatasetWarehouse:
    """The logs of ../shared/datasets, ingested lazily once per session (skips when absent)."""
    if not DATASETS.is_dir():
        pytest.skip(f"../shared/datasets not found at {DATASETS} (set DESKMINE_DATASETS)")
    return DatasetWarehouse(tmp_path_factory.mktemp("datasets") / "datasets.duckdb")


# -- the committed sample pair (sample_logs/), ingested once per session ------------------------------
SAMPLE_DIR = ROOT / "sample_logs"


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory):
    """Warehouse with the sample logs ``before`` and ``after`` (read it; tests that write make their own)."""
    from pipelines.etl.loader import ingest_log
    from pipelines.store import Store

    store = Store(tmp_path_factory.mktemp("samples") / "samples.duckdb", read_only=False)
    for name in ("before", "after"):
        ingest_log(SAMPLE_DIR / f"{name}.csv.gz", log=name, store=store)
    return store


@pytest.fixture(scope="session")
def sample_policy():
    """``sample_logs/sla_policy.toml``, the policy the simulator's SLA truth is computed under."""
    from pipelines.mining.policy import read_policy

    return read_policy(SAMPLE_DIR / "sla_policy.toml")


@pytest.fixture(scope="session")
def helpdesk_log(datasets_store):
    """The helpdesk CSV log (../shared/datasets/helpdesk), ingested once per session."""
    return datasets_store.log("helpdesk")


@pytest.fixture(scope="session")
def bpi2012_log(datasets_store):
    """BPI Challenge 2012 (XES, lifecycle start/complete), ingested once per session."""
    return datasets_store.log("bpi2012")
