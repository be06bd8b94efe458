"""Precompute every page's default view in the background, so that its first render reads cache.

A page's first render on a large log runs several analyses (the SLA clocks of every case, the
automation candidates, a bootstrap comparison): seconds of work at a million events. Process-mining
tools precompute what they will show (Disco builds the map when the log is imported, Celonis its
data model at load); deskmine does the same for its default views. When the app starts
(``deskmine serve``, ``make run``) and after an upload is ingested, a background thread runs each
page's registered warmer (:func:`dashboard.extensions.warmer`: the page's own callbacks with its
default inputs, for the default log and policy) in page order. Everything lands in the gateway's
result cache, keyed exactly as the page's requests key it, so a page opened afterwards answers from
cache (the browser tests check: after the warm-up, loading every page computes nothing new).

A request that arrives while the warm-up is computing the same result waits for it instead of
computing it twice (:class:`~pipelines.memo.Memo`); other requests run alongside. A filter change
is not precomputed (it cannot be guessed), but reads what the default view left in the engine's
shared cache where it can. :func:`warm_up` returns what it did; the server log says it too.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from dashboard import data, extensions
from dashboard.state import FilterState

log = logging.getLogger("deskmine.dashboard")


def warm_up(app) -> dict[str, Any]:
    """Run every page's warmer for the app's default log, in order. Returns ``{"status": "done",
    "done": [pages], "failed": {page: message}, "seconds"}``.

    A failing warmer is logged and skipped (its page computes when opened, and shows its own error).
    """
    gw = app.server.extensions[data.EXTENSION_KEY]
    with gw.warm_lock:
        state: dict[str, Any] = {"status": "running", "done": [], "failed": {}, "seconds": 0.0}
        started = time.monotonic()
        with app.server.app_context():
            try:
                log_name = data.default_log()
            except data.DataError as exc:
                log_name = None
                state["failed"]["logs"] = str(exc)
            if log_name is not None:
                store = FilterState(log=log_name).to_store()
                try:  # the filter bar's choices and case count, on every page
                    data.options(log_name)
                    data.stats(log_name)
                except data.DataError as exc:
                    state["failed"]["filter bar"] = str(exc)
                for w in extensions.warmers():
                    t = time.monotonic()
                    try:
                        with app.server.test_request_context("/"):
                            w.fn(store)
                    except Exception as exc:  # noqa: BLE001 - a warmer never stops the others
                        log.warning("warm-up of /%s failed: %s", w.page, exc)
                        state["failed"][w.page] = f"{type(exc).__name__}: {exc}"
                        continue
                    state["done"].append(w.page)
                    log.debug("warm-up: /%s ready in %.1f s", w.page, time.monotonic() - t)
        state["seconds"] = round(time.monotonic() - started, 2)
        state["status"] = "done"
        if log_name is not None:
            log.info("default views of log %r precomputed in %.1f s%s", log_name, state["seconds"],
                     f" (failed: {', '.join(state['failed'])})" if state["failed"] else "")
        return state


def start_warm_up(app) -> threading.Thread:
    """:func:`warm_up` in a daemon thread; also re-run after every ingest the app does itself."""
    gw = app.server.extensions[data.EXTENSION_KEY]
    gw.after_ingest = lambda: start_warm_up(app)
    thread = threading.Thread(target=warm_up, args=(app,), daemon=True, name="deskmine-warm-up")
    thread.start()
    return thread
