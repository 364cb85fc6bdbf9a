"""The one store interface: what the build, the rule engine, the answers and the server may ask of a store.

Two stores implement it: the embedded on-disk Oxigraph store (store/embedded.py) and any SPARQL 1.1
store reached over HTTP (store/remote.py). Everything the interface offers beyond standard SPARQL 1.1
Query and Update is a declared capability, so a caller asks before it relies on it (the rule engine
runs a stratum on threads only where writes may run in parallel; scenario stores need a cheap copy of
the whole store) and a command that cannot work on a store says so instead of failing half-way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from rdflib import Graph, URIRef
from rdflib.query import Result

from exportkg.graph.errors import StoreError
from exportkg.graph.reasoning.reads import Reads


@dataclass(frozen=True)
class Capabilities:
    """What a store does beyond SPARQL 1.1 Query and Update."""

    #: a name for messages: "embedded Oxigraph store at ...", "SPARQL endpoint ..."
    description: str
    #: several writes may run at the same time (the rule engine runs a stratum on threads)
    parallel_writes: bool = False
    #: a CONSTRUCT's triples can be added to a graph inside the engine (the rules' fast path);
    #: otherwise rules are sent as portable `INSERT ... USING ... WHERE` updates
    construct_into: bool = False
    #: the whole store can be copied in milliseconds (a RocksDB backup): scenario stores need it
    snapshots: bool = False
    #: graphs can be read out and added as N-Quads without Python terms (`dump_graphs`, `load_nquads`):
    #: the rule engine then gives each regime a store of its own
    quads: bool = False


@runtime_checkable
class Store(Protocol):
    """A set of named graphs exportkg reads and (when building) writes."""

    capabilities: Capabilities

    def query(self, sparql: str, bindings: dict[str, object] | None = None) -> Result:
        """A SPARQL query over every exportkg graph as one default graph (the union)."""
        ...

    def update(self, sparql: str) -> None:
        """A SPARQL 1.1 Update."""
        ...

    def load_graph(self, graph: Graph, name: URIRef) -> int:
        """Add an rdflib graph's triples to a named graph; returns how many."""
        ...

    def load_ntriples_file(self, path: Path, name: URIRef) -> None:
        """Add an N-Triples file's triples to a named graph (bulk facts: loaders/bulk.py)."""
        ...

    def construct_into(self, construct: str, graph: URIRef) -> int:
        """Add what a CONSTRUCT over the union graph gives to `graph` (only with `construct_into`)."""
        ...

    def dump_graphs(self, names: Iterable[URIRef]) -> bytes:
        """Some named graphs as N-Quads (only with `quads`)."""
        ...

    def dump_reads(self, names: Iterable[URIRef], reads: Reads) -> bytes:
        """What of these graphs rules with these reads can match, as N-Quads (only with `construct_into`)."""
        ...

    def load_nquads(self, data: bytes, *, trusted: bool = False) -> None:
        """Add N-Quads to the store (only with `quads`). `trusted`: Oxigraph's own serialization (a
        rule store's output), which a store may read without checking every IRI again."""
        ...

    def remove(self, triples: Iterable[tuple[object, object, object]], graph: URIRef) -> None:
        """Remove triples from a named graph."""
        ...

    def graph_names(self) -> list[URIRef]:
        """exportkg's named graphs in this store, sorted."""
        ...

    def graph_size(self, name: URIRef) -> int:
        ...

    def flush(self) -> None:
        """Make what was written durable."""
        ...

    def close(self) -> None:
        """Let go of the store; idempotent, and final: the object answers nothing afterwards."""
        ...


def require(store: Store, capability: str, what: str) -> None:
    """Stop with a clear message when a command needs a capability the store lacks."""
    if not getattr(store.capabilities, capability):
        raise StoreError(f"{what} is not available on the {store.capabilities.description}: "
                         f"it needs a store with {capability.replace('_', ' ')} (the embedded store has it)")


def inferred_size(store: Store) -> int:
    """Triples over every inferred graph (rule engine logs and checks)."""
    return sum(store.graph_size(g) for g in store.graph_names() if "/inferred/" in str(g))
