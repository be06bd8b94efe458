"""Ten simultaneous browser clients on loopback, bounded in time, with zero errors.

Each client opens a different page with a different filter at the same moment, so the app's one
read-only DuckDB connection serves overlapping callbacks from many requests (a cursor per use).
Errors counted: HTTP 5xx responses, console errors, page exceptions, and the app's own readable
error messages (``.data-error``), which would hide a server-side failure behind a friendly text.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.browser.conftest import CHROMIUM

pytestmark = pytest.mark.browser

CLIENTS = [
    "/", "/map", "/variants", "/bottlenecks", "/cases", "/data",
    "/?log=before&priority=P1", "/map?log=before&priority=P2", "/variants?log=after&channel=email",
    "/bottlenecks?log=after&category=refund%2Freturn",
]
BOUND_S = 120.0
READY = ("() => document.querySelector('#react-entry-point') && !document.querySelector('._dash-loading-callback')"
         " && document.title.indexOf('Updating') === -1")


async def _client(browser, url: str, errors: list[str], timings: list[float]) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    page.on("console", lambda m: errors.append(f"{url} console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"{url} page error: {exc}"))
    page.on("response", lambda r: errors.append(f"{url} HTTP {r.status} {r.url}") if r.status >= 500 else None)
    start = time.perf_counter()
    await page.goto(url)
    await page.wait_for_function(READY, timeout=BOUND_S * 1000)
    await page.wait_for_load_state("networkidle", timeout=BOUND_S * 1000)
    timings.append(time.perf_counter() - start)
    shown = await page.locator(".data-error").all_inner_texts()
    errors.extend(f"{url} app error: {t}" for t in shown)
    await context.close()


async def _run(base: str) -> tuple[list[str], list[float]]:
    from playwright.async_api import async_playwright

    errors: list[str] = []
    timings: list[float] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--disable-quic"],
        )
        try:
            await asyncio.wait_for(
                asyncio.gather(*(_client(browser, base + url, errors, timings) for url in CLIENTS)),
                timeout=BOUND_S,
            )
        finally:
            await browser.close()
    return errors, timings


def test_ten_simultaneous_clients_without_errors(live_app):
    from dashboard import data

    live_app.server.app.extensions[data.EXTENSION_KEY].memo.clear()  # cold: every callback queries DuckDB
    errors, timings = asyncio.run(_run(live_app.url))
    assert errors == []
    assert len(timings) == len(CLIENTS)
    assert max(timings) < BOUND_S
