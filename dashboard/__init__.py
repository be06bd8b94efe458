"""deskmine's web app (presentation only): ``create_app(db_path)`` builds the Dash app.

Pages live in ``dashboard/pages`` (one module per URL), component ids in ``dashboard/ids.py``,
the only data access in ``dashboard/data.py``, pure figure functions in ``dashboard/figures``,
layout factories (filter bar, cards, tables) in ``dashboard/components``.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def create_app(db_path: str | None = None, *, max_upload_mb: float | None = None, upload_dir: str | None = None):
    """The Dash app serving the warehouse ``db_path`` (default: ``$DESKMINE_DB`` or data/deskmine.duckdb).

    Works offline: Bootstrap's CSS and every script are served from this process; no CDN is
    referenced. ``max_upload_mb`` (default ``$DESKMINE_MAX_UPLOAD_MB`` or 200) limits uploads.
    Several apps may live in one process (tests): each holds its own gateway (Store, cache, jobs).
    """
    import dash
    import dash_cytoscape as cyto

    from dashboard import data
    from dashboard.components import filters, graphs, tables
    from dashboard.layout import on_callback_error, shell

    cyto.load_extra_layouts()  # the dagre layout, from the package's local bundle (serve_locally)
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        title="deskmine",
        suppress_callback_exceptions=True,
        serve_locally=True,
        on_error=on_callback_error,
    )
    gw = data.configure(db_path, app=app, max_upload_mb=max_upload_mb, upload_dir=upload_dir)
    # refuse request bodies far beyond the upload limit (base64 adds a third) before reading them
    app.server.config["MAX_CONTENT_LENGTH"] = int(gw.max_upload_bytes * 1.4) + (4 << 20)
    app.layout = shell()
    filters.register(app)
    tables.register(app)
    graphs.register(app)
    # Take this app's page callbacks now: Dash collects `@callback`s registered at page import into
    # a process-wide list that the *first* app to serve a request empties; a second app created
    # before then (tests run several) would otherwise serve pages without callbacks.
    with app.server.test_request_context("/"):
        app._setup_server()
    return app
