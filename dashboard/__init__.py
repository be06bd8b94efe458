"""deskmine's web app (presentation only): ``create_app(db_path)`` builds the Dash app.

Pages live in ``dashboard/pages`` (one module per URL), component ids in ``dashboard/ids.py``,
the only data access in ``dashboard/data.py``, pure figure functions in ``dashboard/figures``.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def create_app(db_path: str | None = None):
    """The Dash app serving the warehouse ``db_path`` (default: ``$DESKMINE_DB`` or data/deskmine.duckdb).

    Works offline: Bootstrap's CSS is served from ``dashboard/assets``; no CDN is referenced.
    """
    import dash

    from dashboard import data
    from dashboard.layout import shell

    data.configure(db_path)
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        title="deskmine",
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    app.layout = shell()
    return app
