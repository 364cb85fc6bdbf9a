"""End-user controls in a determination: the BIS lists that name the party, and the affiliates rule.

An item-based answer (3A090, 4A090, 4E091 ...) says what the item needs; a listed party adds its own
requirement whatever the item: an Entity List entry requires a license for what it names (all items
subject to the EAR for the AI-relevant entries), with no license exceptions (15 CFR 744.16(b)), and
its review policy; the Denied Persons List denies export privileges; the Unverified List rules out
license exceptions; the MEU List covers the items of Supplement No. 2 to part 744. The strictest
policy governs, so a later relaxation of the item rules (the H200 case-by-case) never overrides an
entry's presumption of denial. Under the affiliates rule (90 FR 47201), while it is in force, a party
owned 50 percent or more by listed parties, alone or together, takes their requirements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from exportkg.graph.answers.listed import ListedEntry, listed_entries
from exportkg.graph.answers.model import Determination, Reason, Requirement, Unknown
from exportkg.graph.answers.ownership import Reach, affiliate_reach
from exportkg.graph.config import Settings
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import rows

#: stricter policies rank higher; the strictest of all applicable requirements governs
RANK = {"none": 0, "presumption_of_approval": 1, "case_by_case": 2, "unknown": 3, "presumption_of_denial": 4,
        "policy_of_denial": 5}
#: the rule id each list's requirement is reported under (the list's CFR citation is data: the ontology)
RULES = {"EL": "entity-list", "DPL": "denied-persons", "UVL": "unverified-list", "MEU": "military-end-user"}
AFFILIATES = "affiliates-rule"


@dataclass(frozen=True)
class Applied:
    """One listed requirement as it bears on this answer."""

    reason: Reason
    license_required: bool | None
    policy: str
    blocks_exceptions: bool


def apply_end_user(store: Store, settings: Settings, det: Determination, party_iri: str, day: str) -> None:
    """Add the listed requirements of the party (and, by the affiliates rule, of its listed owners)."""
    entries = [e for e in listed_entries(store, settings, party_iri, day) if e.drives_determinations]
    for entry in entries:
        _apply(det, entry, day, det.party_name or party_iri)
    if not any(e.list_code in ("EL", "MEU") for e in entries):
        _affiliates(store, settings, det, party_iri, day)
    det.unknowns = list({u.fact: u for u in det.unknowns}.values())


def _apply(det: Determination, entry: ListedEntry, day: str, who: str, via: str = "",
           status: str = "enforced") -> None:
    listed = _listed_on(entry, day)
    if listed is False:
        return
    applied = _read(entry, who, via)
    det.requirements.append(Requirement(applied.reason.rule, applied.reason.citation, applied.policy,
                                        applied.license_required, status, applied.reason.because))
    if status != "enforced":
        return
    if listed is None:
        det.unknowns.append(Unknown(f"whether '{entry.name}' was on the {entry.list_name} on {day} "
                                    f"({_why_unknown(entry)})", f"if it was: {applied.reason.because}"))
        _undetermined_unless_already(det, applied)
        return
    det.reasons.append(applied.reason)
    _combine(det, applied)


def _read(entry: ListedEntry, who: str, via: str) -> Applied:
    rule = RULES[entry.list_code]
    citation = (f"{entry.list_citation or entry.list_name}; {entry.listing_notice or 'listing notice not given'} "
                f"({entry.list_name})")
    listed = f" ({entry.listing_notice})" if entry.listing_notice else ""
    said = (f"{who} {via}takes the restrictions of the {entry.list_name} entry '{entry.name}'{listed}" if via
            else f"{who} is on the {entry.list_name} as '{entry.name}'{listed}")
    if entry.list_code == "DPL":
        return Applied(Reason(rule, citation, entry.confidence or "", f"{said}: export privileges denied; no "
                              "license or exception"), True, "policy_of_denial", True)
    if entry.list_code == "UVL":
        return Applied(Reason(rule, citation, entry.confidence or "", f"{said}: no license exceptions, and a UVL "
                              "statement is required before export"), None, "none", True)
    policy = _policy(entry)
    covers = entry.scope in ("all_items", "all_items_with_carve_outs")
    needed = True if covers else None
    scope = entry.requirement_text or "not stated"
    because = f"{said}: license requirement: {scope}; review policy: {entry.policy_text or 'not stated'}"
    if entry.list_code == "EL":
        because += "; no license exceptions (744.16(b))"
    return Applied(Reason(rule, citation, entry.confidence or "", because), needed, policy, entry.list_code == "EL")


def _policy(entry: ListedEntry) -> str:
    if entry.policy in RANK:
        return entry.policy
    if entry.policy_code == "policy_of_denial":
        return "policy_of_denial"
    if entry.policy_code == "mixed" and entry.other_items_policy in RANK:
        return str(entry.other_items_policy)
    return "unknown"


def _combine(det: Determination, applied: Applied) -> None:
    """The strictest requirement governs; an entry that rules out exceptions removes them."""
    if applied.blocks_exceptions:
        det.exceptions = []
    if applied.license_required is None:
        if applied.policy != "none":
            det.unknowns.append(Unknown("whether the entry's license requirement covers this item", "if it "
                                        f"does: a license is required ({applied.reason.because})"))
            _undetermined_unless_already(det, applied)
        return
    if det.license_required is None and RANK[applied.policy] < RANK["presumption_of_denial"]:
        return  # the item-based answer is undetermined and could be stricter than the entry's
    det.license_required = True
    current = det.review_policy if det.review_policy in RANK else "none"
    det.review_policy = max(current, applied.policy, key=RANK.__getitem__)


def _undetermined_unless_already(det: Determination, applied: Applied) -> None:
    """An entry that may apply leaves the answer undetermined, unless a license is required anyway
    with a policy at least as strict as the entry's."""
    if det.license_required and RANK.get(det.review_policy, 0) >= RANK.get(applied.policy, 0):
        return
    det.license_required, det.review_policy = None, "undetermined"



