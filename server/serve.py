"""Serve the app under waitress, a production WSGI server (pure Python, so it runs wherever exportkg does)."""

from __future__ import annotations

import logging

from waitress import serve as waitress_serve

from exportkg.graph.config import Settings
from exportkg.server.app import create_app

log = logging.getLogger(__name__)


def serve(settings: Settings, host: str, port: int, threads: int = 8) -> None:
    app = create_app(settings)
    log.info("exportkg is serving at http://%s:%d/", host, port)
    waitress_serve(app, host=host, port=port, threads=threads, ident="exportkg")
