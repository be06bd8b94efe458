"""The bundled sample logs (``sample_logs/``): what ``make run`` loads on first start.

Besides the logs, the samples come with their SLA policy (``sample_logs/sla_policy.toml``): it is
copied into the policy folder beside the warehouse (``<db dir>/policies/``, where the app looks for
policies) so the SLA numbers show out of the box. A policy file already there is never replaced.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.etl.loader import IngestOptions, IngestReport, ingest_log
from pipelines.store import MEMORY, Store

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_logs"
SUFFIXES = (".csv.gz", ".csv", ".xes.gz", ".xes", ".parquet")
SAMPLE_POLICY = "sla_policy.toml"
POLICY_DIR = "policies"
"""The folder beside the warehouse file that holds SLA policies (``*.toml``)."""


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


def policy_dir(db_path: str | Path) -> Path:
    """The policy folder of the warehouse at ``db_path``: ``<db dir>/policies``."""
    return Path(db_path).resolve().parent / POLICY_DIR


def install_sample_policy(db_path: str | Path, folder: Path | None = None) -> Path | None:
    """Copy the samples' SLA policy into ``policy_dir(db_path)`` unless a file of that name is there.

    Returns the path written, or None when nothing was copied (no sample policy, an in-memory
    warehouse, or the user's file already there: it is never overwritten).
    """
    source = (folder or SAMPLE_DIR) / SAMPLE_POLICY
    if str(db_path) == MEMORY or not source.is_file():
        return None
    target = policy_dir(db_path) / SAMPLE_POLICY
    if target.exists():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "xb") as f:  # exclusive create: a file that appeared meanwhile is kept
            f.write(source.read_bytes())
    except FileExistsError:
        return None
    return target


def load_sample_logs(store: Store, folder: Path | None = None) -> list[IngestReport]:
    """Ingest every sample log not yet in ``store`` (unchanged ones are reported as such), and
    install the sample SLA policy beside the warehouse (see :func:`install_sample_policy`)."""
    reports = []
    for log, path in sample_log_files(folder).items():
        mode = "replace" if log in store.log_names() else "create"
        reports.append(ingest_log(path, log=log, store=store, mode=mode, options=IngestOptions()))
    if not store.in_memory:
        install_sample_policy(store.path, folder)
    return reports
