"""What a regime's rules can read (reasoning/reads.py): the projection each regime's store is given.
Leaving out a triple a rule could match would change answers silently, so every way of reading
anything is checked to fall back to reading in full; the end-to-end check (a projected run infers
what a whole-store run does) is tests/test_rules_engine.py."""

from __future__ import annotations

from rdflib import URIRef

from exportkg.graph.namespaces import EKG
from exportkg.graph.reasoning.reads import EVERYTHING, Reads, reads_of, writes_of

HEAD = "PREFIX ekg: <https://w3id.org/exportkg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
REGIME = URIRef("https://w3id.org/exportkg/id/regime/x")


def reads(where: str, template: str = "?s ekg:out ?o") -> Reads:
    return reads_of([f"{HEAD}CONSTRUCT {{ {template} }} WHERE {{ {where} }}"])


def test_a_variable_predicate_or_class_or_a_negated_path_reads_everything() -> None:
    assert reads("?s ?p ?o") == EVERYTHING
    assert reads("?s a ?class") == EVERYTHING
    assert reads("?s !ekg:x ?o") == EVERYTHING
    assert reads("?s ekg:a ?o OPTIONAL { ?o ?p ?z }") == EVERYTHING  # anywhere, also nested


def test_constant_predicates_classes_and_paths() -> None:
    found = reads("?s ekg:a ?o . ?o ekg:b/ekg:c* ?z . ?z a ekg:Country")
    assert found.predicates == {EKG.a, EKG.b, EKG.c} and found.classes == {EKG.Country}
    assert not found.everything


def test_a_type_in_the_same_pattern_confines_the_subject() -> None:
    found = reads("?chip a ekg:Accelerator ; rdfs:label ?name . ?fp a ekg:ComputeFootprint ; ekg:footprintOf ?g . "
                  "?g ekg:headquarteredIn ?hq")
    assert EKG.headquarteredIn not in found.predicates
    assert (EKG.headquarteredIn, ("class", EKG.ComputeFootprint, EKG.footprintOf)) in found.restricted()
    assert (URIRef("http://www.w3.org/2000/01/rdf-schema#label"), ("class", EKG.Accelerator)) in found.restricted()


def test_a_type_in_another_branch_confines_nothing() -> None:
    found = reads("?chip a ekg:Accelerator . { ?chip rdfs:label ?name } UNION { ?chip ekg:alias ?name }")
    assert EKG.alias in found.predicates  # read in full: the union's branch has no type of its own


def test_an_anchor_through_what_the_steps_write_is_read_in_full() -> None:
    text = f"{HEAD}CONSTRUCT {{ <{REGIME}> ekg:effectiveParameter ?p }} WHERE {{ <{REGIME}> ekg:hasParameter ?p }}"
    second = (f"{HEAD}CONSTRUCT {{ ?p ekg:used true }} "
              f"WHERE {{ <{REGIME}> ekg:effectiveParameter ?p . ?p ekg:value ?v }}")
    found = reads_of([text, second]).settled(writes_of([text, second]))
    assert EKG.value in found.predicates  # ?p is reached through a predicate the first step writes
    assert (EKG.effectiveParameter, ("iri", REGIME)) in found.restricted()  # its own subject: still confined
