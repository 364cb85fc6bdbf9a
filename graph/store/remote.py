"""A remote SPARQL 1.1 store (Fuseki, GraphDB, Virtuoso, Neptune, QLever, Oxigraph server, ...) behind
the interface the rest of exportkg uses from the embedded KnowledgeStore.

Only standard protocols are spoken: SPARQL 1.1 Query and Update (through SPARQLWrapper) and, when an
endpoint is given, the Graph Store Protocol for bulk loads and for the rules' graphs (the engine then
reasons locally, a regime at a time, and posts the inferences back: reasoning/partition.py). Nothing
assumes the server's default graph is the union of its named graphs: every query names its dataset
with `default-graph-uri` and `named-graph-uri`, and every rule sent as an update reads through
`USING` (rules.render).

Builds are atomic the same way as on disk: a build writes its graphs under a fresh staging prefix and
publishes them with one update request that MOVEs each staged graph onto its published name and drops
published graphs the new build no longer has. A build that fails before publishing drops its staging
graphs; a build whose input is bad never writes at all (validation runs first).
"""

from __future__ import annotations

import http.client
import io
import logging
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterable
from email.message import Message
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.query import Result
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from exportkg.graph import namespaces as ns
from exportkg.graph.errors import StoreError
from exportkg.graph.store.base import Capabilities
from exportkg.graph.store.credentials import Credentials
from exportkg.graph.store.remote_results import DOUBLE_PROBE, keeps_doubles
from exportkg.graph.store.remote_text import (
    CHUNK_TRIPLES,
    insert_data_chunks,
    nt_lines,
    ntriples_parts,
    query_form,
    values_clause,
)

if TYPE_CHECKING:
    from exportkg.graph.config import Settings

log = logging.getLogger(__name__)

PUBLISHED = str(ns.GRAPH)  # published graphs keep the names they have in the embedded store
STAGING = "https://w3id.org/exportkg/staging/"
UPDATE = "INSERT"  # any update keyword makes SPARQLWrapper send to the update endpoint
TIMEOUT = 600  # seconds; a rule over the whole graph can take a while on a slow server
#: triples per read of one graph: Virtuoso 7.2 refuses a Graph Store GET (which it runs as a CONSTRUCT)
#: of more than 1,000,000 triples ("FRVEC: array in for vectored over max vector length") and sorts no
#: more than 10,000 rows for a LIMIT/OFFSET page, so a larger graph is read in parts split by the first
#: hex digits of MD5(subject): each triple in exactly one part, with no sort
PAGE_TRIPLES = 500_000
PART = "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} " \
       "FILTER (STRSTARTS(MD5(STR(?s)), \"{part}\")) }}"
#: Virtuoso 7.2 echoes every dataset IRI of a request as a response header (X-SPARQL-default-graph,
#: X-SPARQL-named-graph), and exportkg's dataset is some fifty graphs given both ways; Python's
#: http.client refuses a response with more than 100 headers, so the limit is raised for this process
http.client._MAXHEADERS = max(getattr(http.client, "_MAXHEADERS", 100), 1_000)  # type: ignore[attr-defined]
#: what a request to the SPARQL endpoints can fail with (a refused response or a broken connection)
FAILURES = (SPARQLWrapperException, urllib.error.URLError, OSError, http.client.HTTPException)


def truncated_at(headers: Message) -> str | None:
    """The row limit a server says an answer reached. Virtuoso answers 200 with the first
    ResultSetMaxRows rows (10,000 by default) and says so only in this header, which it also sends
    when an answer has exactly that many rows: such an answer cannot be told from a cut one."""
    return headers.get("X-SPARQL-MaxRows")


