"""Sources first: every later row cites them by id, so they must be known before anything else."""

from __future__ import annotations

from rdflib import XSD, Literal
from rdflib.namespace import DCTERMS

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders.context import CONFIDENCE, LoadContext, unique_ids
from exportkg.graph.loaders.csvio import read_rows
from exportkg.graph.namespaces import EKG

COLUMNS = ["id", "title", "citation", "url", "publisher", "date", "kind", "note"]


def load(ctx: LoadContext) -> None:
    files = sorted(ctx.settings.data_dir.glob("sources*.csv"))
    rows = [row for path in files for row in read_rows(path, COLUMNS)]
    for row in unique_ids(ctx, rows):
        node = ctx.mint(ns.source(row.get("id")), EKG.Source, row)
        ctx.sources.add(row.get("id"))
        if not row.get("title"):
            ctx.fail(row, "title: a source needs a title")
        ctx.facts.add((node, DCTERMS.title, Literal(row.get("title"))))
        kind = row.get("kind").upper()
        if kind not in CONFIDENCE:
            ctx.fail(row, f"kind must be one of P, S, U, C, D, got {kind!r}")
        else:
            ctx.facts.add((node, EKG.sourceKind, CONFIDENCE[kind]))
        if row.get("url") and not row.get("url").startswith(("http://", "https://")):
            ctx.fail(row, f"url: an http(s) address or empty, got {row.get('url')[:40]!r}")
        for column, prop, datatype in (
            ("citation", EKG.citation, None),
            ("url", EKG.url, XSD.anyURI),
            ("publisher", DCTERMS.publisher, None),
            ("note", EKG.note, None),
        ):
            if row.get(column):
                ctx.facts.add((node, prop, Literal(row.get(column), datatype=datatype)))
        if row.get("date"):
            ctx.facts.add((node, DCTERMS.date, Literal(row.get("date"))))
