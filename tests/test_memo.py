"""The small LRU shared by the app's result cache and the engine's shared arrays."""

from __future__ import annotations

import threading
import time

from pipelines.memo import Memo


def test_lru_counts_misses_and_keeps_the_most_recent():
    m = Memo(2)
    assert [m.get(("a",), lambda: 1), m.get(("b",), lambda: 2), m.get(("a",), lambda: 9)] == [1, 2, 1]
    assert m.misses == 2
    m.get(("c",), lambda: 3)  # evicts b, the least recently used
    assert m.keys() == [("a",), ("c",)]
    assert m.find(("b",)) is None and m.find(("b",), "gone") == "gone" and m.find(("a",)) == 1
    assert m.misses == 3  # find computes nothing


def test_retain_forgets_every_other_key():
    m = Memo(8)
    for k in "abcd":
        m.get((k,), lambda k=k: k)
    m.retain([("b",), ("d",), ("zz",)])
    assert m.keys() == [("b",), ("d",)]


def test_concurrent_requests_for_one_key_compute_it_once():
    m = Memo(4)
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return 42

    results = []
    threads = [threading.Thread(target=lambda: results.append(m.get(("k",), slow))) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [42] * 5 and len(calls) == 1 and m.misses == 1
