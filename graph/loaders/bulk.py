"""Facts too many for rdflib: N-Triples lines written straight to a file the store bulk-loads.

A GLEIF golden copy is about 30 million triples; as rdflib terms they would take tens of gigabytes
and the SHACL engine hours. A loader of that size validates its rows itself (file:line: reason, like
every loader) and writes its triples here as text; the build loads the file into the facts graph with
the store's bulk loader (graph/build/pipeline.py). The terms are written as N-Triples requires
(RDF 1.1 N-Triples: IRIREF and STRING_LITERAL_QUOTE with ECHAR escapes), so what a hostile name holds
(quotes, backslashes, line breaks, `>`) stays inside its literal.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

from rdflib import Graph

#: characters an IRIREF may not hold (RDF 1.1 N-Triples, production [8])
NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def iri(value: str) -> str:
    """An IRI as an N-Triples term; the loaders mint IRIs from checked codes, so a bad one is a bug."""
    if NOT_IN_IRI.search(value):
        raise ValueError(f"not an IRI that N-Triples can hold: {value!r}")
    return f"<{value}>"


def text(value: str) -> str:
    """A plain string literal. Most values hold nothing to escape, which four scans tell faster than a
    translate builds the same string (a golden copy writes millions of literals)."""
    if '"' in value or "\\" in value or "\n" in value or "\r" in value:
        return f'"{value.translate(ESCAPES)}"'
    return f'"{value}"'


class Sink(Protocol):
    """Where triples of N-Triples terms go: the build's file, or an update's lines."""

    def add(self, subject: str, predicate: str, obj: str) -> None: ...

    def add_all(self, subject: str, pairs: list[tuple[str, str]]) -> None: ...


class Lines(list[str]):
    """Triples kept as N-Triples lines: the few an update of a delta file writes."""

    def add(self, subject: str, predicate: str, obj: str) -> None:
        self.append(f"{subject} {predicate} {obj} .\n")

    def add_all(self, subject: str, pairs: list[tuple[str, str]]) -> None:
        self.extend(f"{subject} {predicate} {obj} .\n" for predicate, obj in pairs)


class BulkFacts:
    """An N-Triples file being written; `close` before the store reads it."""

    def __init__(self, path: Path):
        self.path = path
        self.count = 0
        self._out = path.open("w", encoding="utf-8", newline="\n")

    def add(self, subject: str, predicate: str, obj: str) -> None:
        """One triple of N-Triples terms (`iri`, `text`)."""
        self._out.write(f"{subject} {predicate} {obj} .\n")
        self.count += 1

    def add_all(self, subject: str, pairs: list[tuple[str, str]]) -> None:
        """Triples of one subject, (predicate, object) pairs of N-Triples terms, in one write: a golden
        copy's entity is ten triples, and a call and a write each cost a million entities seconds."""
        self._out.write("".join([f"{subject} {predicate} {obj} .\n" for predicate, obj in pairs]))
        self.count += len(pairs)

    def close(self) -> None:
        if not self._out.closed:
            self._out.close()

    def graph(self) -> Graph:
        """The file as an rdflib graph: for tests and small imports, never for a golden copy."""
        self.close()
        return Graph().parse(self.path, format="nt")
