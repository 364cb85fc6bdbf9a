"""Bulk facts streamed into the store being built while the loaders write them (loaders/bulk.py).

A golden copy's loaders keep one core busy for minutes; the store's bulk load reads their N-Triples
through a named pipe on the other. What must hold: every line written reaches the store, a load that
fails is reported (not a writer blocked forever on a pipe nobody reads), and the store is one being
built, never a published one.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from exportkg.graph import namespaces as ns
from exportkg.graph.errors import StoreError
from exportkg.graph.loaders.bulk import BulkFacts, iri, text
from exportkg.graph.store.embedded import KnowledgeStore

PREDICATE = iri("https://example.org/p")


def subject(n: int) -> str:
    return iri(f"https://example.org/s{n}")


@pytest.fixture
def store(tmp_path: Path):
    store = KnowledgeStore.create(tmp_path / "store", private=True)
    yield store
    store.close()


def streamed(store: KnowledgeStore, folder: Path) -> BulkFacts:
    return BulkFacts.streamed(folder / "facts.nt", lambda path: store.stream_ntriples(path, ns.FACTS_GRAPH))


def test_every_line_written_reaches_the_store(store: KnowledgeStore, tmp_path: Path) -> None:
    facts = streamed(store, tmp_path)
    for n in range(50_000):  # several times the pipe's buffer: the writer waits on the reader
        facts.add_all(subject(n), [(PREDICATE, text(f'value {n} with a "quote"')), (PREDICATE, subject(n + 1))])
    facts.close()
    assert store.graph_size(ns.FACTS_GRAPH) == 100_000
    found = store.values("https://example.org/s7", "https://example.org/p", ns.FACTS_GRAPH)
    assert sorted(found) == ["https://example.org/s8", 'value 7 with a "quote"']


def test_a_load_that_fails_is_reported_not_waited_on(store: KnowledgeStore, tmp_path: Path) -> None:
    """A line the store cannot read stops its load; the writer learns why at its next write or at close."""
    facts = streamed(store, tmp_path)
    facts.add(subject(1), PREDICATE, "not a term")
    with pytest.raises(StoreError, match="bulk load of the facts failed"):
        for n in range(200_000):
            facts.add(subject(n), PREDICATE, text("x" * 100))
        facts.close()


class NeverReads:
    """A reader whose thread ends without opening the pipe (a load that failed before it began)."""

    def __init__(self) -> None:
        self._thread = threading.Thread(target=lambda: None)
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def wait(self) -> None:
        self._thread.join()


def test_a_reader_that_never_opens_the_pipe_does_not_block_the_writer(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="did not read the facts"):
        BulkFacts.streamed(tmp_path / "facts.nt", lambda path: NeverReads())


def test_only_a_store_being_built_takes_a_stream(tmp_path: Path) -> None:
    store = KnowledgeStore.create(tmp_path / "store")  # a copy of a published store: readers may see it
    try:
        with pytest.raises(StoreError, match="no one reads yet"):
            store.stream_ntriples(tmp_path / "facts.nt", ns.FACTS_GRAPH)
    finally:
        store.close()
