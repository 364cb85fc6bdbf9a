"""How an RDF term is shown on a page: its text, and where a link to it should lead.

Entity IRIs (https://w3id.org/exportkg/id/...) lead to this server's /id/ pages, ontology terms to
the anchors of /ontology, other IRIs to themselves. Escaping is left to Jinja's autoescape.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import XSD, BNode, Literal, URIRef
from rdflib.term import Node

from exportkg.graph import namespaces as ns
from exportkg.graph.render.table import FRACTIONAL, short

ENTITY_PREFIX = str(ns.ID)
ONTOLOGY_PREFIX = str(ns.EKG)


@dataclass
class TermView:
    """A term ready for a template: `href` is None for literals and blank nodes."""

    text: str
    href: str | None = None
    iri: str | None = None
    note: str = ""  # a literal's datatype or language, an IRI's compact form

    @property
    def is_link(self) -> bool:
        return self.href is not None


def curie(iri: str) -> str:
    """ekg:Company rather than the full IRI, where a known prefix fits."""
    for prefix, namespace in ns.PREFIXES.items():
        if iri.startswith(str(namespace)) and len(iri) > len(str(namespace)):
            return f"{prefix}:{iri[len(str(namespace)):]}"
    return iri


def anchor(iri: str) -> str:
    """The /ontology anchor of a term: the local name for ekg terms, prefix-local for reused ones."""
    if iri.startswith(ONTOLOGY_PREFIX):
        return iri[len(ONTOLOGY_PREFIX):]
    return curie(iri).replace(":", "-").replace("/", "-").replace("#", "-")


def href(iri: str) -> str | None:
    """Where a link to an IRI should lead when it is shown on this server (None: not linkable).

    Only http(s) IRIs become links, so a `javascript:` IRI in imported data cannot run on a click."""
    if iri.startswith(ENTITY_PREFIX):
        return "/id/" + iri[len(ENTITY_PREFIX):]
    if iri.startswith(ONTOLOGY_PREFIX) or iri == str(ns.ONTOLOGY_IRI):
        return "/ontology" + (f"#{anchor(iri)}" if iri.startswith(ONTOLOGY_PREFIX) else "")
    return iri if iri.startswith(("http://", "https://")) else None


def view(term: Node | None, label: Node | None = None) -> TermView:
    """A term as shown: an IRI by its label (or compact form) with a link, a literal by its text."""
    if term is None:
        return TermView("")
    if isinstance(term, URIRef):
        iri = str(term)
        return TermView(str(label) if label is not None else curie(iri), href(iri), iri, curie(iri))
    if isinstance(term, Literal):
        plain = term.datatype is None or term.datatype == XSD.string  # a plain string needs no note
        note = term.language or ("" if plain else curie(str(term.datatype)))
        if term.datatype in FRACTIONAL:  # for reading; the exact value is in every RDF download and /sparql
            return TermView(short(term), note=note)
        return TermView(str(term), note=note)
    if isinstance(term, BNode):
        return TermView(f"_:{term}")
    return TermView(str(term))


def entity_iri(path: str) -> str:
    """The graph IRI that the server path /id/<path> stands for."""
    return ENTITY_PREFIX + path
