"""A small forward-chaining engine: the rule steps run stratum by stratum over any Store.

The engine depends on the store interface only (store/base.py): it asks a store's capabilities
whether a step may go as a CONSTRUCT whose triples the store adds itself (the embedded fast path) or
must go as a portable SPARQL update, and whether the steps of one stratum may run on threads.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor

from exportkg.graph import namespaces as ns
from exportkg.graph.config import Settings
from exportkg.graph.reasoning.partition import run_partitioned
from exportkg.graph.reasoning.rules import RegimeInfo, RuleStep, plan, strata
from exportkg.graph.store.base import Store, inferred_size
from exportkg.queries.catalog import catalog

log = logging.getLogger(__name__)

#: called after each step with the step, its seconds and the triples it wrote (None: not counted)
StepHook = Callable[[RuleStep, float, "int | None"], None]


def regimes_in(store: Store, settings: Settings) -> list[RegimeInfo]:
    """The regimes the store holds, with the date each is read on."""
    result = store.query(catalog(settings.queries_dir).system["rule-regimes"].render())
    prefix = str(ns.ID["regime/"])
    return [RegimeInfo(str(row.r)[len(prefix):], str(row.d)) for row in result]


def plan_steps(store: Store, settings: Settings, *, only: Collection[str] | None = None,
               with_global: bool = True) -> list[RuleStep]:
    """The steps for the regimes this store holds (reasoning/rules.py `plan`)."""
    return [RuleStep(*s) for s in plan(regimes_in(store, settings), settings, only=only, with_global=with_global)]


def apply(store: Store, step: RuleStep) -> int | None:
    """One step's write, in the form the store takes."""
    if store.capabilities.construct_into:
        return store.construct_into(step.construct(), step.target)
    store.update(step.update(store.graph_names()))
    return None


def _run_step(store: Store, step: RuleStep, on_step: StepHook | None) -> None:
    started = time.perf_counter()
    written = apply(store, step)
    seconds = time.perf_counter() - started
    if step.regime is None:  # the few global steps are a large store's costly ones: each is logged
        log.info("rule %s: %.1f s, %s triples", step.rule.name, seconds, "?" if written is None else written)
    if on_step is not None:
        on_step(step, seconds, written)


def _run_pass(store: Store, layers: list[list[RuleStep]], threads: int, on_step: StepHook | None) -> None:
    """One pass, stratum by stratum. Within a stratum the steps run on `threads` threads: Oxigraph
    evaluates a query without holding Python's lock, so independent rules use every core."""
    if threads <= 1:
        for layer in layers:
            for step in layer:
                _run_step(store, step, on_step)
        return
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="exportkg-rules") as pool:
        for layer in layers:
            for future in [pool.submit(_run_step, store, step, on_step) for step in layer]:
                future.result()  # the stratum ends before the next starts; an error stops the run


def run_steps(store: Store, settings: Settings, steps: list[RuleStep], on_step: StepHook | None = None, *,
              in_place: bool = False) -> None:
    """Some steps, stratum by stratum (in parallel within one where the store allows it). Unfocused
    steps of a store that reads and writes N-Quads run a store per regime (reasoning/partition.py);
    focused ones (a few countries), and any with `in_place` (a scenario's regime-wide steps, which read
    a few hundred triples: the projection for a store of their own scanned the whole store), are cheap
    on the store itself."""
    threads = settings.reasoner_threads if store.capabilities.parallel_writes else 1
    if store.capabilities.quads and not in_place and not any(step.focus for step in steps):
        run_partitioned(store, steps, settings.reasoner_threads,
                        lambda shared: _run_pass(store, strata(shared), threads, on_step), on_step, settings.cache_dir)
        return
    _run_pass(store, strata(steps), threads, on_step)


def run_rules(store: Store, settings: Settings, *, verify: bool = False, only: Collection[str] | None = None,
              with_global: bool = True, on_step: StepHook | None = None) -> dict[str, int]:
    """Run every rule once in stratum order; with verify, a second pass must add nothing."""
    steps = plan_steps(store, settings, only=only, with_global=with_global)
    run_steps(store, settings, steps, on_step)
    sizes = _inferred_sizes(store)  # counted once: at a golden copy's size each count scans millions
    log.info("rules: %d steps, %d inferred triples", len(steps), sum(sizes.values()))
    if verify:
        run_steps(store, settings, steps)
        if inferred_size(store) != sum(sizes.values()):
            raise RuntimeError("rules are not stratified: a second pass inferred more")
    return sizes


def _inferred_sizes(store: Store) -> dict[str, int]:
    return {str(g): store.graph_size(g) for g in store.graph_names() if "/inferred/" in str(g)}
