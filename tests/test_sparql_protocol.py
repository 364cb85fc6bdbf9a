"""/sparql over real HTTP: the SPARQL 1.1 Protocol cases, every output format parsed back, limits."""

from __future__ import annotations

import csv
import gzip
import io
import json
import threading
import time

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.query import Result
from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper

from helpers import (
    EKG,
    FACTS,
    LIVE_QUERY_TIMEOUT,
    NATO_COUNT,
    NATO_GRAPH,
    NATO_ROWS,
    ONTOLOGY,
    POLAND,
    POLAND_JOINED,
    PREFIX,
    SD,
    Reply,
    count_of,
    form,
    get,
    http,
    parse_rdf,
    running_server,
)


def rows_of(reply: Reply, fmt: str) -> dict[str, str]:
    """NATO_ROWS parsed from any result format: {country IRI: accession date}."""
    assert reply.status == 200, reply.text
    if fmt in ("json", "xml"):
        result = Result.parse(io.BytesIO(reply.body), format=fmt)
        return {str(row.c): str(row.joined) for row in result}
    if fmt == "csv":
        return {row["c"]: row["joined"] for row in csv.DictReader(io.StringIO(reply.text))}
    lines = reply.text.rstrip("\n").split("\n")
    assert lines[0] == "?c\t?joined"
    cells = [line.split("\t") for line in lines[1:]]
    assert all(j.endswith(f"^^<{XSD.date}>") for _, j in cells)  # TSV cells are terms in Turtle syntax
    return {c.strip("<>"): j.split('"')[1] for c, j in cells}


# --- the three ways to send a query -------------------------------------------------------------------

def test_get_query_counts_the_32_nato_members(live_server: str) -> None:
    reply = get(live_server, NATO_COUNT)
    assert reply.header("Content-Type") == "application/sparql-results+json"
    assert count_of(reply) == 32


def test_post_form_and_post_direct_give_the_same_answer(live_server: str) -> None:
    body, headers = form(query=NATO_COUNT)
    assert count_of(http(live_server, "POST", body=body, headers=headers)) == 32
    direct = http(live_server, "POST", body=NATO_COUNT, headers={"Content-Type": "application/sparql-query"})
    assert count_of(direct) == 32


@pytest.mark.parametrize("fmt,accept", [("json", "application/sparql-results+json"),
                                        ("xml", "application/sparql-results+xml"),
                                        ("csv", "text/csv"), ("tsv", "text/tab-separated-values")])
def test_select_in_every_results_format(live_server: str, fmt: str, accept: str) -> None:
    for reply in (get(live_server, NATO_ROWS, accept), get(live_server, NATO_ROWS, format=fmt)):
        assert reply.header("Content-Type").split(";")[0] == accept
        rows = rows_of(reply, fmt)
        assert len(rows) == 32
        assert rows[str(POLAND)] == "1999-03-12"


TRICKY = ("SELECT ?text ?lang ?number ?iri ?blank ?none WHERE { VALUES (?text ?lang ?number ?iri) "
          "{ (\"say \\\"hi\\\"\\n\\ttab \\\\ \u00e9 \u65e5\" \"Stra\u00dfe\"@de-CH 42 "
          "<http://example.org/\u00e9?a=1&b=2>) } "
          "BIND (BNODE() AS ?blank) OPTIONAL { ?iri <http://example.org/p> ?none } }")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_every_kind_of_term_survives_the_results_formats(live_server: str, fmt: str) -> None:
    """Quotes, escapes, non-ASCII text, language tags, datatypes, blank nodes and unbound variables,
    written by the endpoint and read back by rdflib's own SPARQL results parsers."""
    reply = get(live_server, TRICKY, format=fmt)
    assert reply.status == 200, reply.text
    row = next(iter(Result.parse(io.BytesIO(reply.body), format=fmt)))
    assert row.text == Literal('say "hi"\n\ttab \\ \u00e9 \u65e5')
    assert row.lang == Literal("Stra\u00dfe", lang="de-CH")
    assert row.number == Literal(42) and row.number.datatype == XSD.integer
    assert row.iri == URIRef("http://example.org/\u00e9?a=1&b=2")
    assert row.blank is not None and row.none is None
    if fmt == "json":
        binding = json.loads(reply.body)["results"]["bindings"][0]
        assert set(binding) == {"text", "lang", "number", "iri", "blank"}  # unbound: left out
        # language tags come back normalized to lower case
        assert binding["lang"] == {"type": "literal", "value": "Stra\u00dfe", "xml:lang": "de-ch"}


