"""EAR country groups and NATO: dated, sourced membership nodes, so disagreements can sit side by side."""

from __future__ import annotations

from rdflib import RDFS, SKOS, Literal

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders.context import LoadContext, date_cell, unique_ids
from exportkg.graph.loaders.csvio import Row, read_rows
from exportkg.graph.namespaces import EKG, ID

GROUP_COLUMNS = ["code", "label", "description", "source", "confidence"]
MEMBER_COLUMNS = ["group", "country", "valid_from", "valid_to", "status", "source", "confidence",
                  "note"]
NATO_COLUMNS = ["country", "accession_date", "source", "confidence", "note"]
STATUS = {"asserted": EKG.Asserted, "claim": EKG.Claim}
NATO = ns.org("nato")


def load(ctx: LoadContext) -> None:
    groups = _load_groups(ctx)
    _load_group_members(ctx, groups)
    _load_nato(ctx)


def _load_groups(ctx: LoadContext) -> set[str]:
    rows = read_rows(ctx.settings.data_dir / "country_group_defs.csv", GROUP_COLUMNS)
    codes = set()
    for row in unique_ids(ctx, list(rows), "code"):
        code = row.get("code")
        node = ctx.mint(ns.group(code), EKG.CountryGroup, row, row.get("label"))
        ctx.facts.add((node, SKOS.notation, Literal(code)))
        ctx.facts.add((node, SKOS.inScheme, EKG.EARCountryGroups))
        ctx.facts.add((node, RDFS.comment, Literal(row.get("description"))))
        ctx.cite(node, row)
        codes.add(code)
    return codes


def _load_group_members(ctx: LoadContext, groups: set[str]) -> None:
    seen: dict[str, int] = {}
    for row in read_rows(ctx.settings.data_dir / "country_groups.csv", MEMBER_COLUMNS):
        code, iso = row.get("group"), row.get("country").upper()
        if code not in groups:
            ctx.fail(row, f"group: unknown country group {code!r} (known: {', '.join(sorted(groups))})")
            continue
        country = ctx.country_ref(row, iso, "country")
        status = STATUS.get(row.get("status"))
        if status is None:
            ctx.fail(row, f"status must be 'asserted' or 'claim', got {row.get('status')!r}")
        if country is None or status is None:
            continue
        first_source = ns.slug(row.get("source").split(";")[0])
        key = (f"{code.replace(':', '')}-{iso}-{row.get('status')}-"
               f"{row.get('valid_from') or 'open'}-{first_source}")
        if key in seen:
            ctx.fail(row, f"duplicate membership {key} (first at line {seen[key]})")
            continue
        seen[key] = row.line
        node = ctx.mint(ID[f"membership/{key}"], EKG.GroupMembership, row, f"{iso} in {code}")
        ctx.facts.add((node, EKG.member, country))
        ctx.facts.add((node, EKG.group, ns.group(code)))
        ctx.facts.add((node, EKG.membershipStatus, status))
        _dates(ctx, row, node)
        ctx.cite(node, row)


def _dates(ctx: LoadContext, row: Row, node: ns.URIRef) -> None:
    for column, prop in (("valid_from", EKG.validFrom), ("valid_to", EKG.validTo)):
        value = date_cell(ctx, row, column)
        if value is not None:
            ctx.facts.add((node, prop, value))
    if row.get("note"):
        ctx.facts.add((node, EKG.note, Literal(row.get("note"))))


def _load_nato(ctx: LoadContext) -> None:
    rows = unique_ids(ctx, list(read_rows(ctx.settings.data_dir / "nato.csv", NATO_COLUMNS)),
                      "country")
    if not rows:
        return
    ctx.mint(NATO, EKG.Alliance, rows[0], "North Atlantic Treaty Organization (NATO)")
    for row in rows:
        country = ctx.country_ref(row, row.get("country"), "country")
        if country is None:
            continue
        iso = row.get("country").upper()
        node = ctx.mint(ID[f"nato-membership/{iso}"], EKG.NatoMembership, row, f"{iso} in NATO")
        ctx.facts.add((node, EKG.member, country))
        accession = date_cell(ctx, row, "accession_date")
        if accession is None:
            ctx.fail(row, "accession_date: required")
        else:
            ctx.facts.add((node, EKG.accessionDate, accession))
        if row.get("note"):
            ctx.facts.add((node, EKG.note, Literal(row.get("note"))))
        ctx.cite(node, row)
        ctx.cite(NATO, row)
