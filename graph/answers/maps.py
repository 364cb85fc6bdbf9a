"""What the world maps show: a regime's tiers, or where an impact report changes something.

The map's data is read with queries (queries/system/map-tiers.rq, the named query `regimes`) or taken
from an impact report; graph/render/worldmap.py only draws it. A country the graph does not hold is in
no tier list and no country group the graph knows, so under a regime with tiers it is in Tier 2, the
residual tier (ekg:isResidual): the map says so in its own colour, citing the residual tier's own
sources, rather than passing it off as a listed placement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from exportkg.graph import namespaces as ns
from exportkg.graph.config import Settings
from exportkg.graph.errors import ExportKGError
from exportkg.graph.impact.compare import LIFTED, NEW, Report
from exportkg.graph.render.worldmap import Category, Place, WorldMap
from exportkg.graph.store.base import Store
from exportkg.graph.store.named import records

TIERS = [Category("1", "Tier 1", "#1b7837"), Category("2", "Tier 2", "#f1a340"),
         Category("3", "Tier 3", "#b2182b"),
         Category("residual", "Tier 2 as the residual tier (country not in the graph)", "#fbe3bd")]
CHANGES = [Category("tighter", "tighter (higher tier or a new license requirement)", "#b2182b"),
           Category("looser", "looser (lower tier or a license requirement lifted)", "#1b7837"),
           Category("mixed", "tighter for some exports, looser for others", "#7b3294"),
           Category("changed", "review policy or license exceptions change", "#4393c3"),
           Category("same", "no change found", "#d9d9d9")]
SOURCE_NOTE = "Boundaries: Natural Earth 1:110m (public domain) via world-atlas 2.0.2."

Link = Callable[[str], str]


class MapError(ExportKGError):
    """A map that cannot be drawn (a regime without tiers, or one the graph does not hold)."""


def page_link(iso: str) -> str:
    """Country pages of this server (the /map and /impact pages)."""
    return f"/id/country/{iso}"


def iri_link(iso: str) -> str:
    """Country IRIs (maps written to files, read away from the server)."""
    return str(ns.ID[f"country/{iso}"])


def _regime(store: Store, settings: Settings, regime: str) -> dict[str, str]:
    for row in records(store, settings, "regimes"):
        if str(row.id) == regime:
            return {k: str(row[k]) if row[k] is not None else "" for k in ("title", "status", "asOf", "citation")}
    raise MapError(f"unknown regime {regime!r} (see `exportkg query regimes`)")


def tier_map(store: Store, settings: Settings, regime: str, link: Link = page_link) -> WorldMap:
    """Every country's tier under `regime`, with where the placement comes from on hover."""
    info = _regime(store, settings, regime)
    found = records(store, settings, "map-tiers", regime=str(ns.regime(regime)))
    if not found:
        with_tiers = [str(r.id) for r in records(store, settings, "map-regimes")]
        raise MapError(f"regime {regime!r} defines no AI Diffusion tiers; regimes with tiers: {', '.join(with_tiers)}")
    places = {}
    for row in found:
        iso, tier = str(row.iso), str(row.n)
        how = ("named in the tier list" if row.named.toPython() else
               "the residual tier (not named in Tier 1 or Tier 3)" if row.residual.toPython() else
               "through a country group the tier includes")
        details = (f"How: {how}", f"Confidence: {row.confidence or 'not recorded'}",
                   f"Sources: {row.sources or 'not recorded'}")
        places[iso] = Place(tier, f"{row.name or iso} ({iso})", details, link(iso))
    residual = next((str(r.sources) for r in found if r.residual.toPython() and r.sources), "not recorded")
    status = f"; this version's status: {info['status'].replace('_', ' ')}" if info["status"] else ""
    return WorldMap(title=f"AI Diffusion tiers: {info['title']}",
                    subtitle=f"{regime} ({info['citation'] or 'no citation recorded'}), as of {info['asOf']}{status}",
                    categories=TIERS, places=places, rest="residual",
                    rest_detail="Not in the graph: in no tier list or country group it holds, so Tier 2, the "
                                f"residual tier (sources: {residual})",
                    caption=f"Tiers as the graph's rules infer them; hover a country for its source. {SOURCE_NOTE}")


def _direction(report: Report) -> dict[str, set[str]]:
    """Per country, the directions of its changes: up (stricter), down (looser), other."""
    out: dict[str, set[str]] = defaultdict(set)
    for t in report.tiers:
        base, against = t["base"], t["against"]
        out[t["iso"]].add("up" if base and against and against > base else
                          "down" if base and against and against < base else "other")
    for d in report.determinations:
        out[d.iso].add("up" if d.change == NEW else "down" if d.change == LIFTED else "other")
    return out


def _category(directions: set[str]) -> str:
    if {"up", "down"} <= directions:
        return "mixed"
    return "tighter" if "up" in directions else "looser" if "down" in directions else "changed"


def impact_map(report: Report, link: Link = page_link) -> WorldMap:
    """Countries coloured by how the report's changes move them (tier and determinations)."""
    tiers = {t["iso"]: t for t in report.tiers}
    groups = report.by_country()
    places = {}
    for iso, directions in _direction(report).items():
        details = []
        if iso in tiers:
            t = tiers[iso]
            details.append(f"Tier: {t['base'] or 'none'} → {t['against'] or 'none'}")
        counts = groups.get(iso, {}).get("determinations", {})
        details.extend(f"{n} determination(s): {kind}" for kind, n in sorted(counts.items()))
        parties = groups.get(iso, {}).get("parties", 0)
        if parties:
            details.append(f"{parties} parties affected")
        places[iso] = Place(_category(directions), report.country(iso), tuple(details), link(iso))
    return WorldMap(title=f"Impact: {report.against} against {report.base}",
                    subtitle=f"{len(places)} countries change; hover one for its changes",
                    categories=CHANGES, places=places, rest="same",
                    rest_detail="No change in tier or determinations (countries outside the graph are not compared)",
                    caption=f"From the impact report of exportkg. {SOURCE_NOTE}")
