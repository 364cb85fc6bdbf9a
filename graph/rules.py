"""A small forward-chaining engine: SPARQL rule files run per regime until nothing new is inferred.

Each rule is a SPARQL Update in queries/rules/*.rq whose header names it, cites the law it encodes and
says which regimes it applies to (`regimes: all`, a list of ids, or `global` for regime-independent
facts such as ultimate parents). `$regime`, `$inferred` and `$date` are replaced per regime.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING

from exportkg.queries.catalog import NamedQuery, focused, load_catalog, parse

from . import namespaces as ns
from .config import Settings
from .store import KnowledgeStore

if TYPE_CHECKING:
    from .remote import RemoteStore

log = logging.getLogger(__name__)
COMMON = "common"


@dataclass
class RegimeInfo:
    id: str
    date: str


def rules(settings: Settings) -> list[NamedQuery]:
    return list(load_catalog(settings.queries_dir / "rules").values())


def regimes_in(store: KnowledgeStore, settings: Settings) -> list[RegimeInfo]:
    result = store.query(parse(settings.queries_dir / "system" / "rule-regimes.rq").render())
    prefix = str(ns.ID["regime/"])
    return [RegimeInfo(str(row.r)[len(prefix):], str(row.d)) for row in result]


def applies(rule: NamedQuery, regime_id: str) -> bool:
    scope = rule.meta.get("regimes", "all").split()
    return scope == ["all"] or regime_id in scope


def _inferred_size(store: KnowledgeStore) -> int:
    return sum(store.graph_size(g) for g in store.graph_names() if "/inferred/" in str(g))


WHERE_LINE = re.compile(r"(?m)^WHERE\b")


def _dataset(store: KnowledgeStore, inferred: str) -> str:
    """USING clauses: the rule reads facts, regimes, the shared inferences and its own regime's,
    never another regime's inferences (portable SPARQL 1.1: no engine-specific union graph)."""
    graphs = [g for g in store.graph_names()
              if "/inferred/" not in str(g) or str(g) in (inferred, str(ns.inferred_graph(COMMON)))]
    if inferred not in map(str, graphs):
        graphs.append(ns.URIRef(inferred))
    return "".join(f"USING <{g}>\n" for g in graphs)


def _render(rule: NamedQuery, regime: str, graph: str, date: str | None,
            using: str = "") -> str:
    """Rules put each WHERE at the start of a line, so the engine can give it its dataset."""
    text = WHERE_LINE.sub(lambda _m: f"{using}WHERE", rule.text)
    text = text.replace("$inferred", f"<{graph}>")
    text = text.replace("$regime", f"<{ns.regime(regime)}>") if regime else text
    return text.replace("$date", f'"{date}"^^<http://www.w3.org/2001/XMLSchema#date>') if date else text


def is_global(rule: NamedQuery) -> bool:
    return rule.meta.get("regimes", "").strip() == "global"


def plan(store: KnowledgeStore, settings: Settings, *, only: Collection[str] | None = None,
         with_global: bool = True) -> list[tuple[NamedQuery, RegimeInfo | None]]:
    """The evaluation order: rule files in name order (their numeric prefixes are the strata), each
    for every regime it applies to. A rule only reads what earlier strata wrote, so one pass reaches
    the fixpoint; `run_rules(verify=True)` checks that a second pass adds nothing.

    `only` and `with_global` narrow the plan to some regimes (and the global rules or not), for a
    scenario that adds one regime to a store whose other inferences are already there."""
    regimes = [r for r in regimes_in(store, settings) if only is None or r.id in only]
    steps: list[tuple[NamedQuery, RegimeInfo | None]] = []
    for rule in sorted(rules(settings), key=lambda r: r.path.name):
        if is_global(rule):
            if with_global:
                steps.append((rule, None))
        else:
            steps.extend((rule, regime) for regime in regimes if applies(rule, regime.id))
    return steps


def target_graph(regime: RegimeInfo | None) -> str:
    return str(ns.inferred_graph(regime.id if regime else COMMON))


def render(store: KnowledgeStore, rule: NamedQuery, regime: RegimeInfo | None) -> str:
    """The SPARQL Update a rule runs as for one regime (or once, for a global rule)."""
    graph = target_graph(regime)
    return _render(rule, regime.id if regime else "", graph, regime.date if regime else None,
                   _dataset(store, graph))


INSERT_HEAD = re.compile(r"INSERT\s*\{\s*GRAPH\s*\$inferred\s*\{")
TEMPLATE_END = re.compile(r"\}\s*\}\s*\n(?=WHERE)")


