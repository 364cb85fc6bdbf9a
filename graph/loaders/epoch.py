"""Epoch AI's GPU clusters and large-scale models, resolved to the graph's countries, organizations
and chips where the names match. Data: Epoch AI, https://epoch.ai/data, CC BY 4.0."""

from __future__ import annotations

from datetime import date

from rdflib import XSD, Literal, URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders.context import LoadContext, number
from exportkg.graph.loaders.csvio import Row, read_rows
from exportkg.graph.namespaces import EKG, ID

CLUSTERS = "epoch/gpu_clusters.csv"
CLUSTER_SOURCE = "epoch-gpu-clusters-2025"
MODELS = "epoch/large_scale_ai_models_2025-04.csv"
MODEL_SOURCE = "epoch-large-scale-models-2025-04"
OPEN = "Open weights"
CLOSED = ("API access", "Hosted access (no API)", "Unreleased")


def split_names(cell: str) -> list[str]:
    """Epoch joins several names with commas and repeats them ('China,China'): dedupe, keep order."""
    return list(dict.fromkeys(n.strip() for n in cell.split(",") if n.strip()))


def load(ctx: LoadContext) -> None:
    _load_clusters(ctx)
    _load_models(ctx)


def _unique_id(ctx_seen: set[str], base: str) -> str:
    candidate, n = base or "unnamed", 2
    while candidate in ctx_seen:
        candidate, n = f"{base}-{n}", n + 1
    ctx_seen.add(candidate)
    return candidate


def _orgs(ctx: LoadContext, node: URIRef, cell: str, prop: URIRef, name_prop: URIRef) -> int:
    """Link resolved organizations; keep unresolved names as literals. Returns how many resolved."""
    resolved = 0
    for name in split_names(cell):
        org_id = ctx.org_aliases.get(name)
        if org_id is None:
            ctx.facts.add((node, name_prop, Literal(name)))
        else:
            ctx.facts.add((node, prop, ns.org(org_id)))
            resolved += 1
    return resolved


def _load_clusters(ctx: LoadContext) -> None:
    seen: set[str] = set()
    unresolved = 0
    for row in read_rows(ctx.settings.data_dir / CLUSTERS, ["Name", "Country", "Owner"],
                         label=CLUSTERS):
        dc_id = _unique_id(seen, ns.slug(row.get("Name")))
        node = ctx.mint(ns.datacenter(dc_id), EKG.DataCenter, row, row.get("Name"))
        _cluster_place(ctx, row, node)
        if row.get("Owner") and not _orgs(ctx, node, row.get("Owner"), EKG.ownedBy, EKG.ownerName):
            unresolved += 1
        _cluster_compute(ctx, row, node, dc_id)
        ctx.cite(node, row, CLUSTER_SOURCE, "D")
    if unresolved:
        ctx.warnings.append(f"{CLUSTERS}: {unresolved} clusters whose owner names match no "
                            "organization (kept as ekg:ownerName)")


def _cluster_place(ctx: LoadContext, row: Row, node: URIRef) -> None:
    countries = [ctx.resolve_country_name(n) for n in split_names(row.get("Country"))]
    for code in countries:
        if code:
            ctx.facts.add((node, EKG.locatedIn, ns.country(code)))
    if not any(countries):
        ctx.facts.add((node, EKG.valueUnknown, Literal("locatedIn")))
    if row.get("Country") and not all(countries):
        ctx.warnings.append(f"{row.file}:{row.line}: country {row.get('Country')!r} not resolved")
    for column, prop in (("Status", EKG.operationalStatus), ("First Operational Date",
                                                              EKG.firstOperational)):
        if row.get(column):
            ctx.facts.add((node, prop, Literal(row.get(column))))


