"""What every request handler shares: the settings, the published store, the query executor and the
queue of scenario stores being completed.

The published store is swapped when a build or an import publishes a new one, while waitress threads
may still be reading the old one. So a request leases the store it reads (released when the request
ends), the swap happens under a lock, and a replaced store is closed only when its last lease ends:
no reader ever has its store closed under it.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Protocol

from flask import current_app, g, has_app_context

from exportkg.graph.config import Settings
from exportkg.graph.render.answer import Answer
from exportkg.graph.store.base import Store
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation
from exportkg.graph.store.remote import RemoteStore
from exportkg.server.completions import Completions
from exportkg.server.sparql.jobs import QueryJob, TaskJob

log = logging.getLogger(__name__)
LEASES = "exportkg_leases"


class Executor(Protocol):
    """Runs vetted /sparql queries: sparql/executor.py (local workers) or sparql/remote.py."""

    def execute(self, job: QueryJob) -> Answer: ...

    def run_task(self, job: TaskJob) -> object: ...

    def graph_names(self) -> frozenset[str]: ...

    def close(self) -> None: ...


class ServerState:
    """The app's shared state (one per app, on app.extensions["exportkg"])."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._opened: Path | None = None
        self._leases: dict[int, int] = {}
        self._retired: dict[int, Store] = {}
        self._executor: Executor | None = None
        self._completions: Completions | None = None

    # -- the published store ------------------------------------------------------------------------

    def store(self) -> Store:
        """The published store, reopened when a new build has been published since it was opened. Inside
        a request it is leased until the request ends (app.py releases it)."""
        with self._lock:
            store = self._current()
            if has_app_context():
                self._leases[id(store)] = self._leases.get(id(store), 0) + 1
                g.setdefault(LEASES, []).append(store)
            return store

    def _current(self) -> Store:
        if self.settings.endpoint:  # one client for the app's lifetime: the remote server swaps its graphs
            if self._store is None:
                self._store = RemoteStore.open_published(self.settings)
            return self._store
        location = StoreLocation(self.settings.store_root)
        target = location.resolved()
        if self._store is None or target != self._opened:
            log.info("serving the store at %s", target)
            fresh = KnowledgeStore.open_read_only(location)
            if self._store is not None:
                self._retire(self._store)
            self._store, self._opened = fresh, target
        return self._store

    def _retire(self, store: Store) -> None:
        """Close a replaced store now, or when its last reader is done."""
        if self._leases.get(id(store), 0) > 0:
            self._retired[id(store)] = store
        else:
            store.close()

    def release(self) -> None:
        """End the current request's leases (app teardown)."""
        held = g.pop(LEASES, [])
        with self._lock:
            for store in held:
                left = self._leases.get(id(store), 0) - 1
                if left > 0:
                    self._leases[id(store)] = left
                    continue
                self._leases.pop(id(store), None)
                retired = self._retired.pop(id(store), None)
                if retired is not None:
                    retired.close()

    # -- workers ---------------------------------------------------------------------------------------

    def executor(self) -> Executor:
        """What answers /sparql queries: made on first use (worker processes start only when needed)."""
        with self._lock:
            if self._executor is None:
                if self.settings.endpoint:
                    from exportkg.server.sparql.remote import RemoteExecutor

                    self._executor = RemoteExecutor(self.settings)
                else:
                    from exportkg.server.sparql.executor import LocalExecutor

                    self._executor = LocalExecutor(self.settings)
            return self._executor

    def run(self, task: str, **params: object) -> object:
        """Run a named task (server/sparql/tasks.py) under the query timeout and worker discipline; its
        HttpError (400, 404, 503 timeout or memory, ...) propagates to the view."""
        job = TaskJob(task, self.settings, tuple(sorted(params.items())))
        return self.executor().run_task(job)

    def completions(self) -> Completions:
        """Where scenario stores are completed after their impact report went out (made on first use)."""
        with self._lock:
            if self._completions is None:
                self._completions = Completions()
            return self._completions

    def close(self) -> None:
        """Stop the query workers and the completions, let go of every store (the server is stopping)."""
        with self._lock:
            if self._executor is not None:
                self._executor.close()
                self._executor = None
            if self._completions is not None:
                self._completions.close()
                self._completions = None
            for store in [self._store, *self._retired.values()]:
                if store is not None:
                    store.close()
            self._store, self._retired, self._leases = None, {}, {}


def state() -> ServerState:
    """The running app's shared state (inside a request or app context)."""
    return current_app.extensions["exportkg"]
