"""Run the app: loopback by default; any other bind needs authentication configured."""

from __future__ import annotations

import ipaddress
import logging
import os
import sys

AUTH_ENV = "DESKMINE_AUTH"  # "user:password" (or a path to a file holding that line)


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def auth_credentials() -> tuple[str, str] | None:
    """``(user, password)`` from ``$DESKMINE_AUTH`` (the value, or a file holding it), else None."""
    raw = os.environ.get(AUTH_ENV, "").strip()
    if not raw:
        return None
    if os.path.isfile(raw):
        with open(raw, encoding="utf-8") as f:
            raw = f.readline().strip()
    user, sep, password = raw.partition(":")
    if not sep or not user or not password:
        raise ValueError(f"${AUTH_ENV} must be 'user:password' (or a file containing that line)")
    return user, password


def serve(db: str | None = None, host: str = "127.0.0.1", port: int = 8050, debug: bool = False) -> int:
    """Start the app; refuses a non-loopback ``host`` unless ``$DESKMINE_AUTH`` is set. Returns an exit code."""
    credentials = auth_credentials()
    if not is_loopback(host) and credentials is None:
        print(f"deskmine: error: refusing to serve on {host}: it is reachable from other machines and no "
              f"authentication is configured; set {AUTH_ENV}=user:password (or a file) or bind 127.0.0.1",
              file=sys.stderr)
        return 2
    from dashboard import create_app
    from dashboard.warmup import start_warm_up

    app = create_app(db)
    _log_to_stderr()
    start_warm_up(app)  # every page's default view, in the background
    if credentials is not None:
        from dashboard.auth import protect

        protect(app.server, *credentials)
    print(f"deskmine: serving {db or 'the default warehouse'} on http://{host}:{port}/ (Ctrl+C to stop)", file=sys.stderr)
    app.run(host=host, port=port, debug=debug, dev_tools_disable_version_check=True)
    return 0


def _log_to_stderr() -> None:
    """The app's own messages (warm-up done, failures) on stderr, beside the server's request log."""
    logger = logging.getLogger("deskmine.dashboard")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("deskmine: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
