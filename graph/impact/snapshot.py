"""One regime's position as plain Python: what impact diffs and the timeline walks.

Everything is read from the inferred graphs with the queries/system/impact-*-of.rq files. A regime
without tiers has only `d5m` and `other` determinations, and a regime that does not control model
weights has no 4E091 ones: `outcome` reads those gaps the way `determine` does (the `other` node, or
not controlled), so a party keyed `t1` under one regime compares with its `other` node under another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exportkg.graph import namespaces as ns
from exportkg.graph.config import Settings
from exportkg.graph.reasoning.reach import Reach
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import records

FLAGS = ("other", "t1one", "t1", "d5m")  # by rank, as impact-parties-of.rq numbers them
#: what each headquarters flag means, as reports say it (the codes stay in JSON and the graph)
FLAG_WORDS = {"d5m": "headquartered, or ultimate parent, in D:5 or Macau",
              "t1": "party and ultimate parent headquartered in Tier 1",
              "t1one": "party or ultimate parent (not both) headquartered in Tier 1",
              "other": "headquarters neither in Tier 1 nor in D:5 or Macau"}
#: said beside a flag short of `d5m` when a headquarters on the party's chain of control is unknown: the
#: flag is then what the graph can show, not what is known to be so
HQ_UNKNOWN = ("a headquarters on its chain of control is unknown (not in the graph), so outcomes that turn on "
              "headquarters, such as AIA, may not show")
ITEMS = ("3A090.a", "3A090.b", "4E091")
VEUS = frozenset({"DCVEU", "UVEU", "NVEU"})  # authorizations only data centers can use


@dataclass(frozen=True)
class Outcome:
    """What a determination says: license or not, review policy, authorizations available."""

    license_required: bool
    policy: str
    authorizations: tuple[str, ...] = ()

    def words(self) -> str:
        need = "license required" if self.license_required else "no license"
        auths = f" ({', '.join(self.authorizations)})" if self.authorizations else ""
        return f"{need}, {self.policy.replace('_', ' ')}{auths}"

    def for_party(self, is_dc: bool) -> Outcome:
        """The VEUs are for data centers only (as `determine` filters them)."""
        if is_dc:
            return self
        return Outcome(self.license_required, self.policy, tuple(a for a in self.authorizations if a not in VEUS))


NOT_CONTROLLED = Outcome(False, "none")


@dataclass
class Party:
    iri: str
    label: str
    iso: str
    flag: str
    is_dc: bool


@dataclass
class Snapshot:
    """A regime's determinations, tiers, model classes, ledgers and parties, keyed for diffing."""

    regime: str
    determinations: dict[tuple[str, str, str], Outcome] = field(default_factory=dict)
    tiers: dict[str, int] = field(default_factory=dict)
    country_names: dict[str, str] = field(default_factory=dict)
    models: dict[str, tuple[str, str, float | None, str]] = field(default_factory=dict)
    ledgers: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    parties: dict[str, Party] = field(default_factory=dict)
    #: who each list entry reaches (listing-reach): (entry key, list, party id, party label, how)
    listings: set[tuple[str, str, str, str, str]] = field(default_factory=set)

    def outcome(self, item: str, iso: str, flag: str) -> Outcome:
        for key in ((item, iso, flag), (item, iso, "other")):
            if key in self.determinations:
                return self.determinations[key]
        return NOT_CONTROLLED


def take(store: Store, settings: Settings, regime: str, *, parties: bool = True, listings: bool = False) -> Snapshot:
    """Read one regime's position from a store (parties: every located organization and data center;
    listings: who each list entry reaches, read only when a side changes the lists)."""
    iri = str(ns.regime(regime))
    snap = Snapshot(regime)
    _determinations(store, settings, snap, iri)
    _tiers(store, settings, snap, iri)
    for r in records(store, settings, "impact-models-of", regime=iri):
        ops = float(r.ops) if r.ops is not None else None
        snap.models[str(r.model)] = (str(r.label or r.model), str(r.eccn), ops, str(r.access or "unknown"))
    _ledgers(store, settings, snap, iri)
    for r in records(store, settings, "listing-reach", entry="all") if listings else ():
        snap.listings.add((str(r.entryKey), str(r.list), str(r.party), str(r.partyName), str(r.how)))
    if parties:
        for r in records(store, settings, "impact-parties-of", regime=iri):
            snap.parties[str(r.party)] = Party(str(r.party), str(r.label or r.party), str(r.iso),
                                               FLAGS[int(r.flag)], bool(r.dc.toPython()))
    return snap


