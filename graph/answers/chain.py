"""The controlling chain above a party, nearest link first, as a determination's reasons name it.

queries/system/control-chain.rq gives the links (owned -> owner); their order, by how many links above
the party each one is, is worked out here from the links themselves. A depth computed in SPARQL (a
subquery counting the nodes below each link, joined back) was lost by Virtuoso 7.2, which answers the
join with no rows, so the order is the answer's own, the same on every store.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib.query import ResultRow

from exportkg.graph.config import Settings
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import rows


def _depths(links: list[ResultRow]) -> dict[str, int]:
    """Each owned node's distance from the bottom of the chain: a node no link has as owner is 0."""
    owners = defaultdict(set)
    for link in links:
        owners[str(link["owned"])].add(str(link["owner"]))
    above = {owner for found in owners.values() for owner in found}
    frontier = sorted(set(owners) - above) or sorted(owners)
    depth = dict.fromkeys(frontier, 0)
    while frontier:
        nxt = []
        for node in frontier:
            for owner in sorted(owners.get(node, ())):
                if owner not in depth:
                    depth[owner] = depth[node] + 1
                    nxt.append(owner)
        frontier = nxt
    return depth


def control_links(store: Store, settings: Settings, party: str) -> list[ResultRow]:
    """The links above `party` (or above a data center's owners and operator), nearest first, then by name."""
    links = list(rows(store, settings, "control-chain", party=party))
    depth = _depths(links)
    return sorted(links, key=lambda link: (depth.get(str(link["owned"]), len(depth)), str(link["ownedName"] or ""),
                                           str(link["ownerName"] or "")))
