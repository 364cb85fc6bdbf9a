"""List entries a newer list file no longer holds: removed between the two loads, kept as history.

Replacing the lists with a newer Consolidated Screening List must not rewrite the past: an entity
removed from the Entity List last month was listed last year, and an answer about last year must
still find its entry. `exportkg lists import` therefore records every entry the last loaded file held
and the new one lacks (graph/build/lists_import.py), with the day the last file was known to hold it
(`last_listed_on`) and the day of the import that found it gone (`removed_by`); the CSL gives no
removal dates. This loader mints those entries like current ones (graph/loaders/bis_lists.py) plus
`ekg:lastListedOn` and `ekg:removedBy`: listed up to the first day, not listed from the second, and
unknown in between (the answer says undetermined and why).
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from rdflib import XSD, Literal
from rdflib.namespace import DCTERMS

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders import bis_lists, csl
from exportkg.graph.loaders.context import CONFIDENCE, LoadContext
from exportkg.graph.namespaces import EKG

COLUMNS = [*csl.SHIPPED_COLUMNS, "key", "last_listed_on", "removed_by"]
SOURCE_ID = "csl-removals"


def load(ctx: LoadContext) -> None:
    path = ctx.settings.list_removals_file
    if not path.exists():
        return
    current = {str(k) for k in ctx.facts.objects(None, EKG.entryKey)}
    _source(ctx, path)
    for row, last, gone in read(path):
        if row.key in current:
            continue  # listed again in the current file: the current entry speaks
        slug, list_node = bis_lists.list_of(row.source)
        bis_lists.list_node(ctx, row, slug, list_node)
        node = bis_lists.entry_iri(slug, row.key)
        bis_lists.entry(ctx, row, slug, list_node, SOURCE_ID)
        ctx.facts.add((node, EKG.lastListedOn, Literal(last, datatype=XSD.date)))
        ctx.facts.add((node, EKG.removedBy, Literal(gone, datatype=XSD.date)))


def read(path: Path) -> list[tuple[csl.ListRow, str, str]]:
    out = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, record in enumerate(csv.DictReader(handle), start=2):
            row = csl.ListRow(file=path.name, line=line, source=record["source"], name=record["name"],
                              entity_number=record["entity_number"], kind=record["type"],
                              alt_names=[a for a in record["alt_names"].split(";") if a.strip()],
                              countries=[c for c in record["countries"].split(";") if c.strip()],
                              notices=record["federal_register_notice"], requirement=record["license_requirement"],
                              policy=record["license_policy"], start_date="", end_date="",
                              list_url=record["source_list_url"], key=record["key"])
            out.append((row, record["last_listed_on"], record["removed_by"]))
    return out


def write(path: Path, rows: list[tuple[csl.ListRow, str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row, last, gone in rows:
            writer.writerow({"source": row.source, "entity_number": row.entity_number, "type": row.kind,
                             "name": row.name, "alt_names": ";".join(row.alt_names),
                             "countries": ";".join(row.countries), "federal_register_notice": row.notices,
                             "license_requirement": row.requirement, "license_policy": row.policy,
                             "source_list_url": row.list_url, "key": row.key, "last_listed_on": last,
                             "removed_by": gone})


def removed_since(previous: list[tuple[csl.ListRow, str, str]], old: list[csl.ListRow], new: list[csl.ListRow],
                  last_listed_on: str, removed_by: str) -> list[tuple[csl.ListRow, str, str]]:
    """The record after a new load: earlier removals still absent, plus the old file's entries the new
    one lacks (dated by the old file's day and this import's)."""
    now = {(r.source, r.key) for r in new}
    kept = [(r, a, b) for r, a, b in previous if (r.source, r.key) not in now]
    known = {(r.source, r.key) for r, _a, _b in kept}
    gone = [(r, last_listed_on, removed_by) for r in old if (r.source, r.key) not in now | known]
    return kept + gone


def _source(ctx: LoadContext, path: Path) -> None:
    node = ns.source(SOURCE_ID)
    ctx.facts.add((node, ns.RDF.type, EKG.Source))
    ctx.facts.add((node, DCTERMS.title, Literal("BIS list entries no longer in the list file loaded last")))
    ctx.facts.add((node, EKG.sourceKind, CONFIDENCE["P"]))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    ctx.facts.add((node, EKG.note, Literal(f"recorded by `exportkg lists import` ({path.name}, sha256 {digest}): "
                                            "each entry with the last day a loaded file held it and the day "
                                            "of the import that found it gone")))
    ctx.sources.add(SOURCE_ID)
