"""Two homes built alike, one updated in place and one rebuilt, compared graph for graph: the tests of
the updates in place (tests/test_incremental_import.py, tests/test_gleif_delta.py)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from exportkg.graph.build.gleif_import import GleifFiles, import_gleif
from exportkg.graph.config import Settings
from exportkg.graph.store.location import StoreLocation

SAMPLE = Path(__file__).parent / "data" / "gleif"


def gleif_homes(factory: pytest.TempPathFactory, regimes: tuple[str, ...]) -> tuple[Settings, Settings]:
    """Two homes built alike with the GLEIF sample: one to update, one to rebuild."""
    made = []
    for name in ("updated", "rebuilt"):
        settings = Settings(home=factory.mktemp(name), reason_regimes=regimes)
        import_gleif(settings, GleifFiles(SAMPLE / "lei2.csv", SAMPLE / "rr.csv", SAMPLE / "repex.csv"))
        made.append(settings)
    return made[0], made[1]


def quads(settings: Settings) -> dict[str, set[str]]:
    """Every graph of the published store, as N-Triples lines."""
    store = ox.Store.read_only(str(StoreLocation(settings.store_root).resolved()))
    graphs: dict[str, set[str]] = {}
    for quad in store:
        graphs.setdefault(str(quad.graph_name), set()).add(f"{ox.Triple(quad.subject, quad.predicate, quad.object)} .")
    return graphs


def assert_same(mine: dict[str, set[str]], theirs: dict[str, set[str]]) -> None:
    """Graph for graph; a graph with blank nodes (the ontology's, named afresh by every parse) up to
    their names."""
    assert mine.keys() == theirs.keys()
    for graph in mine:
        if any("_:" in line for line in mine[graph] | theirs[graph]):
            assert isomorphic(*(Graph().parse(data="\n".join(g[graph]) + "\n", format="nt")
                                for g in (mine, theirs))), graph
            continue
        missing, extra = sorted(theirs[graph] - mine[graph])[:5], sorted(mine[graph] - theirs[graph])[:5]
        assert not missing and not extra, f"{graph}: missing {missing}, extra {extra}"
