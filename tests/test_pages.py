"""The human pages over real HTTP: query UI and gallery, ontology docs, entity pages, search, escaping."""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from exportkg.graph.config import Settings
from exportkg.graph.namespaces import ID
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.queries.catalog import load_catalog
from exportkg.server.views.terms import anchor

from helpers import XSS_NAME

ALIBABA_SG = "org/alibaba-cloud-sg"


def get(url: str, accept: str | None = None) -> tuple[int, dict[str, str], str]:
    """(status, headers, body) of a GET; HTTP errors are answers too."""
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode("utf-8")


def test_home_lists_every_named_query_with_yasgui_served_locally(live_server: str) -> None:
    status, headers, body = get(live_server + "/")
    assert status == 200
    text = html.unescape(body)
    for query in load_catalog(Settings().queries_dir).values():
        assert f'data-name="{query.name}"' in body, query.name
        for shown in (query.title, query.description, query.meta["citation"]):
            assert f">{shown}<" in text, shown
    assert 'data-endpoint="/sparql"' in body
    for href in ('href="/ontology"', 'href="/search"', 'href="/api/openapi.json"'):
        assert href in body
    sources = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert "/static/vendor/yasgui/yasgui.min.js" in sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    status, _, script = get(live_server + "/static/vendor/yasgui/yasgui.min.js")
    assert status == 200 and "Yasgui" in script


def test_every_page_links_every_part_of_the_site(live_server: str) -> None:
    """The navigation names each part, the rule-change impact page among them."""
    for path in ("/", "/ontology", "/search?q=alibaba", "/impact"):
        status, _, body = get(live_server + path)
        assert status == 200, path
        for target in ('href="/"', 'href="/ontology"', 'href="/search"', 'href="/graph"', 'href="/impact"',
                       'href="/api/openapi.json"'):
            assert target in body, (path, target)


def test_gallery_queries_carry_their_default_parameters(live_server: str) -> None:
    _, _, body = get(live_server + "/")
    queries = [html.unescape(q) for q in re.findall(r'data-query="([^"]*)"', body)]
    assert len(queries) == len(load_catalog(Settings().queries_dir))
    assert not [q for q in queries if re.search(r"\$[a-z]+\b", q.split("SELECT", 1)[-1])]
    assert any("<https://w3id.org/exportkg/id/regime/ifr-jan2025>" in q for q in queries)


def test_strict_csp_on_pages(live_server: str) -> None:
    _, headers, _ = get(live_server + f"/id/{ALIBABA_SG}")
    csp = headers["Content-Security-Policy"]
    assert "unsafe" not in csp and "default-src 'self'" in csp and "http" not in csp


def ontology_file_graph() -> Graph:
    return Graph().parse(Settings().ontology_file, format="turtle")


def test_ontology_page_documents_every_class_with_an_anchor(live_server: str) -> None:
    status, _, body = get(live_server + "/ontology", accept="text/html")
    assert status == 200
    graph = ontology_file_graph()
    classes = [c for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)]
    assert len(classes) > 40
    for cls in classes:
        assert f'id="{anchor(str(cls))}"' in body, cls
    assert 'id="Company"' in body and 'href="#Organization"' in body  # sub-class links to its anchor
    assert "headquartered in" in body


@pytest.mark.parametrize(("path", "accept", "fmt"), [
    ("/ontology.ttl", None, "turtle"), ("/ontology.rdf", None, "xml"),
    ("/ontology", "text/turtle", "turtle"), ("/ontology", "application/rdf+xml", "xml"),
])
def test_ontology_downloads_equal_the_ontology_file(live_server: str, path: str, accept: str | None,
                                                    fmt: str) -> None:
    status, headers, body = get(live_server + path, accept=accept)
    assert status == 200
    assert headers["Content-Type"].startswith({"turtle": "text/turtle", "xml": "application/rdf+xml"}[fmt])
    assert isomorphic(Graph().parse(data=body, format=fmt), ontology_file_graph())


def test_entity_page_of_a_chinese_groups_singapore_subsidiary(live_server: str) -> None:
    status, _, body = get(live_server + f"/id/{ALIBABA_SG}")
    assert status == 200
    assert "<h1>Alibaba Cloud (Singapore) Private Limited</h1>" in body
    assert 'href="/id/country/SG"' in body  # located in / headquartered in, linked
    assert 'href="/ontology#headquarteredIn"' in body
    assert "Alibaba Cloud Professional Service Agreement" in body  # a source, by its title
    assert 'class="mark mark-S"' in body  # its confidence mark
    assert "Alibaba Group Holding Limited" in body  # the ownership chain's top
    row = re.search(r'<tr class="determination" data-regime="ifr-jan2025" data-item="3A090.a">(.*?)</tr>',
                    body, re.S)
    assert row is not None
    assert "presumption of denial" in row.group(1) and "required" in row.group(1)
    assert "hq-d5m" in row.group(1) and "742.6" in row.group(1)


