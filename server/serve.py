"""Serve the app under waitress, a production WSGI server (pure Python, so it runs wherever exportkg does),
with the connection limits of server/connections.py."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable
from types import FrameType

from waitress.adjustments import Adjustments
from waitress.server import MultiSocketServer
from waitress.task import ThreadedTaskDispatcher

from exportkg.graph.build import record
from exportkg.graph.config import Settings
from exportkg.graph.errors import ServeError
from exportkg.graph.impact import scenario_store as scenarios
from exportkg.graph.store.location import StoreLocation
from exportkg.graph.store.lock import home_lock
from exportkg.server.app import create_app
from exportkg.server.connections import GuardedServer
from exportkg.server.errors import HttpError

log = logging.getLogger(__name__)
#: room for the method, path and other parameters around a GET query of max_request_bytes
LINE_SLACK = 8 * 1024
#: room for the headers after the request line
HEADER_SLACK = 64 * 1024
#: bytes read from a socket at once (waitress reads 8 KB: 125 rounds of its loop for a 1 MB body)
RECV_BYTES = 64 * 1024
#: seconds a thread runs before another may take the interpreter (Python's default is 5 ms): while
#: threads check long queries, a short request waits its turn behind each of them
SWITCH_INTERVAL = 0.001


def _stop(signum: int, _frame: FrameType | None) -> None:
    """SIGTERM ends the server like Ctrl-C does, so the query workers are stopped on the way out."""
    raise SystemExit(128 + signum)


def adjustments(settings: Settings, host: str, port: int) -> Adjustments:
    """Waitress's settings from ours: limits on connections, time and sizes (README: SPARQL endpoint)."""
    uri_limit = settings.max_request_bytes + LINE_SLACK
    adj = Adjustments(host=host, port=port, threads=settings.web_threads, ident="exportkg",
                      connection_limit=settings.connection_limit, channel_timeout=int(settings.idle_timeout),
                      cleanup_interval=1, asyncore_use_poll=True, recv_bytes=RECV_BYTES,
                      max_request_header_size=uri_limit + HEADER_SLACK,
                      max_request_body_size=settings.max_request_bytes + 1)
    adj.uri_limit = uri_limit  # type: ignore[attr-defined]  # read by connections.LimitedParser
    return adj


def make_server(app, settings: Settings, host: str, port: int):  # type: ignore[no-untyped-def]
    """One GuardedServer per address the host resolves to, sharing one thread pool and one loop."""
    adj = adjustments(settings, host, port)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    channels: dict = {}
    servers = [GuardedServer(app, channels, dispatcher=dispatcher, adj=adj, sockinfo=sockinfo,
                             per_address=settings.connections_per_address, idle_timeout=settings.idle_timeout,
                             request_timeout=settings.request_timeout)
               for sockinfo in adj.listen]
    if len(servers) == 1:
        return servers[0]
    listening = [(s.effective_host, s.effective_port) for s in servers]
    return MultiSocketServer(channels, adj, listening, dispatcher, servers[-1].log_info)


def _warm(state) -> None:  # type: ignore[no-untyped-def]
    """Start the query workers and read the store's graph names now, not on the first request."""
    try:
        state.executor().graph_names()
    except HttpError as exc:
        log.warning("the store cannot answer yet: %s", exc.message)


def _sweep(settings: Settings) -> None:
    """Delete what killed builds, imports and derivations left, unless a writer is at work right now."""
    if settings.endpoint:
        return
    try:
        with home_lock(settings.home, "exportkg serve: sweeping", wait=False):
            removed = StoreLocation(settings.store_root).sweep() + record.sweep(settings) + scenarios.sweep(settings)
    except BlockingIOError:
        return  # a build or an import is running: it sweeps when it starts
    if removed:
        log.info("deleted %d leftovers of killed builds", len(removed))


def listen(app, settings: Settings, host: str, port: int):  # type: ignore[no-untyped-def]
    """The server bound to its address; a busy or forbidden address is one clear error, not a traceback."""
    try:
        return make_server(app, settings, host, port)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ServeError(f"cannot listen on {host}:{port}: {reason} (is another server using it? "
                         "choose another with --port)") from None


def serve(settings: Settings, host: str, port: int, on_ready: Callable[[], None] | None = None) -> None:
    """Serve until stopped; `on_ready` runs once the address is bound (the CLI's "serving at" line)."""
    app = create_app(settings)
    try:
        server = listen(app, settings, host, port)
    except ServeError:
        app.extensions["exportkg"].close()
        raise
    _sweep(settings)
    _warm(app.extensions["exportkg"])
    sys.setswitchinterval(SWITCH_INTERVAL)
    signal.signal(signal.SIGTERM, _stop)
    log.info("exportkg is serving at http://%s:%d/", host, port)
    if on_ready is not None:
        on_ready()
    try:
        server.run()
    finally:
        app.extensions["exportkg"].close()
