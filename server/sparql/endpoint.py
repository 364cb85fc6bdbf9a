"""Blueprint: /sparql, the SPARQL 1.1 Protocol query endpoint (read-only, safe to expose).

A request is parsed (server/sparql/protocol.py), its query vetted (server/sparql/guard.py: no SERVICE, no dataset
outside the store), its format negotiated, then answered by an executor: worker processes over the
embedded store, or a remote endpoint in remote-store mode. Cross-origin use is allowed (CORS) and
large answers are gzipped.
"""

from __future__ import annotations

import gzip
import logging
import time

from flask import Blueprint, Response, redirect, request
from werkzeug.exceptions import RequestEntityTooLarge

from exportkg.graph.render.answer import Answer
from exportkg.server.errors import HttpError
from exportkg.server.sparql.description import serialize, service_description
from exportkg.server.sparql.guard import Refused, vet
from exportkg.server.sparql.jobs import QueryJob
from exportkg.server.sparql.protocol import negotiate, parse_request
from exportkg.server.state import state

log = logging.getLogger(__name__)
bp = Blueprint("sparql", __name__)
GZIP_MIN_BYTES = 1024
EXPOSED = "X-Exportkg-Truncated, X-Exportkg-Row-Cap, X-Exportkg-Rows"


def _text(status: int, message: str) -> Response:
    """A plain-text answer. The message may quote the client's text: anything UTF-8 cannot carry
    (a lone surrogate) is escaped rather than failing the answer."""
    body = (message.rstrip() + "\n").encode("utf-8", "backslashreplace")
    return Response(body, status=status, mimetype="text/plain")


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
def sparql() -> Response:
    if request.method == "OPTIONS":
        return _preflight()
    started = time.monotonic()
    try:
        response = _answer()
    except HttpError as exc:
        response = _text(exc.status, exc.message)
    except Refused as exc:
        response = _text(exc.status, exc.message if exc.status == 403 else f"refused: {exc.message}")
    except RequestEntityTooLarge:
        limit = state().settings.max_request_bytes
        response = _text(413, f"the request is larger than this endpoint's limit of {limit} bytes")
    log.info("%s /sparql %d in %.3f s", request.method, response.status_code, time.monotonic() - started)
    return response


def _answer() -> Response:
    server = state()
    settings = server.settings
    parsed = parse_request(request, settings.max_request_bytes)
    executor = server.executor()
    format_params = request.args.getlist("format") + (request.form.getlist("format") if request.form else [])
    if parsed.query is None:
        if request.method == "GET" and _asks_for_a_page():
            return redirect("/", code=303)  # a browser opening /sparql: the query page, not RDF
        fmt = negotiate("rdf", request.headers.get("Accept"), format_params)
        graph = service_description(request.base_url, executor.graph_names())
        return Response(serialize(graph, fmt.key), mimetype=fmt.media_type)
    vetted = vet(parsed.query, executor.graph_names(), parsed.default_graphs, parsed.named_graphs)
    kind = "rdf" if vetted.form in ("CONSTRUCT", "DESCRIBE") else "results"
    fmt = negotiate(kind, request.headers.get("Accept"), format_params)
    job = QueryJob(parsed.query, vetted.form, fmt.key, settings.row_cap, parsed.default_graphs,
                   parsed.named_graphs, vetted.has_dataset)
    return _result_response(executor.execute(job), settings.row_cap)


#: the service description's media types, against which a browser's text/html is weighed
DESCRIPTION_TYPES = ["text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples"]


def _asks_for_a_page() -> bool:
    """Does the client name text/html and prefer it to every RDF type (a browser, not a SPARQL client)?"""
    accept = request.accept_mimetypes
    named = any(media == "text/html" for media, _q in accept)
    return named and accept.best_match(["text/html", *DESCRIPTION_TYPES]) == "text/html"


def _result_response(answer: Answer, row_cap: int) -> Response:
    response = Response(answer.body, mimetype=answer.mimetype)
    response.headers["X-Exportkg-Rows"] = str(answer.rows)
    if answer.truncated:
        response.headers["X-Exportkg-Truncated"] = "true"
        response.headers["X-Exportkg-Row-Cap"] = str(row_cap)
    return response


def _preflight() -> Response:
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = request.headers.get(
        "Access-Control-Request-Headers", "Content-Type, Accept")
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.after_request
def _cors_and_gzip(response: Response) -> Response:
    """Any origin may query (the data is public; no cookies are used), and big bodies travel gzipped."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    response.vary.add("Accept")
    if (response.direct_passthrough or "Content-Encoding" in response.headers
            or request.accept_encodings["gzip"] <= 0):
        return response
    response.vary.add("Accept-Encoding")
    body = response.get_data()
    if len(body) >= GZIP_MIN_BYTES:
        response.set_data(gzip.compress(body, compresslevel=5))
        response.headers["Content-Encoding"] = "gzip"
    return response
