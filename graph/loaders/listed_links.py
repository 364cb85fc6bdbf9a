"""Links from list entries to the organizations of the graph: curated ones with evidence, and candidates.

A curated link (graph/data/listed_links.csv) says that an entry names an organization, on sources that
establish both the entry and the organization's identity; only these (`ekg:designates`) reach a
determination. Candidates are what a name match suggests: the same normalized name or alias, or an
organization's name inside an entry's name with a country in common. They are written as
`ekg:candidateMatch` for review (`exportkg lists candidates`) and never decide anything, because a
similar name is not evidence that two parties are one.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

from rdflib import RDFS, Literal, URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders.context import LoadContext, date_cell
from exportkg.graph.loaders.csvio import Row, read_rows
from exportkg.graph.namespaces import EKG, ID

FILE = "listed_links.csv"
COLUMNS = ["entry", "org", "source", "confidence", "note"]
LEGAL_WORDS = {"co", "company", "corp", "corporation", "ltd", "limited", "inc", "incorporated", "llc", "plc",
               "gmbh", "sa", "ag", "jsc", "ojsc", "oao", "ooo", "pte", "pvt", "the", "group", "holding",
               "holdings", "sdn", "bhd"}
#: an organization name shorter than this is matched only whole, never inside a longer entry name
MIN_INSIDE = 6


DATES_FILE = "listing_dates.csv"
DATE_COLUMNS = ["entry", "listed_from", "source", "confidence", "note"]


def load(ctx: LoadContext) -> None:
    linked = _curated(ctx)
    _listing_dates(ctx)
    _candidates(ctx, linked)


def _listing_dates(ctx: LoadContext) -> None:
    """The day an entry took effect, where a source gives it (the CSL prints notices, not dates): without
    it an answer knows only the year of the listing notice's Federal Register volume."""
    path = ctx.settings.data_dir / DATES_FILE
    if not path.exists():
        return
    for row in read_rows(path, DATE_COLUMNS):
        entry = ID[f"listed/{row.get('entry')}"]
        if (entry, RDFS.label, None) not in ctx.facts:
            ctx.fail(row, f"entry: no list entry {row.get('entry')!r} in the lists loaded")
            continue
        day = date_cell(ctx, row, "listed_from", year_ok=False)
        if day is None:
            ctx.fail(row, "listed_from: the day the entry took effect (YYYY-MM-DD)")
            continue
        ctx.facts.remove((entry, EKG.listingDate, None))
        ctx.facts.remove((entry, EKG.valueUnknown, Literal("listingDate")))
        ctx.facts.add((entry, EKG.listingDate, day))
        # the date's own sources (the entry's confidence stays the list's)
        for sid in filter(None, (s.strip() for s in row.get("source").split(";"))):
            if sid not in ctx.sources:
                ctx.fail(row, f"unknown source id {sid!r} (not in any sources*.csv)")
            ctx.facts.add((entry, EKG.listingDateSource, ns.source(sid)))


def _curated(ctx: LoadContext) -> set[tuple[URIRef, URIRef]]:
    path = ctx.settings.data_dir / FILE
    linked: set[tuple[URIRef, URIRef]] = set()
    if not path.exists():
        return linked
    for row in read_rows(path, COLUMNS):
        entry, org = ID[f"listed/{row.get('entry')}"], row.get("org")
        if org not in ctx.orgs:
            ctx.fail(row, f"org: {org!r} does not exist (no organization with that id)")
            continue
        if (entry, RDFS.label, None) not in ctx.facts:
            ctx.warnings.append(f"{row.file}:{row.line}: no list entry {row.get('entry')!r} in the lists loaded "
                                "(the link is kept out)")
            continue
        link(ctx, row, row.get("entry"), org)
        linked.add((entry, ns.org(org)))
    return linked


