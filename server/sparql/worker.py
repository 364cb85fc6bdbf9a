"""A query worker process: opens the published store read-only and answers one job at a time.

Queries run here, not in the web server, because pyoxigraph cannot stop a running query: the server
kills the whole process when a query overruns. Results are serialized here so that only bytes cross
the pipe. The module imports little (no Flask, no rdflib until JSON-LD is asked for) so that workers
start fast when one is replaced.
"""

from __future__ import annotations

import ctypes
import logging
import signal
import sys
from multiprocessing.connection import Connection

import pyoxigraph as ox

from exportkg.graph.render.answer import Answer
from exportkg.graph.render.results import render
from exportkg.server.sparql.jobs import QueryJob

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1


def evaluate(store: ox.Store, job: QueryJob) -> Answer:
    """Run one job on an open store; SyntaxError escapes for the caller to report as a 400."""
    kwargs: dict[str, object] = {}
    if job.default_graphs or job.named_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs] or [ox.DefaultGraph()]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    elif not job.has_dataset:
        kwargs["use_default_graph_as_union"] = True  # as everywhere in exportkg: all graphs, unless told
    result = store.query(job.query, **kwargs)  # type: ignore[arg-type]
    return render(result, job.format, job.row_cap)


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when its parent goes, so no query outlives the server."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            log.debug("prctl unavailable; the worker exits when its pipe closes")


def main(conn: Connection) -> None:
    """Serve jobs from the pipe until it closes: (store path, job) in, ("ok"|"syntax"|"error", x) out."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    store: ox.Store | None = None
    opened = None
    while True:
        try:
            path, job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if path != opened:  # a build was published since the last job: follow it
                store, opened = ox.Store.read_only(path), path
            reply = ("ok", evaluate(store, job))  # type: ignore[arg-type]
        except SyntaxError as exc:
            reply = ("syntax", str(exc))
        except Exception as exc:  # noqa: BLE001 - any failure must reach the client, not kill the worker
            reply = ("error", f"{type(exc).__name__}: {exc}")
        conn.send(reply)
