"""`exportkg import` without a rebuild: the published store updated through the rules the rows reach.

A rebuild reads every input again (at a million GLEIF entities, minutes) for what a few imported
rows change. The import record is the only input an import changes, so the facts a rebuild would
make differ from the published ones exactly where the loaders' output differs between the old record
and the new one. Both are loaded here without the GLEIF golden copy (its entities do not depend on the
record; the organizations the rows name from it are looked up in the published store), compared, and
the difference is written into a copy of the published store (a RocksDB backup: hard links), where
reasoning/rederive.py derives again what it reaches. The new rows are checked as a build checks them
(row problems, then the shapes on the curated graph with the imports), and the copy is published with
the new record in one swap, as a build is.

It declines (None, with the reason logged; the caller rebuilds) where a rebuild is the only safe
answer: a remote store or scenarios included in builds, nothing published yet, any other input
changed since the published build (graph/build/inputs.py), a change outside the facts graph, or a
reached rule that cannot be focused on the change.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.build import inputs
from exportkg.graph.build.pipeline import (
    LOADERS,
    load_all,
    named_graphs,
    ontology_graph,
    publish_build,
    run_loaders,
    validate_nodes,
)
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError
from exportkg.graph.loaders import gleif
from exportkg.graph.loaders.companies import ID_PATTERN
from exportkg.graph.loaders.context import LoadContext
from exportkg.graph.loaders.csvio import read_rows
from exportkg.graph.loaders.gleif_parents import SIDECAR
from exportkg.graph.loaders.imports import COLUMNS
from exportkg.graph.namespaces import EKG
from exportkg.graph.reasoning.rederive import Rederived, rederive
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation

log = logging.getLogger(__name__)
IMPORTS = "imported parties"


@dataclass
class Updated:
    """What an update in place did."""

    removed: int
    added: int
    rederived: Rederived
    seconds: float


def update(settings: Settings, old_record: Path | None, new_record: Path) -> Updated | None:
    """Publish what a rebuild with `new_record` would (DataError for bad rows, as a build raises it),
    or None when the published store cannot be updated in place (module docstring)."""
    started = time.perf_counter()
    location = StoreLocation(settings.store_root)
    refusal = refusal_of(settings, location)
    if refusal:
        log.info("import: rebuilding in full (%s)", refusal)
        return None
    before = KnowledgeStore.open_read_only(location)
    try:
        known = _bulk_orgs(before, [old_record, new_record] if old_record is not None else [new_record])
        try:
            old, new, ctx = _graphs(settings, old_record, new_record, known)
        except _OldRecord as exc:  # the published record no longer loads: only a rebuild can say why
            log.info("import: rebuilding in full (the published record: %s)", exc)
            return None
        others = sorted(str(g) for g in old.keys() | new.keys() if g != ns.FACTS_GRAPH and old.get(g) != new.get(g))
        if others:
            log.info("import: rebuilding in full (the rows change more than the facts: %s)", ", ".join(others))
            return None
        gone, came = old[ns.FACTS_GRAPH] - new[ns.FACTS_GRAPH], new[ns.FACTS_GRAPH] - old[ns.FACTS_GRAPH]
        validate_nodes(ctx, settings, ontology_graph(settings), {t[0] for t in gone | came})
        removed, added = KnowledgeStore.own_triples(gone), KnowledgeStore.own_triples(came)
        log.info("import: the rows loaded and checked (%.2f s)", time.perf_counter() - started)
        done = publish_changed(settings.with_(imports_override=new_record), location, before, removed, added)
    finally:
        before.close()
    if done is None:
        return None
    return Updated(len(removed), len(added), done, time.perf_counter() - started)


def refusal_of(settings: Settings, location: StoreLocation) -> str | None:
    """Why the published store cannot be updated in place, or None."""
    if settings.endpoint:
        return "a remote store"
    if settings.scenarios:
        return "builds include scenarios"
    if not location.exists():
        return "no published store"
    if not inputs.same(settings, location.resolved()):
        return "an input other than the imported parties changed since the published build"
    return None


def _bulk_orgs(store: KnowledgeStore, records: list[Path]) -> set[str]:
    """The ids the records name (as a party, parent, owner or operator) of organizations the published
    store holds: a rebuild knows the GLEIF ones before it loads the imports, this load does not."""
    ids: set[str] = set()
    imported: set[str] = set()  # the published record's parties are in the store, but not from GLEIF
    for n, path in enumerate(records):
        for row in read_rows(path, COLUMNS, label=path.name):
            ids |= {row.get("id"), row.get("parent"), row.get("operator")}
            ids |= {part.split(":")[0].strip() for part in row.values.get("owners", "").split(";")}
            if n == 0 and len(records) == 2:
                imported.add(row.get("id"))
    ids = {i for i in ids - imported if i and ID_PATTERN.match(i)}
    return {i for i in ids if store.any_typed([str(ns.org(i))], str(EKG.Organization))}


class _OldRecord(Exception):
    """The published record does not load as it did."""


def _graphs(settings: Settings, old_record: Path | None, new_record: Path,
            known: set[str]) -> tuple[dict[URIRef, set], dict[URIRef, set], LoadContext]:
    """The named graphs the loaders make without GLEIF from the old record and from the new, as sets of
    triples, and the context of the new. The loaders before the imports run once: the imports and
    those after them run on it for the old record, then again, from where it was, for the new."""
    def seed(ctx: LoadContext) -> None:
        fresh = {i for i in known if i not in ctx.orgs}
        ctx.orgs |= fresh
        ctx.bulk_orgs |= fresh

    loaders = [entry for entry in LOADERS if entry[1] is not gleif.load]
    at = next(i for i, (name, _load) in enumerate(loaders) if name == IMPORTS)
    ctx = load_all(settings.with_(imports_override=new_record),
                   loaders=[*loaders[:at], ("organizations named from GLEIF", seed)])
    before = _Snapshot.of(ctx)
    ctx.settings = settings.with_(imports_override=old_record)
    try:
        run_loaders(ctx, loaders[at:])
    except DataError as exc:
        raise _OldRecord(str(exc)) from None
    old = _sets(ctx)
    before.restore(ctx)
    ctx.settings = settings.with_(imports_override=new_record)
    return old, _sets(run_loaders(ctx, loaders[at:])), ctx


def _sets(ctx: LoadContext) -> dict[URIRef, set]:
    graphs = named_graphs(ctx, Graph())  # the ontology is read from its file: the inputs digest covers it
    return {name: set(graph) for name, graph in graphs.items() if name != ns.ONTOLOGY_GRAPH}


@dataclass
class _Snapshot:
    """A context as it was, to run the last loaders on it again: its triples and its other fields."""

    facts: set
    regimes: dict[str, set]
    fields: dict[str, object]

    @classmethod
    def of(cls, ctx: LoadContext) -> _Snapshot:
        kept = {f.name: copy.copy(getattr(ctx, f.name)) for f in dataclasses.fields(ctx)
                if f.name not in ("settings", "facts", "regime_graphs", "bulk")}
        return cls(set(ctx.facts), {k: set(g) for k, g in ctx.regime_graphs.items()}, kept)

    def restore(self, ctx: LoadContext) -> None:
        now = set(ctx.facts)
        for triple in now - self.facts:
            ctx.facts.remove(triple)
        for triple in self.facts - now:
            ctx.facts.add(triple)
        ctx.regime_graphs = {k: _graph(g) for k, g in self.regimes.items()}
        for name, value in self.fields.items():
            setattr(ctx, name, copy.copy(value))


def _carry_gleif_records(published: Path, build_dir: Path) -> None:
    """The GLEIF records kept beside the published store go with its copy, unless the update revised
    them: a later GLEIF delta is imported in place only where they are (graph/build/gleif_update.py)."""
    kept, target = published / SIDECAR, build_dir / SIDECAR
    if kept.exists() and not target.exists() and build_dir.exists():
        shutil.copyfile(kept, target)


def _graph(triples: set) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def publish_changed(settings: Settings, location: StoreLocation, before: KnowledgeStore, removed: set,
                    added: set, prepare: Callable[[Path], None] | None = None) -> Rederived | None:
    """The copy with the delta and what it reaches, published with the new record (and what `prepare`
    puts in its directory); None (nothing left behind) when a reached rule cannot be focused on the
    change."""
    build_dir = location.new_build_dir()
    build_dir.rmdir()  # a backup makes the directory itself
    try:
        after = KnowledgeStore.copy_of(location.resolved(), build_dir)
        try:
            after.change(ns.FACTS_GRAPH, removed, added)
            done = rederive(before, after, settings, removed, added)
            after.flush()
        finally:
            after.close()
        if prepare is not None and not isinstance(done, str):
            prepare(build_dir)
        _carry_gleif_records(location.resolved(), build_dir)
    except BaseException:
        location.discard(build_dir)
        raise
    if isinstance(done, str):
        log.info("import: rebuilding in full (%s)", done)
        location.discard(build_dir)
        return None
    publish_build(settings, location, build_dir)
    log.info("import: %d facts removed, %d added; %d rule steps", len(removed), len(added), done.steps)
    return done
