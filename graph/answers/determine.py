"""One determination API for Python, the CLI and HTTP: does exporting an item to a party need a license?

The rules (queries/rules) have already written every determination into the regime's inferred graph;
this module finds the node for the party's situation, puts its findings into words (graph/answers/
model.py), adds the party's own control chain to the headquarters reason, and tries each unknown fact
the answer depends on (graph/answers/unknowns.py). `--on DAY` reads the legal state in force that day;
`--regime ID` one version, as of its own date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rdflib import URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.answers.chain import control_links
from exportkg.graph.answers.end_user import apply_end_user
from exportkg.graph.answers.model import (
    Determination,
    DeterminationError,
    Reason,
    Requirement,
    Unknown,
    UnknownPartyError,
    labelled,
)
from exportkg.graph.answers.outcome import NOT_CONTROLLED, UNKNOWN, Outcome, outcome
from exportkg.graph.answers.unknowns import Alternative, chip_alternative, party_alternatives
from exportkg.graph.config import Settings
from exportkg.graph.dates import parse_day
from exportkg.graph.errors import ExportKGError
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import ask, rows
from exportkg.queries.catalog import catalog

ECCN_CODES = {"3A090.a", "3A090.a-ndc", "3A090.b", "3A090.c", "4A090.a", "4A090.b", "4E091"}

__all__ = ["Determination", "DeterminationError", "UnknownPartyError", "determine", "resolve_regime"]


@dataclass(frozen=True)
class Where:
    """The regime answered from, the day it is read as of, and whether it is the law in force."""

    regime: str
    as_of: str | None
    legal: bool


def resolve_regime(store: Store, settings: Settings, regime: str | None, on: str | None) -> str:
    return _where(store, settings, regime, on).regime


def _where(store: Store, settings: Settings, regime: str | None, on: str | None) -> Where:
    if regime:
        info = rows(store, settings, "regime-info", regime=str(ns.regime(regime)))
        if not info:
            raise DeterminationError(f"unknown regime {regime!r} (see `exportkg query regimes`)")
        as_of = str(info[0]["asOf"]) if info[0]["asOf"] is not None else None
        return Where(regime, as_of, bool(info[0]["legal"].toPython()))
    day = on or date.today().isoformat()
    try:
        parse_day(day)
    except ValueError as exc:
        raise DeterminationError(f"--on: {exc}") from None
    found = rows(store, settings, "regime-in-force", day=day)
    if not found:
        raise DeterminationError(f"no advanced-computing rule was in force on {day} (the first took effect "
                                 "on 2022-10-07)")
    return Where(str(found[0]["r"]).rsplit("/regime/", 1)[1], day, True)


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


@dataclass
class ItemClass:
    iri: URIRef | None
    code: str
    label: str
    flags: list[str]
    why: str = ""
    alternative: Alternative | None = None


def _item_class(store: Store, settings: Settings, item: str, regime_iri: str) -> ItemClass:
    if item in ECCN_CODES:
        return ItemClass(None, item, item, [])
    iri = _entity(store, settings, item, ["chip", "model"])
    if iri is None:
        raise DeterminationError(f"unknown item {item!r}: give an ECCN class "
                                 f"({', '.join(sorted(ECCN_CODES))}), a chip id or a model id")
    found = rows(store, settings, "item-class", item=str(iri), regime=regime_iri)
    if not found:
        return ItemClass(iri, UNKNOWN, item, [])
    row = found[0]
    label = str(row["label"] or item)
    flags = sorted({str(r["redFlag"]) for r in found if r["redFlag"] is not None})
    alternative = chip_alternative(label, _text(row["ifDc"]), _text(row["ifNotDc"]))
    # a chip whose data-center status is unknown is answered as the data-center part it may be, with
    # the other class tried as its alternative
    code = str(row["ifDc"]) if alternative else str(row["code"])
    return ItemClass(iri, code, label, flags, _text(row["why"]) or "", alternative)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


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


def _country_name(store: Store, settings: Settings, iso: str) -> str:
    found = rows(store, settings, "viz-label", iri=str(ns.country(iso)))
    return str(found[0]["label"]) if found and found[0]["label"] is not None else ""


def determine(store: Store, settings: Settings, party: str, item: str,
              destination: str | None = None, regime: str | None = None,
              on: str | None = None) -> Determination:
    """The determination for one party, item and destination under a regime, or the law on a day."""
    where = _where(store, settings, regime, on)
    regime_iri = str(ns.regime(where.regime))
    party_iri = _entity(store, settings, party, ["org", "datacenter"])
    if party_iri is None:
        raise UnknownPartyError(f"unknown party {party!r}: an organization or data center id")
    facts = rows(store, settings, "party", party=str(party_iri), regime=regime_iri)
    if not facts:
        raise UnknownPartyError(f"{party!r} is not an organization or data center")
    if not ask(store, settings, "regime-reasoned", graph=str(ns.inferred_graph(where.regime))):
        raise DeterminationError(f"the store holds no determinations under {where.regime}: it sets no item "
                                 "controls of its own, or this build reasoned only some regimes "
                                 "(EXPORTKG_REASON_REGIMES; rebuild without it)")
    info = facts[0]
    cls = _item_class(store, settings, item, regime_iri)
    dest, dest_is_dc = _destination(store, settings, destination, info["location"])
    flag = ("d5m" if info["hqD5M"].toPython() else "t1" if info["hqTier1"].toPython()
            else "t1one" if info["hqTier1Any"].toPython() else "other")
    kind = "datacenter" if info["isDataCenter"].toPython() or dest_is_dc else "org"
    kinds = {kind} | (set() if info["isGovernment"].toPython() else {"private"})
    det = Determination(where.regime, item, cls.code, str(party_iri), dest, None, UNKNOWN, as_of=where.as_of,
                        legal_state=where.regime if where.legal else None,
                        party_name=str(info["label"] or party), item_name=cls.label,
                        destination_name=_country_name(store, settings, dest))
    det.reasons.extend(_reason(settings, "gp10-red-flag", red) for red in cls.flags)
    find = _finder(store, settings, where.regime, cls.iri, dest)
    known = find(flag, cls.code)
    _fill(store, settings, det, known, str(party_iri), flag, kinds, where.legal, cls)
    alternatives = party_alternatives(store, settings, party_iri, regime_iri, flag)
    alternatives += [cls.alternative] if cls.alternative else []
    for alt in alternatives:
        _try(det, known, alt, find(alt.flag or flag, alt.code or cls.code))
    _unknown_provisions(det)
    apply_end_user(store, settings, det, str(party_iri), where.as_of or date.today().isoformat())
    return det


def _finder(store: Store, settings: Settings, regime_id: str, item_iri: URIRef | None, dest: str):  # type: ignore[no-untyped-def]
    cache: dict[tuple[str, str], Outcome] = {}

    def find(flag: str, code: str) -> Outcome:
        if (flag, code) not in cache:
            cache[(flag, code)] = outcome(store, settings, regime_id, item_iri, code, dest, flag)
        return cache[(flag, code)]
    return find


def _try(det: Determination, known: Outcome, alt: Alternative, other: Outcome) -> None:
    """One unknown fact: undetermined when its other value changes the answer."""
    if other.answer() == known.answer():
        same = known.words() if other.words() == known.words() else f"{alt.when}: {other.words()}; " \
            f"{alt.otherwise}: {known.words()}"
        det.unknowns.append(Unknown(alt.fact, f"the answer is the same either way ({same})"))
        return
    det.unknowns.append(Unknown(alt.fact, f"{alt.when}: {other.words()}; {alt.otherwise}: {known.words()}"))
    det.license_required, det.review_policy = None, "undetermined"


def _unknown_provisions(det: Determination) -> None:
    """A requirement or authorization whose provision's status that day is not known."""
    for req in det.requirements:
        if req.status != "unknown":
            continue
        if req.authorization:
            det.unknowns.append(Unknown(f"whether BIS still applies the provision granting {req.authorization}"
                                        f" on {det.as_of}", f"if it does: {req.authorization} is available "
                                        f"({req.because}); if not: it is not"))
        elif req.license_required and det.license_required is False:
            det.unknowns.append(Unknown(f"whether BIS still applies the provision of rule {req.rule} on "
                                        f"{det.as_of}", f"if it does: a license is required ({req.because})"))
            det.license_required, det.review_policy = None, "undetermined"


