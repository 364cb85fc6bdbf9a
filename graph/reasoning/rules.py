"""The reasoner's rules as steps: which rule runs for which regime, in which stratum, as which SPARQL.

Each rule is a SPARQL Update in queries/rules/*.rq whose header names it, cites the law it encodes,
says which regimes it applies to (`regimes: all`, a list of ids, or `global` for regime-independent
facts such as ultimate parents) and declares its parameters (`# param: regime regime`, `date`,
`inferred`), which are filled in through the query catalog's typed substitution like any named query.
A step is rendered in the form its store takes: a CONSTRUCT over the union graph for a store that can
add a CONSTRUCT's triples itself, else the portable `INSERT ... USING ... WHERE` update. This module
never touches a store: the engine (reasoning/engine.py) hands it the graph names it needs.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import groupby

from rdflib import URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.config import Settings
from exportkg.queries.catalog import NamedQuery, catalog, focused

COMMON = "common"
WHERE_LINE = re.compile(r"(?m)^WHERE\b")
INSERT_HEAD = re.compile(r"INSERT\s*\{\s*GRAPH\s*\$inferred\s*\{")
TEMPLATE_END = re.compile(r"\}\s*\}\s*\n(?=WHERE)")


@dataclass(frozen=True)
class RegimeInfo:
    id: str
    date: str


def rules(settings: Settings) -> list[NamedQuery]:
    return list(catalog(settings.queries_dir).rules.values())


def applies(rule: NamedQuery, regime_id: str) -> bool:
    scope = rule.meta.get("regimes", "all").split()
    return scope == ["all"] or regime_id in scope


def is_global(rule: NamedQuery) -> bool:
    return rule.meta.get("regimes", "").strip() == "global"


def plan(regimes: Sequence[RegimeInfo], settings: Settings, *, only: Collection[str] | None = None,
         with_global: bool = True) -> list[tuple[NamedQuery, RegimeInfo | None]]:
    """The evaluation order: rule files in name order (their numeric prefixes are the strata), each
    for every regime it applies to. A rule only reads what earlier strata wrote, so one pass reaches
    the fixpoint; `run_rules(verify=True)` checks that a second pass adds nothing.

    `only` and `with_global` narrow the plan to some regimes (and the global rules or not), for a
    scenario that adds one regime to a store whose other inferences are already there."""
    chosen = [r for r in regimes if only is None or r.id in only]
    steps: list[tuple[NamedQuery, RegimeInfo | None]] = []
    for rule in sorted(rules(settings), key=lambda r: r.path.name):
        if is_global(rule):
            if with_global:
                steps.append((rule, None))
        else:
            steps.extend((rule, regime) for regime in chosen if applies(rule, regime.id))
    return steps


def target_graph(regime: RegimeInfo | None) -> URIRef:
    return ns.inferred_graph(regime.id if regime else COMMON)


def _values(rule: NamedQuery, regime: RegimeInfo | None) -> dict[str, str]:
    """The values of the parameters this rule declares (the catalog refuses undeclared ones)."""
    offered = {"inferred": str(target_graph(regime))}
    if regime is not None:
        offered.update(regime=regime.id, date=regime.date)
    return {p.name: offered[p.name] for p in rule.params if p.name in offered}


def using_clauses(graphs: Sequence[URIRef], target: URIRef) -> str:
    """USING clauses: the rule reads facts, regimes, the shared inferences and its own regime's, never
    another regime's inferences (portable SPARQL 1.1: no engine-specific union graph)."""
    common = str(ns.inferred_graph(COMMON))
    chosen = [str(g) for g in graphs if "/inferred/" not in str(g) or str(g) in (str(target), common)]
    if str(target) not in chosen:
        chosen.append(str(target))
    return "".join(f"USING <{g}>\n" for g in chosen)


def as_construct(rule: NamedQuery, regime: RegimeInfo | None) -> str:
    """The rule as a CONSTRUCT over the default graph: what an engine with a union graph evaluates."""
    text = INSERT_HEAD.sub("CONSTRUCT {", rule.text, count=1)
    text = TEMPLATE_END.sub("}\n", text, count=1)
    return NamedQuery(rule.name, rule.path, text, rule.meta, rule.params).render(_values(rule, regime))


def as_update(rule: NamedQuery, regime: RegimeInfo | None, graphs: Sequence[URIRef]) -> str:
    """The rule as an update that names its dataset: each WHERE at the start of a line gets the USING
    clauses (rules put their WHERE there so that this needs no parser)."""
    using = using_clauses(graphs, target_graph(regime))
    text = WHERE_LINE.sub(lambda _m: f"{using}WHERE", rule.text)
    return NamedQuery(rule.name, rule.path, text, rule.meta, rule.params).render(_values(rule, regime))


def body_query(rule: NamedQuery, regime: RegimeInfo | None) -> str:
    """The rule's WHERE as a counting SELECT over the union default graph: what evaluating the body
    once costs, the floor a rule engine cannot go under (bench/reason.py compares against it)."""
    text = as_construct(rule, regime)
    return re.sub(r"(?s)CONSTRUCT\s*\{.*?\}\s*\n(?=WHERE)", "SELECT (COUNT(*) AS ?n)\n", text, count=1)


@dataclass(frozen=True)
class RuleStep:
    """One rule for one regime. With `focus`, the rule's `# focus KIND ?var` lines restrict it to
    those keys (reasoning/reach.py)."""

    rule: NamedQuery
    regime: RegimeInfo | None
    focus: dict[str, tuple[str, ...]] | None = None

    @property
    def target(self) -> URIRef:
        return target_graph(self.regime)

    @property
    def reach(self) -> str:
        """What the rule's output is keyed by: regime (small, regime-wide), country, profile, group,
        model; global rules have none."""
        return self.rule.meta.get("reach", "global" if self.regime is None else "regime")

    def construct(self) -> str:
        return focused(as_construct(self.rule, self.regime), self.focus or {})

    def update(self, graphs: Sequence[URIRef]) -> str:
        return focused(as_update(self.rule, self.regime, graphs), self.focus or {})


def stratum(step: RuleStep) -> int:
    """A rule file's numeric prefix: rules read only what lower strata wrote."""
    return int(re.match(r"\d+", step.rule.path.name).group())  # type: ignore[union-attr]


def strata(steps: Sequence[tuple[NamedQuery, RegimeInfo | None]] | Sequence[RuleStep]) -> list[list[RuleStep]]:
    """The plan cut into strata. The steps of one stratum (its rules, for every regime) do not read
    each other's output, so they may run at the same time."""
    ordered = [s if isinstance(s, RuleStep) else RuleStep(*s) for s in steps]
    return [list(group) for _n, group in groupby(ordered, key=stratum)]
