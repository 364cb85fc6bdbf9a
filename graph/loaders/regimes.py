"""Regimes as data: each rule version, its dates, parameters, tier lists and provisions, in its own named
graph. A version without tier lists inherits its base's (the tier lists of the January 2025 rule hold
for every later version of the text); the legal states built from the versions are in loaders/law.py."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib import RDFS, XSD, Graph, Literal
from rdflib.namespace import DCTERMS

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders.context import LoadContext, date_cell
from exportkg.graph.loaders.csvio import Row
from exportkg.graph.loaders.yamlio import LINE_KEY, as_row, read_yaml
from exportkg.graph.namespaces import EKG, ID

FILE = "regimes.yaml"
KINDS = {"regime": EKG.Regime, "reference_threshold": EKG.ReferenceThresholds}
BIG = Decimal(10) ** 15
DATES = {"effective": EKG.effectiveDate, "compliance": EKG.complianceDate, "ends": EKG.endDate}


def load(ctx: LoadContext) -> None:
    data = read_yaml(ctx.settings.data_dir / FILE)
    entries = data.get("regimes") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        ctx.problems.append(Row(FILE, 1, {}).problem("expected a list of regimes"))
        return
    ids = {str(e.get("id")) for e in entries if isinstance(e, dict)}
    ctx.regime_entries = {str(e["id"]): e for e in entries if isinstance(e, dict) and e.get("id")}
    seen: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("id"):
            line = entry.get(LINE_KEY) if isinstance(entry, dict) else None
            ctx.problems.append(Row(FILE, line or 0, {}).problem("each regime needs an id"))
            continue
        if entry["id"] in seen:
            ctx.fail(as_row(FILE, entry), f"duplicate regime id {entry['id']!r}")
            continue
        seen.add(entry["id"])
        _load_regime(ctx, entry, ids)


def _load_regime(ctx: LoadContext, entry: dict[str, Any], ids: set[str]) -> None:
    row = as_row(FILE, entry)
    rid = row.get("id")
    graph = ctx.regime_graphs.setdefault(rid, Graph())
    kind = KINDS.get(row.get("kind") or "regime")
    if kind is None:
        ctx.fail(row, f"kind must be one of {', '.join(KINDS)}, got {row.get('kind')!r}")
        return
    node = ctx.mint(ns.regime(rid), kind, row, row.get("short_title") or row.get("title"), graph)
    graph.add((node, DCTERMS.title, Literal(row.get("title"))))
    for column, prop in (("citation", EKG.citation), ("status", EKG.regimeStatus),
                         ("description", RDFS.comment)):
        if row.get(column):
            graph.add((node, prop, Literal(row.get(column))))
    for column, prop in DATES.items():
        value = _date(ctx, row, column)
        if value is not None:
            graph.add((node, prop, value))
    as_of = _date(ctx, row, "as_of") or _date(ctx, row, "effective")
    if as_of is None and kind == EKG.Regime:
        ctx.fail(row, "a regime needs an effective date, or an as_of date when it never took effect")
    elif as_of is not None:
        graph.add((node, EKG.asOfDate, as_of))
    law_from = _date(ctx, row, "law_from")
    if law_from is not None:
        graph.add((node, EKG.lawFrom, law_from))
    if row.get("extends"):
        if row.get("extends") not in ids:
            ctx.fail(row, f"extends: unknown regime {row.get('extends')!r}")
        graph.add((node, EKG.extends, ns.regime(row.get("extends"))))
    ctx.cite(node, row, graph=graph)
    for param in (entry.get("parameters") or []) + (entry.get("policies") or []):
        _load_parameter(ctx, rid, node, param, graph)
    tiers = inherited_tiers(ctx, rid)
    if tiers:
        load_tiers(ctx, rid, node, tiers, row, graph)


def inherited_tiers(ctx: LoadContext, rid: str) -> dict[str, Any] | None:
    """A version's own tier lists, or the nearest base's (a cycle in `extends` stops the walk)."""
    seen: set[str] = set()
    entry = ctx.regime_entries.get(rid)
    while entry is not None and str(entry.get("id")) not in seen:
        seen.add(str(entry.get("id")))
        if entry.get("tiers"):
            return entry["tiers"]
        entry = ctx.regime_entries.get(str(entry.get("extends") or ""))
    return None


def _date(ctx: LoadContext, row: Row, column: str) -> Literal | None:
    """Regime dates are compared by the rules: a day is required."""
    return date_cell(ctx, row, column, year_ok=False)


def _load_parameter(ctx: LoadContext, rid: str, regime: Any, param: dict[str, Any],
                    graph: Graph) -> None:
    row = as_row(FILE, param)
    name = row.get("name")
    if not name:
        ctx.fail(row, "parameter without a name")
        return
    node = ctx.mint(ID[f"regime/{rid}/param/{name}"], EKG.Parameter, row, f"{rid}: {name}", graph)
    graph.add((regime, EKG.hasParameter, node))
    graph.add((node, EKG.parameterName, Literal(name)))
    for literal in _values(param.get("value")):
        graph.add((node, EKG.value, literal))
    if param.get("removed") is True:
        # the text no longer has it: the node overrides the inherited one and carries no value
        graph.add((node, EKG.parameterRemoved, Literal(True)))
    elif param.get("value") is None:
        graph.add((node, EKG.valueUnknown, Literal("value")))
    if row.get("unit"):
        graph.add((node, EKG.unit, Literal(row.get("unit"))))
    if row.get("note"):
        graph.add((node, EKG.note, Literal(row.get("note"))))
    ctx.cite(node, row, graph=graph)


#: a number written as text: digits with thousands commas and decimals, no exponent
NUMBER = re.compile(r"-?\d[\d,]*(\.\d+)?")


def _values(raw: Any) -> list[Literal]:
    """Numbers as xsd:decimal (rules compare them), booleans, and text; a list gives several values."""
    if raw is None:
        return []
    if isinstance(raw, list):
        return [v for item in raw for v in _values(item)]
    if isinstance(raw, bool):
        return [Literal(raw)]
    if isinstance(raw, date):
        return [Literal(raw)]
    if isinstance(raw, str) and not NUMBER.fullmatch(raw.strip()):
        return [Literal(raw)]  # a code such as "4E091" is not the number 4e91
    try:
        number = Decimal(str(raw).replace(",", ""))
    except InvalidOperation:
        return [Literal(str(raw))]
    # operation counts (1e26) overflow xsd:decimal in Oxigraph (i128, 18 decimals): use double there
    if abs(number) >= BIG:
        return [Literal(float(number), datatype=XSD.double)]
    return [Literal(number, datatype=XSD.decimal)]


def load_tiers(ctx: LoadContext, rid: str, regime: Any, tiers: dict[str, Any], row: Row,
               graph: Graph) -> None:
    """Tier nodes of this regime's own (inferences are keyed by them, so regimes never share one)."""
    for number in (1, 2, 3):
        spec = tiers.get(f"tier{number}") or {}
        node = ctx.mint(ID[f"regime/{rid}/tier{number}"], EKG.Tier, row, f"{rid}: Tier {number}",
                        graph)
        graph.add((regime, EKG.hasTier, node))
        graph.add((node, EKG.tierNumber, Literal(number)))
        if number == 2:
            graph.add((node, EKG.isResidual, Literal(True)))
            cite_row = as_row(FILE, tiers.get("tier1") or {})
            ctx.cite(node, cite_row if cite_row.get("source") else row, graph=graph)
            continue
        tier_row = as_row(FILE, spec) if spec else row
        for iso in spec.get("countries") or []:
            country = ctx.country_ref(tier_row, str(iso), f"tier{number}.countries")
            if country is not None:
                graph.add((node, EKG.includesCountry, country))
        for code in spec.get("groups") or []:
            graph.add((node, EKG.includesGroup, ns.group(str(code))))
        if spec.get("compare_group"):
            graph.add((node, EKG.compareGroup, ns.group(str(spec["compare_group"]))))
        if spec.get("note"):
            graph.add((node, EKG.note, Literal(str(spec["note"]))))
        ctx.cite(node, tier_row, graph=graph)
