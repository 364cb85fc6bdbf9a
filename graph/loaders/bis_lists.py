"""The Consolidated Screening List as listed parties: one ekg:ListEntry per entry of every list.

The shipped snapshot holds the four BIS lists (graph/data/ear/README.md); a file imported with
`exportkg lists import` replaces it and may hold every list of the CSL. Only the BIS lists drive
determinations (`ekg:drivesDeterminations` on the list); the others are kept as screening information.
Each entry keeps the text as printed beside what is parsed from it (listtext.py), so a reader can always
check the reading, and a listing date is written only where the file gives one (trade.gov's
`start_date`); the snapshot gives none, so it stays unknown.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from rdflib import XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS

from exportkg.graph import namespaces as ns
from exportkg.graph.dates import date_literal
from exportkg.graph.loaders import listtext
from exportkg.graph.loaders.context import CONFIDENCE, LoadContext
from exportkg.graph.loaders.csl import ListRow, read
from exportkg.graph.loaders.csvio import Row
from exportkg.graph.namespaces import EKG, ID

SNAPSHOT = "ear/bis-lists-2026-07-31.csv"
SNAPSHOT_SOURCE = "r-csl-bis-lists-2026-07-31"
#: the day the snapshot was taken from trade.gov (graph/data/ear/README.md)
SNAPSHOT_DATE = "2026-07-31"
#: the BIS lists by the start of their CSL `source` text: (IRI slug, ontology individual)
BIS_LISTS = {
    "Entity List": ("entity-list", EKG.EntityList),
    "Denied Persons List": ("denied-persons", EKG.DeniedPersonsList),
    "Unverified List": ("unverified", EKG.UnverifiedList),
    "Military End User": ("military-end-user", EKG.MilitaryEndUserList),
}
POLICIES = {"presumption_of_denial": EKG.PresumptionOfDenial, "case_by_case": EKG.CaseByCase,
            "presumption_of_approval": EKG.PresumptionOfApproval}
#: country spellings of the CSL that are not ISO 3166-1 alpha-2 but plainly name one
COUNTRY_SPELLINGS = {"UK": "GB", "PRC": "CN", "TURKIYE": "TR"}
ABBREVIATION = re.compile(r"\(([^)]+)\)")


def load(ctx: LoadContext) -> None:
    path, source_id = lists_file(ctx)
    rows = read(path, label=path.name)
    lists: dict[str, URIRef] = {}
    for row in rows:
        slug, node = list_of(row.source)
        if row.source not in lists:
            lists[row.source] = list_node(ctx, row, slug, node)
        entry(ctx, row, slug, lists[row.source], source_id)


def lists_file(ctx: LoadContext) -> tuple[Path, str]:
    """The imported file if there is one (home/imports), else the shipped snapshot."""
    imported = ctx.settings.lists_file
    if imported is None:
        return ctx.settings.data_dir / SNAPSHOT, SNAPSHOT_SOURCE
    return imported, import_source(ctx, imported)


def import_source(ctx: LoadContext, path: Path) -> str:
    """An imported CSL file is its own source: trade.gov's data as the user downloaded it (P, the kind of
    the data; the file's hash says which download)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    sid = f"csl-import-{digest[:12]}"
    if sid not in ctx.sources:
        node = ns.source(sid)
        ctx.facts.add((node, ns.RDF.type, EKG.Source))
        ctx.facts.add((node, DCTERMS.title, Literal(f"Consolidated Screening List, imported file {path.name}")))
        ctx.facts.add((node, DCTERMS.publisher, Literal("International Trade Administration (trade.gov)")))
        ctx.facts.add((node, EKG.sourceKind, CONFIDENCE["P"]))
        ctx.facts.add((node, EKG.note, Literal(f"imported with `exportkg lists import`; sha256 {digest}")))
        ctx.sources.add(sid)
    return sid


def list_of(source: str) -> tuple[str, URIRef]:
    """A list's slug and node: the ontology's individual for a BIS list, id:list/<slug> for the others."""
    for prefix, (slug, node) in BIS_LISTS.items():
        if source.startswith(prefix):
            return slug, node
    match = ABBREVIATION.search(source)
    slug = ns.slug(match.group(1) if match else source.split(" - ")[0]) or "unnamed"
    return slug, ID[f"list/{slug}"]


def entry_iri(slug: str, key: str) -> URIRef:
    return ID[f"listed/{slug}/{key}"]


def list_node(ctx: LoadContext, row: ListRow, slug: str, node: URIRef) -> URIRef:
    """A non-BIS list is minted from its first row; the BIS lists are declared in the ontology."""
    if not str(node).startswith(str(ID)):
        return node
    ctx.facts.add((node, ns.RDF.type, EKG.ScreeningList))
    ctx.facts.add((node, RDFS.label, Literal(row.source)))
    ctx.facts.add((node, EKG.listCode, Literal(slug)))
    ctx.facts.add((node, EKG.drivesDeterminations, Literal(False)))
    return node


