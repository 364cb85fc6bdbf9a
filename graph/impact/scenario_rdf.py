"""A checked scenario as RDF: its regime graph and the delta it makes to the facts.

Everything a scenario names (base regime, countries, groups, parameters, organizations, data centers) is
looked up in the store it is applied to, so an unknown name fails with the file, the line and the reason
before anything is written. The SPARQL used lives in queries/system/scenario-*.rq.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from exportkg.graph import namespaces as ns
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError, Problem
from exportkg.graph.impact import scenario_lists
from exportkg.graph.impact.scenario import AUTHORIZATIONS, Change, Scenario, as_list
from exportkg.graph.loaders.regimes import _values
from exportkg.graph.namespaces import EKG, ID
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import ask, run

Triple = tuple[URIRef, URIRef, object]


@dataclass
class Known:
    """What the store holds that a scenario may name."""

    regimes: dict[str, Literal]
    countries: set[str]
    parameters: set[str]
    groups: set[str]


@dataclass
class Applied:
    """A scenario in RDF: its regime graph, the facts it removes and the facts it adds."""

    regime: Graph
    remove: list[Triple] = field(default_factory=list)
    add: Graph = field(default_factory=Graph)


@dataclass
class Tiers:
    """A regime's tier lists as a scenario edits them."""

    countries: dict[int, set[str]]
    groups: set[URIRef]


def known(store: Store, settings: Settings) -> Known:
    found = Known({}, set(), set(), set())
    prefix = str(ns.ID["regime/"])
    for row in run(store, settings, "scenario-known"):
        kind, key = str(row.kind), str(row.key)
        if kind == "regime":
            found.regimes[key[len(prefix):]] = row.value
        else:
            getattr(found, {"country": "countries", "parameter": "parameters", "group": "groups"}[kind]).add(key)
    return found


