"""Content negotiation for the linked-data views: ?format wins over the Accept header."""

from __future__ import annotations

from flask import Request

#: format name -> (media type, rdflib serializer name or None for HTML)
FORMATS: dict[str, tuple[str, str | None]] = {
    "html": ("text/html", None),
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdf": ("application/rdf+xml", "xml"),
    "nt": ("application/n-triples", "nt"),
}
ALIASES = {"turtle": "ttl", "json-ld": "jsonld", "xml": "rdf", "ntriples": "nt"}


def choose(request: Request, offered: tuple[str, ...]) -> str | None:
    """The format to answer with among `offered` (HTML first: browsers send */*), or None for 406."""
    asked = request.args.get("format")
    if asked:
        asked = ALIASES.get(asked, asked)
        return asked if asked in offered else None
    by_type = {FORMATS[name][0]: name for name in offered}
    best = request.accept_mimetypes.best_match(list(by_type), default=None)
    if best is None and not request.accept_mimetypes:
        return offered[0]
    return by_type.get(best) if best else None


def media_type(name: str) -> str:
    return FORMATS[name][0]


def serializer(name: str) -> str | None:
    return FORMATS[name][1]