def _reason(settings: Settings, rule_iri: str, because: str, citation: str | None = None) -> Reason:
    name = rule_iri.rsplit("/rule/", 1)[-1]
    rule = catalog(settings.queries_dir).rule(name)
    meta = rule.meta if rule else {}
    return Reason(name, citation or meta.get("citation", ""), meta.get("confidence", ""), because)


def _fill(store: Store, settings: Settings, det: Determination, known: Outcome, party_iri: str, flag: str,
          kinds: set[str], legal: bool, cls: ItemClass) -> None:
    """The answer as known: outcome, exceptions for this kind of party, reasons and requirements."""
    if not known.rows:  # no node: the class is not controlled, or not known
        _uncontrolled(det, known.code, settings, cls)
        return
    found = known.rows
    det.license_required = bool(found[0]["licenseRequired"].toPython())
    det.review_policy = str(found[0]["policy"])
    available = {a for r in found if r["authorizations"] for a in str(r["authorizations"]).split(",")}
    for_party = [r for r in found if r["grantKind"] is None or str(r["grantKind"]) in kinds]
    det.exceptions = sorted(available & {str(r["grant"]) for r in for_party if r["grant"] is not None})
    for row in for_party:
        status = str(row["status"]) if row["status"] is not None else "enforced" if legal else "as_written"
        reason = _reason(settings, str(row["rule"]), str(row["because"]), _text(row["citation"]))
        needed = None if row["findingLicense"] is None else bool(row["findingLicense"].toPython())
        det.requirements.append(Requirement(reason.rule, reason.citation, _text(row["findingPolicy"]), needed,
                                            status, reason.because, _text(row["grant"])))
        if status in ("enforced", "as_written") and (row["grant"] is None or str(row["grant"]) in det.exceptions):
            det.reasons.append(reason)
    if flag == "d5m":
        chain = _chain_words(store, settings, party_iri)
        for reason in det.reasons:
            if reason.rule == "hq-d5m" and chain:
                reason.because += f". Control chain: {chain}"


