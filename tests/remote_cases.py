"""What every remote store must do with a build, whichever engine runs it (Oxigraph server in
test_remote_store.py, Virtuoso in test_remote_virtuoso.py): one body of checks, each engine's settings."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from rdflib import XSD, BNode, Graph, Literal

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


# -- the same answers as the embedded store: golden determinations, named queries, impact ---------------

#: the versions the golden homes are reasoned for: the one with the most golden cases, and the one an
#: impact report compares it with (two regimes keep each build short)
GOLDEN_REGIMES = ("oct2023", "ifr-jan2025")
#: parameters that point a named query at the golden homes' two versions (the defaults name others)
GOLDEN_PARAMS = {"impact-determinations": {"against": GOLDEN_REGIMES[0]},
                 "impact-models": {"against": GOLDEN_REGIMES[0]}}
#: named queries with nothing to show on the golden homes (tier-differences: oct2023 has no tiers)
EMPTY_ON_GOLDEN = {"tier-differences"}
#: `GROUP_CONCAT(... ; separator="X") AS ?var`: (X, var)
CONCAT = re.compile(r'(?is)GROUP_CONCAT\s*\((?:[^;()]|\([^()]*\))*;\s*separator\s*=\s*"([^"]*)"\s*\)\s*AS\s+\?(\w+)')
NUMBERS = {XSD.integer, XSD.decimal, XSD.double, XSD.float}


def import_golden(settings: Settings) -> Settings:
    """The shipped data and every golden case's parties, imported (built, reasoned for GOLDEN_REGIMES,
    published) into `settings`' store, embedded or remote."""
    from exportkg.graph.build.importer import import_parties

    from golden_cases import load_cases, write_parties

    settings = settings.with_(reason_regimes=GOLDEN_REGIMES)
    settings.home.mkdir(parents=True, exist_ok=True)
    write_parties(settings.home / "parties.csv", load_cases())
    import_parties(settings, settings.home / "parties.csv")
    return settings


def golden_queries() -> list[object]:
    from golden_cases import load_cases

    return [pytest.param(c["query"], id=c["name"]) for c in load_cases()
            if c["query"].get("regime") in GOLDEN_REGIMES]


def determination(store: object, settings: Settings, query: dict) -> dict:  # type: ignore[type-arg]
    from exportkg.graph.answers.determine import determine

    args = (query["party"], query["item"], query.get("destination"), query["regime"])
    return determine(store, settings, *args).as_json()  # type: ignore[arg-type]


def impact_report(store: object, settings: Settings) -> dict:  # type: ignore[type-arg]
    from exportkg.graph.impact.run import impact

    return impact(settings, *GOLDEN_REGIMES, main=store).as_json()  # type: ignore[arg-type]


#: shipped scenarios on a golden version: tier moves (derived from what they reach) and a change of facts
#: (the global rules again)
GOLDEN_SCENARIOS = ("pl-ch-tier1", "tiktok-divested")


def scenario_reports(store: object, settings: Settings) -> list[dict]:  # type: ignore[type-arg]
    """`impact` of each golden scenario against its base version: on a remote store the scenario is
    derived into a local store read out of it (graph/impact/scenario_store.py), twice: the second time
    the derived store is current and is read as it is."""
    from exportkg.graph.impact import scenario_store
    from exportkg.graph.impact.run import impact

    reports = []
    for name in GOLDEN_SCENARIOS:
        first = impact(settings, "ifr-jan2025", name, main=store).as_json()  # type: ignore[arg-type]
        record = scenario_store.derived(settings, name)
        assert record is not None, f"{name} was not derived into {settings.scenarios_root}"
        assert impact(settings, "ifr-jan2025", name, main=store).as_json() == first  # type: ignore[arg-type]
        assert scenario_store.derived(settings, name) == record, f"{name} was derived again"
        reports.append(first)
    return reports


