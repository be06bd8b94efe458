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

    def get(self, key: tuple, compute: Callable[[], Any]) -> Any:
        while True:
            with self._lock:
                if key in self._data:
                    self._data.move_to_end(key)
                    return self._data[key]
                event = self._pending.get(key)
                if event is None:
                    event = self._pending[key] = threading.Event()
                    break
            event.wait()  # another request computes it; take its result (or compute if it failed)
        try:
            value = compute()
            with self._lock:
                self._data[key] = value
                while len(self._data) > self.size:
                    self._data.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._pending.pop(key).set()

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


__all__ = ["Memo"]
