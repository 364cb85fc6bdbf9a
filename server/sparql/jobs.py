"""What the /sparql view hands to an executor: shared by the local and remote executors.

Kept free of Flask and of the store so that worker processes can import it cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QueryJob:
    """A vetted query with its dataset and the output format the client negotiated."""

    query: str
    #: SELECT, ASK, CONSTRUCT or DESCRIBE; "" when the guard could not tell (the parser will say why)
    form: str
    #: a key of graph/formats.py, e.g. "json" or "ttl"
    format: str
    row_cap: int
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    #: the query names its own dataset (FROM / FROM NAMED): do not override it with the union graph
    has_dataset: bool = False