def _cluster_compute(ctx: LoadContext, row: Row, node: URIRef, dc_id: str) -> None:
    h100e = number(row.get("H100 equivalents"))
    if h100e is None:
        ctx.facts.add((node, EKG.valueUnknown, Literal("h100Equivalents")))
    else:
        ctx.facts.add((node, EKG.h100Equivalents, Literal(h100e, datatype=XSD.decimal)))
    for rank in ("primary", "secondary"):
        chip_name = row.get(f"Chip type ({rank})")
        if not chip_name:
            continue
        inv = ID[f"datacenter/{dc_id}/chips/{rank}"]
        ctx.mint(inv, EKG.ChipInventory, row, f"{row.get('Name')}: {chip_name}")
        ctx.facts.add((node, EKG.hasChipInventory, inv))
        chip_id = ctx.chip_aliases.get(chip_name)
        if chip_id:
            ctx.facts.add((inv, EKG.chip, ns.chip(chip_id)))
        ctx.facts.add((inv, EKG.chipName, Literal(chip_name)))
        quantity = number(row.get(f"Chip quantity ({rank})"))
        if quantity is not None:
            ctx.facts.add((inv, EKG.quantity, Literal(quantity, datatype=XSD.decimal)))
        ctx.cite(inv, row, CLUSTER_SOURCE, "D")


def _load_models(ctx: LoadContext) -> None:
    seen: set[str] = set()
    by_name: dict[str, URIRef] = {}
    derived: list[tuple[URIRef, str]] = []
    for row in read_rows(ctx.settings.data_dir / MODELS, ["Model", "Organization",
                                                          "Training compute (FLOP)"], label=MODELS):
        model_id = _unique_id(seen, ns.slug(row.get("Model")))
        node = ctx.mint(ns.model(model_id), EKG.AIModel, row, row.get("Model"))
        by_name.setdefault(row.get("Model"), node)
        if row.get("Base model"):
            derived.append((node, row.get("Base model")))
        finetune = number(row.get("Finetune compute (FLOP)"))
        if finetune is not None:
            ctx.facts.add((node, EKG.finetuneCompute, Literal(float(finetune), datatype=XSD.double)))
        _orgs(ctx, node, row.get("Organization"), EKG.developedBy, EKG.developerName)
        for name in split_names(row.get("Country (of organization)")):
            code = ctx.resolve_country_name(name)
            if code:
                ctx.facts.add((node, EKG.developerCountry, ns.country(code)))
        _model_compute(ctx, row, node)
        ctx.cite(node, row, MODEL_SOURCE, "D")
    for node, base in derived:  # 4E091's exclusion for models derived from published weights reads these
        if base in by_name:
            ctx.facts.add((node, EKG.baseModel, by_name[base]))
        else:
            ctx.facts.add((node, EKG.note, Literal(f"base model as Epoch gives it: {base}")))


def _model_compute(ctx: LoadContext, row: Row, node: URIRef) -> None:
    g = ctx.facts
    compute = number(row.get("Training compute (FLOP)"))
    if compute is None:
        g.add((node, EKG.valueUnknown, Literal("trainingCompute")))
    else:
        g.add((node, EKG.trainingCompute, Literal(float(compute), datatype=XSD.double)))
    access = row.get("Model accessibility")
    if access:
        g.add((node, EKG.modelAccessibility, Literal(access)))
    if access.startswith(OPEN):
        g.add((node, EKG.weightsAccess, EKG.OpenWeights))
    elif access in CLOSED:
        g.add((node, EKG.weightsAccess, EKG.ClosedWeights))
    else:
        g.add((node, EKG.valueUnknown, Literal("weightsAccess")))
    for name in split_names(row.get("Training hardware")):
        g.add((node, EKG.hardwareName, Literal(name)))
        if name in ctx.chip_aliases:
            g.add((node, EKG.trainedOn, ns.chip(ctx.chip_aliases[name])))
    quantity = number(row.get("Hardware quantity"))
    if quantity is not None:
        g.add((node, EKG.hardwareQuantity, Literal(quantity, datatype=XSD.decimal)))
    if row.get("Domain"):
        for domain in split_names(row.get("Domain")):
            g.add((node, EKG.domain, Literal(domain)))
    published = row.get("Publication date")
    try:
        g.add((node, EKG.publicationDate, Literal(date.fromisoformat(published))))
    except ValueError:
        if published:
            g.add((node, EKG.note, Literal(f"publication date as given: {published}")))
