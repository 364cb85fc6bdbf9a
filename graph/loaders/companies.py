"""Organizations, their headquarters and the ownership chain that the ultimate-parent test walks."""

from __future__ import annotations

import re
from decimal import Decimal

from rdflib import XSD, Literal, URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders.context import LoadContext, decimal_cell, unique_ids
from exportkg.graph.loaders.csvio import Row, read_rows
from exportkg.graph.namespaces import EKG, ID, WD

COLUMNS = ["id", "name", "kind", "country", "headquarters", "parent", "parent_share", "control",
           "wikidata", "aliases", "source", "confidence", "note"]
KINDS = {
    "company": EKG.Company,
    "government": EKG.GovernmentBody,
    "university": EKG.University,
    "research_institute": EKG.ResearchInstitute,
    "consortium": EKG.Consortium,
}
CONTROL = {"majority": EKG.MajorityControl, "stated": EKG.StatedControl,
           "minority": EKG.MinorityStake}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def load(ctx: LoadContext, path_name: str = "companies.csv") -> None:
    rows = unique_ids(ctx, list(read_rows(ctx.settings.data_dir / path_name, COLUMNS)))
    load_rows(ctx, rows)


def load_rows(ctx: LoadContext, rows: list[Row]) -> None:
    """Two passes: every id is known before any parent reference is checked."""
    for row in rows:
        if not ID_PATTERN.match(row.get("id")):
            ctx.fail(row, f"id: {row.get('id')!r} is not a lowercase slug [a-z0-9-]")
        ctx.orgs.add(row.get("id"))
    for row in rows:
        _load_org(ctx, row)
    _check_cycles(ctx, rows)


def _load_org(ctx: LoadContext, row: Row) -> None:
    kind = KINDS.get(row.get("kind") or "company")
    if kind is None:
        ctx.fail(row, f"kind must be one of {', '.join(KINDS)}, got {row.get('kind')!r}")
        return
    node = ctx.mint(ns.org(row.get("id")), kind, row, row.get("name") or row.get("id"))
    if not row.get("name"):
        ctx.fail(row, "name: required")
    for column, prop in (("country", EKG.locatedIn), ("headquarters", EKG.headquarteredIn)):
        ref = ctx.country_ref(row, row.get(column), column)
        if ref is not None:
            ctx.facts.add((node, prop, ref))
    if not row.get("headquarters"):
        ctx.facts.add((node, EKG.valueUnknown, Literal("headquarteredIn")))
    if row.get("wikidata"):
        ctx.facts.add((node, EKG.wikidata, WD[row.get("wikidata")]))
    for alias in filter(None, (a.strip() for a in row.get("aliases").split("|"))):
        ctx.facts.add((node, EKG.alias, Literal(alias)))
        other = ctx.org_aliases.setdefault(alias, row.get("id"))
        if other != row.get("id"):
            ctx.fail(row, f"aliases: {alias!r} already names {other!r}")
    if row.get("note"):
        ctx.facts.add((node, EKG.note, Literal(row.get("note"))))
    ctx.cite(node, row)
    if row.get("parent"):
        _load_ownership(ctx, row, node)


def _load_ownership(ctx: LoadContext, row: Row, owned: URIRef) -> None:
    parent_id = row.get("parent")
    if parent_id not in ctx.orgs:
        ctx.fail(row, f"parent: {parent_id!r} does not exist (no organization with that id)")
        return
    if parent_id == row.get("id"):
        ctx.fail(row, "parent: an organization cannot be its own parent")
        return
    share = decimal_cell(ctx, row, "parent_share", minimum=0)
    if share is not None and share > 100:
        ctx.fail(row, f"parent_share: must be <= 100, got {share}")
    basis = _control_basis(ctx, row, share)
    node = ctx.mint(ID[f"ownership/{row.get('id')}/{parent_id}"], EKG.Ownership, row,
                    f"{parent_id} owns {row.get('id')}")
    ctx.facts.add((node, EKG.owner, ns.org(parent_id)))
    ctx.facts.add((node, EKG.owned, owned))
    if share is not None:
        ctx.facts.add((node, EKG.sharePercent, Literal(share, datatype=XSD.decimal)))
    if basis is not None:
        ctx.facts.add((node, EKG.controlBasis, basis))
    else:
        ctx.facts.add((node, EKG.valueUnknown, Literal("controlBasis")))
    if basis in (EKG.MajorityControl, EKG.StatedControl):
        ctx.facts.add((owned, EKG.controlledBy, ns.org(parent_id)))
    ctx.cite(node, row)


def _control_basis(ctx: LoadContext, row: Row, share: Decimal | None) -> URIRef | None:
    """Majority or stated control makes a controlling parent; a share over 50 % implies majority."""
    text = row.get("control")
    if not text:
        return EKG.MajorityControl if share is not None and share > 50 else None
    basis = CONTROL.get(text)
    if basis is None:
        ctx.fail(row, f"control must be majority, stated or minority, got {text!r}")
    elif basis == EKG.MajorityControl and share is not None and share <= 50:
        ctx.fail(row, f"control: 'majority' contradicts parent_share {share}")
    return basis


def _check_cycles(ctx: LoadContext, rows: list[Row]) -> None:
    """An ownership cycle has no ultimate parent: reject it at the row that closes it."""
    parent = {r.get("id"): r.get("parent") for r in rows if r.get("parent")}
    by_id = {r.get("id"): r for r in rows}
    reported: set[str] = set()
    for start in parent:
        path, node = [start], parent.get(start)
        while node is not None and node not in path:
            path.append(node)
            node = parent.get(node)
        if node is not None and node not in reported:
            cycle = path[path.index(node):]
            reported.update(cycle)
            ctx.fail(by_id[node], f"ownership cycle: {' -> '.join(cycle + [node])}")
