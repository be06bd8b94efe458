"""The bundled sample logs (``sample_logs/``): what ``make run`` loads on first start."""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.etl.loader import IngestOptions, IngestReport, ingest_log
from pipelines.store import Store

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_logs"
SUFFIXES = (".csv.gz", ".csv", ".xes.gz", ".xes", ".parquet")


def sample_log_files(folder: Path | None = None) -> dict[str, Path]:
    """Log name -> file for every event log in ``folder`` (truth tables and docs excluded)."""
    folder = folder or SAMPLE_DIR
    out = {}
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        name = path.name
        suffix = next((s for s in SUFFIXES if name.endswith(s)), None)
        if suffix is None or "truth" in name:
            continue
        log = re.sub(r"[^a-z0-9_]", "_", name[: -len(suffix)].lower())
        out[log] = path
    return out


def load_sample_logs(store: Store, folder: Path | None = None) -> list[IngestReport]:
    """Ingest every sample log not yet in ``store`` (unchanged ones are reported as such)."""
    reports = []
    for log, path in sample_log_files(folder).items():
        mode = "replace" if log in store.log_names() else "create"
        reports.append(ingest_log(path, log=log, store=store, mode=mode, options=IngestOptions()))
    return reports