def as_construct(rule: NamedQuery, regime: RegimeInfo | None) -> str:
    """The rule as a CONSTRUCT over the default graph: what the embedded engine evaluates."""
    text = INSERT_HEAD.sub("CONSTRUCT {", rule.text, count=1)
    text = TEMPLATE_END.sub("}\n", text, count=1)
    return _render(NamedQuery(rule.name, rule.path, text, rule.meta), regime.id if regime else "",
                   target_graph(regime), regime.date if regime else None)


def body_query(store: KnowledgeStore, rule: NamedQuery, regime: RegimeInfo | None) -> str:
    """The rule's WHERE as a counting SELECT over the union default graph: what evaluating the body
    once costs, the floor a rule engine cannot go under (bench/reason.py compares against it).
    Run it with store.query, whose default graph is the union."""
    text = as_construct(rule, regime)
    return re.sub(r"(?s)CONSTRUCT\s*\{.*?\}\s*\n(?=WHERE)", "SELECT (COUNT(*) AS ?n)\n", text, count=1)


@dataclass(frozen=True)
class RuleStep:
    """One rule for one regime, in both forms a store may run it as: the store chooses (the embedded
    store evaluates the CONSTRUCT over its union graph, a remote store sends the portable update).
    With `focus`, the rule's `# focus KIND ?var` lines restrict it to those keys (graph/reach.py)."""

    rule: NamedQuery
    regime: RegimeInfo | None
    focus: dict[str, tuple[str, ...]] | None = None

    @property
    def target(self) -> ns.URIRef:
        return ns.URIRef(target_graph(self.regime))

    @property
    def reach(self) -> str:
        """What the rule's output is keyed by: regime (small, regime-wide), country, profile, group,
        model; global rules have none."""
        return self.rule.meta.get("reach", "global" if self.regime is None else "regime")

    def construct(self) -> str:
        return focused(as_construct(self.rule, self.regime), self.focus or {})

    def update(self, store: KnowledgeStore | RemoteStore) -> str:
        return focused(render(store, self.rule, self.regime), self.focus or {})  # type: ignore[arg-type]


def stratum(step: RuleStep) -> int:
    """A rule file's numeric prefix: rules read only what lower strata wrote."""
    return int(re.match(r"\d+", step.rule.path.name).group())  # type: ignore[union-attr]


def strata(steps: list[tuple[NamedQuery, RegimeInfo | None]] | list[RuleStep]) -> list[list[RuleStep]]:
    """The plan cut into strata. The steps of one stratum (its rules, for every regime) do not read
    each other's output, so they may run at the same time."""
    ordered = [s if isinstance(s, RuleStep) else RuleStep(*s) for s in steps]
    return [list(group) for _n, group in groupby(ordered, key=stratum)]


#: called after each step with the step, its seconds and the triples it wrote (None: not counted)
StepHook = Callable[[RuleStep, float, "int | None"], None]


def _run_step(store: KnowledgeStore | RemoteStore, step: RuleStep, on_step: StepHook | None) -> None:
    started = time.perf_counter()
    written = store.apply_rule(step)
    if on_step is not None:
        on_step(step, time.perf_counter() - started, written)


def _run_pass(store: KnowledgeStore | RemoteStore, layers: list[list[RuleStep]], threads: int,
              on_step: StepHook | None) -> None:
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


def run_steps(store: KnowledgeStore | RemoteStore, settings: Settings, steps: list[RuleStep],
              on_step: StepHook | None = None) -> None:
    """Some steps, stratum by stratum (in parallel within one on the embedded store)."""
    threads = settings.reasoner_threads if store.concurrent_rules else 1
    _run_pass(store, strata(steps), threads, on_step)


def run_rules(store: KnowledgeStore | RemoteStore, settings: Settings, *, verify: bool = False,
              only: Collection[str] | None = None, with_global: bool = True,
              on_step: StepHook | None = None) -> dict[str, int]:
    """Run every rule once in stratum order; with verify, a second pass must add nothing.

    The embedded store runs each stratum's steps in parallel (settings.reasoner_threads); a remote
    store gets one update at a time, as a SPARQL service expects of one client."""
    steps = [RuleStep(*s) for s in plan(store, settings, only=only, with_global=with_global)]  # type: ignore[arg-type]
    run_steps(store, settings, steps, on_step)
    log.info("rules: %d steps, %d inferred triples", len(steps), _inferred_size(store))
    if verify:
        before = _inferred_size(store)
        run_steps(store, settings, steps)
        if _inferred_size(store) != before:
            raise RuntimeError("rules are not stratified: a second pass inferred more")
    return {str(g): store.graph_size(g) for g in store.graph_names() if "/inferred/" in str(g)}
