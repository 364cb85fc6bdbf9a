"""The build: data files -> RDF with sources -> SHACL -> (OWL check) -> a new store, swapped in.

A failed build raises before `publish`, so the last good store keeps answering. A build holds the
home's lock from reading the import record to publishing (graph/store/lock.py), sweeps what killed
builds left before it starts, and publishes its store with the import record it was made from
(graph/build/record.py) in one symlink swap.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph, URIRef
from rich.progress import Progress

from exportkg.graph import namespaces as ns
from exportkg.graph.build import inputs, record, shacl_cache
from exportkg.graph.build.shacl import check_shapes
from exportkg.graph.config import Settings
from exportkg.graph.impact.scenario_store import include as include_scenarios
from exportkg.graph.loaders import (
    bis_lists,
    chip_facts,
    chips,
    companies,
    countries,
    epoch,
    gleif,
    imports,
    law,
    list_removals,
    listed_links,
    memberships,
    regimes,
    sources,
)
from exportkg.graph.loaders.bulk import BulkFacts
from exportkg.graph.loaders.context import LoadContext
from exportkg.graph.loaders.gleif_parents import SIDECAR
from exportkg.graph.namespaces import EKG, SH
from exportkg.graph.reasoning.engine import run_rules
from exportkg.graph.store.base import Store
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation
from exportkg.graph.store.lock import home_lock
from exportkg.graph.store.remote import RemoteStore

log = logging.getLogger(__name__)

LOADERS: list[tuple[str, Callable[[LoadContext], None]]] = [
    ("sources", sources.load),
    ("countries", countries.load),
    ("country groups and NATO", memberships.load),
    ("regimes", regimes.load),
    ("the law on each day", law.load),
    ("organizations", companies.load),
    ("chips", chips.load),
    ("chip facts", chip_facts.load),
    ("Epoch clusters and models", epoch.load),
    ("BIS lists (listed parties)", bis_lists.load),
    ("BIS list entries removed since an earlier load", list_removals.load),
    ("GLEIF golden copy", gleif.load),
    ("imported parties", imports.load),
    ("links of listed parties", listed_links.load),
]


@dataclass
class BuildResult:
    """What a build produced, for the summary and for tests."""

    graphs: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: what the GLEIF loader imported (loaders/gleif.py; query gleif-summary asks the store the same)
    gleif_counts: dict[str, int] = field(default_factory=dict)


def load_all(settings: Settings, progress: Progress | None = None,
             loaders: list[tuple[str, Callable[[LoadContext], None]]] | None = None) -> LoadContext:
    """Run every loader (or these); stop at the first loader that found bad rows (with all of its rows)."""
    return run_loaders(LoadContext(settings), LOADERS if loaders is None else loaders, progress)


def run_loaders(ctx: LoadContext, loaders: list[tuple[str, Callable[[LoadContext], None]]],
                progress: Progress | None = None) -> LoadContext:
    """Some loaders on a context (graph/build/incremental.py runs the last ones twice)."""
    task = progress.add_task("loading", total=len(loaders)) if progress else None
    try:
        for name, loader in loaders:
            if progress is not None:
                progress.update(task, description=f"loading {name}")
            loader(ctx)
            ctx.raise_problems()
            if progress is not None:
                progress.advance(task)
    except BaseException:
        ctx.discard_bulk()
        raise
    return ctx


def ontology_graph(settings: Settings) -> Graph:
    return Graph().parse(settings.ontology_file, format="turtle")


def shapes_graph(settings: Settings) -> Graph:
    return Graph().parse(settings.shapes_file, format="turtle")


def named_graphs(ctx: LoadContext, ontology: Graph) -> dict[URIRef, Graph]:
    graphs = {ns.ONTOLOGY_GRAPH: ontology, ns.FACTS_GRAPH: ctx.facts}
    for rid, graph in sorted(ctx.regime_graphs.items()):
        graphs[ns.regime_graph(rid)] = graph
    return graphs


def validate_context(ctx: LoadContext, settings: Settings, ontology: Graph) -> None:
    """Every node against the shapes; the list entries only when their content is not one already
    checked (graph/build/shacl_cache.py)."""
    entries = shacl_cache.entries(ctx.facts)
    marker = shacl_cache.marker(settings, shacl_cache.digest(ctx.facts, entries, settings))
    data, shapes = Graph(), shapes_graph(settings)
    data += ontology  # class hierarchy and the ontology's own individuals (confidence levels, ...)
    if marker.exists():  # the entries keep their types (links to them check) but are no shape's target
        data += (t for t in ctx.facts if t[0] not in entries or t[1] == RDF.type)
        shapes.remove((None, SH.targetClass, EKG.ListEntry))
    else:
        data += ctx.facts
    for graph in ctx.regime_graphs.values():
        data += graph
    stand_ins = _bulk_types(ctx)
    data += stand_ins
    check_shapes(data, shapes, ontology, ctx.origins, frozenset(stand_ins.subjects()))
    if not marker.exists():
        shacl_cache.remember(marker)


def validate_nodes(ctx: LoadContext, settings: Settings, ontology: Graph, nodes: set[URIRef]) -> None:
    """The shapes on some nodes of a loaded graph whose other nodes were checked before (an import
    updating the published store: the nodes its rows change). Every shape is local (a node's own
    properties and its values' classes), so checking the changed nodes and those whose values they
    are says what checking them all would."""
    focus = set(nodes) | {s for node in nodes for s in ctx.facts.subjects(None, node)}
    data = Graph()
    data += ontology
    values = set()
    for node in focus:
        for triple in ctx.facts.triples((node, None, None)):
            data.add(triple)
            values.add(triple[2])
    for value in values:
        data += ctx.facts.triples((value, RDF.type, None))
    data += _bulk_types(ctx)
    check_shapes(data, shapes_graph(settings), ontology, ctx.origins, frozenset(set(data.subjects()) - focus))


def _bulk_types(ctx: LoadContext) -> Graph:
    """The types of the bulk-loaded organizations (GLEIF) that rdflib triples name: an imported party's
    parent may be one, and its shape asks that the parent be an organization (the GLEIF triples are
    checked against the shapes where they are made: tests/test_gleif.py)."""
    prefix = str(ns.org(""))
    named = {o for o in ctx.facts.objects() if isinstance(o, URIRef) and str(o).startswith(prefix)}
    types = Graph()
    for node in named:
        if str(node)[len(prefix):] in ctx.bulk_orgs:
            types.add((node, RDF.type, EKG.Organization))
    return types


def build(settings: Settings, *, check_owl: bool = False, show_progress: bool = False) -> BuildResult:
    """Load, validate, write a new store and publish it; on any error the old store stays."""
    with home_lock(settings.home, "exportkg build"):
        if not settings.endpoint:
            StoreLocation(settings.store_root).sweep()
        shutil.rmtree(settings.home / "tmp", ignore_errors=True)  # bulk files of builds that were killed
        return _build(settings.with_(imports_override=record.published(settings)), check_owl, show_progress)


def _build(settings: Settings, check_owl: bool, show_progress: bool) -> BuildResult:
    with Progress(disable=not show_progress, transient=True) as progress:
        if not settings.endpoint:
            return _build_embedded(settings, check_owl, progress)
        ctx = _loaded(LoadContext(settings), progress)
        try:
            loaded, result = _checked(ctx, settings, check_owl, progress)
            _write_remote(settings, loaded, result, progress)
        finally:
            ctx.discard_bulk()
        return result


def _loaded(ctx: LoadContext, progress: Progress) -> LoadContext:
    started = time.perf_counter()
    run_loaders(ctx, LOADERS, progress)
    log.info("build: data loaded (%.1f s)", time.perf_counter() - started)
    return ctx


def _checked(ctx: LoadContext, settings: Settings, check_owl: bool, progress: Progress) -> tuple[Loaded, BuildResult]:
    """The loaded graphs against the shapes (and the OWL reasoner): what goes into the store."""
    ontology = ontology_graph(settings)
    task = progress.add_task("validating shapes", total=None)
    started = time.perf_counter()
    validate_context(ctx, settings, ontology)
    log.info("build: shapes checked (%.1f s)", time.perf_counter() - started)
    progress.remove_task(task)
    if check_owl:
        from exportkg.ontology.owlcheck import check_consistency

        task = progress.add_task("OWL consistency (HermiT)", total=None)
        check_consistency(ontology, ctx.facts)
        progress.remove_task(task)
    loaded = Loaded(named_graphs(ctx, ontology), ctx.bulk, ctx.gleif_parents)
    return loaded, BuildResult(warnings=list(ctx.warnings), gleif_counts=dict(ctx.gleif_counts))


@dataclass(frozen=True)
class Loaded:
    """What the loaders made: rdflib graphs by name, and the bulk facts file (loaders/bulk.py)."""

    graphs: dict[URIRef, Graph]
    bulk: BulkFacts | None = None
    gleif_parents: Path | None = None  # the GLEIF records' file, kept beside an embedded store


def _fill(store: Store, settings: Settings, loaded: Loaded, result: BuildResult, progress: Progress) -> None:
    """Load the graphs and run the rules: the same on either store."""
    task = progress.add_task("writing store", total=len(loaded.graphs) + 1)
    started = time.perf_counter()
    for name, graph in loaded.graphs.items():
        result.graphs[str(name)] = store.load_graph(graph, name)
        progress.advance(task)
    with ThreadPoolExecutor(1, thread_name_prefix="exportkg-count") as counter:
        facts_size = None
        if loaded.bulk is not None:  # after the facts graph: a remote store PUTs it, then this POSTs
            loaded.bulk.close()  # a streamed one: read by the store to its end
            if loaded.bulk.reader is None:
                store.load_ntriples_file(loaded.bulk.path, ns.FACTS_GRAPH)
            facts_size = _count_facts(store, counter)
        progress.advance(task)
        log.info("build: graphs written to the store (%.1f s)", time.perf_counter() - started)
        include_scenarios(store, settings)  # none unless settings.scenarios names some
        progress.add_task("running rules to a fixpoint", total=None)
        started = time.perf_counter()
        result.graphs.update(run_rules(store, settings, only=settings.reason_regimes or None))
        log.info("build: rules run (%.1f s)", time.perf_counter() - started)
        if facts_size is not None:
            result.graphs[str(ns.FACTS_GRAPH)] = facts_size.result()


def _count_facts(store: Store, counter: ThreadPoolExecutor) -> Future[int]:
    """The facts graph's size. At a golden copy's size counting it scans 40 million quads (20 s): on a
    store whose reads see a snapshot Oxigraph counts them without Python's lock, on a thread beside
    the rules (which write only inferred graphs)."""
    if store.capabilities.snapshots:
        return counter.submit(store.graph_size, ns.FACTS_GRAPH)
    done: Future[int] = Future()
    done.set_result(store.graph_size(ns.FACTS_GRAPH))
    return done


def _build_embedded(settings: Settings, check_owl: bool, progress: Progress) -> BuildResult:
    """A new store directory, filled while the loaders run (their bulk facts stream into it), then
    published by swapping the `current` symlink."""
    location = StoreLocation(settings.store_root)
    build_dir = location.new_build_dir()
    try:
        # straight to disk: the rules run on in-memory stores of their own (reasoning/partition.py),
        # so a working copy in memory would only cost a second load of every inferred triple
        store = KnowledgeStore.create(build_dir, private=True)  # published by the swap below
        try:
            result = _fill_embedded(settings, store, build_dir, check_owl, progress)
        finally:
            store.close()
    except BaseException:
        location.discard(build_dir)
        raise
    publish_build(settings, location, build_dir)
    return result


def _fill_embedded(settings: Settings, store: KnowledgeStore, build_dir: Path, check_owl: bool,
                   progress: Progress) -> BuildResult:
    ctx = LoadContext(settings, stream_bulk=lambda path: store.stream_ntriples(path, ns.FACTS_GRAPH))
    try:
        loaded, result = _checked(_loaded(ctx, progress), settings, check_owl, progress)
        ctx.forget_names()
        _fill(store, settings, loaded, result, progress)
        task = progress.add_task("saving the store", total=None)
        started = time.perf_counter()
        store.flush()
        store.compact()
        log.info("build: store saved and compacted (%.1f s)", time.perf_counter() - started)
        progress.remove_task(task)
        if ctx.gleif_parents is not None:
            shutil.move(ctx.gleif_parents, build_dir / SIDECAR)
    finally:
        ctx.discard_bulk()
    return result


def publish_build(settings: Settings, location: StoreLocation, build_dir: Path) -> None:
    """A finished build directory given the import record and the inputs digest it was made from,
    then published by the swap (an update in place publishes its copy the same way)."""
    try:
        record.attach(settings, build_dir)
        inputs.stamp(settings, build_dir)
    except BaseException:
        location.discard(build_dir)
        raise
    location.publish(build_dir)
    log.info("published %s", build_dir)


def _write_remote(settings: Settings, loaded: Loaded, result: BuildResult, progress: Progress) -> None:
    """Staging graphs on the remote store, published by one update that moves them into place."""
    store = RemoteStore.for_build(settings)
    try:
        _fill(store, settings, loaded, result, progress)
        store.publish()
    except BaseException:
        store.discard()
        raise
    log.info("published the build to %s", settings.update_endpoint)
