"""Blueprint: rule-change impact as JSON (/api/impact) and as a page (/impact).

`against` (and `base`) name a regime of the published store or a scenario by name (a shipped one in
queries/scenarios/, or one applied earlier with `exportkg impact`); never a file path. A shipped
scenario not applied yet is derived on first use into home/scenarios/<name>/ (the published store is
never written). The report is sent as soon as it is made; the scenario's store is completed after
(server/completions.py).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from exportkg.graph.errors import ExportKGError
from exportkg.graph.impact.compare import Report
from exportkg.graph.impact.run import impact
from exportkg.graph.impact.sides import shipped
from exportkg.server.state import state

bp = Blueprint("impact", __name__)
MAX_SPEC = 100  # characters of a regime id or scenario name


def _report() -> tuple[Report | None, str | None]:
    """The report for the request's base and against, or the reason there is none."""
    base = request.args.get("base", "")[:MAX_SPEC]
    against = request.args.get("against", "")[:MAX_SPEC]
    if not base or not against:
        return None, "give base and against (a regime id or a scenario name)"
    completions = state().completions()
    cached = completions.report(base, against)
    if cached is not None:  # its scenario store is still being completed: the same report, not a new derivation
        return cached, None
    made: list[Report] = []
    try:
        report = impact(state().settings, base, against, main=state().store(), files=False,
                        on_report=made.append,
                        complete=lambda pending: completions.submit(pending, (base, against, made[0])))
        return report, None
    except ExportKGError as exc:
        return None, str(exc)


@bp.get("/api/impact")
def api_impact() -> Response | tuple[Response, int]:
    report, error = _report()
    if report is None:
        return jsonify({"error": error}), 400
    return jsonify(report.as_json())


@bp.get("/impact")
def impact_page() -> str | tuple[str, int]:
    wanted = bool(request.args.get("base") or request.args.get("against"))
    report, error = _report() if wanted else (None, None)
    page = render_template("impact.html", report=report, error=error,
                           base=request.args.get("base", "")[:MAX_SPEC],
                           against=request.args.get("against", "")[:MAX_SPEC],
                           scenarios=list(shipped(state().settings)))
    return (page, 400) if error else page
