"""Running the catalog's system queries (queries/system/*.rq) on a store, with bound parameters.

Queries are data, not strings in Python: every SPARQL text the answers, the impact reports and the
pages run is a file with a header, and every value (an IRI from a URL, a search text, a date) goes in
through the catalog's typed `$param` substitution, so user text never reaches a query unescaped.
"""

from __future__ import annotations

from rdflib import Graph
from rdflib.query import Result, ResultRow
from rdflib.term import Node

from exportkg.graph.config import Settings
from exportkg.graph.errors import QueryError
from exportkg.graph.store.base import Store
from exportkg.queries.catalog import NamedQuery, catalog

Row = dict[str, Node | None]
Focus = dict[str, tuple[str, ...]] | None


def run(store: Store, settings: Settings, name: str, focus: Focus = None, **params: str) -> Result:
    """A system query's result as the store gives it; a researcher's named query of the same name
    serves where the answers read exactly what researchers see (the impact report's listing reach)."""
    queries = catalog(settings.queries_dir)
    query = queries.system.get(name) or queries.named[name]
    return store.query(query.render(params, focus))


def check_entities(store: Store, settings: Settings, query: NamedQuery, values: dict[str, str]) -> None:
    """Every entity a query's parameters name is in the graph (system query `entity-known`), else a
    QueryError naming it: `regime=bogus` is a mistake to report, not a table with no rows."""
    for name, value, iri in query.entities(values):
        if not ask(store, settings, "entity-known", iri=str(iri)):
            kind = next(p.kind for p in query.params if p.name == name)
            raise QueryError(f"{query.name}: parameter {name}: no {kind} {value!r} in the graph "
                             f"({iri})")


def records(store: Store, settings: Settings, name: str, focus: Focus = None, **params: str) -> list[ResultRow]:
    """A SELECT's rows, each readable by variable name as an attribute (row.iso) or by index."""
    return list(run(store, settings, name, focus, **params))


def rows(store: Store, settings: Settings, name: str, focus: Focus = None, **params: str) -> list[Row]:
    """A SELECT's rows as dicts of rdflib terms (None where unbound)."""
    result = run(store, settings, name, focus, **params)
    names = [str(v) for v in result.vars]
    return [{n: row[i] for i, n in enumerate(names)} for row in result]


def ask(store: Store, settings: Settings, name: str, **params: str) -> bool:
    return bool(run(store, settings, name, **params).askAnswer)


def construct(store: Store, settings: Settings, name: str, **params: str) -> Graph:
    graph = Graph()
    for triple in run(store, settings, name, **params):
        graph.add(triple)  # type: ignore[arg-type]
    return graph
