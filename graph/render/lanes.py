"""A timeline picture: lanes of dated bars on one time axis, with marked events, as SVG.

Drawn on the server like the world maps, for the same reasons: hover details are SVG <title>s (no
script, so it works under the Content-Security-Policy and offline), and every label is XML text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape, quoteattr

WIDTH, LEFT, RIGHT = 960.0, 200.0, 20.0
LANE, BAR, TOP = 26.0, 16.0, 34.0
INK = "#1f2933"


@dataclass(frozen=True)
class Bar:
    start: date
    end: date
    colour: str
    hover: str
    text: str = ""
    #: the start is not known: the bar begins at the axis and its left edge is drawn dashed
    open_start: bool = False


@dataclass(frozen=True)
class Event:
    day: date
    text: str
    hover: str


@dataclass
class Lane:
    label: str
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Timeline:
    title: str
    start: date
    end: date
    lanes: list[Lane]
    events: list[Event] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, label)


def _x(t: Timeline, day: date) -> float:
    span = max((t.end - t.start).days, 1)
    return LEFT + (WIDTH - LEFT - RIGHT) * (min(max(day, t.start), t.end) - t.start).days / span


def _bar(t: Timeline, bar: Bar, y: float) -> str:
    x0, x1 = _x(t, bar.start), _x(t, bar.end)
    dash = ' stroke-dasharray="3 2"' if bar.open_start else ""
    text = (f'<text x="{x0 + 3:.1f}" y="{y + 12:.1f}" font-size="10" fill="{INK}">{escape(bar.text)}</text>'
            if bar.text and x1 - x0 > 7 * len(bar.text) else "")
    return (f'<g class="bar"><rect x="{x0:.1f}" y="{y:.1f}" width="{max(x1 - x0, 1.5):.1f}" height="{BAR}" '
            f'fill={quoteattr(bar.colour)} stroke="#ffffff" stroke-width="1"{dash}>'
            f"<title>{escape(bar.hover)}</title></rect>{text}</g>")


def _axis(t: Timeline, bottom: float) -> list[str]:
    out = [f'<line x1="{LEFT}" y1="{bottom:.1f}" x2="{WIDTH - RIGHT}" y2="{bottom:.1f}" stroke="{INK}"/>']
    for year in range(t.start.year + 1, t.end.year + 1):
        x = _x(t, date(year, 1, 1))
        out.append(f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{bottom + 4:.1f}" stroke="#c0c7cf" '
                   f'stroke-dasharray="2 3"/><text x="{x:.1f}" y="{bottom + 16:.1f}" font-size="11" '
                   f'text-anchor="middle" fill="{INK}">{year}</text>')
    return out


def _event(t: Timeline, event: Event, bottom: float) -> str:
    x = _x(t, event.day)
    return (f'<g class="event"><path d="M{x:.1f},{TOP - 12:.1f}l5,6l-5,6l-5,-6z" fill="{INK}">'
            f"<title>{escape(event.hover)}</title></path>"
            f'<line x1="{x:.1f}" y1="{TOP:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" stroke="{INK}" stroke-width="0.6"/>'
            f"</g>")


def svg(t: Timeline) -> str:
    bottom = TOP + LANE * len(t.lanes) + 4
    legend_y = bottom + 34
    height = legend_y + 16 * ((len(t.legend) + 3) // 4) + 8
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {WIDTH:.0f} {height:.0f}" '
           f'width="{WIDTH:.0f}" height="{height:.0f}" role="img" aria-label={quoteattr(t.title)}>',
           f"<title>{escape(t.title)}</title>", f'<rect width="{WIDTH:.0f}" height="{height:.0f}" fill="#ffffff"/>']
    out += _axis(t, bottom)
    for i, lane in enumerate(t.lanes):
        y = TOP + i * LANE
        out.append(f'<text x="{LEFT - 8}" y="{y + 12:.1f}" font-size="11" text-anchor="end" fill="{INK}">'
                   f"{escape(lane.label)}</text>")
        out += [_bar(t, bar, y) for bar in lane.bars]
    out += [_event(t, e, bottom) for e in t.events]
    for i, (colour, label) in enumerate(t.legend):
        x, y = 10 + (i % 4) * 237, legend_y + 16 * (i // 4)
        out.append(f'<rect x="{x}" y="{y - 9:.0f}" width="10" height="10" fill={quoteattr(colour)}/>'
                   f'<text x="{x + 14}" y="{y:.0f}" font-size="10" fill="{INK}">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