def _failure(exc: BaseException, what: str) -> StoreError:
    """The error a failed request is reported as. An HTTP error carries its open response, and an
    exception kept in a reference cycle (a traceback's frames) would leave that socket to the garbage
    collector, which warns of it at some unrelated moment: every response in the chain is closed now."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, urllib.error.HTTPError):
            cause.close()
        cause = cause.__cause__ or cause.__context__
    return StoreError(f"the {what} failed: {exc}")


class RemoteStore:
    """An external SPARQL 1.1 store holding exportkg's published graphs (or, during a build, a staged set)."""

    def __init__(self, endpoint: str, update_endpoint: str | None = None, store_endpoint: str | None = None,
                 *, staging: str | None = None, timeout: int = TIMEOUT, credentials: Credentials | None = None):
        self.endpoint = endpoint
        self.credentials = credentials
        self._opener = credentials.opener(store_endpoint) if credentials else urllib.request.build_opener()
        self.update_endpoint = update_endpoint
        self.store_endpoint = store_endpoint
        self.timeout = timeout
        #: where this store's graphs physically live: the published names, or a build's staging prefix
        self.prefix = f"{STAGING}{staging}/" if staging else PUBLISHED
        self._dataset: list[str] | None = None
        self._dataset_time = 0.0
        #: the server's empty graph patterns list no graphs (Virtuoso 7.2): graphs are found by scanning
        self._scan_for_graphs = False
        self._primed = False  # the Graph Store endpoint's digest challenge has been fetched
        self._exact_doubles: bool | None = None  # unknown until asked (remote_results.py)
        where = f"SPARQL endpoint {endpoint}"
        #: one update at a time, as a SPARQL service expects of one client; with a Graph Store endpoint
        #: graphs travel as N-Triples, so the rules run locally a regime at a time and their inferences
        #: are posted back; without one the rules go as portable updates
        self.capabilities = Capabilities(where, quads=bool(store_endpoint))

    @classmethod
    def open_published(cls, settings: Settings) -> RemoteStore:
        return cls(settings.endpoint or "", settings.update_endpoint, settings.store_endpoint,
                   credentials=Credentials.of(settings))

    @classmethod
    def for_build(cls, settings: Settings) -> RemoteStore:
        """A store writing to a fresh staging set; `publish` swaps it in."""
        if not settings.update_endpoint:
            raise StoreError("a remote build needs --update-endpoint (a SPARQL 1.1 Update endpoint)")
        build_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.time_ns() % 1_000_000_000}"
        return cls(settings.endpoint or "", settings.update_endpoint, settings.store_endpoint, staging=build_id,
                   credentials=Credentials.of(settings))

    # -- names ---------------------------------------------------------------------------------------

    def physical(self, name: str) -> str:
        """Where a graph the rest of exportkg calls `name` lives in the remote store."""
        return self.prefix + name[len(PUBLISHED):] if name.startswith(PUBLISHED) else name

    def _to_physical(self, sparql: str) -> str:
        """Rewrites graph IRIs in a query or update (USING, GRAPH targets) to the staged names."""
        return sparql if self.prefix == PUBLISHED else sparql.replace(f"<{PUBLISHED}", f"<{self.prefix}")

    def _physical_names(self) -> list[str]:
        # `GRAPH ?g { }` lists the graphs without touching their triples: on a 270,000-triple Oxigraph
        # store 25 ms instead of 700 ms, and the rule engine asks before every step. Virtuoso 7.2 answers
        # it with one unbound row whatever the store holds; once that is seen, the store is asked by
        # scanning (`GRAPH ?g { ?s ?p ?o }`, about 6 s over two million triples there).
        found = set() if self._scan_for_graphs else self._graphs_with("")
        if not found:
            found = self._graphs_with("?s ?p ?o")
            self._scan_for_graphs = self._scan_for_graphs or bool(found)
        return sorted(found)

    def _graphs_with(self, pattern: str) -> set[str]:
        text = (f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {pattern} }} "
                f"FILTER (STRSTARTS(STR(?g), {Literal(self.prefix).n3()})) }}")
        return {str(row[0]) for row in self._select(text, dataset=False) if row[0] is not None}

    def graph_names(self) -> list[URIRef]:
        """exportkg's graphs in this store (never another build's staging graphs or foreign graphs)."""
        return [URIRef(PUBLISHED + g[len(self.prefix):]) for g in self._physical_names()]

    def graph_size(self, name: URIRef) -> int:
        text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{self.physical(str(name))}> {{ ?s ?p ?o }} }}"
        return int(next(iter(self._select(text, dataset=False)))[0])

    def exists(self) -> bool:
        """Has a build been published (or staged, for a staging store)?"""
        return any(g.endswith("/facts") for g in self._physical_names())

    def dataset(self) -> list[str]:
        """The graphs a query reads, refreshed now and then so a server notices a new build's graphs."""
        if self._dataset is None or time.monotonic() - self._dataset_time > 30:
            self._dataset = self._physical_names()
            self._dataset_time = time.monotonic()
        return self._dataset

    # -- reading -------------------------------------------------------------------------------------

    def _client(self, text: str, *, dataset: bool, form: str | None = None) -> SPARQLWrapper:
        """A client for one request; `form` is the query form, or an update keyword for updates."""
        client = SPARQLWrapper(self.endpoint, updateEndpoint=self.update_endpoint)
        client.setTimeout(self.timeout)
        client.setMethod(POST)  # rule-sized texts and long dataset lists do not fit in a URL
        client.setOnlyConneg(True)  # the Accept header alone says what comes back (no format= parameters)
        if self.credentials:
            self.credentials.apply(client)
        with warnings.catch_warnings():  # it warns about query types it cannot guess; we set our own
            warnings.simplefilter("ignore", RuntimeWarning)
            client.setQuery(text)
        client.queryType = form or query_form(text)  # SPARQLWrapper's own guess is not reliable
        for graph in self.dataset() if dataset else []:
            client.addDefaultGraph(graph)
            client.addNamedGraph(graph)
        return client

    def _send(self, client: SPARQLWrapper) -> bytes:
        try:
            response = client.query().response
            body = response.read()
        except FAILURES as exc:
            raise _failure(exc, f"SPARQL endpoint {self.endpoint}") from None
        if cap := truncated_at(response.headers):
            raise StoreError(f"the SPARQL endpoint {self.endpoint} answered with its row limit ({cap} rows, such as "
                             "Virtuoso's ResultSetMaxRows): the answer may be cut short, so it is not used")
        return body

    def _select(self, text: str, *, dataset: bool = True) -> Result:
        return self._answer(self._client(text, dataset=dataset))

    def _answer(self, client: SPARQLWrapper) -> Result:
        client.setReturnFormat(JSON)
        return Result.parse(io.BytesIO(self._send(client)), format="json")

    def exact_doubles(self) -> bool:
        """Whether this server's answers carry an xsd:double as stored (probed once; remote_results.py)."""
        if self._exact_doubles is None:
            self._exact_doubles = keeps_doubles(self._select(DOUBLE_PROBE, dataset=False))
            if not self._exact_doubles:
                log.warning("the SPARQL endpoint %s rounds xsd:double values in its answers (six significant "
                            "digits: Virtuoso before 7.2.12); stored values and the rules are exact", self.endpoint)
        return self._exact_doubles

    def query(self, sparql: str, bindings: dict[str, object] | None = None) -> Result:
        """A query over exportkg's graphs as one default graph, answered like rdflib's (rows by index,
        by name and as attributes; typed literals); a CONSTRUCT or DESCRIBE gives a Result with a graph."""
        text = self._to_physical(sparql + (values_clause(bindings) if bindings else ""))
        client = self._client(text, dataset=True)
        if client.queryType in ("CONSTRUCT", "DESCRIBE"):
            client.setReturnFormat(TURTLE)
            result = Result(client.queryType)
            result.graph = Graph().parse(data=self._send(client), format="turtle")
            return result
        return self._answer(client)

    # -- writing -------------------------------------------------------------------------------------

    def update(self, sparql: str) -> None:
        if not self.update_endpoint:
            raise StoreError("this store is read-only: no --update-endpoint was given")
        client = self._client(self._to_physical(sparql), dataset=False, form=UPDATE)
        try:
            client.query().response.read()
        except FAILURES as exc:
            raise _failure(exc, f"SPARQL update endpoint {self.update_endpoint}") from None
        self._dataset = None

    def load_graph(self, graph: Graph, name: URIRef) -> int:
        """Bulk-load one graph: a Graph Store Protocol PUT if there is a store endpoint, else INSERT DATA."""
        target = self.physical(str(name))
        if self.store_endpoint:
            self._put(graph.serialize(format="nt", encoding="utf-8"), target)
        else:
            for request in insert_data_chunks(nt_lines(graph), target):
                self.update(request)
        self._dataset = None
        return len(graph)

    def load_ntriples_file(self, path: Path, name: URIRef) -> None:
        """The file in parts of about CHUNK_BYTES, each a Graph Store POST (or INSERT DATA requests)."""
        target = self.physical(str(name))
        for part in ntriples_parts(path):
            if self.store_endpoint:
                self._put(part, target, "POST")
            else:
                for request in insert_data_chunks(part.decode("utf-8").splitlines(), target):
                    self.update(request)
        self._dataset = None

    def _put(self, ntriples: bytes, graph: str, method: str = "PUT") -> bytes:
        """A Graph Store Protocol request on one graph: PUT replaces it, POST adds, GET reads."""
        url = f"{self.store_endpoint}?{urllib.parse.urlencode({'graph': graph})}"
        headers = {"Accept": "text/turtle"} if method == "GET" else {"Content-Type": "application/n-triples"}
        request = urllib.request.Request(url, data=ntriples or None, method=method, headers=headers)
        signed = method != "GET" and self._digest()
        for retry in (False, True):
            if signed:
                self._prime(again=retry)
            try:
                with self._opener.open(request, timeout=self.timeout) as response:
                    return response.read()
            except urllib.error.HTTPError as exc:
                error = _failure(exc, f"Graph Store endpoint {self.store_endpoint}")
                if method == "GET" and exc.code == 404:
                    return b""  # no such graph yet: an empty one (Graph Store Protocol 5.6)
                raise error from None
            except (urllib.error.URLError, OSError) as exc:
                # a signed body refused by a reset connection: the nonce it was signed with may have
                # gone stale, so a fresh challenge is fetched and the body sent once more
                if not signed or retry:
                    raise _failure(exc, f"Graph Store endpoint {self.store_endpoint}") from None
        raise AssertionError("unreachable")

    def _digest(self) -> bool:
        return bool(self.credentials and self.credentials.scheme == "digest")

    def _prime(self, again: bool = False) -> None:
        """Under digest authentication, fetch the Graph Store endpoint's challenge with a bodiless
        request (a graph no build has) before the first body goes, so it is signed ahead."""
        if self._primed and not again:
            return
        self._primed = True
        probe = f"{self.store_endpoint}?{urllib.parse.urlencode({'graph': STAGING + 'probe'})}"
        try:
            self._opener.open(urllib.request.Request(probe, method="GET"), timeout=self.timeout).close()
        except urllib.error.HTTPError as exc:
            _failure(exc, "probe")  # 404: no such graph, as intended; a refusal shows on the write itself
        except (urllib.error.URLError, OSError) as exc:
            raise _failure(exc, f"Graph Store endpoint {self.store_endpoint}") from None

    def dump_graphs(self, names: Iterable[URIRef]) -> bytes:
        """Graphs read with Graph Store GETs, as N-Quads under the names the rest of exportkg uses."""
        out = []
        for name in names:
            graph = ox.NamedNode(name)
            out.append(ox.serialize((ox.Quad(t.subject, t.predicate, t.object, graph) for t in self._read(name)),
                                    format=ox.RdfFormat.N_QUADS))
        return b"".join(out)

    def _read(self, name: URIRef) -> list[ox.Triple]:
        """One graph: a Graph Store GET, or CONSTRUCTs of its parts when it is larger than a page. Read as
        Turtle, not N-Triples: Virtuoso 7.2.5 writes doubles with six digits there (remote_results.py)."""
        expected, physical = self.graph_size(name), self.physical(str(name))
        if expected <= PAGE_TRIPLES:
            pages = [self._put(b"", physical, "GET")]
        else:
            digits = 1 if expected <= 16 * PAGE_TRIPLES else 2
            pages = [self._turtle(PART.format(graph=physical, part=f"{n:0{digits}x}")) for n in range(16 ** digits)]
        triples = [t for page in pages for t in ox.parse(page, format=ox.RdfFormat.TURTLE)]
        # Virtuoso cuts a Graph Store read at its ResultSetMaxRows without a word: the count is asked too
        if len(triples) < expected or (len(pages) > 1 and len(set(triples)) != expected):
            raise StoreError(f"{self.store_endpoint or self.endpoint} returned {len(set(triples))} of the "
                             f"{expected} triples of {name} (a row limit of the server's?): not used")
        return triples

    def _turtle(self, construct: str) -> bytes:
        client = self._client(construct, dataset=False, form="CONSTRUCT")
        client.setReturnFormat(TURTLE)
        return self._send(client)

    def load_nquads(self, data: bytes, *, trusted: bool = False) -> None:
        """N-Quads added graph by graph with Graph Store POSTs (to the staged names during a build)."""
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
        for name, triples in by_graph.items():
            self._put(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), self.physical(name), "POST")
        self._dataset = None

    def dump_reads(self, names: Iterable[URIRef], reads: object) -> bytes:
        raise StoreError("a remote store's graphs are read whole, once (reasoning/partition.py)")

    def construct_into(self, construct: str, graph: URIRef) -> int:
        raise StoreError("a remote store takes rules as SPARQL updates (capabilities.construct_into is off)")

    def remove(self, triples: Iterable[tuple[object, object, object]], graph: URIRef) -> None:
        """DELETE DATA, a request per chunk (terms in N-Triples syntax)."""
        lines = [" ".join(term.n3() for term in triple) + " ." for triple in triples]  # type: ignore[attr-defined]
        for start in range(0, len(lines), CHUNK_TRIPLES):
            chunk = "\n".join(lines[start:start + CHUNK_TRIPLES])
            self.update(f"DELETE DATA {{ GRAPH <{self.physical(str(graph))}> {{\n{chunk}\n}} }}")

    def publish(self) -> None:
        """Swap the staged graphs in with one update request (one transaction on stores that run a
        request atomically, as Oxigraph, Fuseki and GraphDB do)."""
        staged = self.graph_names()
        live = RemoteStore(self.endpoint, self.update_endpoint, credentials=self.credentials).graph_names()
        # DROP, ADD and DROP rather than MOVE: the same effect, and Oxigraph's server runs it 3x faster
        # (a 168,000-triple graph: 16 s against 52 s)
        ops = [f"DROP SILENT GRAPH <{g}>" for g in live]
        for g in staged:
            ops += [f"ADD SILENT GRAPH <{self.physical(str(g))}> TO GRAPH <{g}>",
                    f"DROP SILENT GRAPH <{self.physical(str(g))}>"]
        self._send_raw(" ;\n".join(ops))
        log.info("published %d graphs to %s", len(staged), self.update_endpoint)

    def discard(self) -> None:
        """Drop this build's staging graphs (best effort: a failed build must not hide its own error)."""
        try:
            ops = [f"DROP SILENT GRAPH <{g}>" for g in self._physical_names()]
            if ops:
                self._send_raw(" ;\n".join(ops))
        except StoreError as exc:
            log.warning("could not drop the staging graphs under %s: %s", self.prefix, exc)

    def _send_raw(self, sparql: str) -> None:
        """An update whose graph IRIs are already physical."""
        prefix, self.prefix = self.prefix, PUBLISHED
        try:
            self.update(sparql)
        finally:
            self.prefix = prefix

    def flush(self) -> None:
        """Nothing to do: the server persists what it accepted."""

    def close(self) -> None:
        self._dataset = None