def link(ctx: LoadContext, row: Row, entry_key: str, org: str, source: str | None = None,
         confidence: str | None = None) -> None:
    """`entry_key` names `org`: a ListingLink cited like its row, and the `ekg:designates` determinations
    read. Curated rows cite their sources; an import's row cites the researcher's source, marked U."""
    entry = ID[f"listed/{entry_key}"]
    key = hashlib.sha256(f"{entry_key}|{org}".encode()).hexdigest()[:12]
    node = ctx.mint(ID[f"listing-link/{key}"], EKG.ListingLink, row, f"{entry_key} names {org}")
    ctx.facts.add((node, EKG.linkEntry, entry))
    ctx.facts.add((node, EKG.linkParty, ns.org(org)))
    if row.get("note"):
        ctx.facts.add((node, EKG.note, Literal(row.get("note"))))
    ctx.cite(node, row, source, confidence)
    ctx.facts.add((entry, EKG.designates, ns.org(org)))


def normalize(name: str) -> str:
    """Lowercase words without punctuation or legal forms: 'Huawei Technologies Co., Ltd.' -> 'huawei
    technologies'."""
    words = re.sub(r"[^\w]+", " ", name.lower().replace("&", " and ")).split()
    return " ".join(w for w in words if w not in LEGAL_WORDS)


def name_variants(name: str, places: frozenset[str] = frozenset()) -> set[str]:
    """A name and the parts around a parenthesis ('Inspur (Inspur Group)' -> 'inspur', 'inspur group'); a
    parenthesis that only names a place ('(Singapore)', '(USA)') is not a name of its own."""
    inner = [p for p in re.findall(r"\(([^)]*)\)", name) if normalize(p) not in places]
    parts = [name, re.sub(r"\([^)]*\)", " ", name), *inner]
    return {n for n in (normalize(p) for p in parts) if n}


def _places(ctx: LoadContext) -> frozenset[str]:
    return frozenset({normalize(n) for n in ctx.country_aliases} | {"usa", "uk", "prc", "hk"})


def _org_index(ctx: LoadContext) -> tuple[dict[str, set[str]], dict[str, set[URIRef]]]:
    """Normalized names of every organization, and each one's countries (location and headquarters)."""
    names: dict[str, set[str]] = defaultdict(set)
    countries: dict[str, set[URIRef]] = {}
    places = _places(ctx)
    for org in ctx.orgs:
        node = ns.org(org)
        for label in list(ctx.facts.objects(node, RDFS.label)) + list(ctx.facts.objects(node, EKG.alias)):
            for variant in name_variants(str(label), places):
                names[variant].add(org)
        countries[org] = set(ctx.facts.objects(node, EKG.locatedIn)) | set(ctx.facts.objects(node, EKG.headquarteredIn))
    return names, countries


def _candidates(ctx: LoadContext, linked: set[tuple[URIRef, URIRef]]) -> None:
    names, countries = _org_index(ctx)
    places = _places(ctx)
    by_first: dict[str, list[str]] = defaultdict(list)
    for name in names:
        if len(name) >= MIN_INSIDE:
            by_first[name.split()[0]].append(name)
    for entry in ctx.facts.subjects(ns.RDF.type, EKG.ListEntry):
        entry_names = set()
        for label in list(ctx.facts.objects(entry, RDFS.label)) + list(ctx.facts.objects(entry, EKG.alias)):
            entry_names |= name_variants(str(label), places)
        entry_countries = set(ctx.facts.objects(entry, EKG.entryCountry))
        for org in _matches(entry_names, entry_countries, names, countries, by_first):
            if (entry, ns.org(org)) not in linked and (entry, EKG.designates, ns.org(org)) not in ctx.facts:
                ctx.facts.add((entry, EKG.candidateMatch, ns.org(org)))


def _matches(entry_names: set[str], entry_countries: set[URIRef], names: dict[str, set[str]],
             countries: dict[str, set[URIRef]], by_first: dict[str, list[str]]) -> set[str]:
    """Same normalized name (any country), or an organization's name inside the entry's name where the
    two share a country."""
    found: set[str] = set()
    for name in entry_names:
        found |= names.get(name, set())
        padded = f" {name} "
        for word in set(name.split()):
            for org_name in by_first.get(word, ()):
                if f" {org_name} " in padded:
                    found |= {o for o in names[org_name] if countries[o] & entry_countries}
    return found
