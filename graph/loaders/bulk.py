"""Facts too many for rdflib: N-Triples lines written straight to a file the store bulk-loads.

A GLEIF golden copy is about 30 million triples; as rdflib terms they would take tens of gigabytes
and the SHACL engine hours. A loader of that size validates its rows itself (file:line: reason, like
every loader) and writes its triples here as text; the build loads the file into the facts graph with
the store's bulk loader (graph/build/pipeline.py). The terms are written as N-Triples requires
(RDF 1.1 N-Triples: IRIREF and STRING_LITERAL_QUOTE with ECHAR escapes), so what a hostile name holds
(quotes, backslashes, line breaks, `>`) stays inside its literal.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TextIO

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


class Reader(Protocol):
    """A store's bulk load reading a named pipe on a thread of its own (store/embedded.py)."""

    @property
    def alive(self) -> bool: ...

    def wait(self) -> None:
        """Until the load ends; raises what made it fail."""


class BulkFacts:
    """An N-Triples file being written; `close` before the store reads it. Or (`streamed`) a named pipe
    a store's bulk load reads as the loaders write: a golden copy's loaders keep one core busy for
    minutes, and the bulk load runs on the other meanwhile instead of after them (3.1 million GLEIF
    entities: 366 s for both, against 423 s one after the other)."""

    def __init__(self, path: Path, reader: Reader | None = None):
        self.path = path
        self.count = 0
        self.reader = reader
        self._out = path.open("w", encoding="utf-8", newline="\n") if reader is None else _pipe_writer(path, reader)

    @classmethod
    def streamed(cls, path: Path, start: Callable[[Path], Reader]) -> BulkFacts:
        """Facts written into a named pipe at `path` that `start` sets a reader on."""
        os.mkfifo(path, 0o600)
        return cls(path, start(path))

    def add(self, subject: str, predicate: str, obj: str) -> None:
        """One triple of N-Triples terms (`iri`, `text`)."""
        self._write(f"{subject} {predicate} {obj} .\n")
        self.count += 1

    def add_all(self, subject: str, pairs: list[tuple[str, str]]) -> None:
        """Triples of one subject, (predicate, object) pairs of N-Triples terms, in one write: a golden
        copy's entity is ten triples, and a call and a write each cost a million entities seconds."""
        self._write("".join([f"{subject} {predicate} {obj} .\n" for predicate, obj in pairs]))
        self.count += len(pairs)

    def _write(self, lines: str) -> None:
        try:
            self._out.write(lines)
        except BrokenPipeError:  # the reader stopped: its error says why
            self._reader_failed()

    def close(self) -> None:
        """The file closed; a streamed one also read to its end by the store (its error raised)."""
        if not self._out.closed:
            try:
                self._out.close()
            except BrokenPipeError:
                self._reader_failed()
        if self.reader is not None:
            self.reader.wait()

    def _reader_failed(self) -> None:
        try:
            self._out.close()  # closes the pipe even though the lines it still buffers have nowhere to go
        except BrokenPipeError:
            pass
        if self.reader is not None:
            self.reader.wait()
        raise OSError(f"the store stopped reading the facts at {self.path}")

    def graph(self) -> Graph:
        """The file as an rdflib graph: for tests and small imports, never for a golden copy."""
        self.close()
        return Graph().parse(self.path, format="nt")


#: the pipe's buffer (Linux, F_SETPIPE_SZ): fewer waits between the writer and the store's reader
PIPE_BYTES = 1 << 20


def _pipe_writer(path: Path, reader: Reader) -> TextIO:
    """The named pipe opened for writing once its reader has opened it. Opening blocks until a reader
    comes, and one whose load failed first never comes: so the open does not block, and is tried
    again while the reader lives."""
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
        if not reader.alive:
            reader.wait()
            raise OSError(f"the store did not read the facts at {path}")
        time.sleep(0.005)
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    try:
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except OSError:  # above the system's limit: the default buffer only costs more waits
        pass
    return open(fd, "w", encoding="utf-8", newline="\n", buffering=PIPE_BYTES)  # noqa: SIM115
