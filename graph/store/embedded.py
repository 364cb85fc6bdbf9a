"""The embedded store: an on-disk (or in-memory) Oxigraph store, seen through rdflib (oxrdflib).

This package is the only place that talks to pyoxigraph for the build and the answers; the rest of
exportkg speaks rdflib through the Store interface (store/base.py). pyoxigraph has no close(): a
RocksDB store is released when its last reference goes, and rdflib's Dataset keeps reference cycles,
so `close` drops every reference and collects them, and is safe to call twice.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset, Graph, URIRef
from rdflib.query import Result

from exportkg.graph.errors import StoreError
from exportkg.graph.namespaces import PREFIXES
from exportkg.graph.reasoning.reads import Anchor, Reads
from exportkg.graph.store.base import Capabilities
from exportkg.graph.store.location import StoreLocation, writers

log = logging.getLogger(__name__)
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
#: the errors pyoxigraph raises for RocksDB trouble (missing or corrupt files, locks)
ROCKSDB_ERRORS = (OSError, RuntimeError)


class KnowledgeStore:
    """An embedded Oxigraph store seen as an rdflib Dataset whose default graph is the union."""

    def __init__(self, oxstore: ox.Store, path: Path | None = None, *, writable: bool = False,
                 private: bool = False):
        self.path = path
        #: nobody reads this store until it is published (a build's): writes may go through RocksDB's
        #: bulk loader, which is not atomic but several times faster than a transaction
        self.private = private and path is not None
        self._ox: ox.Store | None = oxstore
        self._dataset: Dataset | None = None
        self._writer = writable and path is not None
        where = f"embedded Oxigraph store at {path}" if path else "in-memory Oxigraph store"
        self.capabilities = Capabilities(where, parallel_writes=True, construct_into=True, snapshots=True,
                                         quads=True)
        if self._writer:
            writers.opened(path)  # type: ignore[arg-type]

    @classmethod
    def create(cls, path: Path, *, private: bool = False) -> KnowledgeStore:
        """A new (or existing) on-disk store opened for writing: one writer per directory."""
        try:
            return cls(ox.Store(str(path)), path, writable=True, private=private)
        except ROCKSDB_ERRORS as exc:
            raise StoreError(f"cannot open the store at {path} for writing: {exc}") from exc

    @classmethod
    def in_memory(cls) -> KnowledgeStore:
        """A working store for a build: Oxigraph evaluates rules 4-5x faster in memory than on disk
        (the same joins, no RocksDB reads), and the finished graphs are written to disk once."""
        return cls(ox.Store(), None)

    @classmethod
    def open_read_only(cls, location: StoreLocation) -> KnowledgeStore:
        path = location.resolved()
        try:
            return cls(ox.Store.read_only(str(path)), path)
        except ROCKSDB_ERRORS as exc:
            raise StoreError(f"cannot open the store at {path}: {_first_line(exc)}; "
                             "rebuild it with `exportkg build`") from None

    @classmethod
    def copy_of(cls, source: Path, target: Path) -> KnowledgeStore:
        """A writable copy of the store at `source` made at `target`: a RocksDB backup, hard links to
        its immutable files, so milliseconds at any size (scenario stores, updates in place)."""
        try:
            store = ox.Store.read_only(str(source))
            store.backup(str(target))
            del store
        except ROCKSDB_ERRORS as exc:
            raise StoreError(f"cannot copy the store at {source}: {_first_line(exc)}") from None
        return cls.create(target)

    # -- the raw engine, for this package and for benchmarks and tests that measure it -----------------

    @property
    def ox(self) -> ox.Store:
        if self._ox is None:
            raise StoreError(f"the store at {self.path or 'memory'} is closed")
        return self._ox

    @property
    def dataset(self) -> Dataset:
        """rdflib's view, made on first use (its query results are what the rest of exportkg reads)."""
        if self._dataset is None:
            self._dataset = Dataset(store=OxigraphStore(store=self.ox), default_union=True)
            for prefix, namespace in PREFIXES.items():
                self._dataset.bind(prefix, namespace)
        return self._dataset

    # -- the Store interface ------------------------------------------------------------------------------

    def query(self, sparql: str, bindings: dict[str, object] | None = None) -> Result:
        """A query's whole result, read here. pyoxigraph's solution iterators may only be dropped by
        the thread that made them; a half-read rdflib result can end up in a reference cycle that the
        garbage collector clears from any thread, so nothing lazy leaves this method."""
        try:
            result = self.dataset.query(sparql, initBindings=bindings or {})
            if result.type == "SELECT":
                result.bindings  # noqa: B018 - rdflib materializes the generator on first access
            return result
        except ROCKSDB_ERRORS as exc:
            raise StoreError(f"the store at {self.path} failed: {_first_line(exc)}") from None

    def update(self, sparql: str) -> None:
        self.ox.update(sparql)

    def load_graph(self, graph: Graph, name: URIRef) -> int:
        """Bulk-load one rdflib graph into a named graph; returns its triple count."""
        data = graph.serialize(format="nt", encoding="utf-8")
        self.ox.bulk_load(input=data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
        return len(graph)

    def load_ntriples_file(self, path: Path, name: URIRef) -> None:
        """RocksDB's bulk loader reading the file itself (no Python strings) on a store being built; a
        transaction on a store in memory."""
        load = self.ox.bulk_load if self.path is not None else self.ox.load
        load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))

    def stream_ntriples(self, path: Path, name: URIRef) -> StreamedLoad:
        """A bulk load of the named pipe at `path` into a graph, started on a thread: it reads what the
        loaders write while they run (loaders/bulk.py `BulkFacts.streamed`). A store being built only."""
        if not self.private:
            raise StoreError("facts are streamed only into a store no one reads yet")
        return StreamedLoad(self.ox, path, ox.NamedNode(name))

    def construct_into(self, construct: str, graph: URIRef) -> int:
        """Add what a CONSTRUCT over the union of all graphs derives to one graph.

        A multi-graph dataset (USING) costs about 5x the union default graph in Oxigraph, so rules keep
        every inferred triple regime-keyed and the union stays correct. The triples stay in Oxigraph
        (N-Triples in, N-Triples out): no Python terms."""
        data = self.constructed(construct)
        if data:
            load = self.ox.bulk_load if self.private else self.ox.load
            load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
        return data.count(b"\n")

    def constructed(self, construct: str) -> bytes:
        """What a CONSTRUCT over the union of all graphs derives, as N-Triples (one triple a line)."""
        return self.ox.query(construct, use_default_graph_as_union=True).serialize(format=ox.RdfFormat.N_TRIPLES) or b""

    # -- what an incremental update reads and writes (reasoning/rederive.py) -----------------------------

    def derived(self, construct: str) -> set[ox.Triple]:
        """What a (focused) rule's CONSTRUCT derives from this store's union graph."""
        return set(self.ox.query(construct, use_default_graph_as_union=True))

    def change(self, graph: URIRef, removed: Iterable[ox.Triple], added: Iterable[ox.Triple]) -> None:
        name = ox.NamedNode(graph)
        for t in removed:
            self.ox.remove(ox.Quad(t.subject, t.predicate, t.object, name))
        self.ox.extend([ox.Quad(t.subject, t.predicate, t.object, name) for t in added])

    def copy_renamed(self, source: URIRef, target: URIRef, without: Iterable[ox.Triple],
                     renames: Sequence[tuple[str, str]]) -> int:
        """One graph's triples, but `without`'s, added to another with parts of their IRIs renamed; the
        number added. N-Triples lines throughout (a term serializes one way), so the 700,000 triples of
        a regime at 1,000,000 companies become no Python terms. Read and written on two threads (both
        leave Python's lock): predicates shared out to the readers, the lines halved between two bulk
        loads; 6.5 s there against 10.7 s on one. For a store no one reads until it is published."""
        dropped = set(ox.serialize(without, format=ox.RdfFormat.N_TRIPLES).splitlines())
        graph, into = ox.NamedNode(source), ox.NamedNode(target)
        predicates = [row["p"] for row in self.ox.query(f"SELECT DISTINCT ?p WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")]

        def read(some: list[ox.NamedNode]) -> bytes:
            out = []
            for predicate in some:
                pattern = f"?s {predicate} ?o"
                found = self.ox.query(f"CONSTRUCT {{ {pattern} }} WHERE {{ GRAPH {graph} {{ {pattern} }} }}")
                out.append(found.serialize(format=ox.RdfFormat.N_TRIPLES))
            return b"".join(out)

        def load(lines: list[bytes]) -> None:  # Oxigraph's own serialization, renamed: not validated again
            self.ox.bulk_load(_renamed(lines, renames), format=ox.RdfFormat.N_TRIPLES, to_graph=into, lenient=True)

        with ThreadPoolExecutor(2) as pool:
            lines = [line for part in pool.map(read, (predicates[0::2], predicates[1::2]))
                     for line in part.splitlines() if line not in dropped]
            half = len(lines) // 2
            list(pool.map(load, (lines[:half], lines[half:])))
        return len(lines)

    @staticmethod
    def own_triples(triples: Iterable[tuple[object, object, object]]) -> set[ox.Triple]:
        """rdflib triples as the ones `derived` gives and `change` takes."""
        graph = Graph()
        for triple in triples:
            graph.add(triple)  # type: ignore[arg-type]
        data = graph.serialize(format="nt", encoding="utf-8")
        return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}

    @staticmethod
    def ntriples(lines: Iterable[str]) -> set[ox.Triple]:
        """N-Triples lines (as the bulk loaders write them) as the triples `change` takes."""
        data = "".join(lines).encode()
        return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}

    @staticmethod
    def parts(triple: ox.Triple) -> tuple[str, str, str | None]:
        """A triple's subject and predicate IRIs and its object's IRI (None: a literal)."""
        obj = triple.object
        return triple.subject.value, triple.predicate.value, obj.value if isinstance(obj, ox.NamedNode) else None

    def values(self, subject: str, predicate: str, graph: URIRef) -> list[str]:
        """The objects of a subject's predicate in one graph, as their values (IRI or lexical form):
        a lookup without SPARQL, for callers asking it thousands of times (graph/build/gleif_update.py)."""
        return [q.object.value for q in self.ox.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate),
                                                                  None, ox.NamedNode(graph))]

    def any_typed(self, subjects: Iterable[str], cls: str) -> bool:
        """Whether one of these IRIs is an instance of the class, in any graph."""
        kind = ox.NamedNode(cls)
        return any(next(self.ox.quads_for_pattern(ox.NamedNode(s), TYPE, kind), None) is not None
                   for s in subjects)

    def dump_graphs(self, names: Iterable[URIRef]) -> bytes:
        return b"".join(ox.serialize(self.ox.quads_for_pattern(None, None, None, ox.NamedNode(name)),
                                     format=ox.RdfFormat.N_QUADS) for name in names)

    def dump_reads(self, names: Iterable[URIRef], reads: Reads) -> bytes:
        """What of these graphs a set of rules can read (reasoning/reads.py), as N-Quads: index scans
        by predicate, by class, and by predicate on the subjects an anchor reaches."""
        if reads.everything:
            return self.dump_graphs(names)
        graphs = [ox.NamedNode(name) for name in names]

        def scan(subject: ox.NamedNode | ox.BlankNode | None, predicate: ox.NamedNode,
                 obj: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
            for graph in graphs:
                yield from self.ox.quads_for_pattern(subject, predicate, obj, graph)

        def subjects(anchor: Anchor) -> set:
            kind, start, *steps = anchor
            found = ({q.subject for q in scan(None, TYPE, ox.NamedNode(start))} if kind == "class"
                     else {ox.NamedNode(start)})
            for step in steps:
                found = {q.object for s in found for q in scan(s, ox.NamedNode(step))
                         if isinstance(q.object, ox.NamedNode | ox.BlankNode)}
            return found

        quads: list[ox.Quad] = []
        for predicate in sorted(reads.predicates):
            quads.extend(scan(None, ox.NamedNode(predicate)))
        for cls in sorted(reads.classes):
            quads.extend(scan(None, TYPE, ox.NamedNode(cls)))
        for predicate, anchor in sorted(reads.restricted()):
            quads.extend(q for s in subjects(anchor) for q in scan(s, ox.NamedNode(predicate)))
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)

    def load_nquads(self, data: bytes, *, trusted: bool = False) -> None:
        """On disk, RocksDB's bulk loader (several times faster than a transaction; the stores written
        this way are private to a build or scenario until published). Trusted data is read leniently
        (no IRI validation: a third faster for the regimes' inferences coming back from their stores)."""
        if data:
            load = self.ox.bulk_load if self.path is not None else self.ox.load
            load(data, format=ox.RdfFormat.N_QUADS, lenient=trusted)

    def remove(self, triples: Iterable[tuple[object, object, object]], graph: URIRef) -> None:
        named = self.dataset.graph(graph)
        for triple in triples:
            named.remove(triple)  # type: ignore[arg-type]

    def graph_names(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self.ox.named_graphs())

    def graph_size(self, name: URIRef) -> int:
        graph = ox.NamedNode(name)  # validates the IRI before it goes into the query text
        result = self.ox.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        return int(next(iter(result))["n"].value)

    def flush(self) -> None:
        self.ox.flush()

    def compact(self) -> None:
        """RocksDB compaction: a published build is read many times, so it is compacted once."""
        self.ox.optimize()

    def save_to(self, path: Path) -> KnowledgeStore:
        """Every graph of this (working) store written into a new on-disk store at `path`, by one bulk load."""
        target = KnowledgeStore.create(path)
        target.ox.bulk_load(self.ox.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
        return target

    @property
    def closed(self) -> bool:
        return self._ox is None

    def close(self) -> None:
        """Release RocksDB now: drop every reference (rdflib's keep cycles, hence the collection)."""
        if self._ox is None:
            return
        self._ox = None
        had_dataset, self._dataset = self._dataset is not None, None
        if had_dataset or self._writer:
            gc.collect()
        if self._writer:
            writers.closed(self.path)  # type: ignore[arg-type]
            self._writer = False


class StreamedLoad:
    """RocksDB's bulk loader reading a named pipe on a thread. The load leaves Python's lock while it
    parses, sorts and writes, so it uses the core the loaders leave idle."""

    def __init__(self, store: ox.Store, path: Path, graph: ox.NamedNode):
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, args=(store, path, graph), daemon=True,
                                        name="exportkg-bulk-load")
        self._thread.start()

    def _load(self, store: ox.Store, path: Path, graph: ox.NamedNode) -> None:
        try:
            store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        except BaseException as exc:  # noqa: BLE001 - given to the thread that waits
            self._error = exc

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def wait(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise StoreError(f"the bulk load of the facts failed: {_first_line(self._error)}") from self._error


def _renamed(lines: list[bytes], renames: Sequence[tuple[str, str]]) -> bytes:
    """N-Triples lines as a document, with some IRI parts renamed."""
    data = b"".join(line + b"\n" for line in lines)
    for old, new in renames:
        data = data.replace(old.encode(), new.encode())
    return data


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
