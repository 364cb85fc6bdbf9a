"""The owlready2 bridge: load the ontology and facts into owlready2 and let HermiT judge them.

OWL here does what OWL is for (consistency, the transitive controlling-ancestor property, defined
classes); thresholds and closed-world steps stay in the SPARQL rules.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from rdflib import XSD, Graph, Literal

from exportkg.graph.errors import ExportKGError

log = logging.getLogger(__name__)


class InconsistentOntology(ExportKGError):
    """HermiT found the ontology together with the facts inconsistent."""


#: XSD types outside the OWL 2 datatype map: HermiT rejects them, and SHACL already checks them
NON_OWL_DATATYPES = {XSD.date, XSD.gYear, XSD.duration}


def owl_view(*graphs: Graph) -> Graph:
    """The union of the graphs, less what OWL 2 cannot type: date literals and ranges to dates."""
    merged = Graph()
    for graph in graphs:
        for s, p, o in graph:
            if o in NON_OWL_DATATYPES or (isinstance(o, Literal) and o.datatype in NON_OWL_DATATYPES):
                continue
            merged.add((s, p, o))
    return merged


def _world_from(*graphs: Graph):  # type: ignore[no-untyped-def]
    """A fresh owlready2 World holding the graphs (N-Triples is owlready2's fast path)."""
    import owlready2

    merged = owl_view(*graphs)
    world = owlready2.World()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kg.nt"
        merged.serialize(path, format="nt", encoding="utf-8")
        onto = world.get_ontology(path.as_uri()).load(format="ntriples")
    return world, onto


def reason(*graphs: Graph):  # type: ignore[no-untyped-def]
    """Classify with HermiT and return the World, so callers can ask for inferred facts."""
    import owlready2

    world, onto = _world_from(*graphs)
    try:
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as exc:
        raise InconsistentOntology(f"the ontology and facts are inconsistent (HermiT): {exc}") from exc
    return world


def check_consistency(ontology: Graph, facts: Graph) -> None:
    """Raise InconsistentOntology if HermiT finds a contradiction."""
    reason(ontology, facts)
    log.info("HermiT: consistent")
