"""Blueprint: the human side of the server: the query UI, the ontology, entity pages and search.

Machine views of the same resources (Turtle, JSON-LD, RDF/XML) are chosen by content negotiation.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from markupsafe import Markup

from exportkg.queries.catalog import catalog
from exportkg.server.errors import HttpError
from exportkg.server.state import state
from exportkg.server.views import negotiate, ontology_doc
from exportkg.server.views.headers import CSP_QUERY_UI, add_security_headers
from exportkg.server.views.terms import entity_iri

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


@bp.errorhandler(HttpError)
def _failed(exc: HttpError) -> tuple[str, int]:
    """A page that could not be made (its work passed the timeout, or the store cannot answer)."""
    return render_template("error.html", status=exc.status, message=exc.message), exc.status


@bp.get("/id/<path:path>")
def entity(path: str) -> Response | str | tuple[str, int]:
    """https://w3id.org/exportkg/id/<path> as a page, or as RDF by content negotiation. The page's
    queries run in a query worker (server/views/work.py)."""
    iri = entity_iri(path)
    chosen = negotiate.choose(request, ("html", "ttl", "jsonld", "rdfxml", "nt"))
    if chosen is None:
        if not state().run("entity-known", iri=iri):
            return render_template("404.html", iri=iri), 404
        abort(406)
    if chosen != "html":
        body = state().run("entity-rdf", iri=iri, fmt=chosen)
        if body is None:
            return render_template("404.html", iri=iri), 404
        return _rdf_response(body, chosen)
    found = state().run("entity-page", iri=iri)
    if found is None:
        return render_template("404.html", iri=iri), 404
    return render_template("entity.html", e=found.page, determinations=found.determinations, chain=found.chain,
                           listed=found.listed,
                           timeline=Markup(found.timeline) if found.timeline else None)  # labels escaped in lanes.py


@bp.get("/search")
def search() -> str:
    """Entities by label: a case-insensitive substring, passed to SPARQL as an escaped literal."""
    text = request.args.get("q", "").strip()[:SEARCH_MAX]
    results = state().run("search", text=text) if text else []
    return render_template("search.html", q=text, results=results)
