"""The app's only data gateway: one read-only Store, results cached per warehouse generation.

Callbacks call functions here, never the Store or SQL directly. Every cached result is keyed by
the warehouse's generation counter, so an ingest (in this process or another) is picked up on the
next request.
"""

from __future__ import annotations

import functools
import threading

import pandas as pd

from pipelines.stats import get_quality, get_rejects, log_stats
from pipelines.store import Store

_lock = threading.Lock()
_store: Store | None = None


def configure(db_path: str | None) -> Store:
    """Point the gateway at a warehouse (called by ``create_app``)."""
    global _store
    with _lock:
        if _store is not None:
            _store.close()
        _store = Store(db_path, read_only=True)
        _cached.cache_clear()
    return _store


def store() -> Store:
    if _store is None:
        return configure(None)
    return _store


def generation() -> int:
    return store().generation()


@functools.lru_cache(maxsize=256)
def _cached(kind: str, gen: int, *args):
    s = store()
    if kind == "logs":
        return s.logs()
    log = s.log(args[0])
    if kind == "stats":
        return log_stats(log)
    if kind == "quality":
        return get_quality(log)
    if kind == "rejects":
        return get_rejects(log, limit=args[1])
    raise KeyError(kind)


def logs() -> pd.DataFrame:
    """The warehouse's logs (empty frame when there is no warehouse yet)."""
    if not store().exists():
        return store().logs()
    return _cached("logs", generation())


def log_names() -> list[str]:
    return sorted(logs()["log"].tolist())


def stats(log: str) -> dict:
    return _cached("stats", generation(), log)


def quality(log: str) -> pd.DataFrame:
    return _cached("quality", generation(), log)


def rejects(log: str, limit: int = 1000) -> pd.DataFrame:
    return _cached("rejects", generation(), log, limit)
