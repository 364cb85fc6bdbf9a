"""The facts an answer depends on that the graph does not know, and the answer under each value.

A determination is a node per (regime, item class, destination, headquarters flag), so an unknown
fact is a choice between nodes: an unknown headquarters or an ownership link of unknown control may
make the party HQ-D5M (another flag); a chip whose data-center status is unknown falls in one class or
another (Note 2 to 3A090). Each unknown is tried on its own against the answer as known, and the answer
is undetermined where a value would change it. Nothing here guesses a value.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from exportkg.graph.config import Settings
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import rows


@dataclass(frozen=True)
class Alternative:
    """One unknown fact: the answer as known holds `otherwise`; `when` gives another flag or class."""

    fact: str
    when: str
    otherwise: str
    flag: str | None = None
    code: str | None = None


def party_alternatives(store: Store, settings: Settings, party: URIRef, regime_iri: str,
                       flag: str) -> list[Alternative]:
    """The unknown headquarters, unknown control links and unknown parents along the party's chain."""
    found = []
    for row in rows(store, settings, "party-unknowns", party=str(party), regime=regime_iri):
        org = str(row["orgName"] or row["org"])
        if str(row["kind"]) == "headquarters":
            found.append(Alternative(f"where {org} is headquartered (not known)",
                                     "if in D:5 or Macau", "if elsewhere", flag="d5m"))
            continue
        if str(row["kind"]) == "parent":
            reason = f" ({row['reason']})" if row["reason"] else ""
            found.append(Alternative(f"who controls {org}: its parent is not known{reason}",
                                     "if its ultimate parent is in D:5 or Macau", "if it is not",
                                     flag="d5m"))
            continue
        owner = str(row["ownerName"] or row["owner"])
        other = "d5m" if row["ownerD5M"].toPython() else flag
        found.append(Alternative(f"whether {owner} controls {org} (a source names the owner, with no share "
                                 "or basis of control)", "if it does", "if it does not", flag=other))
    return found


def chip_alternative(chip_name: str, if_dc: str | None, if_not_dc: str | None) -> Alternative | None:
    """Note 2 to 3A090: a chip whose data-center status is unknown, with a class under each answer."""
    if not if_dc or not if_not_dc:
        return None
    return Alternative(f"whether {chip_name} is designed or marketed for data centers (Note 2 to 3A090)",
                       f"if it is not ({if_not_dc})", f"if it is ({if_dc})", code=if_not_dc)
