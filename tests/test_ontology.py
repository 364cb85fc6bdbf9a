"""The ontology itself: parses, declares and documents every term it defines or the data uses."""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, Graph

from exportkg.graph import namespaces as ns
from exportkg.graph.config import Settings

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def ontology() -> Graph:
    return Graph().parse(Settings().ontology_file)


def test_ontology_has_version_iri() -> None:
    g = ontology()
    assert (ns.ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert g.value(ns.ONTOLOGY_IRI, OWL.versionIRI) is not None


def test_every_term_has_label_and_comment() -> None:
    g = ontology()
    missing = []
    for term in set(g.subjects()):
        if not str(term).startswith(str(ns.EKG)):
            continue
        if g.value(term, RDFS.label) is None or g.value(term, RDFS.comment) is None:
            missing.append(str(term))
    assert not missing, f"terms without rdfs:label or rdfs:comment: {missing}"


def test_every_ekg_iri_used_in_data_is_declared(store) -> None:  # type: ignore[no-untyped-def]
    g = ontology()
    declared = {s for s in g.subjects() if str(s).startswith(str(ns.EKG))}
    used = {row[0] for row in store.query(
        "SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } UNION { ?s ?p ?t } "
        f"FILTER (isIRI(?t) && STRSTARTS(STR(?t), \"{ns.EKG}\")) }}")}
    assert used, "the data uses no ontology terms?"
    assert not used - declared, f"undeclared: {sorted(map(str, used - declared))}"


def test_country_and_company_are_disjoint() -> None:
    g = ontology()
    disjoint_sets = []
    for node in g.subjects(RDF.type, OWL.AllDisjointClasses):
        members = g.value(node, OWL.members)
        disjoint_sets.append(set(g.items(members)))
    assert any(ns.EKG.Country in s and ns.EKG.Organization in s for s in disjoint_sets)
