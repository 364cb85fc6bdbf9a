"""The GLEIF golden copy (`exportkg import-gleif`): legal entities and their accounting parents.

Three CSV files as GLEIF publishes them, zipped or not, read by column name (other columns ignored):
level 1 (LEI-CDF 3.x: `LEI`, `Entity.LegalName`, legal and headquarters address countries, entity and
registration status), level 2 relationship records (RR-CDF 2.x: start node = the child, end node = the
parent, `IS_DIRECTLY_CONSOLIDATED_BY` / `IS_ULTIMATELY_CONSOLIDATED_BY` / `IS_INTERNATIONAL_BRANCH_OF`)
and reporting exceptions (`Exception.Category`, `Exception.Reason.n`: why a parent is not reported).

A consolidating parent is a controlling one (consolidation follows control: IFRS 10, ASC 810), so each
active relationship becomes an Ownership link of stated control, cited to the file and row. The direct
parent is followed; the ultimate one stands in where no direct parent is reported. Everything short
of a known parent is an unknown, never "no parent": a reporting exception (with its reasons; only
NATURAL_PERSONS and NO_KNOWN_PERSON state that no parent entity exists, and make the entity its
chain's top, with the statement as a note), an entity with neither a relationship nor an exception,
a parent LEI without a level 1 record, more than one parent, and the members of a reported cycle.
Each carries `ekg:valueUnknown "controlledBy"` and the reason, so a determination that depends on
the parent says "undetermined" and why (answers/unknowns.py).

Registration statuses follow GLEIF's code lists: an ANNULLED, DUPLICATE or CANCELLED LEI record (or
relationship record) is no valid record and is skipped; LAPSED (not renewed, not known to be wrong)
and RETIRED/MERGED entities (ceased) are kept, with the status stated on the entity.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Container, Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders import gleif_rdf as rdf
from exportkg.graph.loaders.bulk import Sink
from exportkg.graph.loaders.context import CONFIDENCE, LoadContext
from exportkg.graph.loaders.csvio import Row
from exportkg.graph.loaders.gleif_files import FILES, KeptCopy
from exportkg.graph.loaders.gleif_parents import SIDECAR, Chosen, Link, Parents, cycles
from exportkg.graph.loaders.gleif_rdf import org_id
from exportkg.graph.loaders.name_match import EntryIndex
from exportkg.graph.namespaces import EKG

__all__ = ["FILES", "Link", "Parents", "load"]
SOURCE = "gleif-golden-copy"
LEI = re.compile(r"^[0-9A-Z]{18}[0-9]{2}$")
#: GLEIF registration statuses (LEI-CDF and RR-CDF code lists); these records are not valid ones
INVALID = {"ANNULLED", "DUPLICATE", "CANCELLED", "PENDING_VALIDATION"}
LEI_STATUSES = INVALID | {"ISSUED", "LAPSED", "MERGED", "RETIRED", "PENDING_TRANSFER", "PENDING_ARCHIVAL",
                          "TRANSFERRED"}
RR_STATUSES = INVALID | {"PUBLISHED", "LAPSED", "RETIRED", "PENDING_TRANSFER", "PENDING_ARCHIVAL", "TRANSFERRED"}
CONTROL_TYPES = {"IS_DIRECTLY_CONSOLIDATED_BY": "direct", "IS_ULTIMATELY_CONSOLIDATED_BY": "ultimate",
                 "IS_INTERNATIONAL_BRANCH_OF": "direct"}
OTHER_TYPES = {"IS_FUND-MANAGED_BY", "IS_SUBFUND_OF", "IS_FEEDER_TO"}
CATEGORIES = {"DIRECT_ACCOUNTING_CONSOLIDATION_PARENT": "direct",
              "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT": "ultimate"}
REASONS = {
    "NATURAL_PERSONS": "controlled by natural persons, whose residence GLEIF does not record",
    "NON_CONSOLIDATING": "its parent does not consolidate it (no consolidating parent is reported)",
    "NO_KNOWN_PERSON": "no known person controls it, as reported",
    "NO_LEI": "its parent has no LEI",
    "BINDING_LEGAL_COMMITMENTS": "binding legal commitments prevent naming the parent",
    "LEGAL_OBSTACLES": "legal obstacles prevent naming the parent",
    "DISCLOSURE_DETRIMENTAL": "naming the parent would be detrimental to it",
    "DETRIMENT_NOT_EXCLUDED": "harm from naming the parent is not excluded",
    "CONSENT_NOT_OBTAINED": "the parent did not consent to be named",
    "NON_PUBLIC": "the parent is not made public",
}
REASON_COLUMNS = tuple(f"Exception.Reason.{n}" for n in range(1, 6))
NO_RECORD = "GLEIF holds neither a parent relationship nor a reporting exception for it"
#: reasons that say there is no parent entity at all (people control it, or nobody known does): the
#: entity is its chain's top, as stated; every other reason means a parent exists that is not named
NO_PARENT_ENTITY = {"NATURAL_PERSONS", "NO_KNOWN_PERSON"}


#: letters as the numbers ISO 7064 reads them (A=10 ... Z=35); digits stand for themselves
AS_NUMBERS = str.maketrans({chr(c): str(c - 55) for c in range(ord("A"), ord("Z") + 1)})


def valid_lei(code: str) -> bool:
    """ISO 17442: 18 alphanumerics and two check digits (ISO 7064 MOD 97-10, as in an IBAN). One
    translate, not a number per character: 3 million LEIs checked in seconds, not half a minute."""
    if not LEI.match(code):
        return False
    return int(code.translate(AS_NUMBERS)) % 97 == 1


@dataclass(frozen=True)
class Entity:
    """A valid level 1 record, as far as the graph needs it."""

    lei: str
    label: str
    statuses: tuple[str, str]  # registration, entity
    countries: dict[str, str]  # column -> checked code


def load(ctx: LoadContext, folder: Path | None = None) -> None:
    """Stream the files: entities written as their rows pass (N-Triples, loaders/bulk.py), parents
    gathered, then the links; only LEIs and relationship records are held (and kept, for deltas:
    loaders/gleif_parents.py)."""
    folder = folder or ctx.settings.gleif_dir
    if folder is None:
        return
    copy = KeptCopy.of(folder)
    if "lei2" not in copy.golden:
        return
    add_source(ctx.facts, copy)
    ctx.sources.add(SOURCE)
    entities = _load_entities(ctx, copy)
    parents = Parents()
    for row in copy.records("rr"):
        if (found := relationship(ctx, row, entities)) is not None and found[3] is not None:
            tier, link = found[3]
            (parents.direct if tier == "direct" else parents.ultimate).setdefault(found[0], []).append(link)
    for row in copy.records("repex"):
        if (stated := exception(ctx, row, entities)) is not None:
            parents.exceptions.setdefault(stated[0], []).extend((stated[1], r) for r in stated[2])
    ctx.raise_problems()
    _link(ctx, entities, parents)
    ctx.gleif_parents = ctx.bulk_facts().path.parent / SIDECAR  # written now, not held through the rules
    parents.save(ctx.gleif_parents)


def add_source(facts: Graph, copy: KeptCopy) -> None:
    """The golden copy as a source, naming its files and how many deltas were imported on it."""
    node = ns.source(SOURCE)
    names = ", ".join(f"{kind}: {path.name}" for kind, path in copy.golden.items())
    deltas = f"; {len(copy.deltas)} delta file(s) imported on it" if copy.deltas else ""
    facts.add((node, ns.RDF.type, EKG.Source))
    facts.add((node, DCTERMS.title, Literal(f"GLEIF Golden Copy, as imported ({names}{deltas})")))
    facts.add((node, DCTERMS.publisher, Literal("Global Legal Entity Identifier Foundation (GLEIF)")))
    facts.add((node, DCTERMS.license, URIRef("https://creativecommons.org/publicdomain/zero/1.0/")))
    facts.add((node, EKG.sourceKind, CONFIDENCE["D"]))


def _load_entities(ctx: LoadContext, copy: KeptCopy) -> set[str]:
    """Every valid level 1 record becomes an organization; returns their LEIs."""
    seen: dict[str, int] = {}  # LEI -> line, for the duplicate's message
    entities: set[str] = set()
    index = EntryIndex.of(ctx)
    for row in copy.records("lei2"):
        if (found := entity(ctx, row, seen)) is not None:
            entities.add(found.lei)
            _new_org(ctx, found.lei)
            if matched := entity_facts(ctx.bulk_facts(), found, index):  # the IRI only for a match
                node = ns.org(org_id(found.lei))
                ctx.bulk_candidates.update((e, node) for e in matched)
    return entities


def entity(ctx: LoadContext, row: Row, seen: dict[str, int]) -> Entity | None:
    """A level 1 row checked (problems to `ctx`); the entity when it is a valid record. `seen` gets
    every checked LEI with its line (negative: a record that is no valid one). Each value is made
    once: this runs for each of a golden copy's millions of rows."""
    lei, status = row.get("LEI").upper(), row.get("Registration.RegistrationStatus").upper()
    if not valid_lei(lei):
        ctx.fail(row, f"LEI: {row.get('LEI')!r} is not a valid LEI (ISO 17442: 20 characters, check digits)")
    elif status not in LEI_STATUSES:
        ctx.fail(row, f"Registration.RegistrationStatus: unknown status {status!r}")
    elif lei in seen and seen[lei] > 0:
        ctx.fail(row, f"LEI {lei} appears twice (first at line {seen[lei]})")
    elif status in INVALID:
        seen.setdefault(lei, -row.line)
    elif (local := org_id(lei)) in ctx.orgs:
        ctx.fail(row, f"LEI {lei}: an organization {local!r} exists already")
    else:
        seen[lei] = row.line
        name = row.get("Entity.LegalName")
        if not name:
            ctx.fail(row, "Entity.LegalName: required")
        countries = {}
        for column, _ in rdf.COUNTRY_COLUMNS:
            code = row.get(column)
            if ctx.country_ref(row, code, column) is not None:
                countries[column] = code.upper()
        return Entity(lei, name or lei, (status, row.get("Entity.EntityStatus").upper()), countries)
    return None


