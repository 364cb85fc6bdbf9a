"""What a set of rules can read: the predicates of their triple patterns and the classes they type-test.

A regime's rules run on a store of their own (reasoning/partition.py) that needs only the triples
those rules could match. A triple pattern with a constant predicate matches only triples with that
predicate, and `?x a ekg:Country` only type triples of that class (the class hierarchy is
materialized by the global rule `class-hierarchy`, so no rule walks `rdfs:subClassOf` at run time
unless it says so, and then `rdfs:subClassOf` is one of its predicates). So the regime's store gets
those triples, not the millions of organizations a GLEIF import adds, which no regime rule reads (the
parties reach the regimes through their headquarters profiles). A rule with a variable predicate, a
negated property set or a type pattern with a variable class could read anything: then nothing is
left out (`Reads.everything`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path as FilePath

from rdflib import RDF, URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, Path, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from exportkg.graph import namespaces as ns
from exportkg.graph.reasoning.rules import RegimeInfo, RuleStep, as_construct
from exportkg.queries.catalog import NamedQuery

#: where the subjects of a read come from: ("class", C, p1, ...) the instances of C, then the objects
#: of p1 from them, and so on; ("iri", S, p1, ...) the same from one node
Anchor = tuple[str, URIRef, ...]


@dataclass(frozen=True)
class Reads:
    """Predicates read in full, classes whose type triples are read, predicates read only on the
    subjects an anchor reaches (`?chip a ekg:Accelerator ; rdfs:label ?l`: labels of accelerators) -
    or everything."""

    predicates: frozenset[URIRef] = frozenset()
    classes: frozenset[URIRef] = frozenset()
    anchored: frozenset[tuple[URIRef, Anchor]] = frozenset()
    everything: bool = False

    def __or__(self, other: Reads) -> Reads:
        if self.everything or other.everything:
            return EVERYTHING
        return Reads(self.predicates | other.predicates, self.classes | other.classes,
                     self.anchored | other.anchored)

    def restricted(self) -> frozenset[tuple[URIRef, Anchor]]:
        """The anchored reads of predicates not also read in full."""
        return frozenset(a for a in self.anchored if a[0] not in self.predicates)

    def settled(self, written: Reads) -> Reads:
        """These reads where the steps also write `written`: an anchor that passes through a written
        predicate or class cannot be followed before the steps run, so its predicate is read in full."""
        if self.everything:
            return self
        def open_(anchor: Anchor) -> bool:
            kind, start, *steps = anchor
            return (written.everything or (kind == "class" and start in written.classes)
                    or any(step in written.predicates for step in steps))
        loose = {predicate for predicate, anchor in self.anchored if open_(anchor)}
        return Reads(self.predicates | loose, self.classes,
                     frozenset(a for a in self.anchored if a[0] not in loose))


EVERYTHING = Reads(everything=True)


def reads_of(queries: Iterable[str]) -> Reads:
    """What these SPARQL queries (rendered rule CONSTRUCTs) can read, together."""
    found = Reads()
    for text in queries:
        found |= _reads(prepareQuery(text).algebra)
        if found.everything:
            break
    return found


def writes_of(queries: Iterable[str]) -> Reads:
    """The predicates and classes these CONSTRUCTs' templates write (everything: a variable one)."""
    found = Reads()
    for text in queries:
        found |= _writes(prepareQuery(text).algebra)
    return found


def _writes(algebra: CompValue) -> Reads:
    found = Reads()
    for _, predicate, obj in algebra.template:
        if predicate == RDF.type:
            found |= Reads(classes=frozenset({obj})) if isinstance(obj, URIRef) else EVERYTHING
        else:
            found |= Reads(predicates=frozenset({predicate})) if isinstance(predicate, URIRef) else EVERYTHING
    return found


#: rules are parsed once, for a stand-in regime whose IRIs are then replaced by each regime's own
#: (rdflib's parser takes about 0.1 s a rule: once per regime and rule was a minute per build)
STAND_IN = RegimeInfo("reads-stand-in", "2000-01-01")
_PARSED: dict[tuple[str, str], tuple[Reads, Reads]] = {}


def step_reads(steps: Sequence[RuleStep], cache: FilePath | None = None) -> Reads:
    """What one regime's steps read from the data they start on (their own writes cannot anchor).
    `cache`: a folder where each rule's reads are kept between processes (an import that updates the
    store would otherwise parse every rule: about 2 s)."""
    reads, writes = Reads(), Reads()
    for step in steps:
        rule_reads, rule_writes = _parsed(step, cache)
        reads, writes = reads | _for(rule_reads, step.regime), writes | _for(rule_writes, step.regime)
    return reads.settled(writes)


def step_writes(step: RuleStep, cache: FilePath | None = None) -> Reads:
    """The predicates and classes one step writes."""
    return _for(_parsed(step, cache)[1], step.regime)


