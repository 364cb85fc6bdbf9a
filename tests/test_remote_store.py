"""Remote-store mode against a real `oxigraph serve` process: a build there holds the same graphs as the
embedded build, and every named query and determination answers the same on both."""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from oxigraph_server import oxigraph_process
from rdflib import URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.cli.main import main
from exportkg.graph.config import Settings
from exportkg.graph.errors import StoreError
from exportkg.graph.impact import scenario_store
from exportkg.graph.impact.run import impact
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.opening import open_published
from exportkg.graph.store.remote import STAGING, RemoteStore, insert_data_chunks
from exportkg.queries.catalog import load_catalog

from helpers import break_unknown_country, copy_home, count_of, get, http, running_server
from remote_cases import (
    EMPTY_ON_GOLDEN,
    GOLDEN_PARAMS,
    check_failed_build_drops_staging,
    check_publish_by_one_swap,
    check_read_in_parts,
    check_views,
    determination,
    golden_queries,
    impact_report,
    import_golden,
    rows,
    scenario_reports,
    small_graph,
)

pytestmark = pytest.mark.slow  # builds stores of its own

log = logging.getLogger(__name__)
CATALOG = load_catalog(Settings().queries_dir)


@pytest.fixture(scope="module")
def oxigraph_server() -> Iterator[str]:
    """A real Oxigraph SPARQL server, on a free port; yields its base URL. In memory: on disk the server
    spends minutes copying two million triples from staging to their names at publish (README, remote
    mode), which is the server's cost, not what these tests compare."""
    with oxigraph_process() as base:
        yield base


def remote_settings(home: Path, base: str) -> Settings:
    return Settings(home=home, endpoint=f"{base}/query", update_endpoint=f"{base}/update",
                    store_endpoint=f"{base}/store")


def endpoint_args(settings: Settings) -> list[str]:
    return ["--endpoint", settings.endpoint or "", "--update-endpoint", settings.update_endpoint or "",
            "--store-endpoint", settings.store_endpoint or ""]


@pytest.fixture(scope="module")
def remote(oxigraph_server: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The shipped data and every golden case's parties, imported (validated, built, reasoned for two
    versions, published) through the server's endpoints: held below to the embedded golden home."""
    started = time.monotonic()
    settings = import_golden(remote_settings(tmp_path_factory.mktemp("remote-home"), oxigraph_server))
    log.warning("remote import took %.1f s", time.monotonic() - started)
    return settings


def remote_triples(base: str, graph: URIRef) -> list[ox.Triple]:
    """One graph as N-Triples through the Graph Store Protocol (a test-side check, independent of
    the query path RemoteStore uses)."""
    url = f"{base}/store?" + urllib.parse.urlencode({"graph": str(graph)})
    request = urllib.request.Request(url, headers={"Accept": "application/n-triples"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return list(ox.parse(response.read(), format=ox.RdfFormat.N_TRIPLES))


def split(triples: list) -> tuple[set[str], int]:  # type: ignore[type-arg]
    """(the triples without blank nodes, as N-Triples text; how many have one)."""
    named = {str(t) for t in triples if not any(isinstance(x, ox.BlankNode) for x in (t.subject, t.object))}
    return named, len(triples) - len(named)


def test_same_graphs_and_triples(remote: Settings, golden_store: KnowledgeStore, oxigraph_server: str) -> None:
    """Every graph, triple for triple: the loaded ones, the global inferences and both regimes'."""
    store, remote_store = golden_store, open_published(remote)
    assert remote_store.graph_names() == store.graph_names()
    assert {g: remote_store.graph_size(g) for g in store.graph_names()} == \
        {g: store.graph_size(g) for g in store.graph_names()}
    assert len(store.graph_names()) > 20
    for graph in store.graph_names():
        embedded = [q.triple for q in store.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph))]
        assert split(remote_triples(oxigraph_server, graph)) == split(embedded), graph
        assert remote_store.graph_size(graph) == len(embedded)


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_named_queries_answer_the_same(remote: Settings, golden_store: KnowledgeStore, name: str) -> None:
    text = CATALOG[name].render(GOLDEN_PARAMS.get(name))
    remote_rows = rows(open_published(remote).query(text))
    assert remote_rows == rows(golden_store.query(text))
    assert remote_rows or name in EMPTY_ON_GOLDEN, f"{name} returned no rows"


@pytest.mark.parametrize("query", golden_queries())
def test_golden_determinations_answer_the_same(remote: Settings, golden_home: Settings,
                                               golden_store: KnowledgeStore, query: dict) -> None:  # type: ignore[type-arg]
    assert determination(open_published(remote), remote, query) == determination(golden_store, golden_home, query)


def test_an_impact_report_is_the_same(remote: Settings, golden_home: Settings, golden_store: KnowledgeStore) -> None:
    report = impact_report(open_published(remote), remote)
    assert report == impact_report(golden_store, golden_home)
    assert report["determinations"], "the two versions' determinations differ: the report is not empty"


