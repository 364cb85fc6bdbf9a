"""What the views hand to an executor: a vetted SPARQL query, or a named task. Shared by the local and
remote executors.

Kept free of Flask and of the store so that worker processes can import it cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass

from exportkg.graph.config import Settings


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


@dataclass(frozen=True)
class TaskJob:
    """A named task of server/sparql/tasks.py (the Python work of a page or an API call), run in a
    worker on the published store under the same timeout and memory limit as a query."""

    name: str
    settings: Settings
    #: keyword arguments, as sorted (name, value) pairs (picklable, hashable)
    params: tuple[tuple[str, object], ...] = ()
