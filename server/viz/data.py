"""What the graph views show, read from the store through the viz-* system queries.

Every SPARQL text is a file in queries/system (viz-neighbours, viz-policies, viz-tiers,
viz-tier-diff, viz-group-tree, viz-label); this module walks and shapes their rows into a VizGraph.
A neighbourhood is walked breadth first, one query per expanded node, and stops at a node cap: a node
whose links were cut carries how many are missing, so the page can offer them (the "more" affordance).
"""

from __future__ import annotations

import logging
import re

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from exportkg.graph import namespaces as ns
from exportkg.graph.config import Settings
from exportkg.graph.errors import QueryError
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.named import Row, ask, rows
from exportkg.server.views.terms import curie, href
from exportkg.server.viz.model import TIERS, VizEdge, VizGraph, VizNode

log = logging.getLogger(__name__)

DEFAULT_REGIME = "ifr-jan2025"
DEFAULT_CAP = 150
MAX_CAP = 1000
PER_NODE = 40
REGIME_ID = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
#: id kinds tried, in order, for a bare id such as "g42" or "PL"
ID_KINDS = ("org", "datacenter", "country", "group", "chip", "model", "regime")
#: the order a node's links are kept in when the cap cuts them: structure first, hubs last
EDGE_ORDER = ("controls", "minorityStake", "headquarteredIn", "ownedBy", "operatedBy", "locatedIn",
              "memberOf", "inTier")


class VizError(ValueError):
    """A view cannot be drawn (unknown entity or regime); the message is for the user."""


def _text(row: Row, key: str) -> str | None:
    value = row.get(key)
    return None if value is None else str(value)


def _number(row: Row, key: str) -> float | None:
    value = row.get(key)
    try:
        return None if value is None else float(str(value))
    except ValueError:
        return None


def regime_iri(regime: str) -> str:
    if not REGIME_ID.match(regime):
        raise VizError(f"{regime!r} is not a regime id such as {DEFAULT_REGIME}")
    return str(ns.regime(regime))


def resolve(store: KnowledgeStore, settings: Settings, text: str) -> str:
    """An entity IRI from a full IRI, a path such as org/g42, or a bare id (g42, PL, D:5)."""
    text = text.strip()
    if text.startswith(("http://", "https://")):
        candidates = [text]
    elif "/" in text:
        candidates = [str(ns.ID) + text.strip("/")]
    else:
        candidates = [str(ns.ID[f"{kind}/{text}"]) for kind in ID_KINDS]
        candidates += [str(ns.country(text)), str(ns.group(text.upper()))]
    for iri in candidates:
        try:
            if ask(store, settings, "entity-known", iri=iri):
                return iri
        except QueryError:
            continue
    raise VizError(f"no entity {text!r} in the graph (an IRI, a path such as org/g42, or an id)")


def policies(store: KnowledgeStore, settings: Settings, regime: str) -> dict[tuple[str, str], str]:
    """(location code, headquarters flag) -> review policy for 3A090.a under the regime."""
    return {(str(r["dest"]), str(r["flag"])): str(r["policy"])
            for r in rows(store, settings, "viz-policies", regime=regime)}


def _policy(row: Row, table: dict[tuple[str, str], str]) -> str | None:
    """A party's policy as `exportkg determine` gives it: no determination node means not controlled."""
    located, flag = _text(row, "located"), _text(row, "flag")
    if located is None or flag is None:
        return "unknown" if row.get("nodeKind") is not None and str(row["nodeKind"]) in (
            "organization", "datacenter") else None
    return table.get((located, flag), "none")


def node_from(row: Row, iri: str, regime_id: str, table: dict[tuple[str, str], str]) -> VizNode:
    """A neighbour (or self) row of viz-neighbours as a node, its facts in the tooltip."""
    kind = _text(row, "nodeKind") or "other"
    tier = _number(row, "tierNumber")
    node = VizNode(iri, _text(row, "label") or curie(iri), kind, None if tier is None else int(tier),
                   href=href(iri))
    if kind in ("organization", "datacenter"):
        node.policy = _policy(row, table)
    located, h100e = _text(row, "located"), _number(row, "h100e")
    if located:
        node.details.append(f"located in {located}")
    if h100e is not None:
        node.details.append(f"H100 equivalents: {h100e:,.0f}")
    lists = _text(row, "lists")
    if lists:
        node.details.append(f"on BIS lists: {lists} (see its page for the entries and notices)")
    if kind == "country":
        node.details.append(f"{TIERS.get(node.tier, TIERS[None])[0]} under {regime_id}")
    if node.policy:
        node.details.append(f"3A090.a here under {regime_id}: {node.policy.replace('_', ' ')}")
    node.details.append(iri)
    return node


