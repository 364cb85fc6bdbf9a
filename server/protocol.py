"""SPARQL 1.1 Protocol for queries: read a request into a QueryRequest and negotiate the output format.

Every way a request can be malformed ends here as a ProtocolError carrying the status the Protocol
prescribes, so the view stays a straight line. Updates are refused (403): the service is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import Request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
GRAPH_PARAMS = ("default-graph-uri", "named-graph-uri")
READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"


class ProtocolError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Format:
    key: str
    mimetype: str
    #: "results" for SELECT/ASK, "rdf" for CONSTRUCT/DESCRIBE and the service description
    kind: str
    aliases: tuple[str, ...] = ()


FORMATS = [
    Format("json", "application/sparql-results+json", "results", ("application/json",)),
    Format("xml", "application/sparql-results+xml", "results", ("application/xml", "text/xml")),
    Format("csv", "text/csv", "results"),
    Format("tsv", "text/tab-separated-values", "results"),
    Format("ttl", "text/turtle", "rdf", ("application/turtle", "application/x-turtle", "text/n3")),
    Format("nt", "application/n-triples", "rdf", ("text/plain",)),
    Format("jsonld", "application/ld+json", "rdf", ("application/x-json+ld", "application/json")),
    Format("rdfxml", "application/rdf+xml", "rdf", ("application/xml", "text/xml")),
]
#: `format=` values (Fuseki's, SPARQLWrapper's and media types); json and xml depend on the query form
FORMAT_WORDS = {"json": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "csv": ("csv",), "tsv": ("tsv",),
                "ttl": ("ttl",), "turtle": ("ttl",), "n3": ("ttl",), "nt": ("nt",), "ntriples": ("nt",),
                "n-triples": ("nt",), "jsonld": ("jsonld",), "json-ld": ("jsonld",), "rdfxml": ("rdfxml",),
                "rdf+xml": ("rdfxml",), "rdf": ("rdfxml",)}


@dataclass(frozen=True)
class QueryRequest:
    query: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


def parse_request(request: Request, max_bytes: int) -> QueryRequest:
    """The query and dataset of a GET or POST, or a ProtocolError (400, 403, 413, 414, 415)."""
    if request.method == "GET":
        if len(request.query_string) > max_bytes:
            raise ProtocolError(414, f"the query string is longer than this endpoint's limit of {max_bytes} "
                                     "bytes; send a smaller query")
        params = request.args
        queries, updates = params.getlist("query"), params.getlist("update")
    else:
        params, queries, updates = _post_params(request)
    if queries and updates:
        raise ProtocolError(400, "a request carries a query or an update, not both")
    if updates:
        raise ProtocolError(403, READ_ONLY)
    if len(queries) > 1:
        raise ProtocolError(400, "more than one query parameter; send exactly one query")
    graphs = {name: tuple(params.getlist(name)) for name in GRAPH_PARAMS}
    if not queries or not queries[0].strip():
        if request.method == "GET" and not queries and not any(graphs.values()):
            return QueryRequest(None)  # a bare GET: the caller answers with the service description
        raise ProtocolError(400, "missing query: send it as ?query=, as a form field or as an "
                                 "application/sparql-query body")
    return QueryRequest(queries[0], graphs["default-graph-uri"], graphs["named-graph-uri"])


def _post_params(request: Request):  # type: ignore[no-untyped-def]
    """(parameters, queries, updates) of a POST, by its media type."""
    mimetype = request.mimetype
    if not mimetype:
        raise ProtocolError(400, f"a POST needs a Content-Type: {FORM} or {DIRECT}")
    if mimetype == FORM:
        form = request.form
        return form, form.getlist("query") + request.args.getlist("query"), form.getlist("update")
    if mimetype == DIRECT:
        try:
            body = request.get_data().decode(request.mimetype_params.get("charset", "utf-8"))
        except (UnicodeDecodeError, LookupError):
            raise ProtocolError(400, "the query body is not valid UTF-8") from None
        return request.args, [body, *request.args.getlist("query")], request.args.getlist("update")
    if mimetype == UPDATE:
        raise ProtocolError(403, READ_ONLY)
    raise ProtocolError(415, f"unsupported Content-Type {mimetype}: POST a query as {FORM} or {DIRECT}")


def negotiate(kind: str, accept: str | None, format_params: list[str]) -> Format:
    """The output format for a result kind, from `format=` if given, else from the Accept header (406
    if none fits). Clients send the same few headers again and again: the answers are cached."""
    return _negotiate(kind, accept or "", tuple(format_params))


@lru_cache(maxsize=256)
def _negotiate(kind: str, accept: str, format_params: tuple[str, ...]) -> Format:
    candidates = [f for f in FORMATS if f.kind == kind]
    if format_params:
        return _by_format_param(candidates, list(format_params))
    offered: list[str] = []
    for fmt in candidates:
        offered.append(fmt.mimetype)
    for fmt in candidates:
        offered.extend(a for a in fmt.aliases if a not in offered)
    best = parse_accept_header(accept, MIMEAccept).best_match(offered) if accept else offered[0]
    if best is None:
        raise ProtocolError(406, f"none of the accepted media types can be produced; this query can answer "
                                 f"{', '.join(f.mimetype for f in candidates)}")
    return next(f for f in candidates if best == f.mimetype or best in f.aliases)


def _by_format_param(candidates: list[Format], values: list[str]) -> Format:
    keys = {f.key: f for f in candidates}
    known = False
    for value in values:
        value = value.strip().lower()
        words = FORMAT_WORDS.get(value) or tuple(f.key for f in FORMATS if value in (f.mimetype, *f.aliases))
        known = known or bool(words)
        for word in words:
            if word in keys:
                return keys[word]
    if not known:
        raise ProtocolError(400, f"unknown format {', '.join(values)}; use one of "
                                 f"{', '.join(sorted(FORMAT_WORDS))} or a media type")
    raise ProtocolError(406, f"format {', '.join(values)} does not fit this query; it can answer "
                             f"{', '.join(f.key for f in candidates)}")
