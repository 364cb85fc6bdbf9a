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

from rdflib import RDFS, Literal, URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders.context import LoadContext, date_cell
from exportkg.graph.loaders.csvio import Row, read_rows
from exportkg.graph.loaders.name_match import EntryIndex
from exportkg.graph.namespaces import EKG, ID

FILE = "listed_links.csv"
COLUMNS = ["entry", "org", "source", "confidence", "note"]
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


def _candidates(ctx: LoadContext, linked: set[tuple[URIRef, URIRef]]) -> None:
    """Name matches of the organizations loaded as rdflib triples, with those a bulk loader found while
    its organizations streamed past (GLEIF), minus the links already curated."""
    index = EntryIndex.of(ctx)
    pairs = set(ctx.bulk_candidates)
    for org in ctx.orgs - ctx.bulk_orgs:
        node = ns.org(org)
        names = [str(n) for n in (*ctx.facts.objects(node, RDFS.label), *ctx.facts.objects(node, EKG.alias))]
        countries = set(ctx.facts.objects(node, EKG.locatedIn)) | set(ctx.facts.objects(node, EKG.headquarteredIn))
        pairs |= {(entry, node) for entry in index.matches(names, countries)}
    for entry, node in pairs:
        if (entry, node) not in linked and (entry, EKG.designates, node) not in ctx.facts:
            ctx.facts.add((entry, EKG.candidateMatch, node))