@pytest.mark.parametrize("fmt,accept,rdflib_format", [("ttl", "text/turtle", "turtle"),
                                                      ("nt", "application/n-triples", "nt"),
                                                      ("jsonld", "application/ld+json", "json-ld"),
                                                      ("rdfxml", "application/rdf+xml", "xml")])
def test_construct_in_every_rdf_format(live_server: str, fmt: str, accept: str, rdflib_format: str) -> None:
    for reply in (get(live_server, NATO_GRAPH, accept), get(live_server, NATO_GRAPH, format=fmt)):
        assert reply.status == 200, reply.text
        assert reply.header("Content-Type").split(";")[0] == accept
        graph = parse_rdf(reply.body, rdflib_format)
        assert len(graph) == 32
        assert graph.value(POLAND, EKG.accessionDate) == POLAND_JOINED


def test_describe_and_ask(live_server: str) -> None:
    described = Graph().parse(data=get(live_server, f"DESCRIBE <{POLAND}>").body, format="turtle")
    assert {str(o) for o in described.objects(POLAND, None)} >= {"Poland", "PL"}
    ask = PREFIX + "ASK {{ ?m a ekg:NatoMembership ; ekg:member <{}> }}"
    yes = get(live_server, ask.format(POLAND))
    assert json.loads(yes.body) == {"head": {}, "boolean": True}
    no = get(live_server, ask.format(POLAND.replace("PL", "CN")), "application/sparql-results+xml")
    assert Result.parse(io.BytesIO(no.body), format="xml").askAnswer is False


def test_accept_json_means_sparql_json_and_no_accept_means_the_default(live_server: str) -> None:
    assert get(live_server, NATO_COUNT, "application/json").header("Content-Type") == \
        "application/sparql-results+json"
    assert get(live_server, NATO_GRAPH, "*/*").header("Content-Type").startswith("text/turtle")


# --- content negotiation failures ----------------------------------------------------------------------

def test_406_when_nothing_acceptable(live_server: str) -> None:
    assert get(live_server, NATO_COUNT, "text/turtle").status == 406
    assert get(live_server, NATO_GRAPH, "text/csv").status == 406
    assert get(live_server, NATO_COUNT, format="ttl").status == 406
    assert get(live_server, NATO_COUNT, "image/png").status == 406


def test_unknown_format_parameter_is_400(live_server: str) -> None:
    reply = get(live_server, NATO_COUNT, format="pdf")
    assert reply.status == 400 and "unknown format" in reply.text


# --- malformed requests -------------------------------------------------------------------------------

def test_syntax_error_is_400_with_the_parser_message(live_server: str) -> None:
    reply = get(live_server, "SELECT ?x WHERE { ?x ?y }")
    assert reply.status == 400
    assert "syntax error" in reply.text and "error at 1:" in reply.text


@pytest.mark.parametrize("case", ["get-graphs-no-query", "get-empty-query", "post-form-no-query",
                                  "two-queries", "direct-plus-query-param", "query-and-update",
                                  "post-no-content-type"])
def test_malformed_requests_are_400(live_server: str, case: str) -> None:
    q = NATO_COUNT
    reply = {
        "get-graphs-no-query": lambda: http(live_server, params=[("default-graph-uri", FACTS)]),
        "get-empty-query": lambda: http(live_server, params=[("query", "")]),
        "post-form-no-query": lambda: http(live_server, "POST", body=form(format="json")[0],
                                           headers=form()[1]),
        "two-queries": lambda: http(live_server, params=[("query", q), ("query", q)]),
        "direct-plus-query-param": lambda: http(live_server, "POST", params=[("query", q)], body=q,
                                                headers={"Content-Type": "application/sparql-query"}),
        "query-and-update": lambda: http(live_server, "POST", body=form(query=q, update="CLEAR ALL")[0],
                                         headers=form()[1]),
        "post-no-content-type": lambda: http(live_server, "POST", body=q),
    }[case]()
    assert reply.status == 400, reply.text
    assert reply.header("Content-Type").startswith("text/plain") and reply.text.strip()


def test_unsupported_post_media_type_is_415(live_server: str) -> None:
    for media in ("text/plain", "application/json", "multipart/form-data; boundary=x"):
        reply = http(live_server, "POST", body=NATO_COUNT, headers={"Content-Type": media})
        assert reply.status == 415, (media, reply.text)


def test_updates_are_refused_with_403(live_server: str) -> None:
    update = f"INSERT DATA {{ GRAPH <{FACTS}> {{ <urn:x> <urn:y> <urn:z> }} }}"
    replies = [http(live_server, "POST", body=update, headers={"Content-Type": "application/sparql-update"}),
               http(live_server, "POST", body=form(update=update)[0], headers=form()[1]),
               http(live_server, params=[("update", update)]),
               get(live_server, update)]  # an update sent as a query is still an update
    for reply in replies:
        assert reply.status == 403 and "read-only" in reply.text
    assert count_of(get(live_server, "SELECT (COUNT(*) AS ?n) { <urn:x> ?p ?o }")) == 0


