"""A small forward-chaining engine: SPARQL rule files run per regime until nothing new is inferred.

Each rule is a SPARQL Update in queries/rules/*.rq whose header names it, cites the law it encodes and
says which regimes it applies to (`regimes: all`, a list of ids, or `global` for regime-independent
facts such as ultimate parents). `$regime`, `$inferred` and `$date` are replaced per regime.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from exportkg.queries.catalog import NamedQuery, load_catalog, parse

from . import namespaces as ns
from .config import Settings
from .store import KnowledgeStore

log = logging.getLogger(__name__)
COMMON = "common"
MAX_ROUNDS = 25


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


def run_rules(store: KnowledgeStore, settings: Settings) -> dict[str, int]:
    """Run every rule to a fixpoint; returns triples per inferred graph."""
    all_rules = rules(settings)
    regimes = regimes_in(store, settings)
    for round_no in range(1, MAX_ROUNDS + 1):
        before = _inferred_size(store)
        for rule in all_rules:
            if rule.meta.get("regimes", "").strip() == "global":
                graph = str(ns.inferred_graph(COMMON))
                store.update(_render(rule, "", graph, None, _dataset(store, graph)))
                continue
            for regime in regimes:
                if applies(rule, regime.id):
                    graph = str(ns.inferred_graph(regime.id))
                    store.update(_render(rule, regime.id, graph, regime.date,
                                         _dataset(store, graph)))
        after = _inferred_size(store)
        log.info("rules round %d: %d -> %d inferred triples", round_no, before, after)
        if after == before:
            break
    return {str(g): store.graph_size(g) for g in store.graph_names() if "/inferred/" in str(g)}
