"""The triples of a GLEIF entity, relationship and unknown parent, written as N-Triples text.

The GLEIF loader (loaders/gleif.py) decides what the files say; this module says it in the graph's
terms, in the shapes the curated organizations have (ontology/shapes.ttl: an Organization with a label,
countries, a source and a confidence; an Ownership with owner, owned, control basis, source and
confidence). Every node cites the golden copy with confidence D (dataset).
"""

from __future__ import annotations

import functools

from rdflib import RDF, RDFS
from rdflib.namespace import DCTERMS

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders.bulk import Sink, iri, text
from exportkg.graph.namespaces import EKG, ID

# the terms, written once (a golden copy writes each of them millions of times)
A, LABEL, NOTE = iri(str(RDF.type)), iri(str(RDFS.label)), iri(str(EKG.note))
UNKNOWN, WHY = iri(str(EKG.valueUnknown)), iri(str(EKG.parentUnknownReason))
LOCATED, HQ = iri(str(EKG.locatedIn)), iri(str(EKG.headquarteredIn))
ORGANIZATION, OWNERSHIP, LEI = iri(str(EKG.Organization)), iri(str(EKG.Ownership)), iri(str(EKG.lei))
REGISTRATION, STATUS = iri(str(EKG.registrationStatus)), iri(str(EKG.entityStatus))
OWNER, OWNED, BASIS = iri(str(EKG.owner)), iri(str(EKG.owned)), iri(str(EKG.controlBasis))
STATED, CONTROLLED_BY = iri(str(EKG.StatedControl)), iri(str(EKG.controlledBy))
SOURCE, CONFIDENCE, DATASET = iri(str(DCTERMS.source)), iri(str(EKG.confidence)), iri(str(EKG.Dataset))
COUNTRY_COLUMNS = (("Entity.LegalAddress.Country", LOCATED), ("Entity.HeadquartersAddress.Country", HQ))
#: IRIs made from checked codes (an LEI is [0-9A-Z]{20}, a country code one of the graph's) by formatting
ORG_PREFIX, OWNERSHIP_PREFIX = str(ns.org("x"))[:-1], str(ID["ownership/"])
COUNTRY_PREFIX = str(ns.country("XX"))[:-2]
UNKNOWN_HQ, UNKNOWN_PARENT = text("headquarteredIn"), text("controlledBy")
#: each source's citation pairs, made once (loaders/bulk.py `add_all`)
_CITATIONS: dict[str, list[tuple[str, str]]] = {}


def org_id(lei: str) -> str:
    return f"lei-{lei.lower()}"


def org(lei: str) -> str:
    return f"<{ORG_PREFIX}{org_id(lei)}>"


def cited(out: Sink, node: str, source: str) -> None:
    out.add_all(node, citation(source))


def citation(source: str) -> list[tuple[str, str]]:
    """The (predicate, object) pairs that cite a source with confidence D (dataset)."""
    if source not in _CITATIONS:
        _CITATIONS[source] = [(SOURCE, f"<{ns.source(source)}>"), (CONFIDENCE, DATASET)]
    return _CITATIONS[source]


def entity(out: Sink, lei: str, label: str, statuses: tuple[str, str], countries: dict[str, str],
           source: str) -> None:
    """A level 1 record: an Organization with its legal name, LEI, statuses and address countries
    (codes checked by the loader); a missing headquarters country is an unknown, not an absence. Not
    a Company: a legal entity may be a fund, a branch, a sole trader or a government body (LEI-CDF
    Entity.EntityCategory), and stated as an organization it needs no type from rule class-hierarchy
    (3.1 million triples a golden copy no longer writes twice). One write of the entity's triples."""
    registration, entity_status = statuses
    pairs = [(A, ORGANIZATION), (LABEL, text(label)), (LEI, text(lei)), (REGISTRATION, text(registration))]
    if entity_status:
        pairs.append((STATUS, text(entity_status)))
    for column, prop in COUNTRY_COLUMNS:
        if countries.get(column):
            pairs.append((prop, f"<{COUNTRY_PREFIX}{countries[column]}>"))
    if not countries.get("Entity.HeadquartersAddress.Country"):
        pairs.append((UNKNOWN, UNKNOWN_HQ))
    out.add_all(org(lei), pairs + citation(source))


def unknown_parent(out: Sink, lei: str, reason: str) -> None:
    out.add_all(org(lei), _unknown_pairs(reason))


@functools.lru_cache(maxsize=256)
def _unknown_pairs(reason: str) -> list[tuple[str, str]]:
    """A few reasons stand for millions of entities: their terms are made once."""
    return [(UNKNOWN, UNKNOWN_PARENT), (WHY, text(reason))]


def no_parent_entity(out: Sink, lei: str, statement: str) -> None:
    out.add(org(lei), NOTE, text(f"no parent entity: {statement}"))


def dangling(out: Sink, lei: str, source: str) -> None:
    """A parent LEI no imported level 1 record describes: a party whose headquarters is unknown."""
    node = org(lei)
    out.add(node, A, ORGANIZATION)
    out.add(node, LABEL, text(f"LEI {lei} (no level 1 record imported)"))
    out.add(node, LEI, text(lei))
    out.add(node, UNKNOWN, text("headquarteredIn"))
    unknown_parent(out, lei, "no level 1 record of this LEI was imported")
    cited(out, node, source)


def ownership(out: Sink, child: str, parent: str, record: tuple[str, str, str], source: str, *,
              control: bool) -> None:
    """A relationship record as an Ownership of stated control; `controlledBy` only when followed. The
    note names the record (its type, status, and file and line in the import)."""
    kind, status, where = record
    node = f"<{OWNERSHIP_PREFIX}{org_id(child)}/{org_id(parent)}>"
    out.add(node, A, OWNERSHIP)
    out.add(node, LABEL, text(f"{parent} {kind.lower().replace('_', ' ')} of {child}"))
    out.add(node, OWNER, org(parent))
    out.add(node, OWNED, org(child))
    out.add(node, BASIS, STATED)
    out.add(node, NOTE, text(f"GLEIF relationship record {kind} ({where}), registration status {status}"
                             + ("" if control else "; not followed: the parent is unknown")))
    if control:
        out.add(org(child), CONTROLLED_BY, org(parent))
    cited(out, node, source)
