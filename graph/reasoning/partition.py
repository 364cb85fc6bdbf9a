"""Each regime's rules on a store of its own, the regimes side by side in worker processes.

A rule reads the facts, the regime definitions, the shared inferences (`inferred/common`) and its own
regime's inferences, never another regime's (the contract the portable USING form states, see
rules.py). So a full run gives each regime a small in-memory store holding just that, runs the
regime's steps there and copies its inferred graph back. Oxigraph's joins then see one regime's
determinations instead of every regime's (2-7x faster per rule), and the regimes need no shared store,
so they run in processes (a regime's small CONSTRUCTs spend much of their time in Python's lock). The
global rules run first, on the store itself (a remote store: on an in-memory copy of its facts, like a
regime): the regimes read what they write. Their steps are few and each reads millions of triples at a
golden copy's size, which Oxigraph evaluates and serializes without Python's lock, so the steps of one
stratum run on threads (`run_shared`: the engine's own pass).
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.reasoning.reads import step_reads
from exportkg.graph.reasoning.rules import COMMON, RuleStep, strata, target_graph
from exportkg.graph.store.base import Store

log = logging.getLogger(__name__)
#: called after each step with the step, its seconds and the triples it wrote
StepHook = Callable[[RuleStep, float, "int | None"], None]
RunShared = Callable[[list[RuleStep]], None]
#: the regimes' inferences are loaded in batches of about this many bytes of N-Quads, not one load a
#: regime: RocksDB's bulk loader writes and ingests files for every index at each call, and 35 calls
#: took half as long again as one for the same quads (and left more files to compact)
LOAD_BATCH = 128 * 2**20


@dataclass(frozen=True)
class Partition:
    """What a worker needs for one regime: N-Quads in, rendered CONSTRUCTs, the graph they fill."""

    base: bytes
    prior: bytes
    constructs: tuple[str, ...]
    target: str


def by_regime(steps: list[RuleStep]) -> tuple[list[RuleStep], dict[str, list[RuleStep]]]:
    """The global steps, and each regime's steps in plan (stratum) order."""
    shared: list[RuleStep] = []
    regimes: dict[str, list[RuleStep]] = {}
    for step in steps:
        if step.regime is None:
            shared.append(step)
        else:
            regimes.setdefault(step.regime.id, []).append(step)
    return shared, regimes


def reason(part: Partition) -> tuple[bytes, list[tuple[float, int]]]:
    """One regime's steps on a fresh in-memory store (in a worker process); its inferred graph out."""
    from rdflib import URIRef

    from exportkg.graph.store.embedded import KnowledgeStore

    store = KnowledgeStore.in_memory()
    try:
        store.load_nquads(part.base, trusted=True)
        store.load_nquads(part.prior, trusted=True)  # a second pass starts from the first's
        timings = []
        for construct in part.constructs:
            started = time.perf_counter()
            written = store.construct_into(construct, URIRef(part.target))
            timings.append((time.perf_counter() - started, written))
        return store.dump_graphs([URIRef(part.target)]), timings
    finally:
        store.close()


def run_partitioned(store: Store, steps: list[RuleStep], workers: int, run_shared: RunShared,
                    on_step: StepHook | None = None, cache: Path | None = None) -> None:
    """The steps: the global ones on `store`, each regime's on a store of its own (module docstring).
    `cache`: where the rules' parsed reads are kept between processes (reads.step_reads)."""
    shared, regimes = by_regime(steps)
    common = ns.inferred_graph(COMMON)
    names = [g for g in store.graph_names() if "/inferred/" not in str(g)]
    if store.capabilities.construct_into:
        for layer in strata(shared):
            _run_apart(store, [s for s in layer if projected(s)], [*names, common], cache, on_step)
            run_shared([s for s in layer if not projected(s)])
        base = _projected(store, [*names, common], [s for steps in regimes.values() for s in steps], cache)
    else:
        # the facts are read once (a remote store's Graph Store reads are the costly part): the global
        # steps write only inferred/common, so the regimes get these facts and common as it is after them
        facts = store.dump_graphs(names)
        if shared:
            _shared_here(store, facts, shared, common, on_step)
        base = facts + store.dump_graphs([common])
    started = time.perf_counter()
    parts = [Partition(base, store.dump_graphs([target_graph(s[0].regime)]),
                       tuple(x.construct() for x in s), str(target_graph(s[0].regime))) for s in regimes.values()]
    pending: list[bytes] = []  # loaded a batch at a time: each bulk load has a cost of its own (below)
    for regime_steps, (data, timings) in zip(regimes.values(), _results(parts, workers), strict=True):
        pending.append(data)
        if sum(map(len, pending)) >= LOAD_BATCH:
            store.load_nquads(b"".join(pending), trusted=True)
            pending.clear()
        for step, (seconds, written) in zip(regime_steps, timings, strict=True):
            if on_step is not None:
                on_step(step, seconds, written)
    if pending:
        store.load_nquads(b"".join(pending), trusted=True)
    log.info("rules: %d regimes on stores of their own (%.1f s)", len(regimes), time.perf_counter() - started)


