"""Where an applied scenario lives: its own store, derived from the published one, published atomically.

A scenario store is a RocksDB backup of the published store (hard links to its immutable files, so it
costs milliseconds at any size) with the scenario's regime graph and facts delta written into it, and
then the rules its changes can reach. Where the published graphs live in a remote store (`--endpoint`),
they are read out through its Graph Store endpoint into a new embedded store in the same place; the
scenario is then worked out locally, and `impact` compares the remote store with it:

- tier and group moves: first the inferences of the keys they reach (graph/reasoning/reach.py: the countries
  whose position changes, the headquarters profiles naming them, the groups with compute there), which
  is all `impact` needs to compare; then the scenario regime's rules in full, to complete its graph;
- other regime-level changes (parameters, authorizations): the rules of the scenario's regime alone,
  on top of the global inferences already there;
- fact changes (ownership, data centers): `inferred/common` is dropped and the global rules run again
  with the scenario's regime rules (the shipped regimes' inferred graphs are left as published: they
  describe the curated world, which `impact` reads from the main store).

`prepare` does the first part and `Pending.finish` the rest; `apply` does both. The scenario is checked
against the published store before anything is written, so a refused scenario leaves no folder. The
store is written under home/scenarios/<name>/store/builds/ and `current` is swapped like a build's,
both under the home's lock (graph/store/lock.py), after sweeping what killed derivations left; a
sidecar JSON file remembers which published build and which file content it was derived from, so a
rebuild or an edited file makes it stale and it is derived again on next use. A remote build is named
by a digest of its endpoint and of each published graph's name and size (`published_build`): a rebuild
that changes no graph's size is not noticed (`impact` then compares with the scenario as derived before).

The web service prepares a scenario in a query worker (a killable process, under the request's
timeout) and completes it on its own thread: `Pending.hand_over` closes the prepared store and gives a
`Prepared` that another process can `adopt` (the build directory is renamed to carry its pid, so no
sweep takes it for a dead one) and `finish`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from exportkg.graph import namespaces as ns
from exportkg.graph.config import Settings
from exportkg.graph.errors import StoreError
from exportkg.graph.impact.scenario import Scenario
from exportkg.graph.impact.scenario_rdf import Applied, to_rdf
from exportkg.graph.reasoning.engine import run_rules
from exportkg.graph.reasoning.reach import Derivation, complete, derive
from exportkg.graph.reasoning.rules import COMMON
from exportkg.graph.store.base import Store, require
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation
from exportkg.graph.store.lock import home_lock
from exportkg.graph.store.opening import open_published

log = logging.getLogger(__name__)


@dataclass
class Derived:
    """What applying a scenario did, and what it was derived from."""

    scenario: str
    digest: str
    base_build: str
    facts_changed: bool
    seconds: float
    rules_seconds: float
    #: tier and group moves: the reached keys' inferences, before the graph was completed
    reached_seconds: float | None = None
    reached_countries: int | None = None


def write(store: KnowledgeStore, scenario: Scenario, applied: Applied) -> None:
    """Put a scenario into a store: its regime graph, and its delta to the facts graph."""
    store.load_graph(applied.regime, ns.regime_graph(scenario.regime_id))
    store.remove(applied.remove, ns.FACTS_GRAPH)
    if len(applied.add):
        store.load_graph(applied.add, ns.FACTS_GRAPH)


def include(store: KnowledgeStore, settings: Settings) -> None:
    """The full-build path: check and write every scenario of `settings.scenarios` into a fresh store."""
    from exportkg.graph.impact.scenario import load

    for path in settings.scenarios:
        scenario = load(path)
        write(store, scenario, to_rdf(scenario, store, settings))


def home(settings: Settings, name: str) -> Path:
    """A scenario's own home: `exportkg --home <it> query|serve ...` works on it like on the main one."""
    return settings.scenarios_root / name


def location(settings: Settings, name: str) -> StoreLocation:
    return StoreLocation(home(settings, name) / settings.store_name)


def _sidecar(build_dir: Path) -> Path:
    return build_dir.with_name(build_dir.name + ".json")


