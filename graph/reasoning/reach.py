"""What a change of tiers or country groups can reach, and a scenario regime derived from only that.

A regime's inferences are keyed (each rule's `reach:` header): by the regime as a whole (parameters,
tiers, country status, chip classes: a few hundred triples), by destination country (determinations,
findings, ledgers), by headquarters profile (the HQ-D5M and Tier 1 flags), by group (UVEU shares) or by
model (4E091 classes). A scenario that only moves countries between tiers or groups changes nothing
but the country-level position of some countries, so:

1. the regime-wide rules run in full for the scenario regime (they are small, and the rules keyed by
   profile read the tiers of countries the change does not touch);
2. the reached keys are found: the countries whose tier or status differs from the base regime
   (queries/system/reach-countries.rq), the profiles naming one of them, the groups with compute in
   one of them;
3. the rules keyed by country, profile or group run on the reached keys alone (their `# focus` lines
   become VALUES blocks). Model classes depend on parameters only: a country move cannot reach them.

What this leaves out is, key for key, the base regime's (renamed): `impact` compares the reached keys
and nothing else. The scenario's graph is then completed (`complete`) with the base regime's graph,
renamed, less what the reached steps derive for the base (the regime-wide steps in full, the keyed
ones on the reached keys): the scenario's own derivation of those is in it already. The tests hold
the completed graph equal, triple for triple, to a full derivation of the scenario's rules.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from exportkg.graph import namespaces as ns
from exportkg.graph.config import Settings
from exportkg.graph.reasoning.engine import plan_steps, run_steps
from exportkg.graph.reasoning.rules import RuleStep
from exportkg.graph.store.base import Store
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.named import Focus, run

log = logging.getLogger(__name__)
KEYED = ("country", "profile", "group")


@dataclass(frozen=True)
class Reach:
    """The keys a change reaches, as IRIs."""

    countries: tuple[str, ...]
    profiles: tuple[str, ...]
    groups: tuple[str, ...]

    def focus(self) -> dict[str, tuple[str, ...]]:
        return {"country": self.countries, "profile": self.profiles, "group": self.groups}

    def isos(self) -> set[str]:
        return {iri.rsplit("/", 1)[1] for iri in self.countries}


def _iris(store: Store, settings: Settings, name: str, focus: Focus = None, **params: str) -> tuple[str, ...]:
    return tuple(sorted(str(row[0]) for row in run(store, settings, name, focus, **params)))


def reached(store: Store, settings: Settings, base: str, against: str) -> Reach:
    """The keys whose inferences can differ between two regimes that share their parameters (a
    scenario of tier or group moves and its base), read from a store holding both regimes' tiers and
    country status."""
    countries = _iris(store, settings, "reach-countries", base=base, against=against)
    focus = {"country": countries}
    return Reach(countries, _iris(store, settings, "reach-profiles", focus),
                 _iris(store, settings, "reach-groups", focus))


@dataclass
class Derivation:
    """What `derive` did: the reach, and how long each part took."""

    reach: Reach
    regime_wide_s: float
    reach_s: float
    keyed_s: float


def keyed(steps: list[RuleStep], reach: Reach) -> list[RuleStep]:
    """The steps keyed by country, profile or group, focused on the keys reached."""
    focus = reach.focus()
    return [RuleStep(s.rule, s.regime, focus) for s in steps if s.reach in KEYED]


def derive(store: Store, settings: Settings, regime: str, base: str) -> Derivation:
    """The scenario regime's inferences for what its tier and group moves reach (module docstring)."""
    steps = plan_steps(store, settings, only={regime}, with_global=False)
    started = time.perf_counter()
    run_steps(store, settings, [s for s in steps if s.reach == "regime"], in_place=True)
    wide_s = time.perf_counter() - started
    reach = reached(store, settings, base, regime)
    reach_s = time.perf_counter() - started - wide_s
    run_steps(store, settings, keyed(steps, reach))
    keyed_s = time.perf_counter() - started - wide_s - reach_s
    log.info("scenario %s: %d countries, %d profiles, %d groups reached", regime, len(reach.countries),
             len(reach.profiles), len(reach.groups))
    return Derivation(reach, wide_s, reach_s, keyed_s)


def complete(store: KnowledgeStore, settings: Settings, regime: str, base: str, reach: Reach) -> int:
    """The scenario regime's graph beside the reached keys: the base regime's, renamed (module
    docstring); the number of triples it adds. At 1,000,000 companies about 8 s, where running every
    rule of the scenario regime took 51 s (bench/impact.py, 2026-12-01)."""
    steps = plan_steps(store, settings, only={base}, with_global=False)
    own: set = set()
    for step in [s for s in steps if s.reach == "regime"] + keyed(steps, reach):
        own |= store.derived(step.construct())
    renames = ((f"/{base}/", f"/{regime}/"), (f"/{base}>", f"/{regime}>"))
    return store.copy_renamed(ns.inferred_graph(base), ns.inferred_graph(regime), own, renames)