def _chain_words(store: Store, settings: Settings, party_iri: str) -> str:
    parts = []
    for link in control_links(store, settings, party_iri):
        share = f" ({link['share']}%)" if link["share"] is not None else ""
        hq = f", headquartered in {labelled(str(link['ownerHQ']), _text(link['ownerHQName']))}" \
            if link["ownerHQ"] is not None else ""
        parts.append(f"{link['ownedName']} is controlled by {link['ownerName']}{share}{hq}")
    return "; ".join(parts)


def _uncontrolled(det: Determination, code: str, settings: Settings, cls: ItemClass) -> None:
    rule = "model-eccn" if cls.iri is not None and "/model/" in str(cls.iri) else "eccn-chips"
    if code == NOT_CONTROLLED:
        det.eccn = NOT_CONTROLLED
        det.license_required, det.review_policy = False, "none"
        because = f"under {det.regime} the item is not in a controlled class" + (f" ({cls.why})" if cls.why else "")
    else:
        det.eccn, det.review_policy = UNKNOWN, "undetermined"
        because = "an input of the classification is unknown, so the class is not guessed" + \
                  (f" ({cls.why})" if cls.why else "")
        det.unknowns.append(Unknown(f"the classification inputs of {cls.label}", "the ECCN (and so whether a "
                                    "license is required) cannot be decided without them"))
    det.reasons.append(_reason(settings, rule, because))