def _determinations(store: Store, settings: Settings, snap: Snapshot, iri: str,
                    countries: tuple[str, ...] | None = None) -> None:
    focus = None if countries is None else {"country": countries}
    for r in records(store, settings, "impact-determinations-of", focus, regime=iri):
        auths = tuple(sorted(a for a in str(r.auths or "").split(",") if a))
        snap.determinations[(str(r.item), str(r.iso), str(r.flag))] = Outcome(bool(r.lr.toPython()),
                                                                              str(r.policy), auths)
        if r.name is not None:
            snap.country_names[str(r.iso)] = str(r.name)


def _tiers(store: Store, settings: Settings, snap: Snapshot, iri: str) -> None:
    for r in records(store, settings, "impact-tiers-of", regime=iri):
        snap.tiers[str(r.iso)] = int(r.n)
        snap.country_names[str(r.iso)] = str(r.name or r.iso)


def _ledgers(store: Store, settings: Settings, snap: Snapshot, iri: str,
             countries: tuple[str, ...] | None = None) -> None:
    focus = None if countries is None else {"country": countries}
    for r in records(store, settings, "impact-ledgers-of", focus, regime=iri):
        snap.ledgers[str(r.iso)] = (float(r.cap), float(r.used), float(r.left))


def take_near(main: Store, scenario: Store, settings: Settings, base: str, against: str,
              reach: Reach) -> tuple[Snapshot, Snapshot]:
    """Both sides of a tier or group move, read only where it reaches (graph/reasoning/reach.py): a base regime
    from the published store, the scenario regime from its own store, which may hold only the reached
    keys so far. Everything else is the same on both sides by construction, so the unreached
    determinations that parties near the change still need are the base's on both sides."""
    a, b = Snapshot(base), Snapshot(against)
    base_iri, against_iri = str(ns.regime(base)), str(ns.regime(against))
    _tiers(main, settings, a, base_iri)
    _tiers(scenario, settings, b, against_iri)
    near = records(main, settings, "impact-parties-near", reach.focus(), regime=base_iri)
    ranks = {str(r.p): int(r.rank) for r in records(scenario, settings, "impact-profile-flags",
                                                  {"profile": reach.profiles}, regime=against_iri)}
    for r in near:
        party, profile, rank = str(r.party), str(r.p) if r.p is not None else None, int(r.rank)
        dc, iso, label = bool(r.dc.toPython()), str(r.iso), str(r.label or r.party)
        _rank_party(a, Party(party, label, iso, FLAGS[rank], dc))
        _rank_party(b, Party(party, label, iso, FLAGS[ranks.get(profile, rank) if profile else rank], dc))
    located = tuple(sorted({str(ns.country(p.iso)) for p in a.parties.values()} | set(reach.countries)))
    _determinations(main, settings, a, base_iri, located)
    reached = reach.isos()
    b.determinations = {k: v for k, v in a.determinations.items() if k[1] not in reached}
    _determinations(scenario, settings, b, against_iri, reach.countries)
    _ledgers(main, settings, a, base_iri, reach.countries)
    _ledgers(scenario, settings, b, against_iri, reach.countries)
    return a, b


def _rank_party(snap: Snapshot, party: Party) -> None:
    """A party with several profiles (a data center's owners) takes the strongest flag among them."""
    known = snap.parties.get(party.iri)
    if known is None or FLAGS.index(party.flag) > FLAGS.index(known.flag):
        snap.parties[party.iri] = party
