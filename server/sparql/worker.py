"""A query worker process: opens the published store read-only and answers one job at a time.

Queries (and the tasks of pages and API calls) run here, not in the web server, because pyoxigraph
cannot stop a running query: the server kills the whole process when a job overruns. Results are
serialized here so that only bytes cross the pipe. The module imports little (no Flask, no rdflib
until a task or JSON-LD asks for it) so that workers start fast when one is replaced.

Two limits protect the server from what a query can make the engine do:

- memory: the process's address space is capped (RLIMIT_AS, `Settings.worker_memory_mb`). A query
  that needs more fails its allocation: Python raises MemoryError (answered "memory"), Oxigraph
  aborts the process (the executor sees it die and answers 503 with that reason). Either way the
  worker is replaced and no other process is touched.
- stack: jobs run on a thread with a STACK_BYTES stack. Oxigraph's parser and evaluator recurse, and
  the guard's limits (server/sparql/guard.py) keep every query several times under what overflows it.
"""

from __future__ import annotations

import ctypes
import logging
import resource
import signal
import sys
import threading
from multiprocessing.connection import Connection

import pyoxigraph as ox

from exportkg.graph.render.answer import Answer
from exportkg.graph.render.results import render
from exportkg.server.errors import HttpError
from exportkg.server.sparql.guard import Refused
from exportkg.server.sparql.jobs import QueryJob, TaskJob

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1
#: the evaluating thread's stack (address space only: pages are used as the recursion reaches them)
STACK_BYTES = 256 * 2**20


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


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space; 0 leaves it unlimited."""
    if megabytes > 0:
        limit = megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main(conn: Connection, memory_mb: int = 0) -> None:
    """Serve jobs from the pipe until it closes: (store path, job) in, (status, payload) out."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    limit_memory(memory_mb)
    threading.stack_size(STACK_BYTES)
    thread = threading.Thread(target=_serve, args=(conn,), name="exportkg-evaluate")
    thread.start()
    thread.join()


class _Opened:
    """The published store this worker has open, followed when a new build is published."""

    def __init__(self) -> None:
        self.path: str | None = None
        self.store: ox.Store | None = None
        self._view: object | None = None

    def at(self, path: str) -> ox.Store:
        if path != self.path:
            self.store, self._view, self.path = ox.Store.read_only(path), None, path
        return self.store  # type: ignore[return-value]

    def view(self):  # type: ignore[no-untyped-def]
        """The same store through the Store interface, for tasks (made on first use: rdflib is heavy)."""
        if self._view is None:
            from pathlib import Path

            from exportkg.graph.store.embedded import KnowledgeStore

            self._view = KnowledgeStore(self.store, Path(self.path or ""))  # type: ignore[arg-type]
        return self._view


def answer(opened: _Opened, path: str, job: QueryJob | TaskJob) -> tuple[str, object]:
    """One job's reply: ("ok", result) or a failure the executor turns into a status."""
    try:
        store = opened.at(path)
        if isinstance(job, QueryJob):
            return "ok", evaluate(store, job)
        from exportkg.server.sparql import tasks

        return "ok", tasks.run(job, opened.view())
    except SyntaxError as exc:
        return "syntax", str(exc)
    except (HttpError, Refused) as exc:
        return "http", (exc.status, exc.message)
    except MemoryError:
        return "memory", "Python could not allocate more memory"
    except (OSError, RuntimeError) as exc:  # RocksDB and Oxigraph's own failures
        return "store", f"{type(exc).__name__}: {str(exc)[:500]}"
    except Exception as exc:  # noqa: BLE001 - any failure must reach the client, not kill the worker
        log.exception("job %s failed", getattr(job, "name", "query"))
        return "error", f"{type(exc).__name__}: {str(exc)[:500]}"


def _serve(conn: Connection) -> None:
    opened = _Opened()
    while True:
        try:
            path, job = conn.recv()
        except (EOFError, OSError):
            return
        reply = answer(opened, path, job)
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("memory", "the answer was too large to send"))