def entity_facts(out: Sink, found: Entity, index: EntryIndex) -> set[URIRef]:
    """The entity's triples; returns the list entries its name matches."""
    rdf.entity(out, found.lei, found.label, found.statuses, found.countries, SOURCE)
    return index.matches([found.label], {_country(c) for c in found.countries.values()})


#: a country's IRI, made once per code (an rdflib IRI checks its text: a golden copy asks millions of times)
_country = functools.cache(ns.country)


def _new_org(ctx: LoadContext, lei: str) -> None:
    local = org_id(lei)  # one string in both sets: 3 million of them
    ctx.orgs.add(local)
    ctx.bulk_orgs.add(local)


def relationship(ctx: LoadContext, row: Row,
                 valid: Container[str] = ()) -> tuple[str, str, str, tuple[str, Link] | None] | None:
    """A relationship row checked (problems to `ctx`): its key (child, parent, type) and, when it is an
    active consolidation by a valid record, the link with its tier ("direct" or "ultimate"). `valid`:
    LEIs checked already (the level 1 records')."""
    kind = row.get("Relationship.RelationshipType").upper()
    status = row.get("Registration.RegistrationStatus").upper()
    child, parent = (row.get(f"Relationship.{end}Node.NodeID").upper() for end in ("Start", "End"))
    problem = _relationship_problem(row, kind, status, child, parent, valid)
    if problem:
        ctx.fail(row, problem)
        return None
    if (kind in CONTROL_TYPES and status not in INVALID | {"RETIRED"}
            and row.get("Relationship.RelationshipStatus").upper() == "ACTIVE"):
        return child, parent, kind, (CONTROL_TYPES[kind], Link(parent, kind, status, f"{row.file} line {row.line}"))
    return child, parent, kind, None