def _parsed(step: RuleStep, cache: FilePath | None) -> tuple[Reads, Reads]:
    key = (step.rule.name, step.rule.text)
    if key not in _PARSED:
        _PARSED[key] = _cached(step.rule, cache)
    return _PARSED[key]


def _cached(rule: NamedQuery, cache: FilePath | None) -> tuple[Reads, Reads]:
    """A rule's reads and writes, parsed, or read from the cache file named by a digest of its text."""
    text = as_construct(rule, STAND_IN)
    path = cache / f"reads-{hashlib.sha256(text.encode()).hexdigest()[:24]}.json" if cache else None
    if path is not None and path.exists():
        try:
            return tuple(_decoded(part) for part in json.loads(path.read_text(encoding="utf-8")))  # type: ignore[return-value]
        except (OSError, ValueError, KeyError, TypeError):
            pass  # parsed again below
    algebra = prepareQuery(text).algebra
    found = _reads(algebra), _writes(algebra)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps([_encoded(r) for r in found]), encoding="utf-8")
        except OSError:
            pass  # a cache that cannot be written is only slower
    return found


def _encoded(reads: Reads) -> dict:
    return {"p": sorted(reads.predicates), "c": sorted(reads.classes), "e": reads.everything,
            "a": sorted([str(p), [str(x) for x in anchor]] for p, anchor in reads.anchored)}


def _decoded(data: dict) -> Reads:
    return Reads(frozenset(map(URIRef, data["p"])), frozenset(map(URIRef, data["c"])),
                 frozenset((URIRef(p), (a[0], *map(URIRef, a[1:]))) for p, a in data["a"]), bool(data["e"]))


def _for(reads: Reads, regime: RegimeInfo | None) -> Reads:
    """The stand-in's IRIs (the regime and its inferred graph) as the regime's own."""
    if regime is None:
        return reads
    swap = {ns.regime(STAND_IN.id): ns.regime(regime.id),
            ns.inferred_graph(STAND_IN.id): ns.inferred_graph(regime.id)}
    def term(t: URIRef) -> URIRef:
        return swap.get(t, t)
    return Reads(frozenset(map(term, reads.predicates)), frozenset(map(term, reads.classes)),
                 frozenset((term(p), tuple(term(x) if isinstance(x, URIRef) else x for x in a))  # type: ignore[misc]
                           for p, a in reads.anchored), reads.everything)


def _reads(node: object) -> Reads:
    found = Reads()
    if isinstance(node, CompValue):
        if node.name == "BGP":
            found |= _bgp(node.triples)
        for value in node.values():
            found |= _reads(value)
    elif isinstance(node, list | tuple):
        for item in node:
            found |= _reads(item)
    return found


def _anchors(triples: list[tuple[object, object, object]]) -> dict[object, Anchor]:
    """The variables of one basic graph pattern whose values the pattern itself confines: typed with a
    constant class, or reached by a constant predicate from a confined variable or a constant node.
    Within one BGP every solution matches every pattern, so the confinement holds for each triple read."""
    anchors: dict[object, Anchor] = {}
    for subject, predicate, obj in triples:
        if predicate == RDF.type and isinstance(obj, URIRef) and isinstance(subject, Variable):
            anchors.setdefault(subject, ("class", obj))
    changed = True
    while changed:
        changed = False
        for subject, predicate, obj in triples:
            start = anchors.get(subject) or (("iri", subject) if isinstance(subject, URIRef) else None)
            if (start and isinstance(predicate, URIRef) and predicate != RDF.type and isinstance(obj, Variable)
                    and obj not in anchors and len(start) < 6):
                anchors[obj] = (*start, predicate)
                changed = True
    return anchors


def _bgp(triples: list[tuple[object, object, object]]) -> Reads:
    anchors = _anchors(triples)
    found = Reads()
    for subject, predicate, obj in triples:
        found |= _pattern(subject, predicate, obj, anchors)
    return found


def _pattern(subject: object, predicate: object, obj: object, anchors: dict[object, Anchor]) -> Reads:
    if predicate == RDF.type:
        return Reads(classes=frozenset({obj})) if isinstance(obj, URIRef) else EVERYTHING
    if isinstance(predicate, URIRef):
        anchor = anchors.get(subject) or (("iri", subject) if isinstance(subject, URIRef) else None)
        if anchor is not None:
            return Reads(anchored=frozenset({(predicate, anchor)}))
        return Reads(predicates=frozenset({predicate}))
    if isinstance(predicate, Path):
        return _path(predicate)
    return EVERYTHING  # a variable predicate


def _path(path: object) -> Reads:
    """A property path reads its predicates in full (rdf:type in a path: every type triple)."""
    if isinstance(path, URIRef):
        return Reads(predicates=frozenset({path}))
    if isinstance(path, SequencePath | AlternativePath):
        found = Reads()
        for arg in path.args:
            found |= _path(arg)
        return found
    if isinstance(path, InvPath | MulPath):
        return _path(path.path)
    return EVERYTHING  # a negated property set
