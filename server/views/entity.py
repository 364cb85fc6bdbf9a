"""Everything an entity page shows: label, types, facts (asserted or inferred), sources, incoming links.

Determinations for parties are gathered in `parties.py`; this module only reads the graph through the
system queries and turns terms into `TermView`s for the templates.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import DCTERMS, RDF, RDFS, URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.config import Settings
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.named import Row, ask, rows
from exportkg.server.views.terms import TermView, curie, view

PARTY_CLASSES = {ns.EKG.Company, ns.EKG.GovernmentBody, ns.EKG.University, ns.EKG.ResearchInstitute,
                 ns.EKG.Consortium, ns.EKG.DataCenter}


@dataclass
class Fact:
    predicate: TermView
    value: TermView
    graph: str  # "asserted" or the regime/graph the rules wrote it to


@dataclass
class SourceView:
    source: TermView
    title: str
    publisher: str
    citation: str
    url: str
    kind: str


@dataclass
class FactNode:
    """A node that carries sources: the entity itself or an n-ary fact about it (an ownership link)."""

    node: TermView
    confidence: str
    confidence_label: str
    sources: list[SourceView] = field(default_factory=list)


@dataclass
class Incoming:
    subject: TermView
    predicate: TermView


@dataclass
class EntityView:
    iri: str
    label: str
    types: list[TermView]
    type_iris: set[URIRef]
    facts: list[Fact]
    fact_nodes: list[FactNode]
    incoming: list[Incoming]
    incoming_total: int

    @property
    def is_party(self) -> bool:
        return bool(self.type_iris & PARTY_CLASSES)

    @property
    def is_organization(self) -> bool:
        return ns.EKG.Organization in self.type_iris


def known(store: KnowledgeStore, settings: Settings, iri: str) -> bool:
    return ask(store, settings, "entity-known", iri=iri)


def graph_name(graph: object) -> str:
    """'asserted' for the curated facts, else the named graph's path (inferred/ifr-jan2025, ...)."""
    name = str(graph)
    if name == str(ns.FACTS_GRAPH):
        return "asserted"
    return name[len(str(ns.GRAPH)):] if name.startswith(str(ns.GRAPH)) else name


def gather(store: KnowledgeStore, settings: Settings, iri: str) -> EntityView:
    """The entity's page data; the caller has checked that the graph mentions the IRI."""
    fact_rows = rows(store, settings, "entity-facts", iri=iri)
    facts = [Fact(view(r["predicate"], r["predicateLabel"]), view(r["value"], r["valueLabel"]),
                  graph_name(r["graph"])) for r in fact_rows]
    types = {r["value"]: r["valueLabel"] for r in fact_rows if r["predicate"] == RDF.type}
    labels = [str(r["value"]) for r in fact_rows if r["predicate"] == RDFS.label]
    labels += [str(r["value"]) for r in fact_rows if r["predicate"] == DCTERMS.title]  # sources have titles
    incoming = [Incoming(view(r["subject"], r["subjectLabel"]), view(r["predicate"], r["predicateLabel"]))
                for r in rows(store, settings, "entity-incoming", iri=iri)]
    total = rows(store, settings, "entity-incoming-count", iri=iri)
    return EntityView(iri=iri, label=labels[0] if labels else curie(iri),
                      types=[view(t, label) for t, label in types.items()],
                      type_iris={t for t in types if isinstance(t, URIRef)}, facts=facts,
                      fact_nodes=fact_nodes(rows(store, settings, "entity-sources", iri=iri)),
                      incoming=incoming, incoming_total=int(total[0]["n"]) if total else 0)


def _text(row: Row, key: str) -> str:
    return "" if row[key] is None else str(row[key])


def fact_nodes(source_rows: list[Row]) -> list[FactNode]:
    """Group the sources query's rows by the node that cites them."""
    nodes: dict[str, FactNode] = {}
    cited: dict[str, set[str]] = defaultdict(set)
    for row in source_rows:
        key = str(row["node"])
        node = nodes.setdefault(key, FactNode(view(row["node"], row["nodeLabel"]), _text(row, "confidence"),
                                              _text(row, "confidenceLabel")))
        if str(row["source"]) in cited[key]:
            continue
        cited[key].add(str(row["source"]))
        node.sources.append(SourceView(view(row["source"], row["title"]), _text(row, "title"),
                                       _text(row, "publisher"), _text(row, "citation"), _text(row, "url"),
                                       _text(row, "kind")))
    return list(nodes.values())


def chain(store: KnowledgeStore, settings: Settings, iri: str) -> list[dict[str, object]]:
    """The controlling chain above an organization, from its direct parent up to the ultimate parent."""
    links = rows(store, settings, "control-chain", party=iri)
    by_owned = {str(r["owned"]): r for r in links}
    ordered, current, seen = [], iri, set()
    while current in by_owned and current not in seen:
        seen.add(current)
        link = by_owned[current]
        ordered.append({"owned": view(link["owned"], link["ownedName"]),
                        "owner": view(link["owner"], link["ownerName"]),
                        "share": _text(link, "share"), "basis": _text(link, "basis"),
                        "owner_hq": _text(link, "ownerHQ")})
        current = str(link["owner"])
    return ordered
