"""Content negotiation for the linked-data views (entity pages, the ontology): ?format wins over Accept.

Formats and their names come from graph/formats.py, like everywhere else.
"""

from __future__ import annotations

from flask import Request

from exportkg.graph import formats


def choose(request: Request, offered: tuple[str, ...]) -> str | None:
    """The format key to answer with among `offered` (HTML first: browsers send */*), or None for 406."""
    asked = request.args.get("format")
    if asked:
        found = formats.find(asked, formats.PAGE, formats.RDF)
        return found.key if found is not None and found.key in offered else None
    by_type = {formats.media_type(key): key for key in offered}
    best = request.accept_mimetypes.best_match(list(by_type), default=None)
    if best is None and not request.accept_mimetypes:
        return offered[0]
    return by_type.get(best) if best else None


def media_type(key: str) -> str:
    return formats.media_type(key)


def serializer(key: str) -> str | None:
    return formats.BY_KEY[key].rdflib
