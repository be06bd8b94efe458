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
    """A warehouse holding the bundled sample logs (what ``make run`` serves)."""
    from pipelines.samples import load_sample_logs
    from pipelines.store import Store

    path = tmp_path_factory.mktemp("app") / "sample.duckdb"
    store = Store(path)
    load_sample_logs(store)
    store.close()
    return path


@dataclass
class LiveApp:
    url: str
    db: Path
    server: object = field(repr=False)


def serve_app(db: Path, **app_options) -> Iterator[LiveApp]:
    """Serve ``create_app(db, **app_options)`` on a free loopback port while the generator is open."""
    from werkzeug.serving import make_server

    from dashboard import create_app

    app = create_app(str(db), **app_options)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveApp(url=f"http://127.0.0.1:{server.server_port}", db=db, server=server)
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


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under docs/screenshots/ (committed, shown in the README)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