def check_read_in_parts(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A graph larger than a page (Virtuoso refuses a Graph Store read of over 1,000,000 triples) is read
    in parts, each a CONSTRUCT of the subjects whose MD5 starts with one hex digit: the same triples.
    The smallest graph of over 2,000 triples stands in for a large one (each part scans the graph)."""
    import pyoxigraph as ox

    from exportkg.graph.store import remote as remote_module
    from exportkg.graph.store.remote import RemoteStore

    store = RemoteStore.open_published(settings)
    size, graph = min((n, g) for g in store.graph_names() if (n := store.graph_size(g)) > 2000)
    whole = store.dump_graphs([graph])
    monkeypatch.setattr(remote_module, "PAGE_TRIPLES", size // 20)
    parts = store.dump_graphs([graph])
    assert set(ox.parse(parts, format=ox.RdfFormat.N_QUADS)) == set(ox.parse(whole, format=ox.RdfFormat.N_QUADS))
    assert len(list(ox.parse(parts, format=ox.RdfFormat.N_QUADS))) == size


def term_text(term: object) -> str:
    """N3 text of a result term; blank nodes anonymized (their labels differ) and xsd:string literals
    written as the simple literals they are in RDF 1.1 (JSON results leave the datatype out)."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return "_:"
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term)).n3()
    return term.n3()  # type: ignore[attr-defined]


def rows(result) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    """Result rows as sorted tuples of N3 text."""
    return sorted(tuple(term_text(v) for v in row) for row in result)


def number_text(term: Literal, digits: int | None) -> str:
    """A number as its value: an integral xsd:decimal and an xsd:integer alike, a double to `digits`
    significant digits when the server writes no more."""
    if term.datatype in (XSD.double, XSD.float):
        return f"{float(term):.{digits}g}" if digits else repr(float(term))
    return format(Decimal(str(term)).normalize(), "f")


def presented_rows(result, sparql: str, double_digits: int | None) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    """Rows as a server that presents answers in its own way gives them, brought to what they say:
    numbers by value (Virtuoso 7.2 types an integral xsd:decimal as xsd:integer in its answers and
    writes a double with six significant digits), and a GROUP_CONCAT's items as a set (SPARQL leaves
    their order to the store)."""
    lists = {var: sep for sep, var in CONCAT.findall(sparql)}
    out = []
    for row in result:
        cells = []
        for var, term in zip(result.vars, row, strict=True):
            if isinstance(term, Literal) and term.datatype in NUMBERS:
                cells.append(number_text(term, double_digits))
            elif term is not None and str(var) in lists:
                cells.append(lists[str(var)].join(sorted(str(term).split(lists[str(var)]))))
            else:
                cells.append(term_text(term))
        out.append(tuple(cells))
    return sorted(out)


#: JSON the web service answers from the store, asked of both (the pages around them carry per-request nonces)
VIEW_JSON = [("/graph/data", [("entity", "https://w3id.org/exportkg/id/org/alibaba-cloud-sg")]),
             ("/graph/data", [("entity", "https://w3id.org/exportkg/id/country/AE"), ("regime", "oct2023")]),
             ("/api/impact", [("base", GOLDEN_REGIMES[0]), ("against", GOLDEN_REGIMES[1])]),
             ("/api/determine", [("party", "alibaba-cloud-sg"), ("item", "3A090.a"), ("regime", "ifr-jan2025")])]
#: pages drawn from the remote store, each with a text it must show
VIEW_PAGES = [("/id/org/alibaba-cloud-sg", [], "Alibaba Cloud"),
              ("/graph/ownership", [("entity", "alibaba-group"), ("regime", "ifr-jan2025")], "Alibaba Cloud"),
              ("/graph/tiers", [("regime", "oct2023")], "oct2023")]


def unordered(value: object) -> object:
    """JSON with every list sorted: a graph's nodes and edges are sets, drawn in the order rows came."""
    import json

    if isinstance(value, dict):
        return {k: unordered(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((unordered(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def check_views(remote: Settings, embedded: Settings) -> None:
    """`serve --endpoint` over the remote store answers the views' JSON as `serve` over the embedded
    store, and draws the pages (an entity page, the ownership and tier graphs)."""
    import json

    from helpers import http, running_server

    with running_server(remote, "--endpoint", remote.endpoint or "") as far, running_server(embedded) as near:
        for path, params in VIEW_JSON:
            answers = [http(base, path=path, params=params) for base in (far, near)]
            assert [a.status for a in answers] == [200, 200], (path, answers[0].text[:300])
            far_json, near_json = (unordered(json.loads(a.text)) for a in answers)
            assert far_json == near_json, (path, json.dumps(far_json)[:1500], json.dumps(near_json)[:1500])
        for path, params, shown in VIEW_PAGES:
            reply = http(far, path=path, params=params)
            assert reply.status == 200, (path, reply.text[:300])
            assert shown in reply.text, (path, shown)
