"""Countries: ISO 3166-1 from pycountry (a shipped dataset), with exportkg's own extras on top."""

from __future__ import annotations

import pycountry
from rdflib import RDFS, SKOS, Literal
from rdflib.namespace import DCTERMS

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders.context import LoadContext
from exportkg.graph.loaders.csvio import Row, read_rows
from exportkg.graph.namespaces import EKG, WD

ISO_SOURCE = "iso3166-pycountry"
COLUMNS = ["iso2", "wikidata", "aliases", "ear_treated_as", "source", "confidence", "note"]


def load(ctx: LoadContext) -> None:
    if ISO_SOURCE not in ctx.sources:
        ctx.problems.append(Row("sources.csv", 0, {}).problem(
            f"source {ISO_SOURCE!r} must be defined: the country list rests on it"))
        ctx.raise_problems()
    for entry in pycountry.countries:
        _add_iso_country(ctx, entry)
    path = ctx.settings.data_dir / "countries.csv"
    for row in read_rows(path, COLUMNS):
        _add_extras(ctx, row)


def _add_iso_country(ctx: LoadContext, entry: object) -> None:
    code = entry.alpha_2  # type: ignore[attr-defined]
    node = ns.country(code)
    ctx.countries.add(code)
    name = getattr(entry, "common_name", None) or entry.name  # type: ignore[attr-defined]
    ctx.facts.add((node, ns.RDF.type, EKG.Country))
    ctx.facts.add((node, RDFS.label, Literal(name, lang="en")))
    ctx.facts.add((node, SKOS.notation, Literal(code)))
    ctx.facts.add((node, EKG.isoAlpha3, Literal(entry.alpha_3)))  # type: ignore[attr-defined]
    ctx.facts.add((node, EKG.isoNumeric, Literal(entry.numeric)))  # type: ignore[attr-defined]
    ctx.facts.add((node, DCTERMS.source, ns.source(ISO_SOURCE)))
    ctx.facts.add((node, EKG.confidence, EKG.Dataset))
    ctx.origins.setdefault(node, "pycountry (ISO 3166-1)")
    for alias in {entry.name, name, getattr(entry, "official_name", None)}:  # type: ignore[attr-defined]
        if alias:
            ctx.country_aliases.setdefault(alias, code)
            ctx.country_aliases.setdefault(alias.lower(), code)


def _add_user_assigned(ctx: LoadContext, row: Row) -> None:
    """A code outside ISO 3166-1 that the EAR's country groups use (Kosovo, XK): named by its first alias."""
    code, names = row.get("iso2").upper(), [a.strip() for a in row.get("aliases").split("|") if a.strip()]
    if not (len(code) == 2 and code.startswith("X") and names):
        return
    node = ns.country(code)
    ctx.countries.add(code)
    for prop, value in ((ns.RDF.type, EKG.Country), (RDFS.label, Literal(names[0], lang="en")),
                        (SKOS.notation, Literal(code))):
        ctx.facts.add((node, prop, value))


def _add_extras(ctx: LoadContext, row: Row) -> None:
    if row.get("iso2").upper() not in ctx.countries:
        _add_user_assigned(ctx, row)
    node = ctx.country_ref(row, row.get("iso2"), "iso2")
    if node is None:
        return
    code = row.get("iso2").upper()
    ctx.origins[node] = f"{row.file}:{row.line}"
    ctx.cite(node, row)
    if row.get("wikidata"):
        ctx.facts.add((node, EKG.wikidata, WD[row.get("wikidata")]))
    for alias in filter(None, (a.strip() for a in row.get("aliases").split("|"))):
        ctx.facts.add((node, EKG.alias, Literal(alias)))
        ctx.country_aliases[alias] = code
        ctx.country_aliases[alias.lower()] = code
    treated = ctx.country_ref(row, row.get("ear_treated_as"), "ear_treated_as")
    if treated is not None:
        ctx.facts.add((node, EKG.earTreatedAs, treated))
    if row.get("note"):
        ctx.facts.add((node, EKG.note, Literal(row.get("note"))))
