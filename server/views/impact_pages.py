"""Blueprint: rule-change impact as JSON (/api/impact) and as a page (/impact).

`against` (and `base`) name a regime of the published store or a scenario by name (a shipped one in
queries/scenarios/, or one applied earlier with `exportkg impact`); never a file path. A shipped
scenario not applied yet is derived on first use into home/scenarios/<name>/ (the published store is
never written). The report is made in a query worker under the query timeout (server/views/work.py:
a scenario is checked, copied and its reached keys derived there), and sent as soon as it comes back;
the prepared scenario store is completed after, on the web service's own thread (server/completions.py).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request
from markupsafe import Markup

from exportkg.graph.answers.maps import impact_map
from exportkg.graph.impact.compare import Report
from exportkg.graph.impact.sides import shipped
from exportkg.graph.impact.snapshot import FLAG_WORDS, HQ_UNKNOWN
from exportkg.graph.render import worldmap
from exportkg.server.errors import HttpError
from exportkg.server.state import state

bp = Blueprint("impact", __name__)
MAX_SPEC = 100  # characters of a regime id or scenario name


def requested_report() -> Report:
    """The report for the request's base and against, or HttpError saying why there is none."""
    base = request.args.get("base", "")[:MAX_SPEC]
    against = request.args.get("against", "")[:MAX_SPEC]
    if not base or not against:
        raise HttpError(400, "give base and against (a regime id or a scenario name)")
    completions = state().completions()
    cached = completions.report(base, against)
    if cached is not None:  # its scenario store is still being completed: the same report, not a new derivation
        return cached
    report, prepared = state().run("impact", base=base, against=against)  # type: ignore[misc]
    if prepared is not None:
        completions.submit(prepared.adopt(), (base, against, report))
    return report


@bp.get("/api/impact")
def api_impact() -> Response | tuple[Response, int]:
    try:
        return jsonify(requested_report().as_json())
    except HttpError as exc:
        return jsonify({"error": exc.message}), exc.status


@bp.get("/impact")
def impact_page() -> str | tuple[str, int]:
    wanted = bool(request.args.get("base") or request.args.get("against"))
    report, error, status = None, None, 200
    if wanted:
        try:
            report = requested_report()
        except HttpError as exc:
            error, status = exc.message, exc.status
    base, against = request.args.get("base", "")[:MAX_SPEC], request.args.get("against", "")[:MAX_SPEC]
    completing = bool(report) and state().completions().report(base, against) is not None
    drawing = Markup(worldmap.svg(impact_map(report), state().settings.data_dir / "geo")) if report else None
    page = render_template("impact.html", report=report, error=error, map_svg=drawing, completing=completing,
                           base=base, against=against,
                           scenarios=list(shipped(state().settings)), flag_words=FLAG_WORDS, hq_unknown=HQ_UNKNOWN)
    return (page, status) if error else page
