"""The 50 percent test of the affiliates rule (90 FR 47201): is a party owned 50 percent or more,
directly or indirectly, individually or in the aggregate, by Entity List or MEU List parties?

An owner counts with its whole stake when it is listed itself or is reached in turn (a listed
party's majority-owned subsidiary holds its stakes for it). An unknown share is an unknown, never a
zero: the test is undetermined when the known shares fall short but the unknown ones could reach 50.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from exportkg.graph.answers.listed import ListedEntry, listed_entries
from exportkg.graph.config import Settings
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import rows

THRESHOLD = Decimal(50)
REACHING = ("EL", "MEU")  # the lists whose affiliates the rule reaches


@dataclass
class Reach:
    """Whether the party is reached (None: undetermined), the listed owners' entries, and the chain."""

    reached: bool | None
    entries: list[ListedEntry] = field(default_factory=list)
    words: str = ""


@dataclass
class _Owner:
    owner: str
    name: str
    share: Decimal | None


def affiliate_reach(store: Store, settings: Settings, party_iri: str, day: str) -> Reach:
    owners: dict[str, list[_Owner]] = defaultdict(list)
    for row in rows(store, settings, "ownership-up", party=party_iri):
        share = Decimal(str(row["share"].toPython())) if row["share"] is not None else None
        owners[str(row["owned"])].append(_Owner(str(row["owner"]), str(row["ownerName"] or row["owner"]), share))
    walk = _Walk(store, settings, day, owners)
    return walk.reach(party_iri, set())


@dataclass
class _Walk:
    store: Store
    settings: Settings
    day: str
    owners: dict[str, list[_Owner]]

    def listed(self, org: str) -> list[ListedEntry]:
        return [e for e in listed_entries(self.store, self.settings, org, self.day) if e.list_code in REACHING]

    def reach(self, org: str, seen: set[str]) -> Reach:
        known, possible = Decimal(0), Decimal(0)
        entries: list[ListedEntry] = []
        words = []
        for link in self.owners.get(org, []):
            if link.owner in seen:
                continue
            own = self.listed(link.owner)
            above = Reach(True, own, "listed") if own else self.reach(link.owner, seen | {org})
            if above.reached is False:
                continue
            share = "unknown share" if link.share is None else f"{link.share}%"
            words.append(f"{link.name} ({share}, {'listed' if own else above.words or 'reached'})")
            if link.share is None or above.reached is None:
                possible += link.share if link.share is not None else Decimal(100)
                continue
            known += link.share
            entries += above.entries
        text = "; ".join(words)
        if known >= THRESHOLD:
            return Reach(True, entries, text)
        return Reach(None if known + possible >= THRESHOLD else False, entries, text)
