"""HTTP basic authentication for a non-loopback bind (every request, assets included)."""

from __future__ import annotations

import base64
import hmac

from flask import Flask, Response, request


def protect(server: Flask, user: str, password: str) -> None:
    """Require ``user``/``password`` (HTTP basic auth) on every request to ``server``."""
    expected = base64.b64encode(f"{user}:{password}".encode()).decode()

    @server.before_request
    def _check():
        header = request.headers.get("Authorization", "")
        given = header[6:] if header.startswith("Basic ") else ""
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return Response("authentication required", 401, {"WWW-Authenticate": 'Basic realm="deskmine"'})
        return None
