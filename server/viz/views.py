"""Blueprint: the graph views (/graph...), drawn in the browser by vis-network from a JSON data island.

Pages run no inline script: server/static/graph.js reads the data from a
<script type="application/json"> element, so the strict Content-Security-Policy holds. A CONSTRUCT
sent from the query UI runs through the same guard, executor, timeout and row cap as /sparql.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, render_template, request
from rdflib import Graph

from exportkg.graph.errors import QueryError
from exportkg.server.errors import HttpError
from exportkg.server.sparql.guard import Refused, vet
from exportkg.server.sparql.jobs import QueryJob
from exportkg.server.state import state
from exportkg.server.views.parties import regimes
from exportkg.server.viz import data as vizdata
from exportkg.server.viz.model import VizGraph, island, payload

log = logging.getLogger(__name__)
bp = Blueprint("viz", __name__)
CONSTRUCT_NODE_CAP = 500


def _int(name: str, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(request.args.get(name, default))))
    except ValueError:
        return default


def _page(graph: VizGraph | None, meta: dict[str, object], status: int = 200, error: str = "") -> Response:
    data = payload(graph, meta) if graph is not None else None
    body = render_template("graph.html", data=island(data) if data else "", error=error, meta=meta,
                           regimes=_regimes())
    return Response(body, status=status, mimetype="text/html")


def _regimes() -> list[str]:
    return [regime_id for regime_id, _ in regimes(state().store(), state().settings)]


def _failed(meta: dict[str, object], exc: Exception, status: int = 400) -> Response:
    log.info("graph view refused: %s", exc)
    return _page(None, meta, status, str(exc))


@bp.get("/graph")
def neighbourhood() -> Response:
    """An entity's neighbourhood: /graph?entity=g42&depth=2&regime=ifr-jan2025&cap=150."""
    entity = request.args.get("entity", "").strip()
    regime = request.args.get("regime", vizdata.DEFAULT_REGIME)
    depth = _int("depth", 1, 1, 3)
    cap = _int("cap", vizdata.DEFAULT_CAP, 10, vizdata.MAX_CAP)
    meta: dict[str, object] = {"view": "neighbourhood", "regime": regime, "entity": entity, "depth": depth,
                               "cap": cap, "dataUrl": "/graph/data", "expandCap": vizdata.PER_NODE}
    if not entity:
        return _page(None, meta)
    kg, settings = state().store(), state().settings
    try:
        iri = vizdata.resolve(kg, settings, entity)
        graph = vizdata.neighbourhood(kg, settings, iri, regime, depth, cap)
    except vizdata.VizError as exc:
        return _failed(meta, exc, 404 if "no entity" in str(exc) else 400)
    except QueryError as exc:
        return _failed(meta, exc)
    meta["entity"] = iri
    if len(graph.nodes) >= cap and cap < vizdata.MAX_CAP:
        meta["moreUrl"] = "/graph?" + urlencode({"entity": entity, "depth": depth, "regime": regime,
                                                 "cap": min(vizdata.MAX_CAP, cap * 2)})
    return _page(graph, meta)


@bp.get("/graph/data")
def data() -> Response | tuple[Response, int]:
    """One node's neighbours as vis-network JSON, for expand-on-click."""
    regime = request.args.get("regime", vizdata.DEFAULT_REGIME)
    cap = _int("cap", vizdata.PER_NODE, 1, vizdata.MAX_CAP)
    kg, settings = state().store(), state().settings
    try:
        iri = vizdata.resolve(kg, settings, request.args.get("entity", ""))
        graph = vizdata.neighbourhood(kg, settings, iri, regime, 1, cap + 1, cap)
    except (vizdata.VizError, QueryError) as exc:
        return jsonify({"error": str(exc)}), 400
    return jsonify(payload(graph, {"view": "data", "regime": regime, "entity": iri}))


@bp.get("/graph/tiers")
def tiers() -> Response:
    regime = request.args.get("regime", vizdata.DEFAULT_REGIME)
    meta: dict[str, object] = {"view": "tiers", "regime": regime}
    try:
        return _page(vizdata.tiers(state().store(), state().settings, regime), meta)
    except (vizdata.VizError, QueryError) as exc:
        return _failed(meta, exc)


@bp.get("/graph/impact")
def impact() -> Response:
    """What changes between two regimes: /graph/impact?base=draft-dec2024&against=ifr-jan2025."""
    base = request.args.get("base", "draft-dec2024")
    against = request.args.get("against", vizdata.DEFAULT_REGIME)
    meta: dict[str, object] = {"view": "impact", "regime": against, "base": base, "against": against}
    try:
        return _page(vizdata.impact(state().store(), state().settings, base, against), meta)
    except (vizdata.VizError, QueryError) as exc:
        return _failed(meta, exc)


@bp.get("/graph/ownership")
def ownership() -> Response:
    """A group's control tree, members coloured by their determination: /graph/ownership?entity=..."""
    regime = request.args.get("regime", vizdata.DEFAULT_REGIME)
    entity = request.args.get("entity", "").strip()
    meta: dict[str, object] = {"view": "ownership", "regime": regime, "entity": entity}
    kg, settings = state().store(), state().settings
    try:
        iri = vizdata.resolve(kg, settings, entity)
        return _page(vizdata.group_tree(kg, settings, iri, regime), meta)
    except (vizdata.VizError, QueryError) as exc:
        return _failed(meta, exc)


@bp.post("/graph/construct")
def construct() -> Response:
    """A CONSTRUCT (or DESCRIBE) from the query UI, vetted and run like /sparql, drawn as a graph."""
    meta: dict[str, object] = {"view": "construct"}
    query = request.form.get("query", "")
    server = state()
    executor = server.executor()
    try:
        vetted = vet(query, executor.graph_names())
        if vetted.form not in ("CONSTRUCT", "DESCRIBE"):
            raise Refused("only a CONSTRUCT or DESCRIBE query can be shown as a graph")
        row_cap = min(server.settings.row_cap, 5 * CONSTRUCT_NODE_CAP)
        answer = executor.execute(QueryJob(query, vetted.form, "nt", row_cap, has_dataset=vetted.has_dataset))
    except Refused as exc:
        return _failed(meta, Exception(f"refused: {exc}"))
    except HttpError as exc:
        return _failed(meta, Exception(exc.message), exc.status)
    triples = Graph().parse(data=answer.body.decode("utf-8"), format="nt")
    graph = vizdata.from_triples(server.store(), server.settings, triples, CONSTRUCT_NODE_CAP)
    if answer.truncated:
        graph.notes.append(f"The result was cut at {row_cap} triples.")
    return _page(graph, meta)
