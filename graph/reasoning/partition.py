"""Each regime's rules on a store of its own, the regimes side by side in worker processes.

A rule reads the facts, the regime definitions, the shared inferences (`inferred/common`) and its own
regime's inferences, never another regime's (the contract the portable USING form states, see
rules.py). So a full run gives each regime a small in-memory store holding just that, runs the
regime's steps there and copies its inferred graph back. Oxigraph's joins then see one regime's
determinations instead of every regime's (2-7x faster per rule), and the regimes need no shared store,
so they run in processes: Oxigraph's evaluation holds Python's lock for much of a CONSTRUCT, so threads
on one store gain nothing measurable. The global rules run first, on the store itself (a remote store:
on an in-memory copy of its facts, like a regime): the regimes read what they write.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.reasoning.reads import step_reads
from exportkg.graph.reasoning.rules import COMMON, RuleStep, target_graph
from exportkg.graph.store.base import Store

#: called after each step with the step, its seconds and the triples it wrote
StepHook = Callable[[RuleStep, float, "int | None"], None]
RunStep = Callable[[Store, RuleStep], None]
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


def run_partitioned(store: Store, steps: list[RuleStep], workers: int, run_step: RunStep,
                    on_step: StepHook | None = None, cache: Path | None = None) -> None:
    """The steps: the global ones on `store`, each regime's on a store of its own (module docstring).
    `cache`: where the rules' parsed reads are kept between processes (reads.step_reads)."""
    shared, regimes = by_regime(steps)
    common = ns.inferred_graph(COMMON)
    names = [g for g in store.graph_names() if "/inferred/" not in str(g)]
    if store.capabilities.construct_into:
        for step in shared:
            run_step(store, step)
        base = _projected(store, [*names, common], [s for steps in regimes.values() for s in steps], cache)
    else:
        # the facts are read once (a remote store's Graph Store reads are the costly part): the global
        # steps write only inferred/common, so the regimes get these facts and common as it is after them
        facts = store.dump_graphs(names)
        if shared:
            _shared_here(store, facts, shared, common, on_step)
        base = facts + store.dump_graphs([common])
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


def _projected(store: Store, names: list[URIRef], steps: list[RuleStep], cache: Path | None) -> bytes:
    """Every regime's base: what the regimes' steps can read of these graphs (reasoning/reads.py), not
    the whole store (a GLEIF import's millions of organizations reach no regime rule). One dump for
    all of them: a regime's own reads are a part of it, and what else it holds no pattern of that
    regime's rules can match (a projection per regime scanned the store once per regime: 35 scans,
    7x slower at 100,000 synthetic companies)."""
    return store.dump_reads(names, step_reads(steps, cache)) if steps else b""


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
