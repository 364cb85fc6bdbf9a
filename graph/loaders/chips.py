"""Accelerators: TPP and performance density computed from their inputs, never typed in.

TPP = dense peak TOPS x bit length, the maximum over precisions (the 3A090 technical note);
PD = TPP / applicable die area. A curated row (chips.csv) wins over Epoch's figures for the same chip;
every other Epoch hardware row is loaded with Epoch as its source and the dataset mark.
"""

from __future__ import annotations

from decimal import Decimal

from rdflib import XSD, Literal, URIRef

from exportkg.graph import namespaces as ns
from exportkg.graph.loaders.context import LoadContext, decimal_cell, number, unique_ids
from exportkg.graph.loaders.csvio import Row, read_rows
from exportkg.graph.namespaces import EKG

COLUMNS = ["id", "name", "vendor", "epoch_name", "release_year", "dense_tera_ops", "bit_length",
           "tpp_basis", "die_area_mm2", "die_area_basis", "dram_bandwidth_gbs", "interconnect_gbs", "source",
           "confidence", "note"]
EPOCH_FILE = "epoch/ml_hardware_2026-04.csv"
EPOCH_SOURCE = "epoch-ml-hardware-2026-04"
#: Epoch column -> bit length of that operation (TF32 is left out: its bit length is ambiguous)
PRECISIONS = {
    "FP4 performance (FLOP/s)": 4,
    "INT4 performance (OP/s)": 4,
    "FP8 performance (FLOP/s)": 8,
    "INT8 performance (OP/s)": 8,
    "Tensor-FP16/BF16 performance (FLOP/s)": 16,
    "FP16 (half precision) performance (FLOP/s)": 16,
    "INT16 performance (OP/s)": 16,
    "FP32 (single precision) performance (FLOP/s)": 32,
    "FP64 (double precision) performance (FLOP/s)": 64,
}


def load(ctx: LoadContext) -> None:
    curated = unique_ids(ctx, list(read_rows(ctx.settings.data_dir / "chips.csv", COLUMNS)))
    epoch_rows = {r.get("Hardware name"): r
                  for r in read_rows(ctx.settings.data_dir / EPOCH_FILE, ["Hardware name"],
                                     label=EPOCH_FILE)}
    for row in curated:
        _load_curated(ctx, row, epoch_rows.get(row.get("epoch_name")))
    claimed = {r.get("epoch_name") for r in curated}
    for name, row in sorted(epoch_rows.items()):
        if name and name not in claimed:
            _load_epoch(ctx, row)


def _add_chip(ctx: LoadContext, chip_id: str, row: Row, name: str) -> URIRef:
    ctx.chips.add(chip_id)
    return ctx.mint(ns.chip(chip_id), EKG.Accelerator, row, name)


def add_performance(ctx: LoadContext, node: URIRef, tops: Decimal | None, bits: Decimal | None,
                     area: Decimal | None) -> None:
    """Record the inputs and what follows from them; an unknown input makes its result unknown."""
    g = ctx.facts
    if tops is not None:
        g.add((node, EKG.denseTeraOps, Literal(tops, datatype=XSD.decimal)))
    if bits is not None:
        g.add((node, EKG.bitLength, Literal(int(bits), datatype=XSD.integer)))
    tpp = tops * bits if tops is not None and bits is not None else None
    if tpp is None:
        g.add((node, EKG.valueUnknown, Literal("tpp")))
    else:
        g.add((node, EKG.tpp, Literal(tpp.quantize(Decimal("0.01")), datatype=XSD.decimal)))
    if area is None:
        g.add((node, EKG.valueUnknown, Literal("dieAreaMm2")))
    else:
        g.add((node, EKG.dieAreaMm2, Literal(area, datatype=XSD.decimal)))
    if tpp is None or area is None or area == 0:
        g.add((node, EKG.valueUnknown, Literal("performanceDensity")))
    else:
        pd = (tpp / area).quantize(Decimal("0.0001"))
        g.add((node, EKG.performanceDensity, Literal(pd, datatype=XSD.decimal)))


