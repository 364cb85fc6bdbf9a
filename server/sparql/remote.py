"""The remote executor: /sparql in remote-store mode forwards vetted queries to Settings.endpoint.

It has the local executor's interface (execute, graph_names, close), so the view does not care which
one answers. The remote store is asked for one canonical format (SPARQL JSON, or Turtle for graphs)
and the answer is re-serialized by graph/render/results.py, so the row cap and every output format
behave exactly as in local mode. The timeout is SPARQLWrapper's socket timeout.

Queries see the published graphs only: the list comes from the RemoteStore (which leaves out other
builds' staging graphs and graphs that are not exportkg's), and a query that names no dataset is
sent with those graphs as its default and named graphs, so a build in progress, or one that failed
and left staging graphs behind, is never visible through /sparql.
"""

from __future__ import annotations

import logging
import math
import time
import urllib.error

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from exportkg.graph.config import Settings
from exportkg.graph.errors import StoreError
from exportkg.graph.render.answer import Answer
from exportkg.graph.render.results import render_boolean, render_solutions, render_triples
from exportkg.graph.store.credentials import Credentials
from exportkg.graph.store.remote import RemoteStore, truncated_at
from exportkg.server.errors import HttpError, QueryTimeout
from exportkg.server.sparql import tasks
from exportkg.server.sparql.jobs import QueryJob, TaskJob

log = logging.getLogger(__name__)


class RemoteExecutor:
    """Answers jobs from a remote SPARQL 1.1 endpoint with the same checks, timeout and formats."""

    def __init__(self, settings: Settings):
        if not settings.endpoint:
            raise ValueError("RemoteExecutor needs Settings.endpoint")
        self.settings = settings
        self.endpoint = settings.endpoint
        #: the published graphs, read by tasks too: each request bounded by the query timeout
        self.store = RemoteStore(settings.endpoint, settings.update_endpoint, settings.store_endpoint,
                                 timeout=max(1, math.ceil(settings.query_timeout)),
                                 credentials=Credentials.of(settings))

    def _client(self, query: str, return_format: str) -> SPARQLWrapper:
        client = SPARQLWrapper(self.endpoint, agent="exportkg-sparql-proxy")
        client.setMethod(POST)
        client.setOnlyConneg(True)  # no format=/output= parameters: plain content negotiation
        client.setTimeout(max(1, math.ceil(self.settings.query_timeout)))
        client.setReturnFormat(return_format)
        client.setQuery(query)
        if self.store.credentials:
            self.store.credentials.apply(client)
        return client

    def _fetch(self, client: SPARQLWrapper) -> tuple[bytes, str]:
        try:
            response = client.query()
            body = response.response.read()
            if cap := truncated_at(response.response.headers):
                raise HttpError(502, f"the remote store answered with its row limit ({cap} rows): the answer "
                                     "may be cut short, so it is not passed on")
            return body, response.info().get("content-type", "")
        except QueryBadFormed as exc:
            raise HttpError(400, f"SPARQL syntax error: {exc.msg if hasattr(exc, 'msg') else exc}") from None
        except TimeoutError:
            raise QueryTimeout(self.settings.query_timeout) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise QueryTimeout(self.settings.query_timeout) from None
            raise HttpError(502, f"the remote store did not answer: {exc.reason}") from None
        except SPARQLWrapperException as exc:
            raise HttpError(502, f"the remote store refused the query: {exc}") from None

    def graph_names(self) -> frozenset[str]:
        """The published graphs (the RemoteStore asks the server again now and then)."""
        try:
            return frozenset(self.store.dataset())
        except StoreError as exc:
            raise HttpError(502, f"the remote store did not answer: {exc}") from None

    def execute(self, job: QueryJob) -> Answer:
        graph_form = job.form in ("CONSTRUCT", "DESCRIBE")
        client = self._client(job.query, TURTLE if graph_form else JSON)
        default, named = job.default_graphs, job.named_graphs
        if not (default or named or job.has_dataset):  # the union of the published graphs, nothing else
            default = named = tuple(sorted(self.graph_names()))
        for uri in default:
            client.addDefaultGraph(uri)
        for uri in named:
            client.addNamedGraph(uri)
        body, content_type = self._fetch(client)
        if graph_form:
            triples = (q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE))
            return render_triples(triples, job.format, job.row_cap)
        result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if isinstance(result, ox.QueryBoolean):
            return render_boolean(bool(result), job.format)
        names = [v.value for v in result.variables]
        return render_solutions(names, (tuple(s) for s in result), job.format, job.row_cap)

    def run_task(self, job: TaskJob) -> object:
        """A named task, run here: its queries go to the remote store, each bounded by the store's
        client timeout, and the task as a whole by the query timeout (_Deadline)."""
        try:
            return tasks.run(job, _Deadline(self.store, self.settings.query_timeout))
        except StoreError as exc:
            raise HttpError(502, f"the remote store did not answer: {exc}") from None

    def close(self) -> None:
        """Nothing to stop: every request opens its own connection."""


class _Deadline:
    """The remote store seen by one task: a task that would go on sending queries past the query
    timeout (a graph view sends one per node) is stopped with the timeout's 503 instead."""

    def __init__(self, store: RemoteStore, seconds: float):
        self._store = store
        self._seconds = seconds
        self._deadline = time.monotonic() + seconds

    def query(self, sparql: str, bindings: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
        if time.monotonic() > self._deadline:
            raise QueryTimeout(self._seconds)
        return self._store.query(sparql, bindings)

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)
