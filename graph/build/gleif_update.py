"""`exportkg import-gleif --delta` without a rebuild: the published store updated with what a GLEIF delta
file changes, through the rules it reaches.

A rebuild reads the whole golden copy again (minutes at a million entities) for the few thousand
records a day's delta revises. What the GLEIF loader writes about an entity (graph/loaders/gleif.py)
depends on its own level 1 record, its own relationship records and reporting exceptions, whether its
chosen parents are entities, and whether it sits on a cycle of chosen parents; what it writes about a
parent no level 1 record describes depends on the entities that choose it. So the entities a delta
names, the members of every cycle through them before or after it, and the parents they choose
before or after it are the only parties whose facts can change: their facts are read from the
published store (system query gleif-update-facts), written again by the loader's own functions from
the revised records, and the difference goes through graph/build/incremental.py's update in place
(a copy of the store, the reached rules derived again, published in one swap), with the kept records
(loaders/gleif_parents.py) revised beside it. Entity and relationship records not revised are not
re-read: an entity's own triples are carried over from the store.

It declines (None, the reason logged; the caller rebuilds) where incremental.py declines, where the
published build kept no records, and where an organization would leave the graph (an entity's record
made invalid with no entity choosing it as a parent): curated links and imports may name it.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCTERMS

from exportkg.graph import namespaces as ns
from exportkg.graph.build import record
from exportkg.graph.build.incremental import Updated, publish_changed, refusal_of
from exportkg.graph.build.pipeline import LOADERS, load_all
from exportkg.graph.config import Settings
from exportkg.graph.loaders import countries, gleif, sources
from exportkg.graph.loaders import gleif_rdf as rdf
from exportkg.graph.loaders.bulk import Lines
from exportkg.graph.loaders.context import LoadContext
from exportkg.graph.loaders.gleif_files import Delta, KeptCopy, delta_keys, rows
from exportkg.graph.loaders.gleif_parents import SIDECAR, StoredParents, cycles
from exportkg.graph.loaders.name_match import EntryIndex
from exportkg.graph.namespaces import EKG
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation
from exportkg.graph.store.named import rows as query_rows
from exportkg.queries.catalog import catalog

log = logging.getLogger(__name__)
#: an entity's triples that say how it is linked to its parents (the rest are its level 1 record's)
LINK_PREDICATES = {str(EKG.parentUnknownReason), str(EKG.controlledBy), str(EKG.note)}
ENTITY, PARENT_ONLY, CURATED, ABSENT = "entity", "parent only", "curated", "absent"
REGISTRATION, SOURCE, TYPE = str(EKG.registrationStatus), str(DCTERMS.source), str(RDF.type)
COUNTRY, CANDIDATE, UNKNOWN = str(EKG.entryCountry), str(EKG.candidateMatch), str(EKG.valueUnknown)
GLEIF_SOURCE = str(ns.source(gleif.SOURCE))


@dataclass
class Revised:
    """The records of the new delta files: entities (None: no longer a valid record), relationship
    records by key (with the link they make, if any), and exceptions by LEI and parent."""

    entities: dict[str, gleif.Entity | None] = field(default_factory=dict)
    links: list[tuple[str, str, str, tuple[str, gleif.Link] | None]] = field(default_factory=list)
    stated: list[tuple[str, str, list[str]]] = field(default_factory=list)

    def named(self) -> set[str]:
        return set(self.entities) | {x[0] for x in self.links} | {x[0] for x in self.stated}


def update(settings: Settings, copy: KeptCopy, new: list[Delta]) -> Updated | None:
    """Publish what a rebuild from `copy` (the kept copy with the `new` deltas, at
    `settings.gleif_dir`) would, or None when the store cannot be updated in place."""
    started = time.perf_counter()
    location = StoreLocation(settings.store_root)
    refusal = refusal_of(settings.with_(gleif_override=None), location)
    if refusal is None and not (location.resolved() / SIDECAR).exists():
        refusal = "the published build kept no GLEIF records"
    if refusal:
        log.info("import-gleif: rebuilding in full (%s)", refusal)
        return None
    ctx = load_all(settings, loaders=[x for x in LOADERS if x[1] in (sources.load, countries.load)])
    before = KnowledgeStore.open_read_only(location)
    work = settings.home / "tmp" / f"gleif-parents-{time.time_ns()}.sqlite"
    try:
        revised = _read(ctx, new, before)
        work.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(location.resolved() / SIDECAR, work)
        with _Parents(location.resolved() / SIDECAR, work, revised) as parents:
            change = _Change(ctx, before, settings, parents, revised).compute(copy)
        if change is None:
            return None
        removed, added = change
        log.info("import-gleif: the delta's records read (%.2f s)", time.perf_counter() - started)
        done = publish_changed(settings.with_(imports_override=record.published(settings)), location, before,
                               removed, added, lambda build_dir: shutil.move(work, build_dir / SIDECAR))
    finally:
        before.close()
        work.unlink(missing_ok=True)
    return None if done is None else Updated(len(removed), len(added), done, time.perf_counter() - started)


def _read(ctx: LoadContext, new: list[Delta], store: KnowledgeStore) -> Revised:
    """The new deltas' records, checked as a build checks them (DataError: file, line, reason)."""
    revised = Revised()
    for delta in new:
        delta_keys(delta)  # a key twice in one file
        seen: dict[str, int] = {}
        for row in rows(delta.path, delta.kind, delta.label):
            if delta.kind == "lei2":
                found = gleif.entity(ctx, row, seen)
                if found is not None and _kind(store, found.lei) == CURATED:
                    ctx.fail(row, f"LEI {found.lei}: an organization {rdf.org_id(found.lei)!r} exists already")
                revised.entities[row.get("LEI").upper()] = found
            elif delta.kind == "rr" and (link := gleif.relationship(ctx, row)) is not None:
                revised.links.append(link)
            elif delta.kind == "repex" and (stated := gleif.exception(ctx, row)) is not None:
                revised.stated.append(stated)
    ctx.raise_problems()
    return revised


