"""The determination node for one headquarters flag and item class, and its outcome in words.

Determination IRIs are a function of (regime, item class, destination, flag); a chip with a rule of
its own (the H20 and H200 rules) has a node of its own that refines its class's, and is looked up
first: such a chip may be outside 3A090 and still need a license.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.answers.model import DeterminationError
from exportkg.graph.config import Settings
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import ask, rows

NOT_CONTROLLED = "not controlled"
UNKNOWN = "unknown"


@dataclass
class Outcome:
    """A node's decision (its finding rows), or a class that has no node: not controlled, unknown."""

    code: str
    node: URIRef | None = None
    rows: list = field(default_factory=list)  # type: ignore[type-arg]

    def answer(self) -> tuple[bool | None, str]:
        """What a user acts on: whether a license is required and the review policy (not which rule says so)."""
        if not self.rows:
            return (False, "none") if self.code == NOT_CONTROLLED else (None, "undetermined")
        first = self.rows[0]
        return bool(first["licenseRequired"].toPython()), str(first["policy"])

    def words(self) -> str:
        if not self.rows:
            return ("not in a controlled class, no license required" if self.code == NOT_CONTROLLED
                    else "the class is not known")
        first = self.rows[0]
        if not first["licenseRequired"].toPython():
            return "no license required"
        deciding = str(first["rule"]).rsplit("/rule/", 1)[-1] if first["decides"].toPython() else ""
        policy = str(first["policy"]).replace("_", " ")
        return f"license required, {policy}" + (f" (rule {deciding})" if deciding else "")


def outcome(store: Store, settings: Settings, regime_id: str, item_iri: URIRef | None, code: str, dest: str,
            flag: str) -> Outcome:
    node = _chip_node(store, settings, regime_id, item_iri, dest, flag)
    if node is None:
        if code in (NOT_CONTROLLED, UNKNOWN):
            return Outcome(code)
        node = ns.ID[f"determination/{regime_id}/{code.replace('4A090', '3A090')}/{dest}/{flag}"]
        if not ask(store, settings, "exists", iri=str(node)):
            return Outcome(NOT_CONTROLLED)  # a class this version of the text does not have
    found = rows(store, settings, "determination", determination=str(node))
    if not found:
        raise DeterminationError(f"no determination was inferred for {node} (run `exportkg build`)")
    return Outcome(code, node, found)


def _chip_node(store: Store, settings: Settings, regime_id: str, item_iri: URIRef | None, dest: str,
               flag: str) -> URIRef | None:
    if item_iri is None or "/chip/" not in str(item_iri):
        return None
    node = ns.ID[f"determination/{regime_id}/chip/{str(item_iri).rsplit('/chip/', 1)[1]}/{dest}/{flag}"]
    return node if ask(store, settings, "exists", iri=str(node)) else None