class Builder:
    """Turns one scenario into RDF, collecting every problem before failing."""

    def __init__(self, scenario: Scenario, store: Store, settings: Settings):
        self.s, self.store, self.settings = scenario, store, settings
        self.known = known(store, settings)
        self.problems: list[Problem] = []
        self.node = ns.regime(scenario.regime_id)
        self.out = Applied(Graph())
        #: controlling parents as the scenario's ownership changes so far leave them
        self.parents: dict[URIRef, set[URIRef]] = {}

    def fail(self, line: int | None, reason: str) -> None:
        self.problems.append(self.s.problem(line, reason))

    def build(self) -> Applied:
        if self.s.base not in self.known.regimes:
            known_ids = ", ".join(sorted(self.known.regimes))
            self.fail(self.s.lines.get("base"), f"base: unknown regime {self.s.base!r} (known: {known_ids})")
            raise DataError(self.problems)
        if self.s.regime_id in self.known.regimes:
            self.fail(self.s.lines.get("name"), f"name: the regime {self.s.regime_id!r} is already in the graph")
        self._regime_node()
        tiers = self._base_tiers()
        for change in self.s.changes:
            getattr(self, f"_{change.kind}")(change, tiers)
        self._write_tiers(tiers)
        if self.problems:
            raise DataError(self.problems)
        return self.out

    def _regime_node(self) -> None:
        g, node = self.out.regime, self.node
        g.add((node, RDF.type, EKG.Regime))
        g.add((node, RDFS.label, Literal(f"Scenario: {self.s.title}")))
        g.add((node, DCTERMS.title, Literal(self.s.title)))
        g.add((node, EKG.extends, ns.regime(self.s.base)))
        g.add((node, EKG.asOfDate, self.known.regimes[self.s.base]))
        g.add((node, EKG.regimeStatus, Literal("scenario")))
        if self.s.description:
            g.add((node, RDFS.comment, Literal(self.s.description)))

    def _base_tiers(self) -> Tiers | None:
        rows = list(run(self.store, self.settings, "scenario-base-tiers", regime=str(ns.regime(self.s.base))))
        if not rows:
            return None
        tiers = Tiers({1: set(), 3: set()}, set())
        for row in rows:
            if row.iso is not None:
                tiers.countries.setdefault(int(row.n), set()).add(str(row.iso))
            if row.group is not None:
                tiers.groups.add(row.group)
        return tiers

    def _countries(self, change: Change, key: str) -> list[str]:
        codes = as_list(change.data.get(key))
        good = [c.upper() for c in codes if c.upper() in self.known.countries]
        for code in codes:
            if code.upper() not in self.known.countries:
                self.fail(change.line, f"{key}: unknown country {code!r} (ISO 3166-1 alpha-2; quote NO for Norway)")
        return good

    def _tier(self, change: Change, tiers: Tiers | None) -> None:
        number = change.data.get("tier")
        if number not in (1, 2, 3):
            self.fail(change.line, f"tier: expected 1, 2 or 3, got {number!r}")
            return
        if tiers is None:
            self.fail(change.line, f"tier: the base regime {self.s.base!r} has no tiers")
            return
        for code in self._countries(change, "countries"):
            for n in (1, 3):
                tiers.countries[n].discard(code)
            if number != 2:
                tiers.countries[number].add(code)
            elif self._in_group_tier(code, tiers):
                self.fail(change.line, f"tier: {code} is in Tier 3 through a group; take it out of the "
                                       "group instead (a group change)")

    def _in_group_tier(self, code: str, tiers: Tiers) -> bool:
        for group in tiers.groups:
            members = run(self.store, self.settings, "scenario-memberships",
                             country=str(ns.country(code)), group=str(group))
            excluded = set(self.out.regime.objects(self.node, EKG.excludesMembership))
            if any(row.m not in excluded for row in members):
                return True
        return False

    def _group(self, change: Change, _tiers: Tiers | None) -> None:
        code = str(change.data.get("group"))
        if code not in self.known.groups:
            groups = ", ".join(sorted(self.known.groups))
            self.fail(change.line, f"group: unknown country group {code!r} (known: {groups})")
            return
        group = ns.group(code)
        for iso in self._countries(change, "remove"):
            rows = list(run(self.store, self.settings, "scenario-memberships",
                               country=str(ns.country(iso)), group=str(group)))
            if not rows:
                self.fail(change.line, f"remove: {iso} is not an asserted member of {code}")
            for row in rows:
                self.out.regime.add((self.node, EKG.excludesMembership, row.m))
        for iso in self._countries(change, "add"):
            m = ID[f"membership/{self.s.regime_id}/{code.replace(':', '')}/{iso}"]
            g = self.out.regime
            g.add((m, RDF.type, EKG.GroupMembership))
            g.add((m, RDFS.label, Literal(f"{iso} in {code} (scenario {self.s.name})")))
            g.add((m, EKG.member, ns.country(iso)))
            g.add((m, EKG.group, group))
            g.add((m, EKG.membershipStatus, EKG.Claim))
            g.add((self.node, EKG.assumesMembership, m))

    def _parameter(self, change: Change, _tiers: Tiers | None) -> None:
        name = str(change.data.get("parameter"))
        unset = change.data.get("unset") is True
        if name not in self.known.parameters:
            self.fail(change.line, f"parameter: unknown parameter {name!r} (see `exportkg query regime-parameters`)")
            return
        if unset == ("value" in change.data):
            self.fail(change.line, f"parameter {name}: give either value or unset: true")
            return
        self._set(name, None if unset else change.data["value"])

    def _set(self, name: str, value: object) -> None:
        """A parameter node of the scenario: the nearest definition wins (rule parameters)."""
        g = self.out.regime
        p = ID[f"regime/{self.s.regime_id}/param/{name}"]
        g.remove((p, None, None))
        g.add((p, RDF.type, EKG.Parameter))
        g.add((p, RDFS.label, Literal(f"{self.s.regime_id}: {name}")))
        g.add((p, EKG.parameterName, Literal(name)))
        g.add((self.node, EKG.hasParameter, p))
        if value is None:
            g.add((p, EKG.valueUnknown, Literal("value")))
        for literal in _values(value):
            g.add((p, EKG.value, literal))

    def _authorization(self, change: Change, _tiers: Tiers | None) -> None:
        name = str(change.data.get("authorization")).upper()
        available = change.data.get("available")
        if name not in AUTHORIZATIONS:
            self.fail(change.line, f"authorization: unknown {name!r} (known: {', '.join(AUTHORIZATIONS)})")
        elif not isinstance(available, bool):
            self.fail(change.line, f"authorization {name}: available must be true or false")
        else:
            param, on_value = AUTHORIZATIONS[name]
            value = change.data.get("value", on_value) if available else (False if on_value is True else None)
            self._set(param, value)

    def _party(self, change: Change, key: str, kind: str) -> URIRef | None:
        local = str(change.data.get(key))
        iri = ns.ID[f"{kind}/{local}"]
        if not self._is_party(iri):
            self.fail(change.line, f"{key}: unknown {'organization' if kind == 'org' else 'data center'} {local!r}")
            return None
        return iri

    def _is_party(self, iri: URIRef) -> bool:
        return ask(self.store, self.settings, "scenario-is-party", iri=str(iri))

    def _ownership(self, change: Change, _tiers: Tiers | None) -> None:
        """The organization's controlling parents are replaced: by none (a divestment), by a new
        controlling parent, or by a minority holder (a share of 50 or less, as in imports: no control)."""
        owned = self._party(change, "ownership", "org")
        parent = None if change.data.get("parent") is None else self._party(change, "parent", "org")
        if owned is None or (change.data.get("parent") is not None and parent is None):
            return
        share = change.data.get("share")
        controlling = parent is not None and (share is None or share > 50)
        if controlling and self._controls(owned, parent):  # type: ignore[arg-type]
            self.fail(change.line, f"parent: {change.data['parent']} is controlled by {change.data['ownership']} "
                                   "(directly or through others): the change would make an ownership cycle")
            return
        self.parents[owned] = {parent} if controlling else set()  # type: ignore[arg-type]
        graph = run(self.store, self.settings, "scenario-controllers", org=str(owned)).graph
        self.out.remove.extend(graph)
        if parent is not None:
            self._add_parent(owned, parent, share)

    def _controls(self, ancestor: URIRef, start: URIRef) -> bool:
        """Whether `ancestor` is `start` or controls it through a chain of controlling parents."""
        seen, todo = set(), [start]
        while todo:
            current = todo.pop()
            if current == ancestor:
                return True
            if current in seen:
                continue
            seen.add(current)
            if current not in self.parents:
                found = run(self.store, self.settings, "scenario-parents", org=str(current))
                self.parents[current] = {row.parent for row in found}
            todo.extend(self.parents[current])
        return False

    def _add_parent(self, owned: URIRef, parent: URIRef, share: object) -> None:
        g = self.out.add
        stake = ID[f"ownership/{str(owned).rsplit('/', 1)[1]}/{str(parent).rsplit('/', 1)[1]}"]
        g.add((stake, RDF.type, EKG.Ownership))
        g.add((stake, EKG.owner, parent))
        g.add((stake, EKG.owned, owned))
        basis = EKG.StatedControl if share is None else EKG.MajorityControl if share > 50 else EKG.MinorityStake  # type: ignore[operator]
        g.add((stake, EKG.controlBasis, basis))
        if share is not None:
            g.add((stake, EKG.sharePercent, decimal(share)))
        if basis != EKG.MinorityStake:
            g.add((owned, EKG.controlledBy, parent))

    def _datacenter(self, change: Change, _tiers: Tiers | None) -> None:
        local = str(change.data.get("datacenter"))
        dc = ns.datacenter(local)
        exists = self._is_party(dc)
        country = self._countries(change, "country")
        owner = self._party(change, "owner", "org") if change.data.get("owner") else None
        if not exists and not country:
            self.fail(change.line, f"datacenter {local}: a new data center needs a country")
        if self.problems:
            return
        old = run(self.store, self.settings, "scenario-datacenter", dc=str(dc)).graph
        self.out.remove.extend(t for t in old if (country and t[1] == EKG.locatedIn) or (owner and t[1] == EKG.ownedBy))
        self._datacenter_facts(dc, change, country, owner, exists)

    def _datacenter_facts(self, dc: URIRef, change: Change, country: list[str], owner: URIRef | None,
                          exists: bool) -> None:
        g = self.out.add
        if not exists:
            g.add((dc, RDF.type, EKG.DataCenter))
            g.add((dc, RDFS.label, Literal(str(change.data.get("name") or change.data["datacenter"]))))
            g.add((dc, EKG.operationalStatus, Literal("Existing")))
        if country:
            g.add((dc, EKG.locatedIn, ns.country(country[0])))
        if owner is not None:
            g.add((dc, EKG.ownedBy, owner))
        if change.data.get("h100e") is not None:
            g.add((dc, EKG.h100Equivalents, decimal(change.data["h100e"])))

    def _list(self, change: Change, _tiers: Tiers | None) -> None:
        """Organizations listed from the scenario's day, or every entry of the list taken off them."""
        day = scenario_lists.listing_day(self.store, self.settings, self.s)
        for key in ("add", "remove"):
            for org_id in change.data.get(key) or []:
                org = self._org(change, key, str(org_id))
                if org is None:
                    continue
                if key == "add":
                    scenario_lists.add_entry(self.out.add, self.s, change, org, str(org_id), day)
                    continue
                named = scenario_lists.designations(self.store, self.settings, str(change.data["list"]), org)
                if not len(named):
                    self.fail(change.line, f"remove: {org_id} is on no {change.data['list']} entry")
                self.out.remove.extend(named)

    def _org(self, change: Change, key: str, local: str) -> URIRef | None:
        iri = ns.org(local)
        if not self._is_party(iri):
            self.fail(change.line, f"{key}: unknown organization {local!r}")
            return None
        return iri

    def _write_tiers(self, tiers: Tiers | None) -> None:
        if tiers is None:
            return
        g = self.out.regime
        for number in (1, 2, 3):
            t = ID[f"regime/{self.s.regime_id}/tier{number}"]
            g.add((self.node, EKG.hasTier, t))
            g.add((t, RDF.type, EKG.Tier))
            g.add((t, RDFS.label, Literal(f"{self.s.regime_id}: Tier {number}")))
            g.add((t, EKG.tierNumber, Literal(number)))
            if number == 2:
                g.add((t, EKG.isResidual, Literal(True)))
                continue
            for code in sorted(tiers.countries.get(number, ())):
                g.add((t, EKG.includesCountry, ns.country(code)))
            if number == 3:
                for group in sorted(tiers.groups):
                    g.add((t, EKG.includesGroup, group))


def decimal(value: object) -> Literal:
    """A checked number (finite, at most 1e30: scenario_checks.py) as an xsd:decimal in plain notation."""
    return Literal(format(Decimal(str(value)), "f"), datatype=XSD.decimal)


def to_rdf(scenario: Scenario, store: Store, settings: Settings) -> Applied:
    """Check a scenario against the store and give its regime graph and facts delta."""
    return Builder(scenario, store, settings).build()
