"""The pages' access to the graph: named system queries (queries/system/*.rq) with bound parameters.

Queries are data, not strings in Python: every SPARQL text the pages run is a file with a header, and
every value (an IRI from the URL, a search text) goes in through the catalog's validated `$param`
substitution, so user text never reaches a query unescaped.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph
from rdflib.term import Node

from exportkg.graph.config import Settings
from exportkg.graph.store import KnowledgeStore
from exportkg.queries.catalog import NamedQuery, load_catalog

Row = dict[str, Node | None]


@lru_cache(maxsize=4)
def system_queries(queries_dir: Path) -> dict[str, NamedQuery]:
    return load_catalog(queries_dir / "system")


def _render(settings: Settings, name: str, params: dict[str, str]) -> str:
    return system_queries(settings.queries_dir)[name].render(params)


def rows(store: KnowledgeStore, settings: Settings, name: str, **params: str) -> list[Row]:
    """A SELECT's rows as dicts of rdflib terms (None where unbound)."""
    result = store.query(_render(settings, name, params))
    names = [str(v) for v in result.vars]
    return [{n: row[i] for i, n in enumerate(names)} for row in result]


def ask(store: KnowledgeStore, settings: Settings, name: str, **params: str) -> bool:
    return bool(store.query(_render(settings, name, params)).askAnswer)


def construct(store: KnowledgeStore, settings: Settings, name: str, **params: str) -> Graph:
    graph = Graph()
    for triple in store.query(_render(settings, name, params)):
        graph.add(triple)
    return graph