class _Parents:
    """The kept records before the delta (read only) and after it (a copy, revised)."""

    def __init__(self, kept: Path, work: Path, revised: Revised):
        self.old, self.new = StoredParents(kept), StoredParents(work, writable=True)
        for child, parent, kind, link in revised.links:
            self.new.replace_link(child, parent, kind, link)
        for lei, which, reasons in revised.stated:
            self.new.replace_exception(lei, which, reasons)

    def __enter__(self) -> _Parents:
        return self

    def __exit__(self, *exc: object) -> None:
        self.old.close()
        self.new.close()


class _Change:
    """The facts a delta removes and adds (module docstring)."""

    def __init__(self, ctx: LoadContext, store: KnowledgeStore, settings: Settings, parents: _Parents,
                 revised: Revised):
        self.ctx, self.store, self.settings, self.parents, self.revised = ctx, store, settings, parents, revised
        self.kinds: dict[str, str] = {}  # LEI -> _kind
        self.listed: dict[str, set[str]] = {}  # LEI -> the entries designating it
        revised_entities = tuple(rdf_org(lei) for lei, found in revised.entities.items() if found is not None)
        for row in query_rows(store, settings, "gleif-update-designated", focus={"org": revised_entities}):
            self.listed.setdefault(str(row["org"]).rsplit("/lei-", 1)[1].upper(), set()).add(str(row["entry"]))

    def compute(self, copy: KeptCopy) -> tuple[set, set] | None:
        named = self.revised.named()
        old_cycles, new_cycles = self._cycles(named)
        reached = named | old_cycles.keys() | new_cycles.keys()
        chosen = gleif.chosen_parents(self.parents.old.chosen, reached) | gleif.chosen_parents(
            self.parents.new.chosen, reached)
        nodes = reached | {p for p in chosen if not (self._was_entity(p) and self._is_entity(p))}
        lost = sorted(n for n in nodes if self._kind(n) in (ENTITY, PARENT_ONLY) and not self._is_org(n))
        if lost:
            log.info("import-gleif: rebuilding in full (%s would leave the graph)", ", ".join(lost[:3]))
            return None
        source = str(ns.source(gleif.SOURCE))
        old = self.store.derived(facts_query(self.settings, [*map(rdf_org, sorted(nodes)), source]))
        new = self._written(nodes, new_cycles, old) | KnowledgeStore.own_triples(_source(copy))
        return old - new, new - old

    def _kind(self, lei: str) -> str:
        """`_kind`, asked once an LEI (the cycle walks and the checks ask for the same parties)."""
        if lei not in self.kinds:
            self.kinds[lei] = _kind(self.store, lei)
        return self.kinds[lei]

    def _was_entity(self, lei: str) -> bool:
        return self._kind(lei) == ENTITY

    def _is_entity(self, lei: str) -> bool:
        if lei in self.revised.entities:
            return self.revised.entities[lei] is not None
        return self._was_entity(lei)

    def _is_org(self, lei: str) -> bool:
        """An entity, or a parent an entity chooses that no level 1 record describes."""
        if self._is_entity(lei):
            return True
        if self._kind(lei) == CURATED:  # no stand-in is written for a curated organization
            return False
        return any(self._is_entity(c) and any(x.parent == lei for x in self.parents.new.chosen(c))
                   for c in self.parents.new.children([lei]))

    def _cycles(self, named: set[str]) -> tuple[dict[str, str], dict[str, str]]:
        """The cycles through the named entities before and after, and through those cycles' members:
        a cycle the delta leaves alone keeps its text, one it breaks or makes is found from its members."""
        starts: set[str] = set()
        grown = set(named)
        while grown != starts:
            starts = grown
            ordered = sorted(starts)
            old = cycles(ordered, self.parents.old.chosen, self._was_entity)
            new = cycles(ordered, self.parents.new.chosen, self._is_entity)
            grown = starts | old.keys() | new.keys()
        return old, new

    def _entries(self) -> EntryIndex:
        """The list entries' names and countries as the published store holds them (the build's index
        was made from the same entries: the BIS lists are loaded before the GLEIF copy)."""
        names: dict[str, list[str]] = {}
        places: dict[str, set[URIRef]] = {}
        for triple in self.store.derived(catalog(self.settings.queries_dir).system["gleif-update-entries"].render({})):
            subject, predicate, _ = KnowledgeStore.parts(triple)
            names.setdefault(subject, [])
            places.setdefault(subject, set())
            if predicate == COUNTRY:
                places[subject].add(URIRef(triple.object.value))
            elif predicate != TYPE:
                names[subject].append(triple.object.value)
        return EntryIndex(self.ctx.country_aliases, ((URIRef(e), names[e], places[e]) for e in names))

    def _written(self, nodes: set[str], new_cycles: dict[str, str], old: set) -> set:
        """What the loader writes about the nodes from the revised records; the entity triples of an
        entity whose level 1 record is not revised carried over from the store."""
        out, index, carried = Lines(), self._entries(), set()
        own = _entity_parts(old)
        for lei in sorted(nodes):
            if not self._is_entity(lei):
                if self._is_org(lei):
                    rdf.dangling(out, lei, gleif.SOURCE)
                continue
            found = self.revised.entities.get(lei)
            if found is not None:
                node = ns.org(rdf.org_id(lei))
                for entry in gleif.entity_facts(out, found, index):
                    if str(entry) not in self.listed.get(lei, set()):
                        out.add(entry.n3(), f"<{EKG.candidateMatch}>", node.n3())
            else:
                carried.update(own.get(rdf_org(lei), ()))
            parents = self.parents.new
            gleif.link_facts(out, lei, parents.chosen(lei), new_cycles.get(lei), parents.stated(lei))
        return KnowledgeStore.ntriples(out) | carried


