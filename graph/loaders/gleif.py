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

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders import gleif_rdf as rdf
from exportkg.graph.loaders.context import CONFIDENCE, LoadContext
from exportkg.graph.loaders.csvio import Row, read_rows
from exportkg.graph.loaders.gleif_rdf import org_id
from exportkg.graph.loaders.name_match import EntryIndex
from exportkg.graph.namespaces import EKG

LEVEL1 = ["LEI", "Entity.LegalName", "Entity.LegalAddress.Country", "Entity.HeadquartersAddress.Country",
          "Entity.EntityStatus", "Registration.RegistrationStatus"]
RELATIONSHIPS = ["Relationship.StartNode.NodeID", "Relationship.EndNode.NodeID", "Relationship.EndNode.NodeIDType",
                 "Relationship.RelationshipType", "Relationship.RelationshipStatus", "Registration.RegistrationStatus"]
EXCEPTIONS = ["LEI", "Exception.Category", "Exception.Reason.1"]
#: the files of an import, by the names they are kept under (graph/build/gleif_import.py)
FILES = {"lei2": LEVEL1, "rr": RELATIONSHIPS, "repex": EXCEPTIONS}
#: the columns read (the required ones and the optional further reasons of an exception)
KEEP = {**{kind: set(columns) for kind, columns in FILES.items()},
        "repex": {*EXCEPTIONS, *(f"Exception.Reason.{n}" for n in range(2, 6))}}
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
class Link:
    """A relationship record, as far as the links need it."""

    parent: str
    kind: str
    status: str
    record: str  # file and line, as the link's note cites it


@dataclass
class Parents:
    """What the files say about each entity's parent, gathered before any link is written."""

    direct: dict[str, list[Link]] = field(default_factory=dict)
    ultimate: dict[str, list[Link]] = field(default_factory=dict)
    exceptions: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # (category, reason)

    def chosen(self, lei: str) -> list[Link]:
        """The direct parents, or the ultimate ones where no direct parent is reported."""
        return self.direct.get(lei) or self.ultimate.get(lei) or []


def load(ctx: LoadContext, folder: Path | None = None) -> None:
    """Stream the files: entities written as their rows pass (N-Triples, loaders/bulk.py), parents
    gathered, then the links; only LEIs and relationship records are held."""
    folder = folder or ctx.settings.gleif_dir
    if folder is None:
        return
    files = {kind: _file(folder, kind) for kind in FILES}
    if files["lei2"] is None:
        return
    _add_source(ctx, files)
    entities = _load_entities(ctx, files["lei2"])
    parents = Parents()
    if files["rr"] is not None:
        _read_relationships(ctx, files["rr"], parents)
    if files["repex"] is not None:
        _read_exceptions(ctx, files["repex"], parents, entities)
    ctx.raise_problems()
    _link(ctx, entities, parents)


def _file(folder: Path, kind: str) -> Path | None:
    return next((p for p in (folder / f"{kind}.csv", folder / f"{kind}.zip") if p.exists()), None)


def _add_source(ctx: LoadContext, files: dict[str, Path | None]) -> None:
    node = ns.source(SOURCE)
    names = ", ".join(f"{kind}: {path.name}" for kind, path in files.items() if path is not None)
    ctx.facts.add((node, ns.RDF.type, EKG.Source))
    ctx.facts.add((node, DCTERMS.title, Literal(f"GLEIF Golden Copy, as imported ({names})")))
    ctx.facts.add((node, DCTERMS.publisher, Literal("Global Legal Entity Identifier Foundation (GLEIF)")))
    ctx.facts.add((node, DCTERMS.license, URIRef("https://creativecommons.org/publicdomain/zero/1.0/")))
    ctx.facts.add((node, EKG.sourceKind, CONFIDENCE["D"]))
    ctx.sources.add(SOURCE)


def file_label(kind: str, path: Path) -> str:
    """How a file is named in problems and citations ("GLEIF rr file rr.csv")."""
    return f"GLEIF {kind} file {path.name}"


