"""Ultimate parents through several levels: the SPARQL rule, and HermiT over the OWL ontology."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal

from exportkg.graph import namespaces as ns
from exportkg.graph.build.pipeline import build, ontology_graph
from exportkg.graph.config import Settings
from exportkg.graph.namespaces import EKG
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation
from exportkg.ontology.owlcheck import reason

from helpers import append_row, company

CHAIN = [  # id, located, headquarters, parent, share, control
    ("chain-top", "CN", "CN", "", "", ""),
    ("chain-hold", "HK", "HK", "chain-top", "100", "majority"),
    ("chain-region", "SG", "SG", "chain-hold", "60", ""),
    ("chain-local", "MY", "MY", "chain-region", "", "stated"),
    ("chain-minority", "AE", "AE", "chain-local", "30", "minority"),
]


@pytest.fixture(scope="module")
def chain_store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    import shutil

    data = tmp_path_factory.mktemp("chain") / "data"
    shutil.copytree(Settings().data_dir, data)
    for org_id, located, hq, parent, share, control in CHAIN:
        append_row(data / "companies.csv", company(id=org_id, name=org_id, country=located,
                                                   headquarters=hq, parent=parent,
                                                   parent_share=share, control=control))
    # the ultimate parent is a global inference: one small regime is enough to reason
    settings = Settings(home=data.parent / "home", data_dir=data, reason_regimes=("oct2023",))
    build(settings)
    kg = KnowledgeStore.open_read_only(StoreLocation(settings.store_root))
    yield kg
    kg.close()


def ultimate(kg: KnowledgeStore, org_id: str) -> set[str]:
    rows = kg.query(f"SELECT ?u {{ <{ns.org(org_id)}> <{EKG.ultimateParent}> ?u }}")
    return {str(r[0]).rsplit("/", 1)[1] for r in rows}


def test_ultimate_parent_through_three_levels(chain_store: KnowledgeStore) -> None:
    assert ultimate(chain_store, "chain-local") == {"chain-top"}
    assert ultimate(chain_store, "chain-region") == {"chain-top"}
    assert ultimate(chain_store, "chain-hold") == {"chain-top"}
    assert ultimate(chain_store, "chain-top") == set()


def test_a_minority_stake_is_not_control(chain_store: KnowledgeStore) -> None:
    assert ultimate(chain_store, "chain-minority") == set()
    rows = chain_store.query(f"ASK {{ ?o <{EKG.owner}> <{ns.org('chain-local')}> ; "
                             f"<{EKG.owned}> <{ns.org('chain-minority')}> ; "
                             f"<{EKG.controlBasis}> <{EKG.MinorityStake}> }}")
    assert rows.askAnswer


@pytest.mark.slow
def test_owl_reasoner_agrees_on_ancestors_and_hq_d5m(tmp_path: Path) -> None:
    """HermiT derives the transitive ancestors from ekg:controlledBy and classifies the local
    subsidiary as an HQ-D5M entity once its ultimate parent is known: the same answer as the rules."""
    facts = Graph()
    for org_id, _located, hq, parent, _share, control in CHAIN:
        node = ns.org(org_id)
        facts.add((node, RDF.type, EKG.Company))
        facts.add((node, EKG.headquarteredIn, ns.country(hq)))
        if parent and control != "minority":
            facts.add((node, EKG.controlledBy, ns.org(parent)))
    for code in {c[1] for c in CHAIN} | {c[2] for c in CHAIN}:
        facts.add((ns.country(code), RDF.type, EKG.Country))
    facts.add((ns.country("CN"), RDF.type, EKG.D5OrMacauCountry))
    facts.add((ns.org("chain-local"), EKG.ultimateParent, ns.org("chain-top")))
    facts.add((ns.org("chain-top"), EKG.note, Literal("top of the test chain")))
    world = reason(ontology_graph(Settings()), facts)
    local = world[str(ns.org("chain-local"))]
    ancestors = {a.iri.rsplit("/", 1)[1] for a in local.INDIRECT_hasControllingAncestor}
    assert ancestors == {"chain-region", "chain-hold", "chain-top"}
    hqd5m = world[str(EKG.HQD5MEntity)]
    assert hqd5m in local.is_a or local in hqd5m.instances()
    region = world[str(ns.org("chain-region"))]
    assert region not in hqd5m.instances()  # its ultimate parent is not asserted in this graph


def test_full_graph_is_consistent_under_hermit(built: Settings) -> None:
    """The ontology with every curated, Epoch and list fact: HermiT finds no contradiction among the
    classes of every node and the links between them (disjoint classes, domains and ranges, functional
    properties, the controlling-ancestor chain). Literal values are left to SHACL, which checks their
    datatypes and ranges at every build: with them HermiT's datatype reasoning takes over ten minutes on
    two cores, without them about ten seconds."""
    from exportkg.graph.build.pipeline import load_all
    from exportkg.ontology.owlcheck import check_consistency

    ctx = load_all(built)
    links = Graph()
    for s, p, o in ctx.facts:
        if not isinstance(o, Literal):
            links.add((s, p, o))
    assert set(links.subjects(RDF.type, EKG.ListEntry)) and set(links.subjects(RDF.type, EKG.Ownership))
    check_consistency(ontology_graph(built), links)


@pytest.mark.slow
def test_hermit_detects_an_inconsistency() -> None:
    """The check can fail: an individual that is both a Country and a Company contradicts the
    ontology's disjointness axiom."""
    from exportkg.ontology.owlcheck import InconsistentOntology, check_consistency

    bad = Graph()
    bad.add((ns.org("both"), RDF.type, EKG.Company))
    bad.add((ns.org("both"), RDF.type, EKG.Country))
    with pytest.raises(InconsistentOntology):
        check_consistency(ontology_graph(Settings()), bad)
