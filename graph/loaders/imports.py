"""Researchers' own parties (`exportkg import`): companies and data centers, loaded like curated rows.

The rows travel with the published build (graph/build/record.py), so every later build keeps them;
the build hands this loader the record to read as `Settings.imports_override`. A company's parent is
a controlling parent unless its share says otherwise (<= 50 %: a minority stake); the optional `owners`
column names more owners, `id:share;id:share`, each an Ownership link like the parent's (over 50 %:
majority control, 50 % or less: a minority stake, no share: unknown). The optional `list_entries`
column (`entity-list/<key>;...`, keys as `exportkg lists candidates` prints them) is the researcher's
own screening result: the party is the party of those BIS list entries, on the row's source (marked
U like every imported fact). Imports add parties: an id the curated data already has is refused (an
import never changes a curated fact).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rdflib import RDFS, XSD, Literal
from rdflib.namespace import DCTERMS

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders import companies, listed_links
from exportkg.graph.loaders.context import CONFIDENCE, LoadContext, decimal_cell, unique_ids
from exportkg.graph.loaders.csvio import Row, read_rows
from exportkg.graph.namespaces import EKG, ID

COLUMNS = ["id", "name", "kind", "country", "headquarters", "parent", "parent_share", "operator",
           "h100e", "source"]
#: columns a file may leave out (files made before them keep working): `owners`, `id:share;id:share`
LIST_ENTRIES = "list_entries"
OPTIONAL = [companies.OWNERS, LIST_ENTRIES]
RECORD_COLUMNS = COLUMNS + OPTIONAL
KINDS = {"company", "data_center"}


def load(ctx: LoadContext, path: Path | None = None) -> None:
    path = path or ctx.settings.imports_override
    if path is None or not path.exists():
        return
    rows = [r for r in unique_ids(ctx, list(read_rows(path, COLUMNS, label=path.name))) if _new(ctx, r)]
    for row in rows:
        if row.get("kind") not in KINDS:
            ctx.fail(row, f"kind must be company or data_center, got {row.get('kind')!r}")
    orgs = [_as_company(ctx, r) for r in rows if r.get("kind") == "company"]
    companies.load_rows(ctx, orgs)
    for row in rows:
        if row.get("kind") == "data_center":
            _load_datacenter(ctx, row)
        _load_list_entries(ctx, row)


def _load_list_entries(ctx: LoadContext, row: Row) -> None:
    """Links to the list entries the researcher matched; an entry the loaded lists lack is an error, not a
    silent no-match (the lists load before imports)."""
    keys = [k.strip() for k in row.get(LIST_ENTRIES).split(";") if k.strip()]
    if keys and row.get("kind") != "company":
        ctx.fail(row, "list_entries: only a company or other organization is a listed party")
        return
    for key in keys:
        if (ID[f"listed/{key}"], RDFS.label, None) not in ctx.facts:
            ctx.fail(row, f"list_entries: no list entry {key!r} in the lists loaded (keys look like "
                          "entity-list/03c3b3536e313efd; see `exportkg lists candidates`)")
            continue
        listed_links.link(ctx, row, key, row.get("id"), source_id(ctx, row.get("source")), "U")


def _new(ctx: LoadContext, row: Row) -> bool:
    """An imported party must not be one the curated data has: refused at the user's row (the loaders
    before this one minted every curated node, with its origin)."""
    kind = row.get("kind")
    node = ns.datacenter(row.get("id")) if kind == "data_center" else ns.org(row.get("id"))
    if node in ctx.origins or (kind != "data_center" and row.get("id") in ctx.orgs):
        what = "a data center" if kind == "data_center" else "an organization"
        ctx.fail(row, f"id {row.get('id')!r} is already {what} of the curated data; an import adds parties "
                      "and never changes curated ones (choose another id)")
        return False
    return True


def source_id(ctx: LoadContext, text: str) -> str:
    """A researcher's source (free text or a URL) becomes a Source node marked unverified."""
    text = text.strip() or "imported without a source"
    sid = "import-" + hashlib.sha256(text.encode()).hexdigest()[:12]
    if sid not in ctx.sources:
        node = ns.source(sid)
        ctx.facts.add((node, ns.RDF.type, EKG.Source))
        ctx.facts.add((node, DCTERMS.title, Literal(text)))
        ctx.facts.add((node, EKG.sourceKind, CONFIDENCE["U"]))
        ctx.sources.add(sid)
    return sid


def _as_company(ctx: LoadContext, row: Row) -> Row:
    share = decimal_cell(ctx, row, "parent_share")
    control = "" if not row.get("parent") else "minority" if share is not None and share <= 50 \
        else "majority" if share is not None else "stated"
    values = {c: row.get(c) for c in [*companies.COLUMNS, companies.OWNERS]}
    values.update(kind="company", control=control, source=source_id(ctx, row.get("source")),
                  confidence="U", aliases="", wikidata="", note="imported by a user")
    return Row(row.file, row.line, values)


def _load_datacenter(ctx: LoadContext, row: Row) -> None:
    if not companies.ID_PATTERN.match(row.get("id")):
        ctx.fail(row, f"id: {row.get('id')!r} is not a lowercase slug [a-z0-9-]")
    if row.get(companies.OWNERS):
        ctx.fail(row, "owners: only a company has owners (a data center's owner goes in parent)")
    node = ctx.mint(ns.datacenter(row.get("id")), EKG.DataCenter, row, row.get("name") or row.get("id"))
    country = ctx.country_ref(row, row.get("country"), "country")
    if country is None:
        ctx.fail(row, "country: a data center needs its country")
    else:
        ctx.facts.add((node, EKG.locatedIn, country))
    for column, prop in (("operator", EKG.operatedBy), ("parent", EKG.ownedBy)):
        ref = row.get(column)
        if ref and ref not in ctx.orgs:
            ctx.fail(row, f"{column}: {ref!r} does not exist (no organization with that id)")
        elif ref:
            ctx.facts.add((node, prop, ns.org(ref)))
    h100e = decimal_cell(ctx, row, "h100e")
    if h100e is not None:
        ctx.facts.add((node, EKG.h100Equivalents, Literal(h100e, datatype=XSD.decimal)))
    ctx.cite(node, row, source_id(ctx, row.get("source")), "U")
