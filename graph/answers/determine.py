"""One determination API for Python, the CLI and HTTP: does exporting an item to a party need a license?

The rules (queries/rules) have already written every determination into the regime's inferred graph;
this module only finds the right node for a party's situation and puts its findings into words, with
the party's own control chain added to the headquarters reason.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date

from rdflib import URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.config import Settings
from exportkg.graph.dates import parse_day
from exportkg.graph.errors import ExportKGError
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import ask, rows
from exportkg.queries.catalog import catalog

ECCN_CODES = {"3A090.a", "3A090.b", "4A090.a", "4A090.b", "4E091"}
NOT_CONTROLLED = "not controlled"
UNKNOWN = "unknown"


class DeterminationError(ExportKGError):
    """The party, item, destination or regime cannot be resolved."""


class UnknownPartyError(DeterminationError):
    """No organization or data center has the id given (the HTTP API answers 404 for it)."""


@dataclass
class Reason:
    rule: str
    citation: str
    confidence: str
    because: str


@dataclass
class Determination:
    regime: str
    item: str
    eccn: str
    party: str
    destination: str
    license_required: bool | None
    review_policy: str
    exceptions: list[str] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return asdict(self)

    def memo(self) -> str:
        """A short memo with citations, for the CLI's text output."""
        need = {True: "A license is required", False: "No license is required",
                None: "Whether a license is required is unknown"}[self.license_required]
        lines = [f"{self.regime}: export of {self.item} (ECCN {self.eccn}) to {self.party} "
                 f"in {self.destination}",
                 f"{need}; review policy: {self.review_policy.replace('_', ' ')}."]
        if self.exceptions:
            lines.append(f"Available instead of a license: {', '.join(self.exceptions)}.")
        lines.append("Because:")
        for reason in self.reasons:
            lines.append(f"  - [{reason.rule}, {reason.confidence}] {reason.because}. "
                         f"({reason.citation})")
        return "\n".join(lines)


def resolve_regime(store: Store, settings: Settings, regime: str | None,
                   on: str | None) -> str:
    if regime:
        if not ask(store, settings, "is-a", iri=str(ns.regime(regime)), **{"class": str(ns.EKG.Regime)}):
            raise DeterminationError(f"unknown regime {regime!r} (see `exportkg query regimes`)")
        return regime
    day = on or date.today().isoformat()
    try:
        parse_day(day)
    except ValueError as exc:
        raise DeterminationError(f"--on: {exc}") from None
    found = rows(store, settings, "regime-in-force", day=day)
    if not found:
        raise DeterminationError(f"no regime was in force on {day}")
    return str(found[0]["r"]).rsplit("/regime/", 1)[1]


def _entity(store: Store, settings: Settings, text: str, kinds: list[str]) -> URIRef | None:
    """An id of one of the kinds (org, datacenter, chip, model) or a full IRI that exists."""
    if re.match(r"^https?://", text):
        candidates = [URIRef(text)]
    elif re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", text):
        candidates = [ns.ID[f"{k}/{text}"] for k in kinds]
    else:
        return None
    for iri in candidates:
        try:
            if ask(store, settings, "exists", iri=str(iri)):
                return iri
        except ExportKGError:
            return None
    return None


def _item_class(store: Store, settings: Settings, item: str,
                regime_iri: str) -> tuple[URIRef | None, str, list[str]]:
    """(chip or model IRI or None, ECCN code, red flags) for the item as given."""
    if item in ECCN_CODES:
        return None, item, []
    iri = _entity(store, settings, item, ["chip", "model"])
    if iri is None:
        raise DeterminationError(f"unknown item {item!r}: give an ECCN class "
                                 f"({', '.join(sorted(ECCN_CODES))}), a chip id or a model id")
    found = rows(store, settings, "item-class", item=str(iri), regime=regime_iri)
    flags = sorted({str(r["redFlag"]) for r in found if r["redFlag"] is not None})
    return iri, str(found[0]["code"]) if found else UNKNOWN, flags


def _destination(store: Store, settings: Settings, destination: str | None,
                 location: object) -> tuple[str, bool]:
    """(ISO2, is a data center) for the destination as given, or the party's own location."""
    if destination is None:
        if location is None:
            raise DeterminationError("the party's location is unknown: give a destination")
        return str(location), False
    if re.fullmatch(r"[A-Za-z]{2}", destination):
        code = destination.upper()
        if not ask(store, settings, "is-a", iri=str(ns.country(code)), **{"class": str(ns.EKG.Country)}):
            raise DeterminationError(f"unknown destination country {destination!r}")
        return code, False
    dc = _entity(store, settings, destination, ["datacenter"])
    if dc is None:
        raise DeterminationError(f"unknown destination {destination!r}: an ISO 3166 code or a data "
                                 "center id")
    codes = [str(r["code"]) for r in rows(store, settings, "located", iri=str(dc))]
    if not codes:
        raise DeterminationError(f"the data center {destination!r} has no known country")
    return codes[0], True


