"""The SPARQL 1.1 Service Description a bare GET on /sparql answers with.

It tells clients (and people) what the endpoint does: the query language, the result formats, that
the default graph is the union of the named graphs, and which named graphs there are.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from exportkg.graph import formats

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "JSON-LD", "RDF_XML"]


def service_description(endpoint: str, graph_names: Iterable[str]) -> Graph:
    graph = Graph()
    graph.bind("sd", SD)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for name in RESULT_FORMATS:
        graph.add((service, SD.resultFormat, URIRef(FORMATS_NS + name)))
    dataset = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    for name in sorted(graph_names):
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
    graph.add((service, URIRef("http://purl.org/dc/terms/description"),
               Literal("exportkg: US export controls on AI chips and model weights (read-only SPARQL 1.1 Query)")))
    return graph


def serialize(graph: Graph, fmt: str) -> bytes:
    return graph.serialize(format=formats.BY_KEY[fmt].rdflib, encoding="utf-8")
