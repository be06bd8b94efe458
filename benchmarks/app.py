"""App benchmark: every page's first render and a filter change, on a 1e6-event log, in chromium.

The real app (``create_app``) is served in-process on loopback and driven by Playwright in Debian's
chromium, like the browser tests. The server starts as ``deskmine serve`` does: it precomputes every
page's default view (:mod:`dashboard.warmup`); the benchmark waits for that (its duration is
reported) and then, for each page:

* **first render**: the page is opened (the time runs from navigation start to the response of the
  page's last callback: its numbers are final; every request the page makes is counted);
* **filter change**: on the loaded page, priority P1 is chosen in the global filter bar; the time
  runs from the click on the option to the last callback response. Before each run, every cached
  result except those the warm-up left is dropped, so the filtered view is computed afresh each
  time (what a user meets: the page's default view is cached, the new filter is not);
* **first render, cold**: the page opened with every cache emptied (no warm-up: what a page costs
  when nothing was precomputed, e.g. the first request right after an ingest by another process).

Median of ``--repeat`` runs each. Needs the engine benchmark's warehouse for the size
(``python -m benchmarks --sizes 1000000`` makes it). Results: ``benchmarks/results/app.json``/``.md``.

    python -m benchmarks.app [--size 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import threading
from pathlib import Path

from benchmarks.engine import LOG, warehouse_path

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
# Counts Dash's callback requests in the page: the time of the last response is when the page's
# numbers are final (Playwright's "networkidle" would add a fixed 500 ms of waiting to every run).
TRACK = """
window.__dm = {inflight: 0, done: 0, last: 0};
const _fetch = window.fetch;
window.fetch = async (...args) => {
  const url = String((args[0] && args[0].url) || args[0]);
  const cb = url.includes('_dash-update-component');
  if (cb) { window.__dm.inflight++; }
  try { return await _fetch(...args); }
  finally { if (cb) { window.__dm.inflight--; window.__dm.done++; window.__dm.last = performance.now(); } }
};
"""
SETTLED = ("() => window.__dm && window.__dm.done > 0 && window.__dm.inflight === 0 && "
           "performance.now() - window.__dm.last > 400 && !document.querySelector('._dash-loading-callback')")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic"]


def _serve(db: Path):
    from werkzeug.serving import make_server

    from dashboard import create_app, data

    app = create_app(str(db))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, app.server.extensions[data.EXTENSION_KEY], app


def _clear(gateway) -> None:
    """Empty every result cache: the app's and the engine's shared events/clocks."""
    from pipelines.mining.clock import SHARED

    gateway.memo.clear()
    SHARED.clear()


def _settle(page, since_ms: float = 0.0, timeout_ms: float = 120_000) -> float:
    """Wait until no callback has run for 400 ms; seconds from ``since_ms`` (page clock) to the last one."""
    page.wait_for_function(SETTLED, timeout=timeout_ms)
    return (page.evaluate("window.__dm.last") - since_ms) / 1000.0


def _pages() -> list[str]:
    import dash

    order = ["/", "/map", "/variants", "/bottlenecks", "/sla", "/automation", "/compare", "/cases", "/data"]
    paths = {p["path"] for p in dash.page_registry.values()}
    return [p for p in order if p in paths]


def _choose_priority(page) -> float:
    """Pick P1 in the filter bar; returns the page-clock instant of the click (ms)."""
    from dashboard import ids

    page.click(f"#{ids.FILTER_PRIORITY}")
    option = page.get_by_role("option", name="P1", exact=True)
    option.wait_for()
    page.evaluate("window.__dm.done = 0")
    clicked = page.evaluate("performance.now()")
    option.click()
    page.keyboard.press("Escape")
    return clicked


def run(size: int, repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    from dashboard import warmup
    from pipelines.mining.clock import SHARED

    db = warehouse_path(size)
    if not db.exists():
        raise SystemExit(f"no warehouse {db}: run `python -m benchmarks --sizes {size}` first")
    policies = db.parent / "policies"
    policies.mkdir(exist_ok=True)
    shutil.copy(ROOT / "sample_logs" / "sla_policy.toml", policies / "sla_policy.toml")
    server, gateway, app = _serve(db)
    base = f"http://127.0.0.1:{server.server_port}"
    pages: dict[str, dict] = {}
    chromium = shutil.which("chromium")
    try:
        warm = warmup.warm_up(app)
        print(f"  warm-up: {warm['seconds']:.1f} s ({', '.join(warm['done'])})", file=sys.stderr, flush=True)
        warmed = (gateway.memo.keys(), SHARED.keys())
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            context.add_init_script(TRACK)
            page = context.new_page()
            for path in _pages():
                url = f"{base}{path}?log={LOG}"
                first, change = [], []
                for _ in range(repeat):
                    page.goto(url)
                    first.append(_settle(page))  # page clock starts at navigation
                    gateway.memo.retain(warmed[0])
                    SHARED.retain(warmed[1])
                    clicked = _choose_priority(page)
                    change.append(_settle(page, clicked))
                pages[path] = {"first_render_s": statistics.median(first), "filter_change_s": statistics.median(change),
                               "runs": {"first_render": first, "filter_change": change}}
                print(f"  {path}: first render {pages[path]['first_render_s']:.2f} s, filter change "
                      f"{pages[path]['filter_change_s']:.2f} s", file=sys.stderr, flush=True)
            for path in _pages():
                url = f"{base}{path}?log={LOG}"
                cold = []
                for _ in range(repeat):
                    _clear(gateway)
                    page.goto(url)
                    cold.append(_settle(page))
                pages[path]["first_render_cold_s"] = statistics.median(cold)
                pages[path]["runs"]["first_render_cold"] = cold
                print(f"  {path}: first render, cold {pages[path]['first_render_cold_s']:.2f} s", file=sys.stderr,
                      flush=True)
            browser.close()
    finally:
        server.shutdown()
        gateway.close()
    return {"warm_up_s": warm["seconds"], "pages": pages}


def summarise(out: dict) -> str:
    lines = [
        f"# App benchmark: pages on a {out['size']:,}-event log", "",
        f"Machine: {out['machine']}. Median of {out['repeat']} runs, seconds; target: under 1 s.",
        f"The server precomputed every page's default view at start ({out['warm_up_s']:.1f} s, in the background);",
        "first render = the page opened after that; filter change = priority P1 chosen on the loaded page, computed",
        "afresh each run; cold = the page opened with every cache emptied (nothing precomputed).", "",
        "| page | first render | filter change | first render (cold) |", "|---|---|---|---|",
    ]
    for path, r in out["pages"].items():
        lines.append(f"| `{path}` | {r['first_render_s']:.2f} | {r['filter_change_s']:.2f} | "
                     f"{r['first_render_cold_s']:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    from benchmarks.__main__ import machine

    m = machine()
    out = {"size": args.size, "repeat": args.repeat,
           "machine": f"{m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, load {os.getloadavg()[0]:.2f}",
           **run(args.size, args.repeat)}
    target = Path(args.out)
    target.mkdir(parents=True, exist_ok=True)
    (target / "app.json").write_text(json.dumps(out, indent=2))
    (target / "app.md").write_text(summarise(out))
    print(summarise(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