def test_request_size_limits(live_server: str) -> None:
    padding = "a" * 1_010_000  # over the default 1 MB limit
    long_get = http(live_server, params=[("query", f"ASK {{}} #{padding}")])
    assert long_get.status == 414, long_get.text[:200]
    body, headers = form(query=f"ASK {{}} #{padding}")
    assert http(live_server, "POST", body=body, headers=headers).status == 413
    direct = http(live_server, "POST", body=f"ASK {{}} #{padding}",
                  headers={"Content-Type": "application/sparql-query"})
    assert direct.status == 413
    assert json.loads(get(live_server, f"ASK {{}} #{'a' * 500_000}").body)["boolean"] is True


# --- dataset --------------------------------------------------------------------------------------------

def test_default_graph_is_the_union_unless_the_request_names_graphs(live_server: str) -> None:
    assert count_of(get(live_server, NATO_COUNT, **{"default-graph-uri": FACTS})) == 32
    assert count_of(get(live_server, NATO_COUNT, **{"default-graph-uri": ONTOLOGY})) == 0
    in_named = PREFIX + "SELECT DISTINCT ?g { GRAPH ?g { ?m a ekg:NatoMembership } }"
    reply = get(live_server, in_named, **{"named-graph-uri": FACTS})
    assert [b["g"]["value"] for b in json.loads(reply.body)["results"]["bindings"]] == [FACTS]
    only_ontology = get(live_server, in_named, **{"named-graph-uri": ONTOLOGY})
    assert json.loads(only_ontology.body)["results"]["bindings"] == []


def test_from_clauses_choose_the_dataset(live_server: str) -> None:
    from_facts = NATO_COUNT.replace("SELECT (COUNT(DISTINCT ?c) AS ?n)",
                                    f"SELECT (COUNT(DISTINCT ?c) AS ?n) FROM <{FACTS}>")
    assert count_of(get(live_server, from_facts)) == 32
    assert count_of(get(live_server, from_facts.replace(FACTS, ONTOLOGY))) == 0


# --- service description, CORS, compression -------------------------------------------------------------

def test_bare_get_is_a_service_description(live_server: str) -> None:
    reply = http(live_server)
    assert reply.status == 200 and reply.header("Content-Type").startswith("text/turtle")
    sd = Graph().parse(data=reply.body, format="turtle")
    service = URIRef(live_server + "/sparql")
    assert (service, RDF.type, SD.Service) in sd
    assert (service, SD.endpoint, service) in sd
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in sd
    assert (service, SD.feature, SD.UnionDefaultGraph) in sd
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV") in set(sd.objects(service, SD.resultFormat))
    names = {str(n) for n in sd.objects(None, SD.name)}
    assert FACTS in names and ONTOLOGY in names
    jsonld = http(live_server, headers={"Accept": "application/ld+json"})
    assert jsonld.header("Content-Type") == "application/ld+json"
    assert len(parse_rdf(jsonld.body, "json-ld")) == len(sd)
    assert len(Graph().parse(data=http(live_server, params=[("format", "nt")]).body, format="nt")) == len(sd)


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


def test_a_browser_opening_sparql_gets_the_query_page(live_server: str) -> None:
    """A person who types /sparql into a browser lands on the query page; SPARQL clients still get the
    service description, and a query with a browser's Accept still gets results."""
    page = http(live_server, headers={"Accept": BROWSER_ACCEPT})
    assert page.status == 303 and page.header("Location") in ("/", live_server + "/")
    assert http(live_server, headers={"Accept": "text/turtle, text/html;q=0.5"}).status == 200
    assert http(live_server, headers={"Accept": "*/*"}).header("Content-Type").startswith("text/turtle")
    answered = get(live_server, NATO_COUNT, BROWSER_ACCEPT)
    assert answered.status == 200 and "sparql-results" in answered.header("Content-Type")


