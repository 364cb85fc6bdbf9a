"""What the /sparql view hands to an executor and gets back, shared by the local and remote executors.

Kept free of Flask and of the store so that worker processes can import it cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class QueryJob:
    """A vetted query with its dataset and the output format the client negotiated."""

    query: str
    #: SELECT, ASK, CONSTRUCT or DESCRIBE; "" when the guard could not tell (the parser will say why)
    form: str
    #: a key of protocol.FORMATS, e.g. "json" or "ttl"
    format: str
    row_cap: int
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    #: the query names its own dataset (FROM / FROM NAMED): do not override it with the union graph
    has_dataset: bool = False


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


class QueryFailed(Exception):
    """A query the executor could not answer; `status` is the HTTP status the client should see."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class QueryTimeout(QueryFailed):
    """The query ran past the timeout and its worker was stopped (503: see README, SPARQL endpoint)."""

    def __init__(self, seconds: float):
        super().__init__(503, f"query stopped after the {seconds:g} s timeout of this endpoint; "
                              "narrow it (LIMIT, more specific patterns) or run it locally")
