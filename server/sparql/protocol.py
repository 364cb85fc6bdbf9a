"""SPARQL 1.1 Protocol for queries: read a request into a QueryRequest and negotiate the output format.

Every way a request can be malformed ends here as a HttpError carrying the status the Protocol
prescribes, so the view stays a straight line. Updates are refused (403): the service is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import Request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from exportkg.graph import formats
from exportkg.graph.formats import Format
from exportkg.server.errors import HttpError
from exportkg.server.sparql.guard import READ_ONLY

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
GRAPH_PARAMS = ("default-graph-uri", "named-graph-uri")
#: characters of an Accept header or format= value looked at (the cache keys stay small)
MAX_ACCEPT = 1024


@dataclass(frozen=True)
class QueryRequest:
    query: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


def parse_request(request: Request, max_bytes: int) -> QueryRequest:
    """The query and dataset of a GET (or HEAD, answered like it without a body) or POST, or a
    HttpError (400, 403, 413, 414, 415)."""
    reads_url = request.method in ("GET", "HEAD")
    if reads_url:
        if len(request.query_string) > max_bytes:
            raise HttpError(414, f"the query string is longer than this endpoint's limit of {max_bytes} "
                                     "bytes; send a smaller query")
        params = request.args
        queries, updates = params.getlist("query"), params.getlist("update")
    else:
        params, queries, updates = _post_params(request)
    if queries and updates:
        raise HttpError(400, "a request carries a query or an update, not both")
    if updates:
        raise HttpError(403, READ_ONLY)
    if len(queries) > 1:
        raise HttpError(400, "more than one query parameter; send exactly one query")
    graphs = {name: tuple(params.getlist(name)) for name in GRAPH_PARAMS}
    if not queries or not queries[0].strip():
        if reads_url and not queries and not any(graphs.values()):
            return QueryRequest(None)  # a bare GET: the caller answers with the service description
        raise HttpError(400, "missing query: send it as ?query=, as a form field or as an "
                                 "application/sparql-query body")
    return QueryRequest(queries[0], graphs["default-graph-uri"], graphs["named-graph-uri"])


def _post_params(request: Request):  # type: ignore[no-untyped-def]
    """(parameters, queries, updates) of a POST, by its media type."""
    mimetype = request.mimetype
    if not mimetype:
        raise HttpError(400, f"a POST needs a Content-Type: {FORM} or {DIRECT}")
    if mimetype == FORM:
        form = request.form
        return form, form.getlist("query") + request.args.getlist("query"), form.getlist("update")
    if mimetype == DIRECT:
        try:
            body = request.get_data().decode(request.mimetype_params.get("charset", "utf-8"))
        except (UnicodeDecodeError, LookupError):
            raise HttpError(400, "the query body is not valid UTF-8") from None
        return request.args, [body, *request.args.getlist("query")], request.args.getlist("update")
    if mimetype == UPDATE:
        raise HttpError(403, READ_ONLY)
    raise HttpError(415, f"unsupported Content-Type {mimetype}: POST a query as {FORM} or {DIRECT}")


def negotiate(kind: str, accept: str | None, format_params: list[str]) -> Format:
    """The output format for a result kind ("results" or "rdf"), from `format=` if given, else from
    the Accept header (406 if none fits). Clients send the same few headers again and again: the
    answers are cached."""
    return _negotiate(kind, (accept or "")[:MAX_ACCEPT], tuple(v[:MAX_ACCEPT] for v in format_params[:4]))


@lru_cache(maxsize=256)
def _negotiate(kind: str, accept: str, format_params: tuple[str, ...]) -> Format:
    candidates = formats.of_kind(kind)
    if format_params:
        return _by_format_param(candidates, list(format_params))
    offered: list[str] = [f.media_type for f in candidates]
    for fmt in candidates:
        offered.extend(a for a in fmt.aliases if a not in offered)
    best = parse_accept_header(accept, MIMEAccept).best_match(offered) if accept else offered[0]
    if best is None:
        raise HttpError(406, f"none of the accepted media types can be produced; this query can answer "
                                 f"{', '.join(f.media_type for f in candidates)}")
    return next(f for f in candidates if best == f.media_type or best in f.aliases)


def _by_format_param(candidates: list[Format], values: list[str]) -> Format:
    for value in values:
        found = formats.find(value, *{f.kind for f in candidates})
        if found is not None:
            return found
    if not any(formats.any_known(v) for v in values):
        words = sorted({w for f in formats.of_kind(formats.RESULTS, formats.RDF) for w in (f.key, *f.words)})
        raise HttpError(400, f"unknown format {', '.join(values)}; use one of {', '.join(words)} or a media type")
    raise HttpError(406, f"format {', '.join(values)} does not fit this query; it can answer "
                             f"{', '.join(f.key for f in candidates)}")
