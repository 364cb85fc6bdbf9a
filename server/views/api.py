"""Blueprint: the JSON API. Determinations and the named queries over HTTP, the same answers as the CLI's
`determine --format json` and `query NAME --format json`, described by an OpenAPI document.

Errors are JSON `{"error": "..."}` saying what is wrong: 400 for bad input, 404 for an unknown party
or query, 503 when the store cannot answer (nothing built yet, remote endpoint down) or the work passed
the query timeout or a worker's memory limit: determinations and named queries run in a query worker
like a /sparql query (server/views/work.py).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, jsonify, request

from exportkg.graph.errors import StoreError
from exportkg.queries.catalog import NamedQuery, catalog
from exportkg.server.errors import HttpError
from exportkg.server.state import state
from exportkg.server.views.openapi import DETERMINE_FIELDS, document

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__)


@bp.errorhandler(HttpError)
def _api_error(exc: HttpError) -> tuple[Response, int]:
    return jsonify(error=exc.message), exc.status


@bp.errorhandler(StoreError)
def _store_error(exc: StoreError) -> tuple[Response, int]:
    log.warning("store unavailable: %s", exc)
    return jsonify(error=f"the store cannot answer: {exc}"), 503


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness: the process serves requests (test fixtures and load balancers poll it)."""
    return jsonify(status="ok")


def _params() -> dict[str, str]:
    """The request's parameters: the query string, or for a POST a flat JSON object of strings."""
    if request.method != "POST":
        return {k: v for k, v in request.args.items()}
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
        raise HttpError(400, "the body must be a JSON object whose values are strings")
    return body


def _determine_args(params: dict[str, str]) -> dict[str, str | None]:
    unknown = set(params) - set(DETERMINE_FIELDS)
    if unknown:
        raise HttpError(400, f"unknown parameter(s) {', '.join(sorted(unknown))}; known: "
                            f"{', '.join(DETERMINE_FIELDS)}")
    missing = [name for name in ("party", "item") if not params.get(name)]
    if missing:
        raise HttpError(400, f"parameter(s) required: {', '.join(missing)}")
    if params.get("regime") and params.get("on"):
        raise HttpError(400, "give regime or on, not both")
    return {name: params.get(name) or None for name in DETERMINE_FIELDS}


@bp.route("/api/determine", methods=["GET", "POST"])
def api_determine() -> Response:
    """Does exporting the item to the party need a license, under which policy, and why."""
    args = _determine_args(_params())
    return jsonify(state().run("determine", **args))


def _catalog() -> dict[str, NamedQuery]:
    return catalog(state().settings.queries_dir).named


def _describe(query: NamedQuery) -> dict[str, Any]:
    return {"name": query.name, "title": query.title, "description": query.description,
            "citation": query.meta.get("citation", ""),
            "params": [{"name": p.name, "kind": p.kind, "default": p.default, "required": p.default is None,
                        "description": p.description} for p in query.params]}


@bp.get("/api/queries")
def api_queries() -> Response:
    """The named query catalog: what each query answers and the parameters it takes."""
    return jsonify(queries=[_describe(q) for q in _catalog().values()])


@bp.get("/api/queries/<name>")
def api_query(name: str) -> Response:
    """Run a named query with parameters from the query string; SPARQL 1.1 results JSON."""
    body = state().run("named-query", name=name, params=tuple(sorted(request.args.items())))
    return Response(body, mimetype="application/json")


@bp.get("/api/openapi.json")
def openapi() -> Response:
    return jsonify(document())
