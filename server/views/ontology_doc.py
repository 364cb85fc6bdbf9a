"""The ontology as a reference page: every class and property with its label, comment, hierarchy,
domain and range, each under an anchor so that term IRIs (ekg:X -> /ontology#X) resolve.

Read from ontology/exportkg.ttl with rdflib (pyLODE was not used: its page pulls in styles and
scripts we would have to police for CSP and offline use, and this one fits the site's own layout).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef
from rdflib.term import Node

from exportkg.graph import namespaces as ns
from exportkg.server.views.terms import TermView, anchor, curie, href

SECTIONS = (("classes", "Classes", (OWL.Class,)),
            ("object-properties", "Object properties", (OWL.ObjectProperty,)),
            ("datatype-properties", "Datatype properties", (OWL.DatatypeProperty,)),
            ("annotation-properties", "Annotation properties", (OWL.AnnotationProperty,)))


@dataclass
class TermDoc:
    iri: str
    anchor: str
    curie: str
    label: str
    comment: str
    characteristics: list[str] = field(default_factory=list)
    relations: list[tuple[str, list[TermView]]] = field(default_factory=list)


@dataclass
class OntologyDoc:
    iri: str
    label: str
    comment: str
    version: str
    sections: list[tuple[str, str, list[TermDoc]]]
    individuals: list[TermDoc]

    def all_terms(self) -> list[TermDoc]:
        return [t for _, _, terms in self.sections for t in terms] + self.individuals


def _link(graph: Graph, term: Node) -> TermView:
    label = graph.value(term, RDFS.label)
    iri = str(term)
    local = iri.startswith(str(ns.EKG)) or (term, RDF.type, None) in graph
    target = "#" + anchor(iri) if local else href(iri)
    return TermView(str(label) if label else curie(iri), target, iri, curie(iri))


def _links(graph: Graph, terms: list[Node]) -> list[TermView]:
    return sorted((_link(graph, t) for t in terms if isinstance(t, URIRef)), key=lambda v: v.text.lower())


def _term(graph: Graph, term: URIRef, kinds: set[URIRef]) -> TermDoc:
    links = lambda p, reverse=False: _links(graph, list(graph.subjects(p, term) if reverse  # noqa: E731
                                                          else graph.objects(term, p)))
    doc = TermDoc(str(term), anchor(str(term)), curie(str(term)), str(graph.value(term, RDFS.label) or ""),
                  str(graph.value(term, RDFS.comment) or ""))
    doc.characteristics = sorted(curie(str(k)) for k in kinds - _KINDS)
    for title, items in (("Subclass of", links(RDFS.subClassOf)), ("Superclass of", links(RDFS.subClassOf, True)),
                         ("Subproperty of", links(RDFS.subPropertyOf)),
                         ("Superproperty of", links(RDFS.subPropertyOf, True)),
                         ("Domain", links(RDFS.domain)), ("Range", links(RDFS.range)),
                         ("Inverse of", links(OWL.inverseOf)), ("Instances", _instances(graph, term)),
                         ("Type", links(RDF.type) if OWL.NamedIndividual in kinds or not kinds & _KINDS else [])):
        if items:
            doc.relations.append((title, items))
    return doc


_KINDS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}


def _instances(graph: Graph, cls: URIRef) -> list[TermView]:
    return _links(graph, [s for s in graph.subjects(RDF.type, cls) if str(s).startswith(str(ns.EKG))])


def _sorted(terms: set[URIRef]) -> list[URIRef]:
    """ekg terms first, then the reused ones, each alphabetically."""
    return sorted(terms, key=lambda t: (not str(t).startswith(str(ns.EKG)), curie(str(t)).lower()))


@lru_cache(maxsize=2)
def load(path: Path) -> tuple[Graph, OntologyDoc]:
    graph = Graph().parse(path, format="turtle")
    sections = []
    for key, title, classes in SECTIONS:
        terms = {s for c in classes for s in graph.subjects(RDF.type, c) if isinstance(s, URIRef)}
        sections.append((key, title, [_term(graph, t, set(graph.objects(t, RDF.type))) for t in _sorted(terms)]))
    documented = {t for _, _, docs in sections for t in (URIRef(d.iri) for d in docs)}
    individuals = {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)
                   and str(s).startswith(str(ns.EKG)) and s not in documented}
    onto = ns.ONTOLOGY_IRI
    doc = OntologyDoc(str(onto), str(graph.value(onto, RDFS.label) or "exportkg ontology"),
                      str(graph.value(onto, RDFS.comment) or ""), str(graph.value(onto, OWL.versionInfo) or ""),
                      sections, [_term(graph, t, set(graph.objects(t, RDF.type))) for t in _sorted(individuals)])
    return graph, doc


def notation(graph: Graph, term: URIRef) -> str:
    return str(graph.value(term, SKOS.notation) or "")
