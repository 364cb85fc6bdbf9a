"""The IRIs exportkg mints and reuses, in one place.

Every module takes its namespaces from here so that an IRI scheme change is one edit, and so the
server can map any entity IRI back to a local path (issue: entity pages).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, Namespace, URIRef

EKG = Namespace("https://w3id.org/exportkg/ontology#")
ONTOLOGY_IRI = URIRef("https://w3id.org/exportkg/ontology")
ID = Namespace("https://w3id.org/exportkg/id/")
GRAPH = Namespace("https://w3id.org/exportkg/graph/")
ORG = Namespace("http://www.w3.org/ns/org#")
SH = Namespace("http://www.w3.org/ns/shacl#")
WD = Namespace("http://www.wikidata.org/entity/")

ONTOLOGY_GRAPH = GRAPH["ontology"]
FACTS_GRAPH = GRAPH["facts"]

PREFIXES: dict[str, Namespace] = {
    "ekg": EKG,
    "id": ID,
    "org": ORG,
    "prov": PROV,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "wd": WD,
    "sh": SH,
}

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A stable lowercase IRI segment, so ids derived from names survive rebuilds."""
    return _SLUG.sub("-", text.lower()).strip("-")


def regime_graph(regime_id: str) -> URIRef:
    return GRAPH[f"regime/{regime_id}"]


def inferred_graph(regime_id: str) -> URIRef:
    return GRAPH[f"inferred/{regime_id}"]


@lru_cache(maxsize=1024)
def country(iso2: str) -> URIRef:
    """A country's IRI, kept once made: a golden copy asks for the same 250 millions of times."""
    return ID[f"country/{iso2.upper()}"]


def group(code: str) -> URIRef:
    """`D:5` -> id/group/D5: the colon is not safe in a path segment."""
    return ID[f"group/{code.replace(':', '')}"]


def _minter(kind: str) -> Callable[[str], URIRef]:
    """IRIs of one kind of entity: id/<kind>/<local id>."""

    def mint(local_id: str) -> URIRef:
        return ID[f"{kind}/{local_id}"]

    mint.__name__ = kind
    return mint


org = _minter("org")
source = _minter("source")
regime = _minter("regime")
chip = _minter("chip")
model = _minter("model")
datacenter = _minter("datacenter")


def sparql_prefixes() -> str:
    """PREFIX lines for queries composed in code (tests, the CLI's inline queries)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
