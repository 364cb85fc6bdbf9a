"""The Flask app factory: one app over one store, its parts as blueprints.

The app never writes to the store. It reopens the published store when a build or an import swaps it
in, so `exportkg build` and `exportkg serve` can run side by side.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

from exportkg.graph.config import Settings
from exportkg.graph.remote import RemoteStore
from exportkg.graph.store import KnowledgeStore, StoreLocation
from exportkg.server.completions import Completions
from exportkg.server.jobs import Answer, QueryJob

log = logging.getLogger(__name__)


class Executor(Protocol):
    """Runs vetted /sparql queries: server/executor.py (local workers) or server/remote_executor.py."""

    def execute(self, job: QueryJob) -> Answer: ...

    def graph_names(self) -> frozenset[str]: ...

    def close(self) -> None: ...


@dataclass
class ServerState:
    """What every request handler shares: the settings and a read-only view of the published store."""

    settings: Settings
    _store: KnowledgeStore | RemoteStore | None = None
    _opened: Path | None = None
    _executor: Executor | None = None
    _completions: Completions | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def store(self) -> KnowledgeStore | RemoteStore:
        """The published store, reopened when a new build has been swapped in since the last request
        (a remote store is one client for the app's lifetime: the server swaps its own graphs)."""
        if self.settings.endpoint:
            if not isinstance(self._store, RemoteStore):
                self._store = RemoteStore.open_published(self.settings)
            return self._store
        location = StoreLocation(self.settings.store_root)
        target = location.resolved()
        if self._store is None or target != self._opened:
            if self._store is not None:
                self._store.close()
            log.info("serving the store at %s", target)
            self._store = KnowledgeStore.open_read_only(location)
            self._opened = target
        return self._store

    def executor(self) -> Executor:
        """What answers /sparql queries: made on first use (worker processes start only when needed)."""
        with self._lock:
            if self._executor is None:
                if self.settings.endpoint:
                    from exportkg.server.remote_executor import RemoteExecutor

                    self._executor = RemoteExecutor(self.settings)
                else:
                    from exportkg.server.executor import LocalExecutor

                    self._executor = LocalExecutor(self.settings)
            return self._executor

    def completions(self) -> Completions:
        """Where scenario stores are completed after their impact report went out (made on first use)."""
        with self._lock:
            if self._completions is None:
                self._completions = Completions()
            return self._completions

    def close(self) -> None:
        """Stop the query workers and the completions, let go of the store (the server is stopping)."""
        with self._lock:
            if self._executor is not None:
                self._executor.close()
                self._executor = None
            if self._completions is not None:
                self._completions.close()
                self._completions = None
        if self._store is not None:
            self._store.close()
            self._store = None


def state() -> ServerState:
    """The running app's shared state (inside a request or app context)."""
    return current_app.extensions["exportkg"]


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_request_bytes  # a query may fill the whole form
    app.extensions["exportkg"] = ServerState(settings)
    from exportkg.server import api, impact, pages, sparql, viz

    app.register_blueprint(sparql.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(viz.bp)
    app.register_blueprint(impact.bp)
    return app
