"""Run the app: loopback by default; any other bind needs authentication configured."""

from __future__ import annotations

import ipaddress
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

    app = create_app(db)
    if credentials is not None:
        from dashboard.auth import protect

        protect(app.server, *credentials)
    print(f"deskmine: serving {db or 'the default warehouse'} on http://{host}:{port}/ (Ctrl+C to stop)", file=sys.stderr)
    app.run(host=host, port=port, debug=debug, dev_tools_disable_version_check=True)
    return 0
