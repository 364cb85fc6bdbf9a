"""Rule-change impact: what differs between two regimes, or a regime and a scenario.

Determination IRIs are a function of (regime, item, destination, headquarters flag), so two regimes'
determinations pair up by the key without the regime; parties pair up by IRI, each keyed by where it
is and by the flag its headquarters profile carries under each regime (which can differ when a tier
moves or a scenario changes who controls it). `sides.py` opens the stores; this module only compares.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

from exportkg.graph.impact.snapshot import ITEMS, Outcome, Snapshot

NEW = "license now required"
LIFTED = "license lifted"
POLICY = "review policy changed"
EXCEPTIONS = "exceptions changed"


@dataclass
class DeterminationChange:
    item: str
    iso: str
    flag: str
    change: str
    base: str
    against: str
    gained: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)


@dataclass
class PartyChange:
    party: str
    label: str
    iso: str
    flag_base: str
    flag_against: str
    items: dict[str, tuple[str, str]]
    #: false when the graph lacks a headquarters along the party's chain of control (then its flag is
    #: `other` by default, not because its headquarters are known to be elsewhere): sides.mark_unknown_hq
    hq_known: bool = True


@dataclass
class Report:
    """Everything that changes from `base` to `against`, with counts."""

    base: str
    against: str
    determinations: list[DeterminationChange] = field(default_factory=list)
    tiers: list[dict] = field(default_factory=list)
    models: list[dict] = field(default_factory=list)
    ledgers: list[dict] = field(default_factory=list)
    parties: list[PartyChange] = field(default_factory=list)
    #: parties a list entry reaches on one side only: what a listing (or a removal) changes
    listings: list[dict] = field(default_factory=list)
    #: ISO code -> country name, for reports people read
    country_names: dict[str, str] = field(default_factory=dict)

    def country(self, iso: str) -> str:
        """`Andorra (AD)`: the name with its code, or the code alone when the graph has no name."""
        name = self.country_names.get(iso)
        return f"{name} ({iso})" if name and name != iso else iso

    def counts(self) -> dict[str, int]:
        kinds = defaultdict(int)
        for d in self.determinations:
            kinds[d.change] += 1
        return {"determinations": len(self.determinations), **dict(sorted(kinds.items())),
                "countries": len({d.iso for d in self.determinations}), "tiers": len(self.tiers),
                "models": len(self.models), "ledgers": len(self.ledgers), "parties": len(self.parties),
                "listings": len(self.listings)}

    def by_country(self) -> dict[str, dict]:
        """Changed determinations and affected parties per destination country."""
        out: dict[str, dict] = defaultdict(lambda: {"determinations": defaultdict(int), "parties": 0})
        for d in self.determinations:
            out[d.iso]["determinations"][d.change] += 1
        for p in self.parties:
            out[p.iso]["parties"] += 1
        return {iso: {"determinations": dict(v["determinations"]), "parties": v["parties"]}
                for iso, v in sorted(out.items())}

    def as_json(self) -> dict:
        return {"base": self.base, "against": self.against, "counts": self.counts(),
                "by_country": self.by_country(), "tiers": self.tiers, "models": self.models,
                "ledgers": self.ledgers, "listings": self.listings,
                "determinations": [asdict(d) for d in self.determinations],
                "parties": [asdict(p) for p in self.parties]}


def classify(base: Outcome, against: Outcome) -> str | None:
    """The headline of a determination's change, or None when nothing changed."""
    if base == against:
        return None
    if base.license_required != against.license_required:
        return NEW if against.license_required else LIFTED
    return POLICY if base.policy != against.policy else EXCEPTIONS


def determination_changes(a: Snapshot, b: Snapshot) -> list[DeterminationChange]:
    out = []
    for item, iso, flag in sorted(set(a.determinations) | set(b.determinations)):
        before, after = a.outcome(item, iso, flag), b.outcome(item, iso, flag)
        change = classify(before, after)
        if change is not None:
            out.append(DeterminationChange(
                item, iso, flag, change, before.words(), after.words(),
                sorted(set(after.authorizations) - set(before.authorizations)),
                sorted(set(before.authorizations) - set(after.authorizations))))
    return out


def tier_changes(a: Snapshot, b: Snapshot) -> list[dict]:
    names = {**a.country_names, **b.country_names}
    return [{"iso": iso, "country": names.get(iso, iso), "base": a.tiers.get(iso), "against": b.tiers.get(iso)}
            for iso in sorted(set(a.tiers) | set(b.tiers)) if a.tiers.get(iso) != b.tiers.get(iso)]


def model_changes(a: Snapshot, b: Snapshot) -> list[dict]:
    """Models whose weights change class (4E091, not controlled, unknown)."""
    out = []
    for model in sorted(set(a.models) | set(b.models)):
        before, after = a.models.get(model), b.models.get(model)
        info = after or before
        eccn_a, eccn_b = (before[1] if before else "not controlled"), (after[1] if after else "not controlled")
        if eccn_a != eccn_b and info is not None:
            out.append({"model": model, "label": info[0], "training_ops": info[2], "weights": info[3],
                        "base": eccn_a, "against": eccn_b})
    return out


def ledger_changes(a: Snapshot, b: Snapshot) -> list[dict]:
    out = []
    for iso in sorted(set(a.ledgers) | set(b.ledgers)):
        before, after = a.ledgers.get(iso), b.ledgers.get(iso)
        if before != after:
            out.append({"iso": iso, "base": _ledger(before), "against": _ledger(after)})
    return out


def _ledger(values: tuple[float, float, float] | None) -> dict | None:
    return None if values is None else dict(zip(("cap_h100e", "used_h100e", "left_h100e"), values, strict=True))


def party_changes(a: Snapshot, b: Snapshot) -> list[PartyChange]:
    """Parties whose own determinations (at their location, for each item class) differ."""
    out = []
    for iri in sorted(set(a.parties) & set(b.parties)):
        pa, pb = a.parties[iri], b.parties[iri]
        items = {}
        for item in ITEMS:
            before = a.outcome(item, pa.iso, pa.flag).for_party(pa.is_dc)
            after = b.outcome(item, pb.iso, pb.flag).for_party(pb.is_dc)
            if before != after:
                items[item] = (before.words(), after.words())
        if items:
            out.append(PartyChange(iri, pb.label, pb.iso, pa.flag, pb.flag, items))
    return out


def listing_changes(a: Snapshot, b: Snapshot) -> list[dict]:
    """Parties a list entry reaches under one side only (a listing added, or taken off)."""
    keys = ("entry", "list", "party", "label", "how")
    return [{**dict(zip(keys, row, strict=True)), "change": "now reached" if row in b.listings else "no longer reached"}
            for row in sorted(a.listings ^ b.listings, key=lambda r: (r[2], r[0]))]


def compare(a: Snapshot, b: Snapshot) -> Report:
    """The full impact report of going from snapshot a to snapshot b."""
    return Report(a.regime, b.regime, determination_changes(a, b), tier_changes(a, b), model_changes(a, b),
                  ledger_changes(a, b), party_changes(a, b), listing_changes(a, b),
                  {**a.country_names, **b.country_names})
