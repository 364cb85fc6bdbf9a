"""Researchers' own parties (`exportkg import`): companies and data centers, loaded like curated rows.

The rows live in the store's home (imports/parties.csv), so every later build keeps them. A company's
parent is a controlling parent unless its share says otherwise (<= 50 %: a minority stake).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rdflib import XSD, Literal
from rdflib.namespace import DCTERMS

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders import companies
from exportkg.graph.loaders.context import CONFIDENCE, LoadContext, decimal_cell, unique_ids
from exportkg.graph.loaders.csvio import Row, read_rows
from exportkg.graph.namespaces import EKG

COLUMNS = ["id", "name", "kind", "country", "headquarters", "parent", "parent_share", "operator",
           "h100e", "source"]
KINDS = {"company", "data_center"}


def load(ctx: LoadContext, path: Path | None = None) -> None:
    path = path or ctx.settings.imports_file
    if not path.exists():
        return
    rows = unique_ids(ctx, list(read_rows(path, COLUMNS, label=path.name)))
    for row in rows:
        if row.get("kind") not in KINDS:
            ctx.fail(row, f"kind must be company or data_center, got {row.get('kind')!r}")
    orgs = [_as_company(ctx, r) for r in rows if r.get("kind") == "company"]
    companies.load_rows(ctx, orgs)
    for row in rows:
        if row.get("kind") == "data_center":
            _load_datacenter(ctx, row)


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
    values = {c: row.get(c) for c in companies.COLUMNS}
    values.update(kind="company", control=control, source=source_id(ctx, row.get("source")),
                  confidence="U", aliases="", wikidata="", note="imported by a user")
    return Row(row.file, row.line, values)


def _load_datacenter(ctx: LoadContext, row: Row) -> None:
    if not companies.ID_PATTERN.match(row.get("id")):
        ctx.fail(row, f"id: {row.get('id')!r} is not a lowercase slug [a-z0-9-]")
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