def test_a_graph_larger_than_a_page_is_read_in_parts(remote: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    check_read_in_parts(remote, monkeypatch)


def test_scenarios_are_derived_from_the_remote_store(remote: Settings, golden_home: Settings, tmp_path: Path) -> None:
    reports = scenario_reports(open_published(remote), remote)
    embedded = copy_home(golden_home, tmp_path / "embedded")
    assert reports == scenario_reports(open_published(embedded), embedded)
    assert all(r["parties"] or r["determinations"] for r in reports), "each scenario changes something"


def test_a_remote_build_is_named_by_its_graphs(scratch_server: str, tmp_path: Path) -> None:
    """What tells a scenario store derived from a remote store it is stale: another build's graphs."""
    settings = Settings(home=tmp_path, endpoint=f"{scratch_server}/query", update_endpoint=f"{scratch_server}/update")
    names = []
    for extra in ("", "", "ex:a ex:p ex:more ."):
        build = RemoteStore.for_build(settings)
        build.load_graph(small_graph(extra), ns.FACTS_GRAPH)
        build.publish()
        names.append(scenario_store.published_build(settings))
    assert names[0] == names[1] != names[2]


def test_a_scenario_on_a_remote_store_without_graph_store_endpoint_is_refused(remote: Settings) -> None:
    without = remote.with_(store_endpoint=None)
    with pytest.raises(StoreError, match="--store-endpoint"):
        impact(without, "ifr-jan2025", "weights-1e25", main=open_published(without))
    assert scenario_store.derived(without, "weights-1e25") is None
    assert not (without.scenarios_root / "weights-1e25").exists()


def test_cli_determine_json_from_the_remote_store(remote: Settings, runner: CliRunner) -> None:
    result = runner.invoke(main, ["determine", "--endpoint", remote.endpoint or "", "--party", "alibaba-cloud-sg",
                                  "--item", "3A090.a", "--regime", "ifr-jan2025", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["review_policy"] == "presumption_of_denial"


def test_serve_answers_from_the_remote_store(remote: Settings) -> None:
    """`serve --endpoint` reads the remote store: its home holds no embedded store at all."""
    assert not remote.store_root.exists()
    with running_server(remote, "--endpoint", remote.endpoint or "") as base:
        query = urllib.parse.urlencode({"party": "alibaba-cloud-sg", "item": "3A090.a", "regime": "ifr-jan2025"})
        with urllib.request.urlopen(f"{base}/api/determine?{query}", timeout=60) as response:
            assert json.load(response)["review_policy"] == "presumption_of_denial"


def select_all(base: str, sparql: str) -> list[tuple[str, ...]]:
    """A query over the server's whole dataset, whatever graphs exportkg would read."""
    return rows(RemoteStore(f"{base}/query")._select(sparql, dataset=False))


def every_quad_count(base: str) -> int:
    return int(select_all(base, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")[0][0].split('"')[1])


def test_a_bad_input_never_touches_the_remote_store(remote: Settings, oxigraph_server: str, data_copy: Path,
                                                    runner: CliRunner) -> None:
    before = every_quad_count(oxigraph_server)
    file, line, reason = break_unknown_country(data_copy)
    result = runner.invoke(main, ["--home", str(remote.home), "build", "--data-dir", str(data_copy),
                                  *endpoint_args(remote)])
    assert result.exit_code != 0
    assert f"{file}:{line}" in result.output and reason in result.output
    assert every_quad_count(oxigraph_server) == before


# -- the store's parts, on a second, empty server -------------------------------------------------


@pytest.fixture
def scratch_server() -> Iterator[str]:
    """An empty in-memory Oxigraph server for one test."""
    with oxigraph_process() as base:
        yield base


def test_insert_data_keeps_blank_node_structure() -> None:
    lines = [f"<http://e/{i}> <http://e/p> <http://e/o> ." for i in range(5)] + ["_:b <http://e/p> _:c ."]
    chunks = insert_data_chunks(lines, "http://e/g", size=2)
    assert len(chunks) == 4 and "_:b" in chunks[-1] and chunks[-1].count(" .") == 1


@pytest.mark.parametrize("gsp", [False, True], ids=["insert-data", "graph-store-protocol"])
def test_staged_build_is_published_by_one_swap(scratch_server: str, gsp: bool) -> None:
    check_publish_by_one_swap(Settings(endpoint=f"{scratch_server}/query", update_endpoint=f"{scratch_server}/update",
                                       store_endpoint=f"{scratch_server}/store" if gsp else None))
    assert not [g for (g,) in select_all(scratch_server, "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }")
                if g.startswith(f"<{STAGING}")]


def test_a_failed_build_drops_its_staging_graphs(scratch_server: str) -> None:
    check_failed_build_drops_staging(Settings(endpoint=f"{scratch_server}/query",
                                              update_endpoint=f"{scratch_server}/update"))


def test_remote_sparql_answers_over_the_published_graphs_only(scratch_server: str, tmp_path: Path) -> None:
    """A build in progress (or a failed one that left staging graphs) is invisible through /sparql:
    the endpoint lists the published graphs only and sends them as the query's dataset."""
    settings = Settings(home=tmp_path, endpoint=f"{scratch_server}/query",
                        update_endpoint=f"{scratch_server}/update")
    published = RemoteStore.for_build(settings)
    published.load_graph(small_graph(), ns.FACTS_GRAPH)
    published.publish()
    staged = RemoteStore.for_build(settings)
    staged.load_graph(small_graph("ex:staged ex:p ex:only-in-staging ."), ns.FACTS_GRAPH)
    with running_server(settings, "--endpoint", settings.endpoint or "") as base:
        assert count_of(get(base, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")) == 6
        assert count_of(get(base, "SELECT (COUNT(*) AS ?n) { <http://example.org/staged> ?p ?o }")) == 0
        described = http(base).text
        assert str(ns.FACTS_GRAPH) in described and STAGING not in described
        assert get(base, f"SELECT * FROM <{staged.physical(str(ns.FACTS_GRAPH))}> {{ ?s ?p ?o }}").status == 400
    staged.discard()


def test_the_views_answer_the_same(golden_home: Settings, remote: Settings) -> None:
    check_views(remote, golden_home)