def _rows(path: Path, kind: str) -> Iterator[Row]:
    return read_rows(path, FILES[kind], label=file_label(kind, path), keep=KEEP[kind])


def _load_entities(ctx: LoadContext, path: Path) -> set[str]:
    """Every valid level 1 record becomes an organization; returns their LEIs."""
    entities: dict[str, int] = {}  # LEI -> line, for the duplicate's message
    index = EntryIndex(ctx)
    for row in _rows(path, "lei2"):
        lei, status = row.get("LEI").upper(), row.get("Registration.RegistrationStatus").upper()
        if not valid_lei(lei):
            ctx.fail(row, f"LEI: {row.get('LEI')!r} is not a valid LEI (ISO 17442: 20 characters, check digits)")
        elif status not in LEI_STATUSES:
            ctx.fail(row, f"Registration.RegistrationStatus: unknown status {status!r}")
        elif lei in entities:
            ctx.fail(row, f"LEI {lei} appears twice (first at line {entities[lei]})")
        elif status not in INVALID:
            entities[lei] = row.line
            _entity(ctx, lei, row, status, index)
    return set(entities)


def _entity(ctx: LoadContext, lei: str, row: Row, status: str, index: EntryIndex) -> None:
    local = org_id(lei)  # each value made once: this runs for each of a golden copy's millions of rows
    if local in ctx.orgs:
        ctx.fail(row, f"LEI {lei}: an organization {local!r} exists already")
        return
    name = row.get("Entity.LegalName")
    if not name:
        ctx.fail(row, "Entity.LegalName: required")
    countries = {}
    for column, _ in rdf.COUNTRY_COLUMNS:
        code = row.get(column)
        if ctx.country_ref(row, code, column) is not None:
            countries[column] = code.upper()
    _new_org(ctx, lei)
    label = name or lei
    rdf.entity(ctx.bulk_facts(), lei, label, (status, row.get("Entity.EntityStatus").upper()), countries, SOURCE)
    matched = index.matches([label], {ns.country(c) for c in countries.values()})
    if matched:
        node = ns.org(local)
        ctx.bulk_candidates.update((entry, node) for entry in matched)


def _new_org(ctx: LoadContext, lei: str) -> None:
    ctx.orgs.add(org_id(lei))
    ctx.bulk_orgs.add(org_id(lei))


def _read_relationships(ctx: LoadContext, path: Path, parents: Parents) -> None:
    for row in _rows(path, "rr"):
        kind = row.get("Relationship.RelationshipType").upper()
        status = row.get("Registration.RegistrationStatus").upper()
        child, parent = (row.get(f"Relationship.{end}Node.NodeID").upper() for end in ("Start", "End"))
        problem = _relationship_problem(row, kind, status, child, parent)
        if problem:
            ctx.fail(row, problem)
        elif (kind in CONTROL_TYPES and status not in INVALID | {"RETIRED"}
              and row.get("Relationship.RelationshipStatus").upper() == "ACTIVE"):
            table = parents.direct if CONTROL_TYPES[kind] == "direct" else parents.ultimate
            table.setdefault(child, []).append(Link(parent, kind, status, f"{row.file} line {row.line}"))


def _relationship_problem(row: Row, kind: str, status: str, child: str, parent: str) -> str | None:
    if kind not in CONTROL_TYPES and kind not in OTHER_TYPES:
        return f"Relationship.RelationshipType: unknown type {kind!r}"
    if status not in RR_STATUSES:
        return f"Registration.RegistrationStatus: unknown status {status!r}"
    if row.get("Relationship.EndNode.NodeIDType").upper() not in ("LEI", ""):
        return f"Relationship.EndNode.NodeIDType: expected LEI, got {row.get('Relationship.EndNode.NodeIDType')!r}"
    for column, code in (("StartNode", child), ("EndNode", parent)):
        if not valid_lei(code):
            return f"Relationship.{column}.NodeID: {code!r} is not a valid LEI"
    if child == parent:
        return "the relationship's start and end node are the same LEI"
    return None


