"""Facts about accelerators that the Epoch AI dataset does not give, each with its sources
(graph/data/chip_facts.csv): whether a chip is designed or marketed for data centers (Note 2 to
3A090), and the dense matrix throughput where Epoch records only vector figures, so that TPP is
computed from the figure the 3A090 technical note prescribes."""

from __future__ import annotations

from rdflib import Literal, URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders.chips import add_performance
from exportkg.graph.loaders.context import LoadContext, decimal_cell
from exportkg.graph.loaders.csvio import Row, read_rows
from exportkg.graph.namespaces import EKG

FILE = "chip_facts.csv"
COLUMNS = ["epoch_name", "curated_id", "vendor", "datacenter", "datacenter_basis", "datacenter_sources",
           "dense_tera_ops", "bit_length", "tpp", "tpp_basis", "perf_sources", "die_area_mm2",
           "die_area_basis", "die_sources", "confidence", "note"]
DATACENTER = {"true": True, "false": False, "unknown": None}
PERFORMANCE = (EKG.denseTeraOps, EKG.bitLength, EKG.tpp, EKG.performanceDensity, EKG.tppBasis, EKG.dieAreaMm2,
               EKG.dieAreaBasis)


def load(ctx: LoadContext) -> None:
    path = ctx.settings.data_dir / FILE
    if not path.exists():
        return
    missing = []
    for row in read_rows(path, COLUMNS):
        chip = _chip(ctx, row)
        if chip is None:
            missing.append(f"{row.line} ({row.get('epoch_name')})")
            continue
        _datacenter(ctx, row, chip)
        _performance(ctx, row, chip)
    if missing:
        ctx.warnings.append(f"{FILE}: {len(missing)} rows name accelerators the graph does not hold (kept out): "
                            f"lines {', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}")


def _chip(ctx: LoadContext, row: Row) -> URIRef | None:
    chip_id = row.get("curated_id") or ctx.chip_aliases.get(row.get("epoch_name"))
    if not chip_id or chip_id not in ctx.chips:
        return None
    return ns.chip(chip_id)


def _datacenter(ctx: LoadContext, row: Row, chip: URIRef) -> None:
    if row.get("datacenter") not in DATACENTER:
        ctx.fail(row, f"datacenter must be true, false or unknown, got {row.get('datacenter')!r}")
        return
    value = DATACENTER[row.get("datacenter")]
    if value is None:
        ctx.facts.add((chip, EKG.valueUnknown, Literal("designedForDatacenter")))
    else:
        ctx.facts.add((chip, EKG.designedForDatacenter, Literal(value)))
    if row.get("datacenter_basis"):
        ctx.facts.add((chip, EKG.datacenterBasis, Literal(row.get("datacenter_basis"))))
    ctx.cite(chip, row, row.get("datacenter_sources"))


def _performance(ctx: LoadContext, row: Row, chip: URIRef) -> None:
    """A sourced dense matrix figure replaces Epoch's (and with it TPP and performance density)."""
    if row.get("tpp") == "unknown":
        _reject_performance(ctx, row, chip)
        return
    tops, bits = decimal_cell(ctx, row, "dense_tera_ops"), decimal_cell(ctx, row, "bit_length")
    if tops is None or bits is None:
        return
    area = decimal_cell(ctx, row, "die_area_mm2")
    if area is None:
        area = ctx.facts.value(chip, EKG.dieAreaMm2)
        area = area.toPython() if area is not None else None
    for prop in PERFORMANCE:
        ctx.facts.remove((chip, prop, None))
    for unknown in ("tpp", "performanceDensity", "dieAreaMm2"):
        ctx.facts.remove((chip, EKG.valueUnknown, Literal(unknown)))
    add_performance(ctx, chip, tops, bits, area)
    ctx.facts.add((chip, EKG.tppBasis, Literal(row.get("tpp_basis") or "dense matrix figure (chip_facts.csv)")))
    if row.get("die_area_basis"):
        ctx.facts.add((chip, EKG.dieAreaBasis, Literal(row.get("die_area_basis"))))
    ctx.cite(chip, row, row.get("perf_sources"))
    if row.get("die_sources"):
        ctx.cite(chip, row, row.get("die_sources"))
    ctx.facts.add((chip, EKG.note, Literal(f"TPP from {FILE}: {row.get('note')}" if row.get("note") else
                                           f"TPP from {FILE}")))


def _reject_performance(ctx: LoadContext, row: Row, chip: URIRef) -> None:
    """`tpp` = unknown: Epoch's figure is wrong for this chip and no sourced one exists, so TPP and PD are
    unknown and the chip's class undetermined, rather than classed from another chip's numbers."""
    for prop in PERFORMANCE:
        if prop != EKG.dieAreaMm2:
            ctx.facts.remove((chip, prop, None))
    for unknown in ("tpp", "performanceDensity"):
        ctx.facts.add((chip, EKG.valueUnknown, Literal(unknown)))
    ctx.facts.add((chip, EKG.tppBasis, Literal(row.get("tpp_basis") or "unknown")))
    ctx.cite(chip, row, row.get("perf_sources"))
    ctx.facts.add((chip, EKG.note, Literal(f"TPP unknown ({FILE}): {row.get('note')}")))
