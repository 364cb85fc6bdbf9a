"""Organizations, their headquarters and the ownership chain that the ultimate-parent test walks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from rdflib import XSD, Literal, URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders.context import LoadContext, decimal_cell, decimal_text, unique_ids
from exportkg.graph.loaders.csvio import Row, read_rows
from exportkg.graph.namespaces import EKG, ID, WD

COLUMNS = ["id", "name", "kind", "country", "headquarters", "parent", "parent_share", "control",
           "wikidata", "aliases", "source", "confidence", "note"]
#: optional: more owners than the one parent, `id:share;id:share` (used by imports)
OWNERS = "owners"
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
    controllers = []
    for stake in stakes(ctx, row):
        if _load_ownership(ctx, row, node, stake) in (EKG.MajorityControl, EKG.StatedControl):
            controllers.append(stake.owner)
    if len(controllers) > 1:
        ctx.fail(row, f"owners: more than one owner would control it ({', '.join(controllers)}); at most "
                      "one owner holds over 50 % or is stated to control")


@dataclass(frozen=True)
class Stake:
    """One owner of a row: its parent (`parent`, `parent_share`, `control`) or an entry of `owners`."""

    owner: str
    share: Decimal | None
    control: str  # majority, stated, minority, or empty when unknown
    column: str  # the column that names the owner, for errors


def stakes(ctx: LoadContext, row: Row) -> list[Stake]:
    """The row's owners: its parent, then each `owners` entry `id:share` (`id:` or `id`: share unknown).
    An owner's share over 50 % is majority control, 50 % or less a minority stake, none unknown."""
    found = []
    if row.get("parent"):
        share = decimal_cell(ctx, row, "parent_share", minimum=0)
        if share is not None and share > 100:
            ctx.fail(row, f"parent_share: must be <= 100, got {share}")
        found.append(Stake(row.get("parent"), share, row.get("control"), "parent"))
    for entry in _entries(row):
        owner, _, text = (part.strip() for part in entry.partition(":"))
        if not entry or not ID_PATTERN.match(owner) or ":" in text:
            ctx.fail(row, f"owners: malformed entry {entry!r} (expected id:share, id: or id, entries "
                          "separated by ';', a share being a percent 0-100)")
            continue
        share = decimal_text(ctx, row, f"owners ({owner})", text, minimum=0)
        if share is not None and share > 100:
            ctx.fail(row, f"owners ({owner}): a share must be <= 100, got {share}")
            continue
        first = next((s for s in found if s.owner == owner), None)
        if first is not None:
            ctx.fail(row, f"owners: {owner!r} is named twice" + (" (it is the parent)" if first.column == "parent"
                                                                  else ""))
            continue
        control = "" if share is None else "majority" if share > 50 else "minority"
        found.append(Stake(owner, share, control, "owners"))
    total = sum((s.share for s in found if s.share is not None), Decimal(0))
    if len(found) > 1 and total > 100:
        ctx.fail(row, f"owners: the owners' shares sum to {total} %, over 100 "
                      f"({', '.join(f'{s.owner} {s.share}' for s in found if s.share is not None)})")
    return found


def _entries(row: Row) -> list[str]:
    cell = row.get(OWNERS)
    return [e.strip() for e in cell.split(";")] if cell else []


def _load_ownership(ctx: LoadContext, row: Row, owned: URIRef, stake: Stake) -> URIRef | None:
    """The Ownership link of one stake, and controlledBy when it confers control; its control basis."""
    parent_id, share = stake.owner, stake.share
    if parent_id not in ctx.orgs:
        ctx.fail(row, f"{stake.column}: {parent_id!r} does not exist (no organization with that id)")
        return None
    if parent_id == row.get("id"):
        ctx.fail(row, "parent: an organization cannot be its own parent" if stake.column == "parent"
                 else "owners: an organization cannot own itself")
        return None
    basis = _control_basis(ctx, row, share, stake.control)
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
    return basis


def _control_basis(ctx: LoadContext, row: Row, share: Decimal | None, text: str) -> URIRef | None:
    """Majority or stated control makes a controlling parent; a share over 50 % implies majority."""
    if not text:
        return EKG.MajorityControl if share is not None and share > 50 else None
    basis = CONTROL.get(text)
    if basis is None:
        ctx.fail(row, f"control must be majority, stated or minority, got {text!r}")
    elif basis == EKG.MajorityControl and share is not None and share <= 50:
        ctx.fail(row, f"control: 'majority' contradicts parent_share {share}")
    return basis


def _check_cycles(ctx: LoadContext, rows: list[Row]) -> None:
    """An ownership cycle has no ultimate parent: reject it at the row that closes it (every owner
    counts, controlling or not: a cycle of stakes has no top either)."""
    owners = {r.get("id"): [o for o in _owner_ids(r) if o != r.get("id")] for r in rows}
    by_id = {r.get("id"): r for r in rows}
    reported: set[str] = set()
    done: set[str] = set()
    for start in (o for o in owners if o not in done):
        path, todo = [start], [iter(owners[start])]  # depth first, without recursion: chains may be long
        on_path = {start}
        while todo:
            node = next(todo[-1], None)
            if node is None:
                done.add(path[-1])
                on_path.discard(path.pop())
                todo.pop()
            elif node in on_path:
                cycle = path[path.index(node):]
                if not reported & set(cycle):
                    reported.update(cycle)
                    ctx.fail(by_id[node], f"ownership cycle: {' -> '.join(cycle + [node])}")
            elif node not in done and node in owners:
                path.append(node)
                on_path.add(node)
                todo.append(iter(owners[node]))


def _owner_ids(row: Row) -> list[str]:
    ids = [row.get("parent")] if row.get("parent") else []
    return ids + [e.partition(":")[0].strip() for e in _entries(row)]
