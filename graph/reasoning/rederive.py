"""A published store brought up to date with a small change of its facts through the rules it reaches.

A build reasons from scratch: minutes at a million parties for what a researcher's three imported
rows change. Here the change (triples removed from and added to the facts graph) is written into a
copy of the published store, and only what it can reach is derived again, stratum by stratum:

1. A rule is reached when what it reads (reasoning/reads.py: its predicates, its type-tested classes,
   the predicates it reads from instances of a class) meets what changed so far: the facts delta, then
   what the reached rules of lower strata changed. A regime's rule reads the shared graphs and its own
   regime's inferences only, so another regime's changes do not reach it.
2. A reached rule runs focused (`# focus KIND ?var`, as in reasoning/reach.py) on the keys of its kind
   that the changed nodes give: the organizations below a changed one in a chain of control, the data
   centers they own or run, the headquarters profiles and groups those have, the countries they are in
   (queries/system/incremental-keys-*.rq), looked up both before and after the change.
3. What the focused rule derives before the change (on the published store, left as it was) and after
   it (on the copy) is compared: the difference is removed from and added to the rule's graph.

A rule's output for one key is the whole of its output about that key and no other key's (an
organization's ultimate parent, a profile's flags, a country's ledger), so the keys a change does not
reach keep their inferences exactly: the result is the store a full rebuild makes, which the tests
check graph for graph. A reached rule that cannot be focused on a kind named here (a regime-wide rule,
one keyed by model) makes `rederive` return None with the reason: the caller then rebuilds in full.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import RDF

from exportkg.graph.config import Settings
from exportkg.graph.reasoning.engine import plan_steps
from exportkg.graph.reasoning.reads import Reads, step_reads, step_writes
from exportkg.graph.reasoning.rules import RuleStep, strata
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.named import run

log = logging.getLogger(__name__)
SHARED = ""
#: the kinds of key a reached rule can be focused on: the changed nodes themselves, or a system query
KINDS = {"subject": None, "org": "incremental-keys-org", "datacenter": "incremental-keys-datacenter",
         "profile": "incremental-keys-profile", "country": "incremental-keys-country",
         "group": "incremental-keys-group"}
TYPE = str(RDF.type)
Typed = Callable[[set[str], str], bool]


@dataclass
class Changed:
    """What changed so far, by scope (SHARED: the facts and inferred/common; else a regime's id): the
    subjects of each predicate's changed triples, the classes of changed type triples, every node."""

    subjects: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    classes: dict[str, set[str]] = field(default_factory=dict)
    nodes: set[str] = field(default_factory=set)

    def note(self, scope: str, triples: set) -> None:
        """Triples as the store gives them (KnowledgeStore.derived)."""
        for triple in triples:
            subject, predicate, obj = KnowledgeStore.parts(triple)
            self.subjects.setdefault((scope, predicate), set()).add(subject)
            if predicate == TYPE and obj is not None:
                self.classes.setdefault(scope, set()).add(obj)
            elif obj is not None:
                self.nodes.add(obj)
            self.nodes.add(subject)

    def reaches(self, reads: Reads, regime: str | None, typed: Typed) -> bool:
        """Whether a rule reading `reads`, for `regime` (None: a global rule), sees any change.
        `typed(subjects, cls)` says whether one of the subjects is an instance of the class."""
        scopes = (SHARED,) if regime is None else (SHARED, regime)
        subjects: dict[str, set[str]] = {}
        for (scope, predicate), found in self.subjects.items():
            if scope in scopes:
                subjects.setdefault(predicate, set()).update(found)
        if reads.everything:
            return bool(subjects)
        classes = set().union(*(self.classes.get(s, set()) for s in scopes))
        if {str(p) for p in reads.predicates} & subjects.keys() or {str(c) for c in reads.classes} & classes:
            return True
        return any(_anchored(str(p), anchor, subjects, classes, typed) for p, anchor in reads.anchored)


def _anchored(predicate: str, anchor: tuple, subjects: dict[str, set[str]], classes: set[str],
              typed: Typed) -> bool:
    """A predicate read on the instances of a class (`?chip a ekg:Accelerator ; rdfs:label ?l`) is
    reached by a changed triple of that predicate about such an instance; a longer anchor, by a change
    of any predicate or class on its way."""
    kind, start, *path = anchor
    if kind == "class" and not path:
        return predicate in subjects and (str(start) in classes or typed(subjects[predicate], str(start)))
    return bool({predicate, *map(str, path)} & subjects.keys()) or str(start) in classes


@dataclass
class Rederived:
    """What `rederive` did: the steps it ran, the triples they removed and added, how long it took."""

    steps: int = 0
    removed: int = 0
    added: int = 0
    seconds: float = 0.0


class Unreachable(Exception):
    """A reached rule that cannot be focused on the keys a change gives."""


def rederive(before: KnowledgeStore, after: KnowledgeStore, settings: Settings,
             facts_removed: set, facts_added: set) -> Rederived | str:
    """Bring `after` (a copy of `before` whose facts graph has the delta written) to what a full run of
    the rules gives; returns what it did, or why it cannot (then nothing sensible is left in `after`)."""
    started = time.perf_counter()
    changed = Changed()
    changed.note(SHARED, facts_removed | facts_added)
    done = Rederived()
    steps = plan_steps(after, settings, only=settings.reason_regimes or None)
    try:
        for layer in strata(steps):
            _layer(before, after, settings, layer, changed, done)
    except Unreachable as exc:
        return str(exc)
    done.seconds = time.perf_counter() - started
    log.info("rederived %d steps: %d triples removed, %d added (%.2f s)", done.steps, done.removed,
             done.added, done.seconds)
    return done


def _layer(before: KnowledgeStore, after: KnowledgeStore, settings: Settings, layer: list[RuleStep],
           changed: Changed, done: Rederived) -> None:
    """One stratum: its steps see only what lower strata changed, so their changes are noted after.
    The steps writing one graph are compared together (what they derive before against what they
    derive after): two rules may write the same triple (rules hq-profile and hq-profile-parent, for a
    party that gains or loses its parent), which one of them no longer deriving must not remove."""
    keys: dict[str, tuple[str, ...]] = {}
    derived: dict[str, tuple[str, set, set]] = {}  # target -> (scope, before, after)

    def typed(subjects: set[str], cls: str) -> bool:
        return before.any_typed(subjects, cls) or after.any_typed(subjects, cls)

    reached = [s for s in layer
               if changed.reaches(step_reads([s], settings.cache_dir), s.regime.id if s.regime else None, typed)]
    for step in _with_partners(layer, reached, settings):
        kind = _kind(step)
        if kind not in keys:
            keys[kind] = _keys(before, after, settings, kind, changed.nodes)
        if not keys[kind]:
            continue
        focused = RuleStep(step.rule, step.regime, {kind: keys[kind]})
        _, old, new = derived.setdefault(step.target, (_scope(step), set(), set()))
        old |= before.derived(focused.construct())
        new |= after.derived(focused.construct())
        done.steps += 1
    for target, (scope, old, new) in derived.items():
        after.change(target, old - new, new - old)
        changed.note(scope, (old - new) | (new - old))
        done.removed += len(old - new)
        done.added += len(new - old)


def _scope(step: RuleStep) -> str:
    return step.regime.id if step.regime else SHARED


def _with_partners(layer: list[RuleStep], reached: list[RuleStep], settings: Settings) -> list[RuleStep]:
    """The reached steps and the layer's others that write a term one of them writes into the same
    graph, focused on the same kind of key: their triples are compared together (`_layer`)."""
    written = {id(s): step_writes(s, settings.cache_dir) for s in reached}
    steps = list(reached)
    for step in layer:
        if id(step) in written:
            continue
        writes = step_writes(step, settings.cache_dir)
        partner = next((o for o in reached if o.target == step.target and _overlap(writes, written[id(o)])), None)
        if partner is None:
            continue
        if _kind(step) != _kind(partner):
            raise Unreachable(f"rules {step.rule.name} and {partner.rule.name} write the same terms "
                              "and are focused on different keys")
        steps.append(step)
    return steps


def _overlap(one: Reads, other: Reads) -> bool:
    """Whether a step writes a predicate the reached one writes (or any: a variable predicate)."""
    return one.everything or bool(one.predicates & other.predicates)


def _kind(step: RuleStep) -> str:
    kinds = step.rule.focus_kinds & set(KINDS)
    if len(kinds) != 1:
        raise Unreachable(f"rule {step.rule.name} is reached by the change and cannot be focused on it "
                          f"(its focus kinds: {', '.join(sorted(step.rule.focus_kinds)) or 'none'})")
    return kinds.pop()


def _keys(before: KnowledgeStore, after: KnowledgeStore, settings: Settings, kind: str,
          nodes: set[str]) -> tuple[str, ...]:
    """The keys of one kind the changed nodes give, looked up before and after the change."""
    query = KINDS[kind]
    if query is None:
        return tuple(sorted(nodes))
    seeds = {"seed": tuple(sorted(nodes))}
    found = {str(row[0]) for store in (before, after) for row in run(store, settings, query, seeds)}
    return tuple(sorted(found))
