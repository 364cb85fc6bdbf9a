"""Blueprint: the human side of the server: the query UI, the ontology, entity pages and search.

Machine views of the same resources (Turtle, JSON-LD, RDF/XML) are chosen by content negotiation.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from exportkg.graph.errors import QueryError
from exportkg.graph.namespaces import PREFIXES
from exportkg.graph.store.named import construct, rows
from exportkg.queries.catalog import catalog
from exportkg.server.state import state
from exportkg.server.views import entity as entities
from exportkg.server.views import negotiate, ontology_doc, parties
from exportkg.server.views.headers import CSP_QUERY_UI, add_security_headers
from exportkg.server.views.terms import entity_iri, view

bp = Blueprint("pages", __name__)
bp.after_app_request(add_security_headers)

SEARCH_MAX = 200  # characters of search text kept


@bp.get("/")
def home() -> Response:
    """YASGUI over /sparql, with the named queries as a gallery of examples."""
    settings = state().settings
    gallery = [{"name": q.name, "title": q.title, "description": q.description,
                "citation": q.meta.get("citation", ""), "query": q.render()}
               for q in catalog(settings.queries_dir).named.values()]
    response = Response(render_template("home.html", gallery=gallery), mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP_QUERY_UI
    return response


@bp.get("/ontology")
def ontology() -> Response | str:
    chosen = negotiate.choose(request, ("html", "ttl", "rdfxml", "jsonld"))
    if chosen is None:
        abort(406)
    if chosen != "html":
        return _ontology_as(chosen)
    _, doc = ontology_doc.load(state().settings.ontology_file)
    return render_template("ontology.html", doc=doc)


@bp.get("/ontology.ttl")
def ontology_ttl() -> Response:
    return _ontology_as("ttl")


@bp.get("/ontology.rdf")
def ontology_rdf() -> Response:
    return _ontology_as("rdfxml")


def _ontology_as(fmt: str) -> Response:
    """The Turtle file as written (comments kept); other formats serialized from it."""
    path = state().settings.ontology_file
    if fmt == "ttl":
        body = path.read_text(encoding="utf-8")
    else:
        graph, _ = ontology_doc.load(path)
        body = graph.serialize(format=negotiate.serializer(fmt))
    return _rdf_response(body, fmt)


def _rdf_response(body: str, fmt: str) -> Response:
    response = Response(body, mimetype=negotiate.media_type(fmt))
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/id/<path:path>")
def entity(path: str) -> Response | str | tuple[str, int]:
    """https://w3id.org/exportkg/id/<path> as a page, or as RDF by content negotiation."""
    kg, settings = state().store(), state().settings
    iri = entity_iri(path)
    try:
        exists = entities.known(kg, settings, iri)
    except QueryError:  # not a valid IRI, so certainly not in the graph
        exists = False
    if not exists:
        return render_template("404.html", iri=iri), 404
    chosen = negotiate.choose(request, ("html", "ttl", "jsonld", "rdfxml", "nt"))
    if chosen is None:
        abort(406)
    if chosen != "html":
        return _entity_as(iri, chosen)
    page = entities.gather(kg, settings, iri)
    determinations = parties.determinations(kg, settings, iri) if page.is_party else []
    chain = entities.chain(kg, settings, iri) if page.is_party else []
    return render_template("entity.html", e=page, determinations=determinations, chain=chain)


def _entity_as(iri: str, fmt: str) -> Response:
    graph = construct(state().store(), state().settings, "entity-describe", iri=iri)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    options = {"context": {p: str(n) for p, n in PREFIXES.items()}} if fmt == "jsonld" else {}
    return _rdf_response(graph.serialize(format=negotiate.serializer(fmt), **options), fmt)


@bp.get("/search")
def search() -> str:
    """Entities by label: a case-insensitive substring, passed to SPARQL as an escaped literal."""
    text = request.args.get("q", "").strip()[:SEARCH_MAX]
    results = []
    if text:
        results = [{"entity": view(r["entity"], r["label"]), "types": str(r["types"] or "")}
                   for r in rows(state().store(), state().settings, "search-labels", text=text)]
    return render_template("search.html", q=text, results=results)