def _relationship_problem(row: Row, kind: str, status: str, child: str, parent: str,
                          valid: Container[str]) -> str | None:
    if kind not in CONTROL_TYPES and kind not in OTHER_TYPES:
        return f"Relationship.RelationshipType: unknown type {kind!r}"
    if status not in RR_STATUSES:
        return f"Registration.RegistrationStatus: unknown status {status!r}"
    if row.get("Relationship.EndNode.NodeIDType").upper() not in ("LEI", ""):
        return f"Relationship.EndNode.NodeIDType: expected LEI, got {row.get('Relationship.EndNode.NodeIDType')!r}"
    for column, code in (("StartNode", child), ("EndNode", parent)):
        if code not in valid and not valid_lei(code):
            return f"Relationship.{column}.NodeID: {code!r} is not a valid LEI"
    if child == parent:
        return "the relationship's start and end node are the same LEI"
    return None


def exception(ctx: LoadContext, row: Row, valid: Container[str] = ()) -> tuple[str, str, list[str]] | None:
    """A reporting exception checked (problems to `ctx`): the LEI, which parent ("direct" or
    "ultimate") and the reasons. `valid`: LEIs checked already (a golden copy has millions of
    exceptions, each of an entity whose LEI level 1 checked)."""
    lei, category = row.get("LEI").upper(), row.get("Exception.Category").upper()
    reasons = [r for r in (row.get(column).upper() for column in REASON_COLUMNS) if r]
    if lei not in valid and not valid_lei(lei):
        ctx.fail(row, f"LEI: {row.get('LEI')!r} is not a valid LEI")
    elif category not in CATEGORIES:
        ctx.fail(row, f"Exception.Category: unknown category {category!r}")
    elif not reasons or any(r not in REASONS for r in reasons):
        ctx.fail(row, f"Exception.Reason: expected one of {', '.join(sorted(REASONS))}, got {reasons!r}")
    else:
        return lei, CATEGORIES[category], reasons
    return None


