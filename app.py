"""Start deskmine's web app: ``python app.py`` (or ``deskmine serve``, or ``make run``)."""

from __future__ import annotations

import os
import sys

from dashboard.server import serve

if __name__ == "__main__":
    sys.exit(serve(db=os.environ.get("DESKMINE_DB"), host=os.environ.get("DESKMINE_HOST", "127.0.0.1"),
                   port=int(os.environ.get("DESKMINE_PORT", "8050"))))
