"""The local executor: a small pool of worker processes that can be killed when a query overruns.

pyoxigraph has no timeout and a query cannot be interrupted from Python, so each query runs in a
worker process (server/sparql/worker.py) and a worker that passes the timeout is killed and replaced in the
background while the other workers go on serving. Workers are started by a forkserver, which forks
them from a clean process that already imported pyoxigraph: safe under waitress's threads, and fast.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import queue
import select
import threading
import time
from multiprocessing.process import BaseProcess
from pathlib import Path

import pyoxigraph as ox

from exportkg.graph.config import Settings
from exportkg.graph.errors import StoreError
from exportkg.graph.render.answer import Answer
from exportkg.graph.store.location import StoreLocation
from exportkg.server.errors import HttpError, QueryTimeout
from exportkg.server.sparql.jobs import QueryJob

log = logging.getLogger(__name__)


class Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx: mp.context.BaseContext):
        from exportkg.server.sparql import worker

        self.conn, child = ctx.Pipe()
        self.proc: BaseProcess = ctx.Process(target=worker.main, args=(child,), daemon=True,
                                             name="exportkg-query-worker")
        self.proc.start()
        child.close()

    def ask(self, store_path: str, job: QueryJob, timeout: float) -> tuple[str, object]:
        """Send a job and wait for its reply; TimeoutError when the timeout passed first. (select()
        on the pipe itself: Connection.poll builds a selector per call, 80 us of every request.)"""
        self.conn.send((store_path, job))
        readable, _, _ = select.select([self.conn], [], [], timeout)
        if not readable:
            raise TimeoutError
        return self.conn.recv()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class LocalExecutor:
    """Runs vetted queries on the published store with a timeout, in `settings.query_workers` processes."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.location = StoreLocation(settings.store_root)
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(["exportkg.server.worker"])
        #: the worker used last is taken first: a warm process, fewer wake-ups on another core
        self._idle: queue.LifoQueue[Worker] = queue.LifoQueue()
        self._all: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._graphs: tuple[Path, frozenset[str]] | None = None
        for _ in range(max(1, settings.query_workers)):
            self._add_worker()

    def _add_worker(self) -> None:
        worker = Worker(self._ctx)
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._all.add(worker)
        self._idle.put(worker)

    def _retire(self, worker: Worker) -> None:
        """Kill a worker (it overran or broke) and start its replacement without making anyone wait."""
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        if not self._closed:
            threading.Thread(target=self._add_worker, name="exportkg-worker-replace", daemon=True).start()

    def store_path(self) -> Path:
        try:
            return self.location.resolved()
        except StoreError as exc:
            raise HttpError(503, str(exc)) from None

    def graph_names(self) -> frozenset[str]:
        """The store's named graphs (read again only when a new build is published)."""
        path = self.store_path()
        if self._graphs is None or self._graphs[0] != path:
            store = ox.Store.read_only(str(path))
            self._graphs = (path, frozenset(g.value for g in store.named_graphs()))
            del store
        return self._graphs[1]

    def execute(self, job: QueryJob) -> Answer:
        """Answer a job or raise HttpError (400 syntax, 503 timeout or busy, 500 worker failure)."""
        timeout = self.settings.query_timeout
        store_path = str(self.store_path())
        started = time.monotonic()
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise HttpError(503, "every query worker stayed busy for the whole timeout; try again") from None
        remaining = max(0.1, timeout - (time.monotonic() - started))
        try:
            status, payload = worker.ask(store_path, job, remaining)
        except TimeoutError:
            log.warning("query stopped after %.1f s: %.200s", timeout, job.query)
            self._retire(worker)
            raise QueryTimeout(timeout) from None
        except (EOFError, OSError) as exc:
            log.error("query worker died: %s", exc)
            self._retire(worker)
            raise HttpError(500, "the query worker failed; try again") from None
        self._idle.put(worker)
        if status == "ok":
            return payload  # type: ignore[return-value]
        if status == "syntax":
            raise HttpError(400, f"SPARQL syntax error: {payload}")
        raise HttpError(500, f"query failed: {payload}")

    def close(self) -> None:
        """Stop every worker (the server is shutting down)."""
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.kill()