def _projected(store: Store, names: list[URIRef], steps: list[RuleStep], cache: Path | None) -> bytes:
    """Every regime's base: what the regimes' steps can read of these graphs (reasoning/reads.py), not
    the whole store (a GLEIF import's millions of organizations reach no regime rule). One dump for
    all of them: a regime's own reads are a part of it, and what else it holds no pattern of that
    regime's rules can match (a projection per regime scanned the store once per regime: 35 scans,
    7x slower at 100,000 synthetic companies)."""
    return store.dump_reads(names, step_reads(steps, cache)) if steps else b""


def projected(step: RuleStep) -> bool:
    """A global rule that reads a small part of a large store (its header: `evaluation: projected`)."""
    return step.rule.meta.get("evaluation", "").partition(" ")[0] == "projected"


def _run_apart(store: Store, steps: list[RuleStep], names: list[URIRef], cache: Path | None,
               on_step: StepHook | None) -> None:
    """Global steps evaluated on an in-memory store of what they read (reads.py), their triples written
    back. `ultimate-parent` walks `controlledBy` paths: at 3.1 million GLEIF entities 87 s on the
    build's freshly loaded store (each step a lookup among unmerged RocksDB files), a few seconds on
    an in-memory copy of its 0.5 million links."""
    from exportkg.graph.store.embedded import KnowledgeStore

    for step in steps:
        started = time.perf_counter()
        memory = KnowledgeStore.in_memory()
        try:
            memory.load_nquads(store.dump_reads(names, step_reads([step], cache)), trusted=True)
            data = memory.constructed(step.construct())
        finally:
            memory.close()
        store.load_nquads(_in_graph(data, step.target), trusted=True)
        written = data.count(b"\n")
        seconds = time.perf_counter() - started
        log.info("rule %s (on its reads apart): %.1f s, %d triples", step.rule.name, seconds, written)
        if on_step is not None:
            on_step(step, seconds, written)


def _in_graph(ntriples: bytes, graph: URIRef) -> bytes:
    """N-Triples as N-Quads in one graph. A line break ends every line and nothing else (N-Triples
    escapes those inside literals), so each ` .` before one ends a triple."""
    return ntriples.replace(b" .\n", f" <{graph}> .\n".encode())


def _shared_here(store: Store, facts: bytes, shared: list[RuleStep], common: URIRef,
                 on_step: StepHook | None) -> None:
    """The global steps of a store that takes rules only as updates (a remote one), run like a regime's:
    on an in-memory store of the facts, their inferences posted back in one Graph Store request. Their
    property paths have neither end bound (`?x ekg:controlledBy+ ?top`, the class hierarchy), which
    some engines refuse (Virtuoso 7.2: "transitive start not given"); here every engine gets the
    answer Oxigraph gives, and a dozen remote updates become one round trip."""
    data, timings = reason(Partition(facts, store.dump_graphs([common]), tuple(s.construct() for s in shared),
                                     str(common)))
    store.load_nquads(data, trusted=True)
    for step, (seconds, written) in zip(shared, timings, strict=True):
        if on_step is not None:
            on_step(step, seconds, written)


def _results(parts: list[Partition], workers: int) -> Iterator[tuple[bytes, list[tuple[float, int]]]]:
    if workers <= 1 or len(parts) <= 1:
        yield from map(reason, parts)
        return
    context = multiprocessing.get_context("forkserver")  # safe from a threaded server, unlike fork
    with ProcessPoolExecutor(max_workers=min(workers, len(parts)), mp_context=context) as pool:
        yield from pool.map(reason, parts)
