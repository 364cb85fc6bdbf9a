"""The tasks of the pages and the JSON API (server/sparql/tasks.py): what they read from the store, run
in a query worker under the query timeout. Each returns plain, picklable data for the view to render,
or raises HttpError with the status the client should see. No Flask here: workers import this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rdflib import Graph

from exportkg.graph import formats
from exportkg.graph import namespaces as ns
from exportkg.graph.answers import maps
from exportkg.graph.answers.country_timeline import country_timeline
from exportkg.graph.answers.determine import UnknownPartyError, determine
from exportkg.graph.answers.listed import ListedEntry, listed_entries
from exportkg.graph.config import Settings
from exportkg.graph.errors import ExportKGError, QueryError, StoreError
from exportkg.graph.impact.compare import Report
from exportkg.graph.impact.run import impact
from exportkg.graph.impact.scenario_store import Pending, Prepared
from exportkg.graph.namespaces import PREFIXES
from exportkg.graph.render import lanes
from exportkg.graph.render.results import render_rdflib
from exportkg.graph.render.worldmap import WorldMap
from exportkg.graph.store import named
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import construct, rows
from exportkg.queries.catalog import catalog
from exportkg.server.errors import HttpError
from exportkg.server.views import entity as entities
from exportkg.server.views import parties
from exportkg.server.views.terms import view


def _store_failed(exc: StoreError) -> HttpError:
    return HttpError(503, f"the store cannot answer: {exc}")


def determine_json(store: Store, settings: Settings, **args: str | None) -> dict:
    """`exportkg determine --format json` for the API."""
    try:
        return determine(store, settings, **args).as_json()  # type: ignore[arg-type]
    except UnknownPartyError as exc:
        raise HttpError(404, str(exc)) from None
    except StoreError as exc:
        raise _store_failed(exc) from None
    except ExportKGError as exc:
        raise HttpError(400, str(exc)) from None


def named_query(store: Store, settings: Settings, name: str, params: tuple[tuple[str, str], ...]) -> bytes:
    """A named query's SPARQL results JSON."""
    query = catalog(settings.queries_dir).named.get(name)
    if query is None:
        raise HttpError(404, f"no named query {name!r} (GET /api/queries lists them)")
    try:
        text = query.render(dict(params))
        named.check_entities(store, settings, query, dict(params))
    except QueryError as exc:
        raise HttpError(400, str(exc)) from None
    return render_rdflib(store.query(text), "json")  # type: ignore[return-value]


@dataclass
class EntityPage:
    """Everything an entity page shows."""

    page: entities.EntityView
    determinations: list[parties.DeterminationRow] = field(default_factory=list)
    chain: list[dict[str, object]] = field(default_factory=list)
    #: the list entries that name the party today (curated links only)
    listed: list[ListedEntry] = field(default_factory=list)
    #: a country's position over time, as SVG (graph/answers/country_timeline.py)
    timeline: str | None = None


def entity_known(store: Store, settings: Settings, iri: str) -> bool:
    try:
        return entities.known(store, settings, iri)  # type: ignore[arg-type]
    except QueryError:  # not a valid IRI, so certainly not in the graph
        return False


def entity_page(store: Store, settings: Settings, iri: str) -> EntityPage | None:
    """The page's data, or None when the graph does not know the IRI."""
    if not entity_known(store, settings, iri):
        return None
    page = entities.gather(store, settings, iri)  # type: ignore[arg-type]
    if ns.EKG.Country in page.type_iris:
        return EntityPage(page, timeline=lanes.svg(country_timeline(store, settings, iri, page.label)))
    if not page.is_party:
        return EntityPage(page)
    return EntityPage(page, parties.determinations(store, settings, iri),  # type: ignore[arg-type]
                      entities.chain(store, settings, iri),  # type: ignore[arg-type]
                      listed_entries(store, settings, iri, date.today().isoformat()))


def entity_rdf(store: Store, settings: Settings, iri: str, fmt: str) -> str | None:
    """The entity's triples serialized, or None when the graph does not know the IRI."""
    if not entity_known(store, settings, iri):
        return None
    graph: Graph = construct(store, settings, "entity-describe", iri=iri)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    options = {"context": {p: str(n) for p, n in PREFIXES.items()}} if fmt == "jsonld" else {}
    return graph.serialize(format=formats.BY_KEY[fmt].rdflib, **options)


def search(store: Store, settings: Settings, text: str) -> list[dict[str, object]]:
    return [{"entity": view(r["entity"], r["label"]), "types": str(r["types"] or "")}
            for r in rows(store, settings, "search-labels", text=text)]


def impact_report(store: Store, settings: Settings, base: str, against: str) -> tuple[Report, Prepared | None]:
    """The impact report, and the scenario store prepared on the way (closed, for the web process to
    complete after answering: server/completions.py)."""
    handed: list[Prepared] = []

    def hand_over(pending: Pending) -> None:
        handed.append(pending.hand_over())

    try:
        report = impact(settings, base, against, main=store, files=False, complete=hand_over)
    except StoreError as exc:
        raise _store_failed(exc) from None
    except ExportKGError as exc:
        raise HttpError(400, str(exc)) from None
    return report, (handed[0] if handed else None)


def map_regimes(store: Store, settings: Settings) -> list[str]:
    """The regimes with tiers, for the map page's choice (queries/system/map-regimes.rq)."""
    return [str(r["id"]) for r in rows(store, settings, "map-regimes")]


def tier_map(store: Store, settings: Settings, regime: str, links: str = "page") -> WorldMap:
    """The world map of a regime's tiers (drawn to SVG or PNG by the view); a file downloaded for a
    report links country IRIs (`links="iri"`), the page links the server's own country pages."""
    try:
        return maps.tier_map(store, settings, regime, link=maps.iri_link if links == "iri" else maps.page_link)
    except StoreError as exc:
        raise _store_failed(exc) from None
    except ExportKGError as exc:
        raise HttpError(400, str(exc)) from None
