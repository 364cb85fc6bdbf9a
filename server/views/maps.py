"""Blueprint: world maps. /map shows a regime's tiers (?regime=) or where an impact changes something
(?base=&against=); /map.svg and /map.png are the same drawing as files for reports.

The drawing is SVG made on the server (graph/render/worldmap.py): hover details are SVG titles and
country links plain anchors, so the page needs no script and renders with the network off.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, render_template, request
from markupsafe import Markup

from exportkg.graph.answers.maps import impact_map, iri_link, page_link
from exportkg.graph.render import worldmap
from exportkg.server.errors import HttpError
from exportkg.server.state import state
from exportkg.server.views.impact_pages import MAX_SPEC, requested_report

bp = Blueprint("maps", __name__)
DEFAULT_REGIME = "ifr-jan2025"


def _drawing(links: str) -> worldmap.WorldMap:
    """The request's map: an impact when base or against is given, else a regime's tiers."""
    if request.args.get("base") or request.args.get("against"):
        return impact_map(requested_report(), link=iri_link if links == "iri" else page_link)
    regime = request.args.get("regime", DEFAULT_REGIME)[:MAX_SPEC] or DEFAULT_REGIME
    return state().run("tier-map", regime=regime, links=links)  # type: ignore[return-value]


def geo_dir() -> Path:
    return state().settings.data_dir / "geo"


@bp.get("/map")
def map_page() -> str | tuple[str, int]:
    error, status, drawing = None, 200, None
    try:
        drawing = _drawing("page")
    except HttpError as exc:
        error, status = exc.message, exc.status
    svg = Markup(worldmap.svg(drawing, geo_dir())) if drawing else None  # every label escaped by worldmap
    page = render_template("map.html", svg=svg, error=error, regimes=state().run("map-regimes"),
                           regime=request.args.get("regime", DEFAULT_REGIME)[:MAX_SPEC],
                           base=request.args.get("base", "")[:MAX_SPEC],
                           against=request.args.get("against", "")[:MAX_SPEC],
                           query=request.query_string.decode("ascii", "replace"))
    return (page, status) if error else page


def _file(kind: str) -> Response:
    try:
        drawing = _drawing("iri")
    except HttpError as exc:
        return Response(exc.message + "\n", status=exc.status, mimetype="text/plain")
    body = worldmap.svg(drawing, geo_dir()) if kind == "svg" else worldmap.png(drawing, geo_dir())
    response = Response(body, mimetype="image/svg+xml" if kind == "svg" else "image/png")
    response.headers["Content-Disposition"] = f'inline; filename="exportkg-map.{kind}"'
    return response


@bp.get("/map.svg")
def map_svg() -> Response:
    return _file("svg")


@bp.get("/map.png")
def map_png() -> Response:
    return _file("png")
