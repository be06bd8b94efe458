"""A small thread-safe LRU for derived results (internal): the web app's result cache, and the
engine's cache of the arrays several analyses of one log read (:mod:`pipelines.mining.clock`).

Keys are tuples that must change whenever the result could: callers include the warehouse's
generation counter (:meth:`pipelines.store.Store.generation`), which every write bumps.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable
from typing import Any


class Memo:
    """A small thread-safe LRU; concurrent requests for the same key compute it once.

    >>> m = Memo(2)
    >>> m.get(("a",), lambda: 1), m.get(("a",), lambda: 2)
    (1, 1)
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._data: collections.OrderedDict[tuple, Any] = collections.OrderedDict()
        self._pending: dict[tuple, threading.Event] = {}
        self.misses = 0
        """How many results were computed (not found): tests check that a warmed view computes nothing."""

    def get(self, key: tuple, compute: Callable[[], Any]) -> Any:
        while True:
            with self._lock:
                if key in self._data:
                    self._data.move_to_end(key)
                    return self._data[key]
                event = self._pending.get(key)
                if event is None:
                    event = self._pending[key] = threading.Event()
                    self.misses += 1
                    break
            event.wait()  # another request computes it; take its result (or compute if it failed)
        try:
            value = compute()
            with self._lock:
                self._data[key] = value
                self._evict()
            return value
        finally:
            with self._lock:
                self._pending.pop(key).set()

    def _evict(self) -> None:  # with the lock held
        while len(self._data) > self.size:
            self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def put(self, key: tuple, value: Any) -> None:
        """Keep ``value`` under ``key`` (the least recently used result goes when full)."""
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            self._evict()

    def find(self, key: tuple, default: Any = None) -> Any:
        """The cached result of ``key``, or ``default`` (nothing is computed)."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            return default

    def keys(self) -> list[tuple]:
        """The cached keys, least recently used first."""
        with self._lock:
            return list(self._data)

    def retain(self, keys) -> None:
        """Forget every result whose key is not in ``keys`` (a benchmark's "only this view is cached")."""
        keep = set(keys)
        with self._lock:
            for key in [k for k in self._data if k not in keep]:
                del self._data[key]


__all__ = ["Memo"]