def _edge_label(row: Row) -> str:
    share = _number(row, "share")
    if share is not None:
        return f"{share:g} %"
    kind = _text(row, "kind")
    return (_text(row, "basis") or "") if kind in ("controls", "minorityStake") else ""


def _order(row: Row) -> tuple[int, float, str]:
    kind = _text(row, "kind") or ""
    rank = EDGE_ORDER.index(kind) if kind in EDGE_ORDER else len(EDGE_ORDER)
    return rank, -(_number(row, "h100e") or 0.0), _text(row, "label") or ""


def expand_one(graph: VizGraph, store: KnowledgeStore, settings: Settings, iri: str, regime_id: str,
               table: dict[tuple[str, str], str], cap: int, per_node: int) -> list[str]:
    """Add one node's links (within the caps); returns the neighbours newly added."""
    found = rows(store, settings, "viz-neighbours", node=iri, regime=regime_iri(regime_id))
    for row in found:
        if _text(row, "kind") == "self":
            graph.add_node(node_from(row, iri, regime_id, table))
    added, hidden = [], set()
    for row in sorted((r for r in found if _text(r, "kind") != "self"), key=_order):
        other = str(row["other"])
        if other not in graph.nodes:
            if len(graph.nodes) >= cap or len(added) >= per_node:
                hidden.add(other)
                continue
            graph.add_node(node_from(row, other, regime_id, table))
            added.append(other)
        graph.add_edge(VizEdge(str(row["source"]), str(row["target"]), str(row["kind"]), _edge_label(row)))
    if iri in graph.nodes:
        graph.nodes[iri].more = len(hidden - set(graph.nodes))
    return added


