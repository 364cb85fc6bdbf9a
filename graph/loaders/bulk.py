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
import threading
import time
from collections.abc import Callable
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


class Reader(Protocol):
    """A store's bulk load reading a named pipe on a thread of its own (store/embedded.py)."""

    @property
    def alive(self) -> bool: ...

    def wait(self) -> None:
        """Until the load ends; raises what made it fail."""


class BulkFacts:
    """An N-Triples file being written; `close` before the store reads it. Or (`streamed`) a file a
    store's bulk load reads as the loaders write it, through a named pipe a thread feeds from the
    file: a golden copy's loaders keep one core busy for minutes, and the bulk load runs on the other
    meanwhile instead of after them (3.1 million GLEIF entities: 366 s for both, against 423 s one
    after the other). The file between them lets the loaders run ahead: while they read the
    relationship files, which write nothing for a minute, the load goes on with what they wrote
    before (through the pipe alone it waited, and so did they whenever it was busy)."""

    def __init__(self, path: Path, reader: Reader | None = None):
        self.path = path
        self.count = 0
        self.reader = reader
        self._out = path.open("w", encoding="utf-8", newline="\n", buffering=CHUNK)
        self._feeder = None if reader is None else _Feeder(path, reader)

    @classmethod
    def streamed(cls, path: Path, start: Callable[[Path], Reader]) -> BulkFacts:
        """Facts written to `path` and fed into a named pipe beside it that `start` sets a reader on."""
        pipe = path.with_name(path.name + ".pipe")
        os.mkfifo(pipe, 0o600)
        return cls(path, start(pipe))

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
        self._out.write(lines)
        if self._feeder is not None and self._feeder.error is not None:  # the reader stopped: say why now
            self.close()

    def discard(self) -> None:
        """Closed without feeding the store what it has not read yet (a build that failed)."""
        if self._feeder is not None:
            self._feeder.stop()
        self.close()

    def close(self) -> None:
        """The file closed; a streamed one also read to its end by the store (its error raised)."""
        if not self._out.closed:
            self._out.close()
        if self._feeder is not None:
            self._feeder.finish()
        if self.reader is not None:
            self.reader.wait()
        if self._feeder is not None and self._feeder.error is not None:
            raise OSError(f"the store stopped reading the facts at {self.path}: {self._feeder.error}")

    def graph(self) -> Graph:
        """The file as an rdflib graph: for tests and small imports, never for a golden copy."""
        self.close()
        return Graph().parse(self.path, format="nt")


#: the pipe's buffer (Linux, F_SETPIPE_SZ: fewer waits between the feeder and the store's reader), the
#: file's, and what the feeder moves at a time
PIPE_BYTES = CHUNK = 1 << 20


class _Feeder:
    """A thread copying the facts file into the named pipe as it grows, to its end once `finish` is
    called. Reads and writes leave Python's lock: the copy costs the loaders nothing but the bytes."""

    def __init__(self, path: Path, reader: Reader):
        self.error: BaseException | None = None
        self._done = threading.Event()
        self._stopped = False
        self._thread = threading.Thread(target=self._feed, args=(path, reader), daemon=True,
                                        name="exportkg-bulk-feeder")
        self._thread.start()

    def stop(self) -> None:
        self._stopped = True
        self.finish()

    def finish(self) -> None:
        """After the file is closed: the rest fed, the pipe closed (its reader sees the end)."""
        self._done.set()
        self._thread.join()

    def _feed(self, path: Path, reader: Reader) -> None:
        try:
            fd = _open_pipe(path.with_name(path.name + ".pipe"), reader)
        except BaseException as exc:  # noqa: BLE001 - given to the writer at its next write
            self.error = exc
            return
        try:
            with path.open("rb", buffering=0) as source:
                while not self._stopped:
                    ended = self._done.is_set()  # before the read: then an empty read is the end
                    chunk = source.read(CHUNK)
                    if chunk:
                        _write_all(fd, chunk)
                    elif ended:
                        return
                    else:
                        self._done.wait(0.02)
        except BaseException as exc:  # noqa: BLE001 - a reader that stopped: BrokenPipeError
            self.error = exc
        finally:
            os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _open_pipe(path: Path, reader: Reader) -> int:
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
            raise OSError(f"the store did not read the facts at {path}")
        time.sleep(0.005)
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    try:
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except OSError:  # above the system's limit: the default buffer only costs more waits
        pass
    return fd