def entry(ctx: LoadContext, row: ListRow, slug: str, list_node: URIRef, source_id: str) -> None:
    node = entry_iri(slug, row.key)
    ctx.mint(node, EKG.ListEntry, _as_row(row), row.name)
    g = ctx.facts
    g.add((node, EKG.onList, list_node))
    g.add((node, EKG.entryKey, Literal(row.key)))
    for alias in row.alt_names:
        g.add((node, EKG.alias, Literal(alias)))
    if row.kind:
        g.add((node, EKG.partyType, Literal(row.kind)))
    _countries(ctx, row, node)
    _requirement(ctx, row, node)
    _policy(ctx, row, node)
    _notices(ctx, row, node)
    _dates(ctx, row, node)
    if row.list_url:
        g.add((node, EKG.url, Literal(row.list_url, datatype=XSD.anyURI)))
    g.add((node, DCTERMS.source, ns.source(source_id)))
    ctx.set_confidence(node, EKG.Primary)


def _as_row(row: ListRow) -> Row:
    return Row(row.file, row.line or 0, {})


def _countries(ctx: LoadContext, row: ListRow, node: URIRef) -> None:
    """An address country links to the country node; a spelling that names none is kept as text."""
    for text in row.countries:
        code = COUNTRY_SPELLINGS.get(text.upper(), text.upper())
        if len(code) != 2 or code not in ctx.countries:
            code = ctx.resolve_country_name(text) or ""
        if code:
            ctx.facts.add((node, EKG.entryCountry, ns.country(code)))
        else:
            ctx.facts.add((node, EKG.entryCountryText, Literal(text)))


def _requirement(ctx: LoadContext, row: ListRow, node: URIRef) -> None:
    parsed = listtext.requirement(row.requirement)
    g = ctx.facts
    if row.requirement:
        g.add((node, EKG.licenseRequirementText, Literal(row.requirement)))
    g.add((node, EKG.requirementScope, Literal(parsed.scope)))
    for paragraph in parsed.fdp_paragraphs:
        g.add((node, EKG.fdpParagraph, Literal(paragraph)))
    for marker in parsed.footnotes:
        g.add((node, EKG.fdpFootnote, Literal(marker)))
    for eccn in parsed.eccns:
        g.add((node, EKG.requirementEccn, Literal(eccn)))


def _policy(ctx: LoadContext, row: ListRow, node: URIRef) -> None:
    parsed = listtext.policy(row.policy)
    g = ctx.facts
    if row.policy:
        g.add((node, EKG.licensePolicyText, Literal(row.policy)))
    g.add((node, EKG.policyCode, Literal(parsed.code)))
    if parsed.policy in POLICIES:
        g.add((node, EKG.entryReviewPolicy, POLICIES[parsed.policy]))
    else:
        g.add((node, EKG.valueUnknown, Literal("entryReviewPolicy")))
    if parsed.other_items:
        g.add((node, EKG.otherItemsPolicyCode, Literal(parsed.other_items)))
    if parsed.other_items in POLICIES:
        g.add((node, EKG.otherItemsReviewPolicy, POLICIES[parsed.other_items]))
    for eccn in parsed.eccns:
        g.add((node, EKG.policyEccn, Literal(eccn)))


def _notices(ctx: LoadContext, row: ListRow, node: URIRef) -> None:
    if not row.notices:
        return
    g = ctx.facts
    g.add((node, EKG.federalRegisterText, Literal(row.notices)))
    cited = listtext.notices(row.notices)
    for citation in cited:
        g.add((node, EKG.federalRegisterNotice, Literal(citation)))
    if cited:
        g.add((node, EKG.listingNotice, Literal(cited[0])))
        year = listtext.volume_year(cited[0])
        if year is not None:
            g.add((node, EKG.listingNoticeYear, Literal(year)))


def _dates(ctx: LoadContext, row: ListRow, node: URIRef) -> None:
    """trade.gov's start and end dates where the file gives them; otherwise the listing date is unknown."""
    for text, prop in ((row.start_date, EKG.listingDate), (row.end_date, EKG.endDate)):
        if not text:
            continue
        try:
            ctx.facts.add((node, prop, date_literal(text[:10], year_ok=False)))
        except ValueError as exc:
            ctx.problems.append(row.problem(f"{prop.split('#')[-1]}: {exc}"))
    if not row.start_date:
        ctx.facts.add((node, EKG.valueUnknown, Literal("listingDate")))
