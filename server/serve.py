"""Serve the app under waitress, a production WSGI server (pure Python, so it runs wherever exportkg does)."""

from __future__ import annotations

import logging
import signal
from types import FrameType

from waitress import serve as waitress_serve

from exportkg.graph.config import Settings
from exportkg.server.app import create_app

log = logging.getLogger(__name__)
#: room for the request line and headers around a GET query of max_request_bytes
HEADER_SLACK = 64 * 1024


def _stop(signum: int, _frame: FrameType | None) -> None:
    """SIGTERM ends the server like Ctrl-C does, so the query workers are stopped on the way out."""
    raise SystemExit(128 + signum)


def serve(settings: Settings, host: str, port: int, threads: int = 8) -> None:
    app = create_app(settings)
    signal.signal(signal.SIGTERM, _stop)
    log.info("exportkg is serving at http://%s:%d/", host, port)
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="exportkg",
                       max_request_header_size=settings.max_request_bytes + HEADER_SLACK)
    finally:
        app.extensions["exportkg"].close()
