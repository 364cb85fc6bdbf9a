"""The texts a remote store sends (graph/store/remote.py): INSERT DATA requests, initial bindings as
VALUES, and the query form a text has, worked out without the server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from rdflib import Graph, Literal, URIRef

#: INSERT DATA requests stay under a megabyte; Virtuoso 7.2 fails from 4,991 triples in one request
#: ("SP030: SPARQL compiler, line 4992: memory exhausted")
CHUNK_TRIPLES = 4_000
#: a Graph Store POST of a bulk facts file carries about this many bytes of N-Triples
CHUNK_BYTES = 32 * 1024 * 1024


def nt_lines(graph: Graph) -> list[str]:
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return [line for line in text.splitlines() if line.strip()]


def ntriples_parts(path: Path, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """An N-Triples file in whole lines of about `size` bytes (a bulk facts file is gigabytes)."""
    with path.open("rb") as handle:
        while part := handle.read(size):
            yield part + handle.readline()


def insert_data_chunks(lines: list[str], graph: str, size: int = CHUNK_TRIPLES) -> list[str]:
    """INSERT DATA requests for N-Triples lines. A blank node is scoped to one request, so every
    triple that mentions one goes into a single request and the graph's structure survives; that
    request is an INSERT with an empty WHERE (one solution, so one fresh node per label), since
    Virtuoso 7.2 refuses blank nodes in INSERT DATA ("SP031: Blank node ... not allowed in a constant
    clause")."""
    with_bnodes = [line for line in lines if "_:" in line]
    plain = [line for line in lines if "_:" not in line]
    chunks = [f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(plain[i:i + size]) + "\n} }"
              for i in range(0, len(plain), size)]
    if with_bnodes:
        chunks.append(f"INSERT {{ GRAPH <{graph}> {{\n" + "\n".join(with_bnodes) + "\n} } WHERE { }")
    return chunks


PROLOGUE = re.compile(r"(?im)^\s*#.*$|\b(?:PREFIX\s+[^:\s]*:\s*|BASE\s*)<[^>]*>")
FORM = re.compile(r"(?i)\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b")


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE. SPARQLWrapper guesses from the raw text and is misled by
    a word like "ask" in a header comment, so comments and prologue are dropped before looking."""
    match = FORM.search(PROLOGUE.sub(" ", sparql))
    return match.group(1).upper() if match else "SELECT"


def values_clause(bindings: dict[str, object]) -> str:
    """Initial bindings as a trailing VALUES block: standard SPARQL 1.1, unlike rdflib's initBindings."""
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join((v if isinstance(v, URIRef | Literal) else Literal(v)).n3() for v in bindings.values())
    return f"\nVALUES ({names}) {{ ({terms}) }}"
