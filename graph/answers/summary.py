"""The build summary: what the store holds, so a user sees at once whether the build is sane."""

from __future__ import annotations

from exportkg.graph.config import Settings
from exportkg.graph.render.table import short
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import records

EXAMPLE = "exportkg query nato-outside-tier1 --param regime=ifr-jan2025"


def summarize(store: Store, settings: Settings, warnings: list[str]) -> str:
    lines = ["Graphs (triples):"]
    total = 0
    for name in store.graph_names():
        size = store.graph_size(name)
        total += size
        lines.append(f"  {size:>8}  {name}")
    lines.append(f"  {total:>8}  total")
    lines.append("Entities per class:")
    for row in records(store, settings, "entities-per-class"):
        lines.append(f"  {int(row.n):>8}  {short(row[0])}")
    if warnings:
        lines.append(f"Warnings ({len(warnings)}):")
        lines.extend(f"  {w}" for w in warnings[:20])
        if len(warnings) > 20:
            lines.append(f"  ... and {len(warnings) - 20} more")
    lines.append("Data: Epoch AI, https://epoch.ai/data, CC BY 4.0 (GPU clusters, models, hardware).")
    lines.append(f"Try: {EXAMPLE}")
    return "\n".join(lines)
