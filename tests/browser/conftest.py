"""Real-browser tests: the Dash app served in-process, driven by Playwright in Debian's chromium.

Without a chromium on PATH the tests are skipped with a message, except in CI (``$CI`` set),
where a missing browser is a failure: CI must run them.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

if CHROMIUM is None:
    message = ("browser tests need Debian's chromium (apt-get install chromium chromium-driver; "
               "'make test' installs it when run as root)")
    if os.environ.get("CI"):
        raise RuntimeError(f"CI is set but no chromium was found: {message}")
    pytestmark = pytest.mark.skip(reason=message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--headless", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1440, "height": 900}, "accept_downloads": True}


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Path:
    """A warehouse holding the bundled sample logs and, beside it in ``policies/``, the sample SLA
    policy: what ``deskmine samples`` (``make run``) sets up."""
    from pipelines.samples import SAMPLE_POLICY, install_sample_policy, load_sample_logs, policy_dir
    from pipelines.store import Store

    path = tmp_path_factory.mktemp("app") / "sample.duckdb"
    store = Store(path)
    load_sample_logs(store)  # installs the policy too
    store.close()
    install_sample_policy(path)  # a no-op when load_sample_logs did it
    assert (policy_dir(path) / SAMPLE_POLICY).is_file()
    return path


def copy_warehouse(source: Path, folder: Path, *, policies: bool = True) -> Path:
    """A private copy of a warehouse (and of its policy folder) for a test that changes it."""
    from pipelines.samples import policy_dir

    db = folder / source.name
    shutil.copy(source, db)
    if policies and policy_dir(source).is_dir():
        shutil.copytree(policy_dir(source), policy_dir(db))
    return db


@dataclass
class LiveApp:
    url: str
    db: Path
    server: object = field(repr=False)
    app: object = field(default=None, repr=False)


def serve_app(db: Path, **app_options) -> Iterator[LiveApp]:
    """Serve ``create_app(db, **app_options)`` on a free loopback port while the generator is open."""
    from werkzeug.serving import make_server

    from dashboard import create_app

    app = create_app(str(db), **app_options)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveApp(url=f"http://127.0.0.1:{server.server_port}", db=db, server=server, app=app)
    finally:
        server.shutdown()
        gateway = app.server.extensions.get("deskmine")
        if gateway is not None:  # release the warehouse file (its read connection, idle-release thread)
            gateway.close()


@pytest.fixture(scope="session")
def live_app(sample_warehouse) -> Iterator[LiveApp]:
    """The app on the sample warehouse, on a free loopback port."""
    yield from serve_app(sample_warehouse)


@dataclass
class PageWatch:
    """Console errors and requests that left 127.0.0.1, collected while a page is used."""

    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.console_errors == [], self.console_errors
        assert self.page_errors == [], self.page_errors
        assert self.external_requests == [], self.external_requests


@pytest.fixture
def watch(page) -> PageWatch:
    w = PageWatch()
    page.on("console", lambda msg: w.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: w.page_errors.append(str(exc)))

    def on_request(request):
        host = urlparse(request.url).hostname
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if host not in ("127.0.0.1", "localhost"):
            w.external_requests.append(request.url)

    page.on("request", on_request)
    return w


def wait_for_app(page, timeout: float = 20_000) -> None:
    """Wait until Dash has rendered and no callback is pending."""
    page.wait_for_selector("#react-entry-point", timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('._dash-loading-callback') && "
        "document.title.indexOf('Updating') === -1",
        timeout=timeout,
    )
    page.wait_for_load_state("networkidle", timeout=timeout)


RENDERED = """() => {
    if (document.querySelector('._dash-loading-callback, [data-dash-is-loading="true"]')) { return false; }
    // every plotly graph drawn: plotly.js loads lazily, and a graph is empty until it has its main-svg
    for (const g of document.querySelectorAll('.dash-graph')) {
        if (!g.querySelector('.js-plotly-plot .main-svg')) { return false; }
    }
    // every cytoscape map drawn: its canvases sized, its nodes placed by the layout
    for (const el of document.querySelectorAll('div')) {
        const cy = el._cyreg && el._cyreg.cy;
        if (!cy) { continue; }
        const canvas = el.querySelector('canvas');
        if (!canvas || canvas.width === 0) { return false; }
        const spots = new Set(cy.nodes().map(n => Math.round(n.position('x')) + ',' + Math.round(n.position('y'))));
        if (cy.nodes().length > 1 && spots.size < 2) { return false; }  // the layout has not run yet
    }
    return true;
}"""


def wait_rendered(page, timeout: float = 30_000) -> None:
    """Wait until no callback is pending, every plotly graph and cytoscape map is drawn, and the
    page has stopped changing (two animation frames and a short pause after that)."""
    wait_for_app(page, timeout=timeout)
    page.wait_for_function(RENDERED, timeout=timeout)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_timeout(400)
    page.wait_for_function(RENDERED, timeout=timeout)


def reveal_all(page, timeout: float = 60_000) -> None:
    """Draw every deferred section of the page (deskmine.revealAll(), what printing does) and wait
    until it is rendered; sections a section's content pushed down are drawn too."""
    for _ in range(5):
        count = page.evaluate("() => [...document.querySelectorAll('.dm-deferred .deferred-placeholder')]"
                              ".filter(el => el.offsetParent !== null).length")  # hidden sections never draw
        if count == 0:
            return
        page.evaluate("() => window.deskmine.revealAll()")
        wait_rendered(page, timeout=timeout)
    raise AssertionError("deferred sections still show their placeholder after revealAll()")


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under docs/screenshots/ (committed, shown in the README).

    Taken once every deferred section is drawn and every chart and map has rendered (see
    :func:`reveal_all`, :func:`wait_rendered`), with the viewport as
    tall as the page: a full-page capture of a short viewport does not repaint grids that were out
    of view (they come out empty). The viewport is restored afterwards.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    reveal_all(page)
    wait_rendered(page)
    size = page.viewport_size
    position = page.evaluate("() => [window.scrollX, window.scrollY]")
    height = page.evaluate("() => Math.ceil(document.documentElement.scrollHeight)")
    try:
        if size and height > size["height"]:
            page.set_viewport_size({"width": size["width"], "height": min(height, 16_000)})
            wait_rendered(page)
        page.screenshot(path=str(path), full_page=True)
    finally:
        if size:
            page.set_viewport_size(size)
            page.evaluate("([x, y]) => window.scrollTo(x, y)", position)
    return path
