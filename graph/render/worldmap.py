"""A world map of countries in categories (tiers, or how an impact changes them), as SVG or PNG.

One drawing for three uses: inline in /map and /impact (no script: hover details are SVG <title>s, so
the page works under the Content-Security-Policy and with the network off), and written by
`exportkg map` as an .svg or .png for reports. Every label is written as XML text, never as markup.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageDraw, ImageFont

from exportkg.graph.render.geo import WIDTH, Country, Frame, countries

TOP = 56.0  # room for the title above the map
LEGEND_ROW = 22.0
OCEAN, BORDER, INK = "#eef3f7", "#ffffff", "#1f2933"
DOT_RADIUS = 3.5


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    colour: str


@dataclass(frozen=True)
class Place:
    """A country on the map: its category and what hovering it tells."""

    category: str
    name: str
    details: tuple[str, ...] = ()
    href: str | None = None


@dataclass
class WorldMap:
    title: str
    subtitle: str
    categories: list[Category]
    places: dict[str, Place] = field(default_factory=dict)
    #: the category and hover line of a drawn country the map has no place for
    rest: str = "none"
    rest_detail: str = ""
    caption: str = ""

    def place(self, country: Country) -> Place:
        return self.places.get(country.iso) or Place(self.rest, country.name or country.iso or "unnamed",
                                                     (self.rest_detail,) if self.rest_detail else ())

    def counts(self, drawn: tuple[Country, ...]) -> dict[str, int]:
        """Countries per category among those drawn (the legend's numbers)."""
        out = {c.key: 0 for c in self.categories}
        for country in drawn:
            key = self.place(country).category
            out[key] = out.get(key, 0) + 1
        return out


def _colour(m: WorldMap, key: str) -> str:
    return next((c.colour for c in m.categories if c.key == key), "#cccccc")


def _path(country: Country) -> str:
    parts = []
    for polygon in country.polygons:
        for ring in polygon:
            head, *rest = ring
            steps = "".join(f"L{x:.1f},{y + TOP:.1f}" for x, y in rest)
            parts.append(f"M{head[0]:.1f},{head[1] + TOP:.1f}{steps}Z")
    return "".join(parts)


def _hover(place: Place, label: str) -> str:
    lines = [place.name, label, *place.details]
    return escape("\n".join(line for line in lines if line))


def _shape(m: WorldMap, country: Country) -> str:
    place = m.place(country)
    label = next((c.label for c in m.categories if c.key == place.category), place.category)
    fill, title = quoteattr(_colour(m, place.category)), f"<title>{_hover(place, label)}</title>"
    iso = quoteattr(country.iso)
    if country.dot is not None:
        x, y = country.dot
        shape = (f'<circle class="country dot" data-iso={iso} cx="{x:.1f}" cy="{y + TOP:.1f}" r="{DOT_RADIUS}" '
                 f'fill={fill} stroke="{INK}" stroke-width="0.6">{title}</circle>')
    else:
        shape = (f'<path class="country" data-iso={iso} d="{_path(country)}" fill={fill} fill-rule="evenodd" '
                 f'stroke="{BORDER}" stroke-width="0.5">{title}</path>')
    return f"<a href={quoteattr(place.href)}>{shape}</a>" if place.href else shape


def _shown(m: WorldMap, counts: dict[str, int]) -> list[Category]:
    """The legend's categories: all, but the fallback one only when some country falls back on it."""
    return [c for c in m.categories if c.key != m.rest or counts.get(c.key)]


def _legend(m: WorldMap, counts: dict[str, int], top: float) -> list[str]:
    out = []
    for i, c in enumerate(_shown(m, counts)):
        y = top + i * LEGEND_ROW
        out.append(f'<rect x="16" y="{y:.0f}" width="14" height="14" fill={quoteattr(c.colour)} stroke="{INK}" '
                   f'stroke-width="0.5"/><text x="38" y="{y + 12:.0f}" font-size="13" fill="{INK}">'
                   f"{escape(c.label)} ({counts.get(c.key, 0)})</text>")
    return out


def svg(m: WorldMap, geo_dir: Path) -> str:
    """The whole map as one SVG document (title, countries, legend, caption)."""
    drawn = countries(geo_dir)
    frame = Frame()
    counts = m.counts(drawn)
    legend_top = TOP + frame.height + 16
    height = legend_top + LEGEND_ROW * len(_shown(m, counts)) + 30
    body = [f'<svg xmlns="http://www.w3.org/2000/svg" class="worldmap" viewBox="0 0 {WIDTH:.0f} {height:.0f}" '
            f'width="{WIDTH:.0f}" height="{height:.0f}" role="img" aria-labelledby="map-title">',
            f'<title id="map-title">{escape(m.title)}</title>',
            f'<rect width="{WIDTH:.0f}" height="{height:.0f}" fill="#ffffff"/>',
            f'<rect y="{TOP:.0f}" width="{WIDTH:.0f}" height="{frame.height:.1f}" fill="{OCEAN}"/>',
            f'<text x="16" y="24" font-size="18" font-weight="bold" fill="{INK}">{escape(m.title)}</text>',
            f'<text x="16" y="44" font-size="13" fill="{INK}">{escape(m.subtitle)}</text>',
            *(_shape(m, c) for c in drawn),
            *_legend(m, counts, legend_top),
            f'<text x="16" y="{height - 10:.0f}" font-size="11" fill="{INK}">{escape(m.caption)}</text>',
            "</svg>"]
    return "\n".join(body) + "\n"


def png(m: WorldMap, geo_dir: Path, scale: int = 2) -> bytes:
    """The same map as a PNG (drawn with Pillow: no browser needed), `scale` times the SVG's size."""
    drawn = countries(geo_dir)
    frame = Frame()
    counts = m.counts(drawn)
    legend_top = TOP + frame.height + 16
    height = legend_top + LEGEND_ROW * len(_shown(m, counts)) + 30
    image = Image.new("RGB", (int(WIDTH * scale), int(height * scale)), "#ffffff")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, TOP * scale, WIDTH * scale, (TOP + frame.height) * scale), fill=OCEAN)
    for country in drawn:
        _draw(draw, country, _colour(m, m.place(country).category), scale)
    fonts = {size: ImageFont.load_default(size=size * scale) for size in (11, 13, 18)}
    draw.text((16 * scale, 8 * scale), m.title, fill=INK, font=fonts[18])
    draw.text((16 * scale, 31 * scale), m.subtitle, fill=INK, font=fonts[13])
    for i, c in enumerate(_shown(m, counts)):
        y = (legend_top + i * LEGEND_ROW) * scale
        draw.rectangle((16 * scale, y, 30 * scale, y + 14 * scale), fill=c.colour, outline=INK)
        draw.text((38 * scale, y), f"{c.label} ({counts.get(c.key, 0)})", fill=INK, font=fonts[13])
    draw.text((16 * scale, (height - 22) * scale), m.caption, fill=INK, font=fonts[11])
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _draw(draw: ImageDraw.ImageDraw, country: Country, fill: str, scale: int) -> None:
    def at(ring: tuple[tuple[float, float], ...]) -> list[tuple[float, float]]:
        return [(x * scale, (y + TOP) * scale) for x, y in ring]

    if country.dot is not None:
        x, y = at((country.dot,))[0]
        r = DOT_RADIUS * scale
        draw.ellipse((x - r, y - r, x + r, y + r), fill=fill, outline=INK)
        return
    for outer, *holes in country.polygons:
        draw.polygon(at(outer), fill=fill, outline=BORDER)
        for hole in holes:
            draw.polygon(at(hole), fill=OCEAN, outline=BORDER)
