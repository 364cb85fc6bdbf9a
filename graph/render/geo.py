"""Country outlines for the world maps: Natural Earth's 1:110m countries (world-atlas 2.0.2, TopoJSON),
decoded and projected here so that the CLI can draw a map without a browser, npm or the network.

The outlines are keyed by ISO 3166-1 alpha-2 code (the graph's `skos:notation` of a country): world-atlas
names them by numeric code, turned into alpha-2 with pycountry; the few features without a numeric code
are named in geo/unnumbered.csv. Countries too small for 1:110m (Singapore, Hong Kong, Macau, Bahrain …)
are drawn as dots at the points in geo/markers.csv. The projection is Equal Earth (Šavrič, Patterson and
Jenny, 2018): equal-area, so a tier's share of the map is its share of the land.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry

A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2
SOUTH_LIMIT = -58.0  # Antarctica is left out: no rule reaches it, and it would take a fifth of the map
WIDTH = 960.0

Point = tuple[float, float]


@dataclass(frozen=True)
class Country:
    """One country's outline or, for a small one, its dot. Each polygon is its rings of projected
    points, the outer ring first and any holes (an enclave's place) after."""

    iso: str
    name: str
    polygons: tuple[tuple[tuple[Point, ...], ...], ...] = ()
    dot: Point | None = None


def equal_earth(lon: float, lat: float) -> Point:
    """Longitude and latitude in degrees to Equal Earth's plane (unscaled, y up)."""
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


class Frame:
    """The map's pixel frame: Equal Earth scaled to WIDTH, y down, cut at SOUTH_LIMIT."""

    def __init__(self, width: float = WIDTH) -> None:
        x_max, _ = equal_earth(180.0, 0.0)
        _, self.top = equal_earth(0.0, 90.0)
        _, bottom = equal_earth(0.0, SOUTH_LIMIT)
        self.scale = width / (2 * x_max)
        self.x_max = x_max
        self.width = width
        self.height = (self.top - bottom) * self.scale

    def point(self, lon: float, lat: float) -> Point:
        x, y = equal_earth(lon, lat)
        return (x + self.x_max) * self.scale, (self.top - y) * self.scale


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The topology's arcs in degrees (they are stored quantized and delta-encoded)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """A ring from its arcs; a negative index (~i) is arc i reversed. Shared end points are kept once."""
    ring: list[tuple[float, float]] = []
    for i in indexes:
        points = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(points[1:] if ring else points)
    return ring


def _sides(rings: list[list[tuple[float, float]]]) -> list[list[list[tuple[float, float]]]]:
    """A polygon as drawn on a map cut at the antimeridian: as it is, or, when a ring crosses 180°
    (Russia's Chukotka, Fiji), twice: unwrapped and clamped to each edge. Clamping folds the part
    beyond the edge onto the edge itself, where it has no area, so no stripe crosses the map."""
    unwrapped = [_unwrap(ring) for ring in rings]
    if all(-180 <= lon <= 180 for ring in unwrapped for lon, _ in ring):
        return [rings]
    return [[[(min(max(lon + shift, -180.0), 180.0), lat) for lon, lat in ring] for ring in unwrapped]
            for shift in (0.0, -360.0, 360.0)
            if any(-180 < lon + shift < 180 for ring in unwrapped for lon, _ in ring)]


def _unwrap(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Longitudes made continuous along the ring (a step of more than 180° is a crossing)."""
    out = ring[:1]
    for lon, lat in ring[1:]:
        previous = out[-1][0]
        while lon - previous > 180:
            lon -= 360
        while previous - lon > 180:
            lon += 360
        out.append((lon, lat))
    return out


def _polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def _iso(feature: dict, unnumbered: dict[str, str]) -> str | None:
    if "id" not in feature:
        return unnumbered.get(feature.get("properties", {}).get("name", ""))
    found = pycountry.countries.get(numeric=str(feature["id"]).zfill(3))
    return found.alpha_2 if found else None


@cache
def countries(geo_dir: Path, width: float = WIDTH) -> tuple[Country, ...]:
    """Every country the map draws, outlines first (largest first, so enclaves stay on top), dots last."""
    frame = Frame(width)
    topology = json.loads((geo_dir / "countries-110m.json").read_text(encoding="utf-8"))
    with (geo_dir / "unnumbered.csv").open(encoding="utf-8", newline="") as f:
        unnumbered = {row["name"]: row["iso2"] for row in csv.DictReader(f)}
    arcs = _arcs(topology)
    out: list[Country] = []
    for feature in topology["objects"]["countries"]["geometries"]:
        iso = _iso(feature, unnumbered)
        if iso == "AQ":
            continue
        polygons = tuple(tuple(tuple(frame.point(lon, lat) for lon, lat in ring) for ring in rings)
                         for polygon in _polygons(feature) for rings in _sides([_ring(r, arcs) for r in polygon]))
        out.append(Country(iso or "", feature.get("properties", {}).get("name", ""), polygons))
    out.sort(key=lambda c: -_extent(c.polygons))
    drawn = {c.iso for c in out}
    with (geo_dir / "markers.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["iso2"] not in drawn:
                out.append(Country(row["iso2"], row["name"], dot=frame.point(float(row["lon"]), float(row["lat"]))))
    return tuple(out)


def _extent(polygons: tuple[tuple[tuple[Point, ...], ...], ...]) -> float:
    """The outer rings' bounding boxes summed: enough to order countries so enclaves draw last."""
    total = 0.0
    for polygon in polygons:
        xs, ys = [p[0] for p in polygon[0]], [p[1] for p in polygon[0]]
        total += (max(xs) - min(xs)) * (max(ys) - min(ys))
    return total
