"""The embedded store's life cycle on small real stores: closing really releases RocksDB, nothing is
published while its writer is open, a damaged store is a message, and the server swaps stores without
closing one under a reader."""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from exportkg.graph.config import Settings
from exportkg.graph.errors import StoreError
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation
from exportkg.server.app import create_app
from exportkg.server.state import state

GRAPH = URIRef("https://w3id.org/exportkg/graph/facts")


def small_graph(marker: str) -> Graph:
    graph = Graph()
    graph.add((URIRef("https://w3id.org/exportkg/id/x"), URIRef("urn:test#marker"), Literal(marker)))
    return graph


def publish_small(location: StoreLocation, marker: str) -> Path:
    build_dir = location.new_build_dir()
    store = KnowledgeStore.create(build_dir)
    store.load_graph(small_graph(marker), GRAPH)
    store.close()
    location.publish(build_dir)
    return build_dir


def marker_of(store: KnowledgeStore) -> str:
    return str(next(iter(store.query("SELECT ?m WHERE { ?s <urn:test#marker> ?m }")))[0])


def test_close_releases_rocksdb_and_can_be_called_twice(tmp_path: Path) -> None:
    store = KnowledgeStore.create(tmp_path / "s")
    store.load_graph(small_graph("a"), GRAPH)
    assert marker_of(store) == "a"  # rdflib's Dataset now holds reference cycles to the store
    store.close()
    store.close()
    again = ox.Store(str(tmp_path / "s"))  # RocksDB's lock is free: the store was really closed
    assert len(again) == 1
    with pytest.raises(StoreError, match="closed"):
        store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")


def test_nothing_is_published_while_its_writer_is_open(tmp_path: Path) -> None:
    location = StoreLocation(tmp_path / "store")
    build_dir = location.new_build_dir()
    writer = KnowledgeStore.create(build_dir)
    with pytest.raises(StoreError, match="still open for writing"):
        location.publish(build_dir)
    assert not location.exists()
    writer.close()
    location.publish(build_dir)
    assert location.resolved() == build_dir.resolve()


def test_publishing_keeps_the_replaced_build_until_the_next_one(tmp_path: Path) -> None:
    location = StoreLocation(tmp_path / "store")
    first = publish_small(location, "1")
    second = publish_small(location, "2")
    assert first.exists() and location.resolved() == second.resolve()
    third = publish_small(location, "3")
    assert not first.exists() and second.exists() and location.resolved() == third.resolve()


def test_a_damaged_store_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    location = StoreLocation(tmp_path / "store")
    build_dir = publish_small(location, "1")
    (build_dir / "CURRENT").unlink()
    with pytest.raises(StoreError) as info:
        KnowledgeStore.open_read_only(location)
    assert str(build_dir) in str(info.value) and "exportkg build" in str(info.value)
    assert "\n" not in str(info.value)


def test_the_server_swaps_stores_without_closing_one_under_a_reader(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    location = StoreLocation(settings.store_root)
    publish_small(location, "old")
    app = create_app(settings)
    reading, swapped, done = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def long_request() -> None:  # a request that holds the old store while a new build is published
        with app.app_context():
            store = state().store()
            reading.set()
            swapped.wait(10)
            seen["old after swap"] = marker_of(store)
            seen["store"] = store
        done.set()

    thread = threading.Thread(target=long_request)
    thread.start()
    reading.wait(10)
    publish_small(location, "new")
    with app.app_context():
        assert marker_of(state().store()) == "new"
    swapped.set()
    done.wait(10)
    thread.join(10)
    assert seen["old after swap"] == "old"
    assert seen["store"].closed  # type: ignore[attr-defined]  # closed once its last reader was done
    app.extensions["exportkg"].close()
