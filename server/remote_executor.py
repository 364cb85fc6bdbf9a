"""The remote executor: /sparql in remote-store mode forwards vetted queries to Settings.endpoint.

It has the local executor's interface (execute, graph_names, close), so the view does not care which
one answers. The remote store is asked for one canonical format (SPARQL JSON, or Turtle for graphs)
and the answer is re-serialized by server/results.py, so the row cap and every output format behave
exactly as in local mode. The timeout is SPARQLWrapper's socket timeout.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import urllib.error

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from exportkg.graph.config import Settings

from .jobs import Answer, QueryFailed, QueryJob, QueryTimeout
from .results import render_boolean, render_solutions, render_triples

log = logging.getLogger(__name__)
GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
GRAPHS_TTL = 60.0


class RemoteExecutor:
    """Answers jobs from a remote SPARQL 1.1 endpoint with the same checks, timeout and formats."""

    def __init__(self, settings: Settings):
        if not settings.endpoint:
            raise ValueError("RemoteExecutor needs Settings.endpoint")
        self.settings = settings
        self.endpoint = settings.endpoint
        self._graphs: tuple[float, frozenset[str]] | None = None
        self._lock = threading.Lock()

    def _client(self, query: str, return_format: str) -> SPARQLWrapper:
        client = SPARQLWrapper(self.endpoint, agent="exportkg-sparql-proxy")
        client.setMethod(POST)
        client.setOnlyConneg(True)  # no format=/output= parameters: plain content negotiation
        client.setTimeout(max(1, math.ceil(self.settings.query_timeout)))
        client.setReturnFormat(return_format)
        client.setQuery(query)
        return client

    def _fetch(self, client: SPARQLWrapper) -> tuple[bytes, str]:
        try:
            response = client.query()
            return response.response.read(), response.info().get("content-type", "")
        except QueryBadFormed as exc:
            raise QueryFailed(400, f"SPARQL syntax error: {exc.msg if hasattr(exc, 'msg') else exc}") from None
        except TimeoutError:
            raise QueryTimeout(self.settings.query_timeout) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise QueryTimeout(self.settings.query_timeout) from None
            raise QueryFailed(502, f"the remote store did not answer: {exc.reason}") from None
        except SPARQLWrapperException as exc:
            raise QueryFailed(502, f"the remote store refused the query: {exc}") from None

    def graph_names(self) -> frozenset[str]:
        """The remote store's named graphs, asked again at most once a minute."""
        with self._lock:
            if self._graphs is None or time.monotonic() - self._graphs[0] > GRAPHS_TTL:
                body, _ = self._fetch(self._client(GRAPHS_QUERY, JSON))
                result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
                names = frozenset(row["g"].value for row in result)  # type: ignore[union-attr]
                self._graphs = (time.monotonic(), names)
            return self._graphs[1]

    def execute(self, job: QueryJob) -> Answer:
        graph_form = job.form in ("CONSTRUCT", "DESCRIBE")
        client = self._client(job.query, TURTLE if graph_form else JSON)
        for uri in job.default_graphs:
            client.addDefaultGraph(uri)
        for uri in job.named_graphs:
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

    def close(self) -> None:
        """Nothing to stop: every request opens its own connection."""
