"""The tasks of the graph views (server/sparql/tasks.py): a neighbourhood walks the graph one query per
node (a 1,000-node view at depth 3 takes seconds), so every view is computed in a query worker under
the query timeout, and the web thread only renders the result. Unknown entities and bad regimes are
HttpErrors (404, 400). No Flask here: workers import this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph

from exportkg.graph.config import Settings
from exportkg.graph.errors import QueryError
from exportkg.graph.store.base import Store
from exportkg.server.errors import HttpError
from exportkg.server.views.parties import regimes
from exportkg.server.viz import data as vizdata
from exportkg.server.viz.model import VizGraph, payload


@dataclass
class Drawn:
    """A view's graph, the entity it is about (as an IRI), and the regimes the page offers."""

    graph: VizGraph
    iri: str = ""
    regimes: list[str] = field(default_factory=list)


def regime_ids(store: Store, settings: Settings) -> list[str]:
    return [regime_id for regime_id, _ in regimes(store, settings)]  # type: ignore[arg-type]


def _refused(exc: Exception) -> HttpError:
    return HttpError(404 if "no entity" in str(exc) else 400, str(exc))


def neighbourhood(store: Store, settings: Settings, entity: str, regime: str, depth: int, cap: int) -> Drawn:
    try:
        iri = vizdata.resolve(store, settings, entity)  # type: ignore[arg-type]
        graph = vizdata.neighbourhood(store, settings, iri, regime, depth, cap)  # type: ignore[arg-type]
    except (vizdata.VizError, QueryError) as exc:
        raise _refused(exc) from None
    return Drawn(graph, iri, regime_ids(store, settings))


def expand(store: Store, settings: Settings, entity: str, regime: str, cap: int) -> dict:
    """One node's neighbours as vis-network JSON, for expand-on-click."""
    try:
        iri = vizdata.resolve(store, settings, entity)  # type: ignore[arg-type]
        graph = vizdata.neighbourhood(store, settings, iri, regime, 1, cap + 1, cap)  # type: ignore[arg-type]
    except (vizdata.VizError, QueryError) as exc:
        raise HttpError(400, str(exc)) from None
    return payload(graph, {"view": "data", "regime": regime, "entity": iri})


def tiers(store: Store, settings: Settings, regime: str) -> Drawn:
    try:
        return Drawn(vizdata.tiers(store, settings, regime), "", regime_ids(store, settings))  # type: ignore[arg-type]
    except (vizdata.VizError, QueryError) as exc:
        raise HttpError(400, str(exc)) from None


def impact(store: Store, settings: Settings, base: str, against: str) -> Drawn:
    try:
        graph = vizdata.impact(store, settings, base, against)  # type: ignore[arg-type]
    except (vizdata.VizError, QueryError) as exc:
        raise HttpError(400, str(exc)) from None
    return Drawn(graph, "", regime_ids(store, settings))


def ownership(store: Store, settings: Settings, entity: str, regime: str) -> Drawn:
    try:
        iri = vizdata.resolve(store, settings, entity)  # type: ignore[arg-type]
        graph = vizdata.group_tree(store, settings, iri, regime)  # type: ignore[arg-type]
    except (vizdata.VizError, QueryError) as exc:
        raise _refused(exc) from None
    return Drawn(graph, iri, regime_ids(store, settings))


def construct(store: Store, settings: Settings, ntriples: str, cap: int) -> Drawn:
    """A CONSTRUCT's answer (already evaluated under the guard, as N-Triples) drawn as a graph."""
    triples = Graph().parse(data=ntriples, format="nt")
    graph = vizdata.from_triples(store, settings, triples, cap)  # type: ignore[arg-type]
    return Drawn(graph, "", regime_ids(store, settings))
