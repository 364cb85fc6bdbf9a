"""What every remote store must do with a build, whichever engine runs it (Oxigraph server in
test_remote_store.py, Virtuoso in test_remote_virtuoso.py): one body of checks, each engine's settings."""

from __future__ import annotations

from rdflib import Graph

from exportkg.graph import namespaces as ns
from exportkg.graph.config import Settings
from exportkg.graph.store.remote import RemoteStore


def small_graph(extra: str = "") -> Graph:
    """Six triples, two of them through nested blank nodes (whose structure a load must keep)."""
    return Graph().parse(data=f"""
        @prefix ex: <http://example.org/> .
        ex:a ex:p ex:b . ex:b ex:p "x" . ex:c ex:q [ ex:r 1 ; ex:s [ ex:t 2 ] ] . {extra}""", format="turtle")


def check_publish_by_one_swap(settings: Settings) -> None:
    """A staged build is invisible until published, and publishing replaces the graphs and drops the
    ones the new build no longer has, leaving nothing staged."""
    old = RemoteStore.for_build(settings)
    old.load_graph(small_graph(), ns.FACTS_GRAPH)
    old.load_graph(small_graph(), ns.regime_graph("gone"))
    old.publish()
    published = RemoteStore.open_published(settings)
    assert published.graph_names() == [ns.FACTS_GRAPH, ns.regime_graph("gone")]

    new = RemoteStore.for_build(settings)
    new.load_graph(small_graph("ex:d ex:p ex:e ."), ns.FACTS_GRAPH)
    assert published.graph_size(ns.FACTS_GRAPH) == 6  # staging is invisible until published
    assert len(published.query("SELECT * { ?s ?p ?o }")) == 12  # and no graph of the server's own is read
    new.publish()
    assert published.graph_names() == [ns.FACTS_GRAPH]
    assert published.graph_size(ns.FACTS_GRAPH) == 7
    assert len(published.query("SELECT ?x { ?b <http://example.org/s> ?c . ?c <http://example.org/t> ?x }")) == 1
    assert new.graph_names() == []


def check_failed_build_drops_staging(settings: Settings) -> None:
    staged = RemoteStore.for_build(settings)
    staged.load_graph(small_graph(), ns.FACTS_GRAPH)
    assert staged.exists() and not RemoteStore.open_published(settings).exists()
    staged.discard()
    assert staged.graph_names() == []