def per_node_limit(cap: int) -> int:
    """How many new neighbours one node may add: a larger view lets hubs show more of their links."""
    return max(PER_NODE, cap // 5)


def neighbourhood(store: KnowledgeStore, settings: Settings, iri: str, regime_id: str = DEFAULT_REGIME,
                  depth: int = 1, cap: int = DEFAULT_CAP, per_node: int | None = None) -> VizGraph:
    """The entity and what lies within `depth` links of it; edges of every node closer than `depth`."""
    per_node = per_node or per_node_limit(cap)
    graph = VizGraph(f"Neighbourhood under {regime_id}")
    table = policies(store, settings, regime_iri(regime_id))
    frontier = [iri]
    for _ in range(max(1, min(depth, 3))):
        following: list[str] = []
        for node in frontier:
            if len(graph.nodes) >= cap:
                break  # full: walking on would only add links among drawn nodes, at a query each
            following += expand_one(graph, store, settings, node, regime_id, table, cap, per_node)
        frontier = following
    if iri not in graph.nodes:
        raise VizError(f"{iri} has nothing to draw")
    root = graph.nodes[iri]
    root.root = True
    graph.title = f"{root.label}: neighbourhood (depth {depth}) under {regime_id}"
    if len(graph.nodes) >= cap:
        graph.notes.append(f"The view stops at {cap} nodes; nodes marked +N have more links.")
    return graph


def tiers(store: KnowledgeStore, settings: Settings, regime_id: str) -> VizGraph:
    """Every country linked to its tier under the regime."""
    graph = VizGraph(f"Countries by tier under {regime_id}")
    for row in rows(store, settings, "viz-tiers", regime=regime_iri(regime_id)):
        tier_iri, number = str(row["tier"]), int(_number(row, "tierNumber") or 0)
        graph.add_node(VizNode(tier_iri, f"Tier {number} ({regime_id})", "tier", number, href=href(tier_iri)))
        country = str(row["country"])
        graph.add_node(VizNode(country, _text(row, "label") or curie(country), "country", number,
                               href=href(country), details=[f"Tier {number} under {regime_id}", country]))
        graph.add_edge(VizEdge(country, tier_iri, "inTier"))
    if not graph.nodes:
        graph.notes.append(f"{regime_id} defines no tiers.")
    return graph


def impact(store: KnowledgeStore, settings: Settings, base: str, against: str) -> VizGraph:
    """Countries by tier under `against`; those whose tier differs from `base` are highlighted."""
    graph = VizGraph(f"Tier changes from {base} to {against}")
    found = rows(store, settings, "viz-tier-diff", base=regime_iri(base), against=regime_iri(against))
    for row in found:
        country, code = str(row["country"]), _text(row, "code") or ""
        label = _text(row, "label") or curie(country)
        was, now = _number(row, "baseNumber"), _number(row, "againstNumber")
        was_n, now_n = (None if was is None else int(was)), (None if now is None else int(now))
        changed = was_n != now_n
        words = f"{_tier_words(was_n)} under {base} → {_tier_words(now_n)} under {against}"
        graph.add_node(VizNode(country, label, "country", now_n, href=href(country), changed=changed,
                               faded=not changed, details=[words, country]))
        for key, regime_id, number, kind in (("againstTier", against, now_n, "inTier"),
                                             ("baseTier", base, was_n, "wasInTier")):
            if row.get(key) is None or (kind == "wasInTier" and not changed):
                continue
            tier_iri = str(row[key])
            graph.add_node(VizNode(tier_iri, f"Tier {number} ({regime_id})", "tier", number, href=href(tier_iri)))
            graph.add_edge(VizEdge(country, tier_iri, kind))
        if changed:
            graph.changes.append(f"{label} ({code}): {words}")
    graph.notes.append(f"{len(graph.changes)} of {len(found)} countries change tier; the others are drawn small.")
    return graph


def _tier_words(number: int | None) -> str:
    return "no tier" if number is None else f"Tier {number}"


def group_tree(store: KnowledgeStore, settings: Settings, iri: str, regime_id: str) -> VizGraph:
    """The control tree of the entity's group, members coloured by their 3A090.a review policy."""
    table = policies(store, settings, regime_iri(regime_id))
    graph = VizGraph(f"Ownership tree under {regime_id}", legend="policy")
    found = rows(store, settings, "viz-group-tree", org=iri, regime=regime_iri(regime_id))
    for row in found:
        member = str(row["member"])
        node = graph.add_node(VizNode(member, _text(row, "label") or curie(member), "organization",
                                      href=href(member), colour_by="policy"))
        node.policy = _policy({**row, "nodeKind": Literal("organization")}, table)
        located, top_hq = _text(row, "located"), _text(row, "topHq")
        if located and not node.details:
            foreign = " (foreign subsidiary)" if top_hq and located != top_hq else ""
            node.details += [f"located in {located}{foreign}",
                             f"3A090.a here under {regime_id}: {(node.policy or 'unknown').replace('_', ' ')}",
                             member]
            node.label += f" ({located})"
    for row in found:
        if row.get("owner") is not None:
            graph.add_edge(VizEdge(str(row["owner"]), str(row["member"]), "controls", _edge_label(row)))
    if found:
        top = str(found[0]["top"])
        graph.title = f"{graph.nodes[top].label.rsplit(' (', 1)[0]}: ownership tree under {regime_id}"
        graph.nodes[top].root = True
    graph.notes.append(f"Colour: the review policy for 3A090.a chips at each member's location under {regime_id}.")
    return graph


def _term_id(term: Node) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def from_triples(store: KnowledgeStore, settings: Settings, triples: Graph, cap: int = 500) -> VizGraph:
    """A CONSTRUCT result as a graph: resources are nodes, literals go into their node's tooltip."""
    graph = VizGraph(f"CONSTRUCT result: {len(triples)} triples")
    labels = {_term_id(s): str(o) for s, o in triples.subject_objects(RDFS.label)}
    skipped = 0
    for s, p, o in sorted(triples, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        source = _resource(graph, store, settings, s, labels, cap)
        if source is None:
            skipped += 1
            continue
        if isinstance(o, Literal) or p == RDF.type:
            if p != RDFS.label:
                source.details.append(f"{curie(str(p))}: {curie(str(o)) if p == RDF.type else o}")
            continue
        target = _resource(graph, store, settings, o, labels, cap)
        if target is None:
            skipped += 1
            continue
        graph.add_edge(VizEdge(source.id, target.id, "predicate", curie(str(p))))
    if skipped:
        graph.notes.append(f"The view stops at {cap} nodes: {skipped} triples are not drawn.")
    return graph


def _resource(graph: VizGraph, store: KnowledgeStore, settings: Settings, term: Node,
              labels: dict[str, str], cap: int) -> VizNode | None:
    key = _term_id(term)
    if key in graph.nodes:
        return graph.nodes[key]
    if len(graph.nodes) >= cap:
        return None
    label, kind = labels.get(key), "other"
    if isinstance(term, URIRef) and term.startswith(("http://", "https://")):
        found = rows(store, settings, "viz-label", iri=str(term))
        if found:
            label = label or _text(found[0], "label")
            kind = _text(found[0], "kind") or "other"
    node = VizNode(key, label or curie(key), kind, href=href(key) if isinstance(term, URIRef) else None)
    node.details.append(key)
    return graph.add_node(node)

