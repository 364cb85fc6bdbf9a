"""`exportkg impact --timeline PARTY|COUNTRY`: one party's or country's position, day by day of the law.

The legal states are walked in order of the day each starts (the law in force from then: the version of
the text, that day's country groups and the provisions' statuses; drafts and scenarios are never the
law). A country's row gives its tier and what a local party (flag `other`) and an HQ-D5M party (`d5m`)
face there as enforced that day; a party's row gives its headquarters flag and what it faces at its own
location.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from exportkg.graph import namespaces as ns
from exportkg.graph.config import Settings
from exportkg.graph.impact.sides import ImpactError
from exportkg.graph.impact.snapshot import FLAGS, ITEMS, Snapshot, take
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import records


@dataclass
class Timeline:
    subject: str
    kind: str
    rows: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"subject": self.subject, "kind": self.kind, "rows": self.rows}


def _party(store: Store, settings: Settings, spec: str) -> tuple[str, str, bool]:
    """(IRI, label, is a data center) of an organization or data center id."""
    for kind in ("org", "datacenter"):
        iri = str(ns.ID[f"{kind}/{spec}"])
        found = records(store, settings, "party", party=iri, regime=str(ns.regime("oct2023")))
        if found:
            return iri, str(found[0].label or spec), bool(found[0].isDataCenter.toPython())
    raise ImpactError(f"unknown party {spec!r}: an organization or data center id, or an ISO country code")


def timeline(store: Store, settings: Settings, spec: str) -> Timeline:
    """Rows in date order for a country (ISO code) or a party (organization or data center id)."""
    regimes = [(str(r.r).rsplit("/regime/", 1)[1], str(r.d), str(r.label or r.version))
               for r in records(store, settings, "impact-regimes")]
    if re.fullmatch(r"[A-Za-z]{2}", spec):
        return _country(store, settings, spec.upper(), regimes)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec):
        raise ImpactError(f"{spec!r} is not a party id or an ISO country code")
    return _for_party(store, settings, spec, regimes)


def _country(store: Store, settings: Settings, iso: str, regimes: list) -> Timeline:
    out = Timeline(iso, "country")
    for regime, day, title in regimes:
        snap = take(store, settings, regime, parties=False)
        if iso not in snap.country_names and not any(k[1] == iso for k in snap.determinations):
            raise ImpactError(f"unknown country {iso!r}")
        row = {"regime": regime, "date": day, "title": title, "tier": snap.tiers.get(iso)}
        row.update({item: snap.outcome(item, iso, "other").words() for item in ITEMS})
        row["HQ-D5M party, 3A090.a"] = snap.outcome("3A090.a", iso, "d5m").words()
        out.rows.append(row)
    return out


def _for_party(store: Store, settings: Settings, spec: str, regimes: list) -> Timeline:
    iri, label, is_dc = _party(store, settings, spec)
    out = Timeline(f"{label} ({spec})", "party")
    for regime, day, title in regimes:
        info = records(store, settings, "party", party=iri, regime=str(ns.regime(regime)))[0]
        flag = _flag(info)
        iso = str(info.location) if info.location is not None else None
        snap: Snapshot = take(store, settings, regime, parties=False)
        row = {"regime": regime, "date": day, "title": title, "location": iso, "flag": flag,
               "tier": snap.tiers.get(iso) if iso else None}
        row.update({item: snap.outcome(item, iso, flag).for_party(is_dc).words() if iso else "location unknown"
                    for item in ITEMS})
        out.rows.append(row)
    return out


def _flag(info) -> str:  # type: ignore[no-untyped-def]
    ranks = [info.hqTier1Any.toPython(), info.hqTier1.toPython(), info.hqD5M.toPython()]
    best = max((i + 1 for i, on in enumerate(ranks) if on), default=0)
    return FLAGS[best]
