"""A serialized query answer: what the results writer produces for the CLI, the API and /sparql.

Kept free of Flask, rdflib and the store so that query worker processes can import it cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Answer:
    """A serialized result: small to send between processes, ready to become a response body."""

    body: bytes
    mimetype: str
    #: rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in the body
    rows: int = 0
    #: the result had more than row_cap rows and was cut
    truncated: bool = False
    extra: dict[str, str] = field(default_factory=dict)