def _kind(store: KnowledgeStore, lei: str) -> str:
    """What the published facts say an LEI's organization is: a GLEIF entity, a parent the GLEIF
    loader wrote without a level 1 record, another (curated) organization, or nothing."""
    org = rdf_org(lei)
    if store.values(org, REGISTRATION, ns.FACTS_GRAPH):
        return ENTITY
    if GLEIF_SOURCE in store.values(org, SOURCE, ns.FACTS_GRAPH):
        return PARENT_ONLY
    return CURATED if store.values(org, TYPE, ns.FACTS_GRAPH) else ABSENT


def rdf_org(lei: str) -> str:
    return str(ns.org(rdf.org_id(lei)))


def facts_query(settings: Settings, nodes: list[str]) -> str:
    """The CONSTRUCT of gleif-update-facts focused on the nodes, as text for `derived`."""
    return catalog(settings.queries_dir).system["gleif-update-facts"].render({}, {"node": tuple(nodes)})


def _entity_parts(triples: set) -> dict[str, list]:
    """The triples of each entity's own level 1 record (not of its links), and the name matches naming
    it, by the entity's IRI."""
    found: dict[str, list] = {}
    for triple in triples:
        subject, predicate, obj = KnowledgeStore.parts(triple)
        if predicate == CANDIDATE:
            found.setdefault(obj or "", []).append(triple)
        elif predicate not in LINK_PREDICATES and not (predicate == UNKNOWN and triple.object.value == "controlledBy"):
            found.setdefault(subject, []).append(triple)
    return found


def _source(copy: KeptCopy) -> Graph:
    graph = Graph()
    gleif.add_source(graph, copy)
    return graph

