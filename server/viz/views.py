"""Blueprint: the graph views (/graph...), drawn in the browser by vis-network from a JSON data island.

Pages run no inline script: server/static/graph.js reads the data from a
<script type="application/json"> element, so the strict Content-Security-Policy holds. Every view is
computed in a query worker under the query timeout (server/viz/work.py); a CONSTRUCT sent from the
query UI runs through the same guard, executor, timeout and row cap as /sparql.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, render_template, request

from exportkg.server.errors import HttpError
from exportkg.server.sparql.guard import Refused, vet
from exportkg.server.sparql.jobs import QueryJob
from exportkg.server.state import state
from exportkg.server.viz import data as vizdata
from exportkg.server.viz.model import island, payload
from exportkg.server.viz.work import Drawn

log = logging.getLogger(__name__)
bp = Blueprint("viz", __name__)
CONSTRUCT_NODE_CAP = 500


def _int(name: str, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(request.args.get(name, default))))
    except ValueError:
        return default


def _page(drawn: Drawn | None, meta: dict[str, object], status: int = 200, error: str = "") -> Response:
    data = payload(drawn.graph, meta) if drawn is not None else None
    regimes = drawn.regimes if drawn is not None else _regimes()
    body = render_template("graph.html", data=island(data) if data else "", error=error, meta=meta,
                           regimes=regimes)
    return Response(body, status=status, mimetype="text/html")


def _regimes() -> list[str]:
    """The regimes the page offers, for a page that has no view to show (empty if even that fails)."""
    try:
        return state().run("graph-regimes")  # type: ignore[return-value]
    except HttpError:
        return []


def _failed(meta: dict[str, object], exc: HttpError) -> Response:
    log.info("graph view refused: %s", exc.message)
    return _page(None, meta, exc.status, exc.message)


def _view(meta: dict[str, object], task: str, **params: object) -> Response:
    try:
        return _page(state().run(task, **params), meta)  # type: ignore[arg-type]
    except HttpError as exc:
        return _failed(meta, exc)


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
    try:
        drawn: Drawn = state().run("graph-neighbourhood", entity=entity, regime=regime,  # type: ignore[assignment]
                                   depth=depth, cap=cap)
    except HttpError as exc:
        return _failed(meta, exc)
    meta["entity"] = drawn.iri
    if len(drawn.graph.nodes) >= cap and cap < vizdata.MAX_CAP:
        meta["moreUrl"] = "/graph?" + urlencode({"entity": entity, "depth": depth, "regime": regime,
                                                 "cap": min(vizdata.MAX_CAP, cap * 2)})
    return _page(drawn, meta)


@bp.get("/graph/data")
def data() -> Response | tuple[Response, int]:
    """One node's neighbours as vis-network JSON, for expand-on-click."""
    regime = request.args.get("regime", vizdata.DEFAULT_REGIME)
    cap = _int("cap", vizdata.PER_NODE, 1, vizdata.MAX_CAP)
    try:
        return jsonify(state().run("graph-expand", entity=request.args.get("entity", ""), regime=regime, cap=cap))
    except HttpError as exc:
        return jsonify({"error": exc.message}), exc.status


@bp.get("/graph/tiers")
def tiers() -> Response:
    regime = request.args.get("regime", vizdata.DEFAULT_REGIME)
    return _view({"view": "tiers", "regime": regime}, "graph-tiers", regime=regime)


@bp.get("/graph/impact")
def impact() -> Response:
    """What changes between two regimes: /graph/impact?base=draft-dec2024&against=ifr-jan2025."""
    base = request.args.get("base", "draft-dec2024")
    against = request.args.get("against", vizdata.DEFAULT_REGIME)
    meta: dict[str, object] = {"view": "impact", "regime": against, "base": base, "against": against}
    return _view(meta, "graph-impact", base=base, against=against)


@bp.get("/graph/ownership")
def ownership() -> Response:
    """A group's control tree, members coloured by their determination: /graph/ownership?entity=..."""
    regime = request.args.get("regime", vizdata.DEFAULT_REGIME)
    entity = request.args.get("entity", "").strip()
    meta: dict[str, object] = {"view": "ownership", "regime": regime, "entity": entity}
    return _view(meta, "graph-ownership", entity=entity, regime=regime)


@bp.post("/graph/construct")
def construct() -> Response:
    """A CONSTRUCT (or DESCRIBE) from the query UI, vetted and run like /sparql, drawn as a graph."""
    meta: dict[str, object] = {"view": "construct"}
    query = request.form.get("query", "")
    server = state()
    executor = server.executor()
    row_cap = min(server.settings.row_cap, 5 * CONSTRUCT_NODE_CAP)
    try:
        vetted = vet(query, executor.graph_names())
        if vetted.form not in ("CONSTRUCT", "DESCRIBE"):
            raise Refused("only a CONSTRUCT or DESCRIBE query can be shown as a graph")
        answer = executor.execute(QueryJob(query, vetted.form, "nt", row_cap, has_dataset=vetted.has_dataset))
        drawn: Drawn = server.run("graph-construct", ntriples=answer.body.decode("utf-8"),  # type: ignore[assignment]
                                  cap=CONSTRUCT_NODE_CAP)
    except Refused as exc:
        return _failed(meta, HttpError(exc.status, f"refused: {exc.message}"))
    except HttpError as exc:
        return _failed(meta, exc)
    if answer.truncated:
        drawn.graph.notes.append(f"The result was cut at {row_cap} triples.")
    return _page(drawn, meta)
