"""The list entries that name a party: what determinations combine with the item-based requirements.

Only curated links count (ekg:designates, graph/data/listed_links.csv): a candidate match found by
name is for review and never reaches an answer. Ownership (the affiliates rule) is not followed here;
this is the direct layer that such a rule builds on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rdflib.term import Node

from exportkg.graph.config import Settings
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import rows


@dataclass(frozen=True)
class ListedEntry:
    """One entry naming the party, as the list prints it and as it was read (graph/loaders/listtext.py).

    `policy` is a review policy notation (presumption_of_denial, case_by_case, presumption_of_approval)
    only where the text states one for every item; `policy_code` always says what the text states
    (policy_of_denial, mixed, see_section, ...), and `other_items_policy` the policy a mixed text gives
    for all other items. `listing_date` is None when no source gives it (the shipped snapshot).
    """

    entry: str
    list_code: str
    list_name: str
    drives_determinations: bool
    name: str
    requirement_text: str | None
    scope: str
    policy_text: str | None
    policy_code: str
    policy: str | None
    other_items_policy: str | None
    listing_notice: str | None
    #: the year of the listing notice's Federal Register volume (ekg:listingNoticeYear)
    notice_year: int | None
    notices_text: str | None
    listing_date: date | None
    end_date: date | None
    #: for an entry a newer list file no longer holds: the last day a loaded file held it
    last_listed: date | None = None
    sources: tuple[str, ...] = field(default=())
    confidence: str | None = None
    #: the CFR provisions of the list (the ontology's ekg:citation of the list)
    list_citation: str | None = None


def listed_entries(store: Store, settings: Settings, party_iri: str, day: date | str) -> list[ListedEntry]:
    """Every entry linked to the party that is on its list on `day` (an entry with an unknown listing
    date counts: the list holds it, when it was added is not known)."""
    found: dict[str, dict[str, Node | None]] = {}
    sources: dict[str, set[str]] = {}
    for row in rows(store, settings, "listed-requirements", party=str(party_iri), day=str(day)):
        key = str(row["entry"])
        found.setdefault(key, row)
        if row["source"] is not None:
            sources.setdefault(key, set()).add(str(row["source"]))
    return [_entry(row, tuple(sorted(sources.get(key, ())))) for key, row in found.items()]


def _text(value: Node | None) -> str | None:
    return None if value is None else str(value)


def _date(value: Node | None) -> date | None:
    return None if value is None else value.toPython()  # type: ignore[union-attr]


def _entry(row: dict[str, Node | None], sources: tuple[str, ...]) -> ListedEntry:
    return ListedEntry(
        entry=str(row["entry"]), list_code=str(row["listCode"]), list_name=str(row["listName"]),
        drives_determinations=bool(row["drives"] is not None and row["drives"].toPython()),  # type: ignore[union-attr]
        name=str(row["name"]), requirement_text=_text(row["requirement"]), scope=str(row["scope"]),
        policy_text=_text(row["policyText"]), policy_code=str(row["policyCode"]), policy=_text(row["policy"]),
        other_items_policy=_text(row["otherPolicy"]) or _text(row["otherPolicyCode"]),
        listing_notice=_text(row["listingNotice"]),
        notice_year=None if row["noticeYear"] is None else int(row["noticeYear"].toPython()),  # type: ignore[union-attr]
        notices_text=_text(row["notices"]),
        listing_date=_date(row["listingDate"]), end_date=_date(row["endDate"]),
        last_listed=_date(row["lastListed"]),
        sources=sources, confidence=_text(row["confidence"]), list_citation=_text(row["listCitation"]))