def test_entity_page_shows_the_list_entry_and_its_denial(live_server: str) -> None:
    status, _, body = get(live_server + "/id/org/zhipu-ai")
    assert status == 200
    listed = re.search(r'<section id="listed">(.*?)</section>', body, re.S)
    assert listed is not None and 'data-list="EL"' in listed.group(1)
    assert "Beijing Zhipu Huazhang Technology Co., Ltd." in listed.group(1) and "(since 2025-01-16)" in listed.group(1)
    assert "90 FR 4617" in listed.group(1) and "federalregister.gov" in listed.group(1)
    today = re.findall(r'<tr class="determination" data-regime="the law on [0-9-]+" data-item="3A090.a">(.*?)</tr>',
                       body, re.S)
    assert today and "entity-list" in today[0] and "presumption of denial" in today[0]


def parse_rdf(body: str, fmt: str) -> Graph:
    """rdflib for Turtle; JSON-LD through Oxigraph (rdflib's JSON-LD parser warns of its own deprecations)."""
    if fmt != "json-ld":
        return Graph().parse(data=body, format=fmt)
    triples = [q.triple for q in ox.parse(body.encode("utf-8"), format=ox.RdfFormat.JSON_LD)]
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


def plain(triples: object) -> set[tuple]:
    """RDF 1.1: "x" and "x"^^xsd:string are one literal; rdflib keeps them apart, so compare without."""
    return {(s, p, Literal(str(o)) if isinstance(o, Literal) and o.datatype == XSD.string else o)
            for s, p, o in triples}  # type: ignore[attr-defined]


def entity_triples(store: KnowledgeStore, iri: URIRef) -> set[tuple]:
    return plain((iri, p, o) for p, o in store.query(f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"))


@pytest.mark.parametrize(("suffix", "accept", "fmt"), [
    ("", "text/turtle", "turtle"), ("?format=ttl", None, "turtle"),
    ("", "application/ld+json", "json-ld"), ("?format=jsonld", None, "json-ld"),
])
def test_entity_as_rdf_holds_its_triples(live_server: str, store: KnowledgeStore, suffix: str,
                                         accept: str | None, fmt: str) -> None:
    status, headers, body = get(live_server + f"/id/{ALIBABA_SG}{suffix}", accept=accept)
    assert status == 200
    if fmt == "json-ld":
        assert headers["Content-Type"].startswith("application/ld+json")
        assert json.loads(body)["@context"]["ekg"] == "https://w3id.org/exportkg/ontology#"
    graph = parse_rdf(body, fmt)
    iri = ID[ALIBABA_SG]
    assert plain(graph.triples((iri, None, None))) == entity_triples(store, iri)
    ownership = ID["ownership/alibaba-cloud-sg/alibaba-cloud"]  # the n-ary node it owns comes along
    assert plain(graph.triples((ownership, None, None))) == entity_triples(store, ownership)


@pytest.mark.parametrize("path", ["/id/org/no-such-company", "/id/org/%3Cscript%3Ealert(1)%3C/script%3E"])
def test_unknown_iri_is_404(live_server: str, path: str) -> None:
    status, _, body = get(live_server + path)
    assert status == 404
    assert "Not in the graph" in body and "<script>" not in body


def test_search_finds_a_company_by_part_of_its_label(live_server: str) -> None:
    status, _, body = get(live_server + "/search?q=" + urllib.parse.quote("CLOUD (singa"))
    assert status == 200
    assert f'href="/id/{ALIBABA_SG}"' in body


@pytest.mark.parametrize("text", ['") } } SELECT * WHERE { ?s ?p ?o } #', '\\', "'''\"\"\"", "x\n} LIMIT 1"])
def test_search_text_is_data_not_sparql(live_server: str, text: str) -> None:
    status, _, body = get(live_server + "/search?q=" + urllib.parse.quote(text))
    assert status == 200
    assert "No entity" in body


def test_markup_in_a_label_is_escaped(xss_server: str) -> None:
    escaped = html.escape(XSS_NAME, quote=False)
    for path in ("/id/org/xss-party", "/search?q=" + urllib.parse.quote("onerror")):
        status, _, body = get(xss_server + path)
        assert status == 200, path
        assert escaped in body, path
        assert XSS_NAME not in body and "<img" not in body, path
    _, _, body = get(xss_server + "/id/org/xss-party")
    assert "presumption of denial" in body  # an imported party gets its determinations too
