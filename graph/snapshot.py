"""One regime's position as plain Python: what impact diffs and the timeline walks.

Everything is read from the inferred graphs with the queries/system/impact-*-of.rq files. A regime
without tiers has only `d5m` and `other` determinations, and a regime that does not control model
weights has no 4E091 ones: `outcome` reads those gaps the way `determine` does (the `other` node, or
not controlled), so a party keyed `t1` under one regime compares with its `other` node under another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from exportkg.queries.catalog import NamedQuery, load_catalog

from . import namespaces as ns
from .config import Settings
from .store import KnowledgeStore

FLAGS = ("other", "t1one", "t1", "d5m")  # by rank, as impact-parties-of.rq numbers them
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

    def outcome(self, item: str, iso: str, flag: str) -> Outcome:
        for key in ((item, iso, flag), (item, iso, "other")):
            if key in self.determinations:
                return self.determinations[key]
        return NOT_CONTROLLED


@lru_cache(maxsize=4)
def _system(queries_dir: Path) -> dict[str, NamedQuery]:
    return load_catalog(queries_dir / "system")


def rows(store: KnowledgeStore, settings: Settings, name: str, **params: str) -> list:
    return list(store.query(_system(settings.queries_dir)[name].render(params)))


def take(store: KnowledgeStore, settings: Settings, regime: str, *, parties: bool = True) -> Snapshot:
    """Read one regime's position from a store (parties: every located organization and data center)."""
    iri = str(ns.regime(regime))
    snap = Snapshot(regime)
    for r in rows(store, settings, "impact-determinations-of", regime=iri):
        auths = tuple(sorted(a for a in str(r.auths or "").split(",") if a))
        snap.determinations[(str(r.item), str(r.iso), str(r.flag))] = Outcome(bool(r.lr.toPython()),
                                                                              str(r.policy), auths)
    for r in rows(store, settings, "impact-tiers-of", regime=iri):
        snap.tiers[str(r.iso)] = int(r.n)
        snap.country_names[str(r.iso)] = str(r.name or r.iso)
    for r in rows(store, settings, "impact-models-of", regime=iri):
        ops = float(r.ops) if r.ops is not None else None
        snap.models[str(r.model)] = (str(r.label or r.model), str(r.eccn), ops, str(r.access or "unknown"))
    for r in rows(store, settings, "impact-ledgers-of", regime=iri):
        snap.ledgers[str(r.iso)] = (float(r.cap), float(r.used), float(r.left))
    if parties:
        for r in rows(store, settings, "impact-parties-of", regime=iri):
            snap.parties[str(r.party)] = Party(str(r.party), str(r.label or r.party), str(r.iso),
                                               FLAGS[int(r.flag)], bool(r.dc.toPython()))
    return snap
