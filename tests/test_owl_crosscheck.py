"""OWL and the SPARQL rules agree: HermiT classifies the OWL-expressible part of the curated graph
(controlling ancestors, the HQ-D5M defined class, the tiers of one regime as classes) and must find
what the rules inferred."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, BNode, Graph, URIRef
from rdflib.collection import Collection

from exportkg.graph import namespaces as ns
from exportkg.graph.build.pipeline import ontology_graph
from exportkg.graph.config import Settings
from exportkg.graph.namespaces import EKG
from exportkg.ontology.owlcheck import reason

from helpers import select

REGIME = "ifr-jan2025"
T = ns.Namespace("https://w3id.org/exportkg/test#")
PREFIXES = ns.sparql_prefixes()


def one_of(g: Graph, cls: URIRef, members: list[URIRef]) -> None:
    node, items = BNode(), BNode()
    Collection(g, items, members)
    g.add((cls, RDF.type, OWL.Class))
    g.add((cls, OWL.equivalentClass, node))
    g.add((node, RDF.type, OWL.Class))
    g.add((node, OWL.oneOf, items))


def listed_or_treated(g: Graph, cls: URIRef, listed: URIRef) -> None:
    """cls = listed, or earTreatedAs some listed country."""
    treated = BNode()
    g.add((treated, RDF.type, OWL.Restriction))
    g.add((treated, OWL.onProperty, EKG.earTreatedAs))
    g.add((treated, OWL.someValuesFrom, listed))
    union, members = BNode(), BNode()
    Collection(g, members, [listed, treated])
    g.add((union, RDF.type, OWL.Class))
    g.add((union, OWL.unionOf, members))
    g.add((cls, OWL.equivalentClass, union))


def iris(rows: list[dict[str, str]], key: str) -> list[URIRef]:
    return sorted({URIRef(r[key]) for r in rows})


@pytest.fixture(scope="module")
def classified(store, built: Settings):  # type: ignore[no-untyped-def]
    """The OWL view of the curated graph for one regime, classified by HermiT."""
    g = Graph()
    orgs = select(store, PREFIXES + "SELECT DISTINCT ?o ?cls { ?o a ?cls . ?cls rdfs:subClassOf ekg:Organization }")
    for r in orgs:
        g.add((URIRef(r["o"]), RDF.type, URIRef(r["cls"])))
    for p in (EKG.controlledBy, EKG.headquarteredIn, EKG.ultimateParent, EKG.earTreatedAs):
        for r in select(store, f"SELECT ?s ?o {{ ?s <{p}> ?o }}"):
            g.add((URIRef(r["s"]), p, URIRef(r["o"])))
    countries = iris(select(store, PREFIXES + "SELECT ?c { ?c a ekg:Country }"), "c")
    for c in countries:
        g.add((c, RDF.type, EKG.Country))
    # tiers from the regime's definition and the group memberships on its as-of date, not from rules
    tier1 = iris(select(store, PREFIXES + f"SELECT ?c {{ <{ns.regime(REGIME)}> ekg:hasTier ?t . "
                        "?t ekg:tierNumber 1 ; ekg:includesCountry ?c }"), "c")
    d5 = iris(select(store, PREFIXES + """SELECT ?c { ?m ekg:member ?c ; ekg:group id:group\\/D5 ;
        ekg:membershipStatus ekg:Asserted . OPTIONAL { ?m ekg:validFrom ?f } OPTIONAL { ?m ekg:validTo ?t }
        FILTER ((!BOUND(?f) || ?f <= "2025-01-13"^^xsd:date) && (!BOUND(?t) || ?t > "2025-01-13"^^xsd:date)) }"""), "c")
    one_of(g, T.Tier1Listed, tier1)
    one_of(g, T.D5Listed, d5 + [ns.country("MO")])
    # listed, or treated as a listed country (Hong Kong as China; U.S. territories as the United States)
    listed_or_treated(g, T.Tier1, T.Tier1Listed)
    listed_or_treated(g, EKG.D5OrMacauCountry, T.D5Listed)
    world = reason(ontology_graph(built), g)
    return world


def owl_members(world, cls: URIRef) -> set[str]:  # type: ignore[no-untyped-def]
    return {i.iri for i in world[str(cls)].instances()}


def test_hq_d5m_class_matches_the_rule(classified, store) -> None:  # type: ignore[no-untyped-def]
    owl = owl_members(classified, EKG.HQD5MEntity)
    regime = ns.regime(REGIME)
    rules = {r["p"] for r in select(store, PREFIXES + f"""SELECT ?p {{ ?p ekg:hqProfile/ekg:hqD5MUnder <{regime}> ;
                                                                a ekg:Organization }}""")}
    assert rules, "the rules found no HQ-D5M organization"
    assert owl == rules


def tier(store, number: int) -> set[str]:  # type: ignore[no-untyped-def]
    return {r["c"] for r in select(store, PREFIXES + f"""SELECT ?c {{ <{ns.regime(REGIME)}> ekg:hasTier ?t .
              ?t ekg:tierNumber {number} . ?c ekg:inTier ?t }}""")}


def test_tier_classes_match_the_rule(classified, store) -> None:  # type: ignore[no-untyped-def]
    """Tiers 1 and 3 are OWL classes (an enumeration; D:5 or Macau, or treated as such). Tier 2 is the
    closed-world rest, which OWL's open world cannot derive: it must be exactly what is left."""
    tier1, tier3 = owl_members(classified, T.Tier1), owl_members(classified, EKG.D5OrMacauCountry)
    assert tier1 == tier(store, 1)
    assert tier3 == tier(store, 3)
    countries = {r["c"] for r in select(store, PREFIXES + "SELECT ?c { ?c a ekg:Country }")}
    assert tier(store, 2) == countries - tier1 - tier3


def test_controlling_ancestors_match_the_property_path(classified, store) -> None:  # type: ignore[no-untyped-def]
    """The store does not materialize the transitive property (a million companies would pay for it in
    every build); SPARQL users walk ekg:controlledBy+, which must agree with what HermiT derives."""
    rules = {(r["x"], r["a"]) for r in select(store, PREFIXES + "SELECT ?x ?a { ?x ekg:controlledBy+ ?a }")}
    owl = {(o.iri, a.iri) for o in classified[str(EKG.Organization)].instances()
           for a in o.INDIRECT_hasControllingAncestor}
    assert rules and owl == rules