def _load_curated(ctx: LoadContext, row: Row, epoch: Row | None) -> None:
    node = _add_chip(ctx, row.get("id"), row, row.get("name"))
    tops = decimal_cell(ctx, row, "dense_tera_ops", required=True)
    bits = decimal_cell(ctx, row, "bit_length", required=True)
    area = decimal_cell(ctx, row, "die_area_mm2")
    if area == 0:
        ctx.fail(row, "die_area_mm2: must be > 0 (leave empty when unknown)")
    add_performance(ctx, node, tops, bits, area)
    g = ctx.facts
    for column, prop in (("vendor", EKG.vendor), ("tpp_basis", EKG.tppBasis),
                         ("die_area_basis", EKG.dieAreaBasis), ("note", EKG.note)):
        if row.get(column):
            g.add((node, prop, Literal(row.get(column))))
    if row.get("release_year"):
        g.add((node, EKG.releaseYear, Literal(row.get("release_year"), datatype=XSD.gYear)))
    bandwidth = decimal_cell(ctx, row, "dram_bandwidth_gbs")
    if bandwidth is None and epoch is not None:
        bandwidth = _epoch_bandwidth(epoch)
    if bandwidth is not None:
        g.add((node, EKG.dramBandwidthGBs, Literal(bandwidth, datatype=XSD.decimal)))
    add_interconnect(ctx, node, epoch, decimal_cell(ctx, row, "interconnect_gbs"))
    if row.get("epoch_name"):
        g.add((node, EKG.alias, Literal(row.get("epoch_name"))))
        ctx.chip_aliases[row.get("epoch_name")] = row.get("id")
        if epoch is None:
            ctx.fail(row, f"epoch_name: {row.get('epoch_name')!r} is not in {EPOCH_FILE}")
    ctx.cite(node, row)


def _epoch_bandwidth(row: Row, column: str = "Memory bandwidth (byte/s)") -> Decimal | None:
    value = number(row.get(column))
    return (value / Decimal(10**9)).quantize(Decimal("0.1")) if value is not None else None


def add_interconnect(ctx: LoadContext, node: URIRef, row: Row | None, curated: Decimal | None = None) -> None:
    """The chip's aggregate bidirectional I/O rate: the input to the 2022 3A090 transfer-rate test.

    A curated figure (chips.csv, from the vendor's datasheet) wins over Epoch's intranode bandwidth, which
    Epoch leaves empty for chips without NVLink and for some China variants.
    """
    value = curated
    if value is None and row is not None:
        value = _epoch_bandwidth(row, "Intranode bandwidth (byte/s)")
    if value is None:
        ctx.facts.add((node, EKG.valueUnknown, Literal("interconnectGBs")))
    else:
        ctx.facts.add((node, EKG.interconnectGBs, Literal(value, datatype=XSD.decimal)))


def _best_precision(row: Row) -> tuple[str, Decimal, int] | None:
    """The precision whose ops x bits is largest: the TPP basis the control text prescribes."""
    best = None
    for column, bits in PRECISIONS.items():
        value = number(row.get(column))
        if value is None or value <= 0:
            continue
        tera = value / Decimal(10**12)
        if best is None or tera * bits > best[1] * best[2]:
            best = (column, tera, bits)
    return best


def _load_epoch(ctx: LoadContext, row: Row) -> None:
    name = row.get("Hardware name")
    chip_id = ns.slug(name)
    if chip_id in ctx.chips:
        chip_id = f"epoch-{chip_id}"
    node = _add_chip(ctx, chip_id, row, name)
    best = _best_precision(row)
    area = number(row.get("Die Size (mm^2)"))
    area = area if area else None
    tops = best[1].quantize(Decimal("0.001")) if best else None
    add_performance(ctx, node, tops, Decimal(best[2]) if best else None, area)
    g = ctx.facts
    g.add((node, EKG.alias, Literal(name)))
    if best:
        g.add((node, EKG.tppBasis, Literal(f"Epoch AI column '{best[0]}' (dense/sparse not checked)")))
    if area is not None:
        g.add((node, EKG.dieAreaBasis, Literal("Epoch AI 'Die Size (mm^2)' (one die; multi-die "
                                               "packages may be understated)")))
    if row.get("Manufacturer"):
        g.add((node, EKG.vendor, Literal(row.get("Manufacturer"))))
    bandwidth = _epoch_bandwidth(row)
    if bandwidth is not None:
        g.add((node, EKG.dramBandwidthGBs, Literal(bandwidth, datatype=XSD.decimal)))
    add_interconnect(ctx, node, row)
    if row.get("Release date")[:4].isdigit():
        g.add((node, EKG.releaseYear, Literal(row.get("Release date")[:4], datatype=XSD.gYear)))
    ctx.chip_aliases.setdefault(name, chip_id)
    ctx.cite(node, row, EPOCH_SOURCE, "D")