def derived(settings: Settings, name: str) -> Derived | None:
    """The published scenario store's record, or None when there is none."""
    loc = location(settings, name)
    if not loc.exists():
        return None
    try:
        return Derived(**json.loads(_sidecar(loc.resolved()).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def is_current(settings: Settings, scenario: Scenario, build: str | None = None) -> bool:
    """Whether the scenario's store was derived from the published build (`build`, its name:
    `published_build`, worked out here when not given) and this file content."""
    record = derived(settings, scenario.name)
    if record is None or record.digest != scenario.digest:
        return False
    return record.base_build == (build or published_build(settings))


def published_build(settings: Settings, main: Store | None = None) -> str:
    """What names the published build: the embedded store's build directory, or for a remote store a
    digest of its endpoint and its graphs' names and sizes (it has no build directory to name)."""
    if not settings.endpoint:
        return StoreLocation(settings.store_root).resolved().name
    store = main if main is not None else open_published(settings)
    census = sorted((str(g), store.graph_size(g)) for g in store.graph_names())
    text = "\n".join([settings.endpoint, *(f"{g} {n}" for g, n in census)])
    return "remote-" + hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Source:
    """The published store a scenario is derived from: an embedded build (`path`, copied as a RocksDB
    backup) or a remote store (`remote`, read out into a new embedded store)."""

    build: str
    path: Path | None = None
    remote: Store | None = None

    def copy_to(self, build_dir: Path) -> KnowledgeStore:
        if self.path is not None:
            return KnowledgeStore.copy_of(self.path, build_dir)
        assert self.remote is not None
        require(self.remote, "quads", "a scenario derived from a remote store (its graphs are read out with "
                "Graph Store GETs: give --store-endpoint)")
        data = self.remote.dump_graphs(self.remote.graph_names())
        build_dir.mkdir()
        store = KnowledgeStore.create(build_dir)
        try:
            store.load_nquads(data)
        except BaseException:
            store.close()
            raise
        return store


@dataclass
class Pending:
    """A scenario store being derived. After `prepare` it holds what the scenario's changes reach
    (for tier and group moves: `derivation`), which `impact` can read; `finish` completes the
    scenario's graph (beside the reached keys: the base's, renamed, reach.complete; a full run of its
    rules for other scenarios), records it and publishes it."""

    settings: Settings
    scenario: Scenario
    build_dir: Path
    store: KnowledgeStore
    started: float
    #: the published build it was copied from (a rebuild meanwhile makes the result stale)
    base_build: str
    derivation: Derivation | None = None

    @property
    def reached_seconds(self) -> float | None:
        d = self.derivation
        return None if d is None else d.regime_wide_s + d.reach_s + d.keyed_s

    @property
    def reached_countries(self) -> int | None:
        return None if self.derivation is None else len(self.derivation.reach.countries)

    def finish(self) -> Derived:
        with home_lock(self.settings.home, f"complete scenario {self.scenario.name}"):
            try:
                start = time.perf_counter()
                if self.derivation is not None:
                    complete(self.store, self.settings, self.scenario.regime_id, self.scenario.base,
                             self.derivation.reach)
                else:
                    run_rules(self.store, self.settings, only={self.scenario.regime_id},
                              with_global=self.scenario.changes_facts)
                self.store.flush()
                rules_seconds = time.perf_counter() - start + (self.reached_seconds or 0.0)
            finally:
                self.store.close()
            record = Derived(self.scenario.name, self.scenario.digest, self.base_build,
                             self.scenario.changes_facts, time.perf_counter() - self.started, rules_seconds,
                             self.reached_seconds, self.reached_countries)
            _sidecar(self.build_dir).write_text(json.dumps(asdict(record)), encoding="utf-8")
            _publish(location(self.settings, self.scenario.name), self.build_dir)
        log.info("scenario %s applied in %.2f s (rules %.2f s)", record.scenario, record.seconds, rules_seconds)
        return record

    def discard(self) -> None:
        self.store.close()
        loc = location(self.settings, self.scenario.name)
        loc.discard(self.build_dir)
        loc.prune()
        _prune_home(self.settings, self.scenario.name)

    def hand_over(self) -> Prepared:
        """Close the prepared store (flushed) so that another process can complete it."""
        self.store.flush()
        self.store.close()
        return Prepared(self.settings, self.scenario, self.build_dir, self.base_build,
                        time.perf_counter() - self.started, self.derivation)


@dataclass
class Prepared:
    """A prepared scenario store, closed, on its way from the process that prepared it to the one that
    completes it (picklable)."""

    settings: Settings
    scenario: Scenario
    build_dir: Path
    base_build: str
    elapsed: float
    derivation: Derivation | None

    def adopt(self) -> Prepared:
        """Rename the build directory to carry this process's pid: it is this process's to finish now."""
        target = location(self.settings, self.scenario.name).new_build_dir()
        target.rmdir()
        os.rename(self.build_dir, target)
        self.build_dir = target
        return self

    def finish(self) -> Derived:
        store = KnowledgeStore.create(self.build_dir)
        pending = Pending(self.settings, self.scenario, self.build_dir, store, time.perf_counter() - self.elapsed,
                          self.base_build, self.derivation)
        try:
            return pending.finish()
        except BaseException:
            pending.discard()
            raise

    def discard(self) -> None:
        loc = location(self.settings, self.scenario.name)
        loc.discard(self.build_dir)
        loc.prune()
        _prune_home(self.settings, self.scenario.name)


def prepare(settings: Settings, scenario: Scenario, main: Store | None = None, build: str | None = None) -> Pending:
    """Check the scenario against the published store (`main`, opened here when not given), then copy
    that store and write the scenario into it; for tier and group moves, derive the inferences of the
    keys they reach (graph/reasoning/reach.py). Nothing is published yet; a refused scenario writes
    nothing at all."""
    started = time.perf_counter()
    source, applied = _checked(settings, scenario, main, build)
    loc = location(settings, scenario.name)
    with home_lock(settings.home, f"derive scenario {scenario.name}"):
        loc.sweep()
        build_dir = loc.new_build_dir()
        build_dir.rmdir()  # a backup makes the directory itself
        try:
            store = source.copy_to(build_dir)
        except BaseException:
            loc.discard(build_dir)
            loc.prune()
            _prune_home(settings, scenario.name)
            raise
        pending = Pending(settings, scenario, build_dir, store, started, source.build)
        try:
            write(store, scenario, applied)
            if scenario.changes_facts:
                store.update(f"DROP SILENT GRAPH <{ns.inferred_graph(COMMON)}>")
            elif scenario.moves_countries_only:
                pending.derivation = derive(store, settings, scenario.regime_id, scenario.base)
        except BaseException:
            pending.discard()
            raise
    log.info("scenario %s prepared from build %s", scenario.name, source.build)
    return pending


def _checked(settings: Settings, scenario: Scenario, main: Store | None,
             build: str | None = None) -> tuple[Source, Applied]:
    """The build the scenario is checked against and derived from (a remote one named `build` when the
    caller has named it already: naming it scans the remote store), and the scenario as RDF."""
    if main is not None and isinstance(getattr(main, "path", None), Path):
        path: Path = main.path  # type: ignore[attr-defined]
        return Source(path.name, path=path), to_rdf(scenario, main, settings)
    if settings.endpoint:
        remote = main if main is not None else open_published(settings)
        name = build or published_build(settings, remote)
        return Source(name, remote=remote), to_rdf(scenario, remote, settings)
    store = KnowledgeStore.open_read_only(StoreLocation(settings.store_root))
    try:
        path = store.path  # type: ignore[assignment]
        return Source(path.name, path=path), to_rdf(scenario, store, settings)
    finally:
        store.close()


def sweep(settings: Settings) -> list[Path]:
    """What killed derivations left in every scenario's folder (the caller holds the home's lock)."""
    removed: list[Path] = []
    root = settings.scenarios_root
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        loc = location(settings, folder.name)
        removed += loc.sweep()
        loc.prune()
        _prune_home(settings, folder.name)
    return removed


def _prune_home(settings: Settings, name: str) -> None:
    """Remove a scenario's folder when nothing of it is left (no empty scenarios/<name>/)."""
    try:
        home(settings, name).rmdir()
    except OSError:
        pass  # something is published there, or it was never made


def apply(settings: Settings, scenario: Scenario, *, force: bool = False,
          on_prepared: Callable[[Pending], None] | None = None) -> Derived:
    """Derive (or reuse) the scenario's store from the published one, incrementally; publish it.
    `on_prepared` sees the store once what the changes reach is in it, before it is completed."""
    if not force and is_current(settings, scenario):
        return derived(settings, scenario.name)  # type: ignore[return-value]
    pending = prepare(settings, scenario)
    try:
        if on_prepared is not None:
            on_prepared(pending)
        return pending.finish()
    except BaseException:
        pending.discard()
        raise


def _publish(loc: StoreLocation, build_dir: Path) -> None:
    """Swap `current`; a build the swap deletes goes with its sidecar."""
    dropped = loc.publish(build_dir)
    if dropped is not None:
        _sidecar(dropped).unlink(missing_ok=True)


def open_store(settings: Settings, name: str) -> KnowledgeStore:
    """The scenario's published store, read-only."""
    loc = location(settings, name)
    if not loc.exists():
        raise StoreError(f"scenario {name!r} has not been applied (run `exportkg impact --against FILE`)")
    return KnowledgeStore.open_read_only(loc)