def determine(store: Store, settings: Settings, party: str, item: str,
              destination: str | None = None, regime: str | None = None,
              on: str | None = None) -> Determination:
    """The determination for one party, item, destination and regime (or the regime in force on a day)."""
    regime_id = resolve_regime(store, settings, regime, on)
    regime_iri = str(ns.regime(regime_id))
    party_iri = _entity(store, settings, party, ["org", "datacenter"])
    if party_iri is None:
        raise UnknownPartyError(f"unknown party {party!r}: an organization or data center id")
    facts = rows(store, settings, "party", party=str(party_iri), regime=regime_iri)
    if not facts:
        raise UnknownPartyError(f"{party!r} is not an organization or data center")
    info = facts[0]
    item_iri, eccn, red_flags = _item_class(store, settings, item, regime_iri)
    dest, dest_is_dc = _destination(store, settings, destination, info["location"])
    flag = ("d5m" if info["hqD5M"].toPython() else "t1" if info["hqTier1"].toPython()
            else "t1one" if info["hqTier1Any"].toPython() else "other")
    kind = "datacenter" if info["isDataCenter"].toPython() or dest_is_dc else "org"
    base = Determination(regime_id, item, eccn, str(party_iri), dest, None, UNKNOWN)
    base.reasons.extend(_reason(settings, "gp10-red-flag", flag) for flag in red_flags)
    if eccn in (NOT_CONTROLLED, UNKNOWN):
        rule = "model-eccn" if item_iri is not None and "/model/" in str(item_iri) else "eccn-chips"
        return _uncontrolled(base, eccn, regime_id, settings, rule)
    node = _node(store, settings, regime_id, item_iri, eccn, dest, flag)
    if not ask(store, settings, "exists", iri=str(node)):
        return _uncontrolled(base, NOT_CONTROLLED, regime_id, settings, "determination-nodes")
    return _fill(store, settings, base, node, str(party_iri), flag, kind)


def _node(store: Store, settings: Settings, regime_id: str, item_iri: URIRef | None, eccn: str,
          dest: str, flag: str) -> URIRef:
    if item_iri is not None and "/chip/" in str(item_iri):
        chip_node = ns.ID[f"determination/{regime_id}/chip/{str(item_iri).rsplit('/chip/', 1)[1]}/"
                          f"{dest}/{flag}"]
        if ask(store, settings, "exists", iri=str(chip_node)):
            return chip_node
    code = eccn.replace("4A090", "3A090")  # computers are treated as the chips they contain
    return ns.ID[f"determination/{regime_id}/{code}/{dest}/{flag}"]


def _reason(settings: Settings, rule_iri: str, because: str) -> Reason:
    name = rule_iri.rsplit("/rule/", 1)[-1]
    rule = catalog(settings.queries_dir).rule(name)
    meta = rule.meta if rule else {}
    return Reason(name, meta.get("citation", ""), meta.get("confidence", ""), because)


def _fill(store: Store, settings: Settings, det: Determination, node: URIRef,
          party_iri: str, flag: str, kind: str) -> Determination:
    found = rows(store, settings, "determination", determination=str(node))
    if not found:
        raise DeterminationError(f"no determination was inferred for {node} (run `exportkg build`)")
    det.license_required = bool(found[0]["licenseRequired"].toPython())
    det.review_policy = str(found[0]["policy"])
    available = {a for r in found if r["authorizations"] for a in str(r["authorizations"]).split(",")}
    for_party = {str(r["grant"]) for r in found if r["grant"] is not None
                 and (r["grantKind"] is None or str(r["grantKind"]) == kind)}
    det.exceptions = sorted(available & for_party)
    for row in found:
        if row["grant"] is not None and str(row["grant"]) not in det.exceptions:
            continue  # ruled out by another finding, or for another kind of party
        det.reasons.append(_reason(settings, str(row["rule"]), str(row["because"])))
    if flag == "d5m":
        chain = _chain_words(store, settings, party_iri)
        for reason in det.reasons:
            if reason.rule == "hq-d5m" and chain:
                reason.because += f". Control chain: {chain}"
    return det


def _chain_words(store: Store, settings: Settings, party_iri: str) -> str:
    links = rows(store, settings, "control-chain", party=party_iri)
    parts = []
    for link in links:
        share = f" ({link['share']}%)" if link["share"] is not None else ""
        hq = f", headquartered in {link['ownerHQ']}" if link["ownerHQ"] is not None else ""
        parts.append(f"{link['ownedName']} is controlled by {link['ownerName']}{share}{hq}")
    return "; ".join(parts)


def _uncontrolled(det: Determination, eccn: str, regime_id: str, settings: Settings,
                  rule: str) -> Determination:
    if eccn == NOT_CONTROLLED:
        det.license_required, det.review_policy = False, "none"
        because = f"under {regime_id} the item is not in a controlled class (below the thresholds, " \
                  "published weights, or not controlled in this regime)"
    else:
        because = "an input of the classification is unknown (die area, training compute or weights " \
                  "access), so the class is not guessed"
    det.reasons.append(_reason(settings, rule, because))
    return det