def _link(ctx: LoadContext, entities: set[str], parents: Parents) -> None:
    """Ownership links to the parents; an unknown (with its reason) wherever no parent is known."""
    out = ctx.bulk_facts()
    cyclic = cycles(entities, parents.chosen, entities.__contains__)
    counts = ctx.gleif_counts
    counts.update(entities=len(entities), withParent=0, parentUnknown=0)
    for lei in entities:
        chosen = parents.chosen(lei)
        if not chosen and lei not in parents.exceptions:  # most entities of a golden copy: one write
            rdf.unknown_parent(out, lei, NO_RECORD)
            counts["parentUnknown"] += 1
            continue
        reason = link_facts(out, lei, chosen, cyclic.get(lei), parents.stated(lei))
        counts["parentUnknown" if reason else "withParent"] += bool(reason or chosen)
        for link in chosen:
            if link.parent not in entities and org_id(link.parent) not in ctx.orgs:
                _new_org(ctx, link.parent)
                rdf.dangling(out, link.parent, SOURCE)
                counts["entities"] += 1
                counts["parentUnknown"] += 1


def link_facts(out: Sink, lei: str, chosen: list[Link], cycle: str | None,
               stated: list[tuple[str, str]]) -> str | None:
    """An entity's links to its chosen parents, and why its parent is unknown where it is (returned)."""
    reason = _why_unknown(chosen, cycle, stated)
    if reason:
        rdf.unknown_parent(out, lei, reason)
    elif not chosen:  # no parent entity, as the exception states: the note says so
        rdf.no_parent_entity(out, lei, _stated(stated))
    for link in chosen:
        rdf.ownership(out, lei, link.parent, (link.kind, link.status, link.record), SOURCE, control=reason is None)
    return reason


def _why_unknown(chosen: list[Link], cycle: str | None, stated: list[tuple[str, str]]) -> str | None:
    """Why the entity's controlling parent is not known, or None when it is (one parent, no cycle)."""
    if cycle is not None:
        return f"GLEIF reports a cycle of consolidating parents ({cycle})"
    if len({link.parent for link in chosen}) > 1:
        return f"GLEIF reports more than one consolidating parent ({', '.join(sorted({x.parent for x in chosen}))})"
    if chosen:
        return None
    if not stated:
        return NO_RECORD
    return None if all(r in NO_PARENT_ENTITY for _, r in stated) else _stated(stated)


def _stated(stated: Iterable[tuple[str, str]]) -> str:
    return "; ".join(f"{which} parent not reported: {REASONS[r]} (GLEIF reporting exception {r})"
                     for which, r in stated)


def chosen_parents(chosen: Chosen, leis: Iterable[str]) -> set[str]:
    """The parents these entities' chosen links name."""
    return {link.parent for lei in leis for link in chosen(lei)}