def test_cors(live_server: str) -> None:
    assert get(live_server, NATO_COUNT).header("Access-Control-Allow-Origin") == "*"
    assert get(live_server, "SELECT ?x {").header("Access-Control-Allow-Origin") == "*"
    preflight = http(live_server, "OPTIONS", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert preflight.status == 204
    assert preflight.header("Access-Control-Allow-Origin") == "*"
    assert "POST" in preflight.header("Access-Control-Allow-Methods")
    assert "Content-Type" in preflight.header("Access-Control-Allow-Headers")


def test_large_answers_are_gzipped_when_the_client_allows(live_server: str) -> None:
    zipped = http(live_server, params=[("query", NATO_ROWS)], headers={"Accept-Encoding": "gzip"})
    assert zipped.header("Content-Encoding") == "gzip"
    assert len(json.loads(gzip.decompress(zipped.body))["results"]["bindings"]) == 32
    assert "gzip" not in (get(live_server, NATO_ROWS).header("Content-Encoding") or "")
    small = http(live_server, params=[("query", NATO_COUNT)], headers={"Accept-Encoding": "gzip"})
    assert small.header("Content-Encoding") is None and count_of(small) == 32


# --- SPARQLWrapper as a client --------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_reads_every_results_format(live_server: str, fmt: str) -> None:
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(NATO_ROWS)
    client.setReturnFormat(fmt)
    converted = client.query().convert()
    if fmt == JSON:
        rows = {b["c"]["value"]: b["joined"]["value"] for b in converted["results"]["bindings"]}
    elif fmt == XML:
        rows = {str(r.c): str(r.joined) for r in Result.parse(io.StringIO(converted.toxml()), format="xml")}
    else:
        text = converted.decode() if isinstance(converted, bytes) else converted
        reply = Reply(200, {}, text.encode())
        rows = rows_of(reply, "csv" if fmt == CSV else "tsv")
    assert len(rows) == 32 and rows[str(POLAND)] == "1999-03-12"


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # SPARQLWrapper's own use
def test_sparqlwrapper_construct_is_an_rdflib_graph(live_server: str) -> None:
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(NATO_GRAPH)
    client.setReturnFormat(XML)
    graph = client.queryAndConvert()
    assert isinstance(graph, Graph) and len(graph) == 32
    assert graph.value(POLAND, EKG.accessionDate) == POLAND_JOINED


# --- timeout, row cap ---------------------------------------------------------------------------------------

def test_a_runaway_query_is_stopped_and_others_are_served_meanwhile(live_server: str) -> None:
    # 250^5 rows from five joins of the countries: endless for the CPU, light on memory (a cross join of
    # every triple would reach the worker's memory ceiling first on a store of two million triples)
    country = "a <https://w3id.org/exportkg/ontology#Country>"
    runaway = f"SELECT (COUNT(*) AS ?n) {{ ?a {country} . ?b {country} . ?c {country} . ?d {country} . ?e {country} }}"
    outcome: dict[str, object] = {}

    def run() -> None:
        started = time.monotonic()
        outcome["reply"] = get(live_server, runaway)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(1.0)
    during = time.monotonic()
    assert count_of(get(live_server, NATO_COUNT)) == 32
    assert time.monotonic() - during < 2.0
    assert thread.is_alive(), "the runaway query must still be running while the other one is answered"
    thread.join(30)
    reply: Reply = outcome["reply"]  # type: ignore[assignment]
    assert reply.status == 503 and "timeout" in reply.text
    assert outcome["seconds"] < LIVE_QUERY_TIMEOUT + 2  # live_server's --query-timeout
    assert count_of(get(live_server, NATO_COUNT)) == 32  # the pool has recovered


def test_answers_under_the_row_cap_are_not_marked(live_server: str) -> None:
    reply = get(live_server, NATO_ROWS)
    assert reply.header("X-Exportkg-Truncated") is None
    assert "exportkg" not in json.loads(reply.body)


def test_row_cap_cuts_and_says_so(built) -> None:  # type: ignore[no-untyped-def]
    with running_server(built, "--row-cap", "5") as base:
        reply = get(base, NATO_ROWS)
        assert reply.status == 200
        assert reply.header("X-Exportkg-Truncated") == "true" and reply.header("X-Exportkg-Row-Cap") == "5"
        doc = json.loads(reply.body)
        assert len(doc["results"]["bindings"]) == 5
        assert doc["exportkg"]["truncated"] is True and doc["exportkg"]["rowCap"] == 5
        assert len(Result.parse(io.BytesIO(reply.body), format="json")) == 5  # still valid SPARQL JSON
        as_csv = get(base, NATO_ROWS, "text/csv")
        assert len(as_csv.text.strip().splitlines()) == 1 + 5 and as_csv.header("X-Exportkg-Truncated") == "true"
        graph = get(base, NATO_GRAPH)
        assert len(Graph().parse(data=graph.body, format="turtle")) == 5
        assert graph.header("X-Exportkg-Truncated") == "true"
        assert count_of(get(base, NATO_COUNT)) == 32
        assert get(base, NATO_COUNT).header("X-Exportkg-Truncated") is None