def _why_unknown(entry: ListedEntry) -> str:
    if entry.last_listed is not None:
        return (f"a list file of {entry.last_listed} held it, a later one did not: it was removed in between, "
                "on a day the lists do not give")
    return f"listed by {entry.listing_notice}, published in {entry.notice_year}; the day is not recorded"


def _listed_on(entry: ListedEntry, day: str) -> bool | None:
    """Listed on the day: by its listing date where known, else by the year of its listing notice
    (unknown within that year); an entry a later file no longer held is unknown after the last day a
    file held it (the query leaves it out from the day it was found gone)."""
    asked = date.fromisoformat(day)
    if entry.last_listed is not None and asked > entry.last_listed:
        return None
    if entry.listing_date is not None:
        return entry.listing_date <= asked
    year = entry.notice_year
    if year is None:
        return None
    return True if asked.year > year else False if asked.year < year else None


def _affiliates(store: Store, settings: Settings, det: Determination, party_iri: str, day: str) -> None:
    found = rows(store, settings, "provision-status", provision=AFFILIATES, day=day)
    if not found:
        return  # before its first dated status: the 'legally distinct' standard, no affiliates rule
    rule = _Provision(str(found[0]["status"]), str(found[0]["since"]), str(found[0]["citation"] or AFFILIATES))
    reach = affiliate_reach(store, settings, party_iri, day)
    if reach.reached is False:
        return
    if reach.reached is None:
        if rule.status == "enforced":
            det.unknowns.append(Unknown(f"the shares listed parties hold in {det.party_name} ({reach.words})",
                                        "at 50 percent or more together, the affiliates rule "
                                        f"({rule.citation}) extends their Entity List or MEU requirements to it"))
            det.license_required, det.review_policy = None, "undetermined"
        return
    _reached(det, reach, day, rule)


@dataclass(frozen=True)
class _Provision:
    """The affiliates rule's status on the day, from its dated statuses in regimes.yaml."""

    status: str
    since: str
    citation: str


def _reached(det: Determination, reach: Reach, day: str, rule: _Provision) -> None:
    via = f"(owned 50 percent or more by listed parties: {reach.words}; affiliates rule, {rule.citation}) "
    for entry in reach.entries:
        if rule.status == "unknown":
            applied = _read(entry, det.party_name, via)
            det.unknowns.append(Unknown(f"whether BIS applies the affiliates rule on {day} (its status is unknown "
                                        f"from {rule.since}; {rule.citation})",
                                        f"if it does: {applied.reason.because}"))
            _undetermined_unless_already(det, applied)
            det.requirements.append(Requirement(AFFILIATES, rule.citation, applied.policy,
                                                applied.license_required, "unknown", applied.reason.because))
            continue
        _apply(det, entry, day, det.party_name, via, rule.status)
