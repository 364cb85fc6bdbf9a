"""The local executor: a small pool of worker processes that can be killed when a job overruns.

pyoxigraph has no timeout and a query cannot be interrupted from Python, so each query, and the
Python work of each page or API call (a named task), runs in a worker process
(server/sparql/worker.py); a worker that passes the timeout is killed and replaced in the background
while the other workers go on serving. A worker that dies on a job (over its memory limit, or a crash
of the engine) is replaced the same way, and the client is told why (503). Workers are started by a
forkserver, which forks them from a clean process that already imported what they need: safe under
waitress's threads, and fast.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import queue
import select
import signal
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
from exportkg.server.sparql import tasks
from exportkg.server.sparql.jobs import QueryJob, TaskJob

log = logging.getLogger(__name__)
#: what the forkserver imports once, so that a replacement worker starts warm
PRELOAD = ["exportkg.server.sparql.worker", *tasks.modules()]


class Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx: mp.context.BaseContext, memory_mb: int):
        from exportkg.server.sparql import worker

        self.conn, child = ctx.Pipe()
        self.proc: BaseProcess = ctx.Process(target=worker.main, args=(child, memory_mb), daemon=True,
                                             name="exportkg-query-worker")
        self.proc.start()
        child.close()

    def ask(self, store_path: str, job: QueryJob | TaskJob, timeout: float) -> tuple[str, object]:
        """Send a job and wait for its reply; TimeoutError when the timeout passed first. (select()
        on the pipe itself: Connection.poll builds a selector per call, 80 us of every request.)"""
        self.conn.send((store_path, job))
        readable, _, _ = select.select([self.conn], [], [], timeout)
        if not readable:
            raise TimeoutError
        return self.conn.recv()

    def death(self) -> str:
        """Why the process ended, in words (it has just closed its pipe)."""
        self.proc.join(2)
        code = self.proc.exitcode
        if code is None or code >= 0:
            return f"it exited with status {code}"
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        return f"it was ended by {name}"

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class LocalExecutor:
    """Runs vetted queries and named tasks on the published store with a timeout, in
    `settings.query_workers` processes of at most `settings.worker_memory_mb` each."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.location = StoreLocation(settings.store_root)
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(PRELOAD)
        #: the worker used last is taken first: a warm process, fewer wake-ups on another core
        self._idle: queue.LifoQueue[Worker] = queue.LifoQueue()
        self._all: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._graphs: tuple[Path, frozenset[str]] | None = None
        for _ in range(max(1, settings.query_workers)):
            self._add_worker()

    def _add_worker(self) -> None:
        worker = Worker(self._ctx, self.settings.worker_memory_mb)
        if not self._prime(worker):  # a reply may still be on its way: never give that pipe a job
            worker.kill()
            worker = Worker(self._ctx, self.settings.worker_memory_mb)
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._all.add(worker)
        self._idle.put(worker)

    def _prime(self, worker: Worker) -> bool:
        """Have a new worker open the published store now, so the first real job does not wait for it.
        False when it did not answer (then its pipe may still carry the answer: it must not be used)."""
        try:
            path = str(self.location.resolved())
        except StoreError:
            return True  # nothing published yet: nothing to open, nothing sent
        try:
            worker.ask(path, QueryJob("ASK {}", "ASK", "json", 1), self.settings.query_timeout)
            return True
        except (TimeoutError, EOFError, OSError) as exc:
            log.warning("a new query worker did not open the store: %s", exc or type(exc).__name__)
            return False

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
        """Answer a query or raise HttpError (400 syntax, 503 timeout, busy, memory or a worker's end)."""
        return self._run(job)  # type: ignore[return-value]

    def run_task(self, job: TaskJob) -> object:
        """A named task's result, or the HttpError it raised, under the same discipline as a query."""
        return self._run(job)

    def _run(self, job: QueryJob | TaskJob) -> object:
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
            log.warning("%s stopped after %.1f s", _what(job), timeout)
            self._retire(worker)
            raise QueryTimeout(timeout) from None
        except (EOFError, OSError):
            reason = worker.death()
            log.error("the worker evaluating %s died: %s", _what(job), reason)
            self._retire(worker)
            raise HttpError(503, f"the worker evaluating this request stopped ({reason}); most likely it needed "
                                 f"more than the {self.settings.worker_memory_mb} MB a worker may use. It has "
                                 "been replaced; narrow the request (LIMIT, fewer or shorter values)") from None
        except BaseException:  # a reply that cannot be read: the pipe's state is unknown, never reuse it
            self._retire(worker)
            raise
        return self._reply(worker, job, status, payload)

    def _reply(self, worker: Worker, job: QueryJob | TaskJob, status: str, payload: object) -> object:
        if status == "memory":
            self._retire(worker)  # its heap may be left in pieces: start afresh
            raise HttpError(503, f"this request needs more than the {self.settings.worker_memory_mb} MB a query "
                                 f"worker may use ({payload}); narrow it (LIMIT, shorter strings)")
        self._idle.put(worker)
        if status == "ok":
            return payload
        if status == "syntax":
            raise HttpError(400, f"SPARQL syntax error: {payload}")
        if status == "http":
            code, message = payload  # type: ignore[misc]
            raise HttpError(code, message)
        if status == "store":
            raise HttpError(503, f"the store could not answer: {payload}")
        log.error("%s failed in a worker: %s", _what(job), payload)
        raise HttpError(500, f"the request failed: {payload}")

    def close(self) -> None:
        """Stop every worker (the server is shutting down)."""
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.kill()


def _what(job: QueryJob | TaskJob) -> str:
    return f"task {job.name}" if isinstance(job, TaskJob) else f"query {job.query[:200]!r}"