def _read_exceptions(ctx: LoadContext, path: Path, parents: Parents, entities: set[str]) -> None:
    for row in _rows(path, "repex"):
        lei, category = row.get("LEI").upper(), row.get("Exception.Category").upper()
        reasons = [row.get(f"Exception.Reason.{n}").upper() for n in range(1, 6)]
        reasons = [r for r in reasons if r]
        if not valid_lei(lei):
            ctx.fail(row, f"LEI: {row.get('LEI')!r} is not a valid LEI")
        elif category not in CATEGORIES:
            ctx.fail(row, f"Exception.Category: unknown category {category!r}")
        elif not reasons or any(r not in REASONS for r in reasons):
            ctx.fail(row, f"Exception.Reason: expected one of {', '.join(sorted(REASONS))}, got {reasons!r}")
        elif lei in entities:
            parents.exceptions.setdefault(lei, []).extend((CATEGORIES[category], r) for r in reasons)


def _link(ctx: LoadContext, entities: set[str], parents: Parents) -> None:
    """Ownership links to the parents; an unknown (with its reason) wherever no parent is known."""
    out = ctx.bulk_facts()
    cyclic = _cycles(entities, parents)
    for lei in entities:
        chosen = parents.chosen(lei)
        reason = _why_unknown(lei, chosen, cyclic, parents)
        if reason:
            rdf.unknown_parent(out, lei, reason)
        elif not chosen:  # no parent entity, as the exception states: the note says so
            rdf.no_parent_entity(out, lei, _stated(parents, lei))
        for link in chosen:
            if link.parent not in entities and org_id(link.parent) not in ctx.orgs:
                _new_org(ctx, link.parent)
                rdf.dangling(out, link.parent, SOURCE)
            rdf.ownership(out, lei, link.parent, (link.kind, link.status, link.record), SOURCE,
                          control=reason is None)


def _why_unknown(lei: str, chosen: list[Link], cyclic: dict[str, str], parents: Parents) -> str | None:
    """Why the entity's controlling parent is not known, or None when it is (one parent, no cycle)."""
    if lei in cyclic:
        return f"GLEIF reports a cycle of consolidating parents ({cyclic[lei]})"
    if len({link.parent for link in chosen}) > 1:
        return f"GLEIF reports more than one consolidating parent ({', '.join(sorted({x.parent for x in chosen}))})"
    if chosen:
        return None
    stated = parents.exceptions.get(lei, [])
    if not stated:
        return "GLEIF holds neither a parent relationship nor a reporting exception for it"
    return None if all(r in NO_PARENT_ENTITY for _, r in stated) else _stated(parents, lei)


def _stated(parents: Parents, lei: str) -> str:
    return "; ".join(f"{which} parent not reported: {REASONS[r]} (GLEIF reporting exception {r})"
                     for which, r in parents.exceptions[lei])


def _cycles(entities: set[str], parents: Parents) -> dict[str, str]:
    """Entities on a cycle of chosen parents, with the cycle as text: a cycle has no top, so its
    members' parent is unknown (their links stay, as links of no control)."""
    found: dict[str, str] = {}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in entities:
        path: list[str] = []
        todo: list[str | None] = [start]
        while todo:
            lei = todo.pop()
            if lei is None:
                state[path.pop()] = 2
                continue
            if state.get(lei) == 2:
                continue
            if state.get(lei) == 1:
                cycle = path[path.index(lei):]
                first = cycle.index(min(cycle))  # told from its least LEI: the same text in every build
                cycle = cycle[first:] + cycle[:first]
                text = " -> ".join([*cycle, cycle[0]])
                found.update({member: text for member in cycle})
                continue
            state[lei] = 1
            path.append(lei)
            todo.append(None)
            todo.extend(link.parent for link in parents.chosen(lei) if link.parent in entities)
    return found
