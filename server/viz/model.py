"""The graph view's model: nodes and edges with their styles, turned into vis-network data by pyvis.

pyvis builds the network (nodes, edges, options) but its own pages load scripts from CDNs, so only
its data is used here: the templates (server/templates/graph*.html) and server/static/graph.js draw
it with the vis-network copy this server serves itself. Tooltips are plain text: graph.js shows them
through DOM text nodes, because labels are data and may hold markup.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field

from pyvis.network import Network

#: node kind -> (legend text, colour, vis-network shape)
KINDS: dict[str, tuple[str, str, str]] = {
    "organization": ("organization", "#4e79a7", "dot"),
    "datacenter": ("data center", "#b07aa1", "square"),
    "country": ("country (colour: tier)", "#9e9e9e", "diamond"),
    "group": ("EAR country group", "#76b7b2", "hexagon"),
    "tier": ("tier", "#9e9e9e", "star"),
    "other": ("other", "#bab0ac", "dot"),
    "literal": ("value", "#e0e0e0", "box"),
}
#: tier number -> colour (countries and tiers); None: no tier under the regime
TIERS: dict[int | None, tuple[str, str]] = {
    1: ("Tier 1", "#2e7d32"), 2: ("Tier 2", "#f9a825"), 3: ("Tier 3", "#c62828"), None: ("no tier", "#9e9e9e"),
}
#: review policy for 3A090.a at a party's location -> colour (group tree view)
POLICIES: dict[str, tuple[str, str]] = {
    "presumption_of_denial": ("presumption of denial", "#c62828"),
    "case_by_case": ("case-by-case", "#f9a825"),
    "presumption_of_approval": ("presumption of approval", "#7cb342"),
    "none": ("no license required", "#2e7d32"),
    "unknown": ("unknown", "#9e9e9e"),
}
#: edge kind -> (legend text, colour, dashed)
EDGES: dict[str, tuple[str, str, bool]] = {
    "controls": ("controls (share)", "#37474f", False),
    "minorityStake": ("minority stake", "#90a4ae", True),
    "headquarteredIn": ("headquartered in", "#6d4c41", False),
    "locatedIn": ("located in", "#8d6e63", True),
    "ownedBy": ("owned by", "#7e57c2", False),
    "operatedBy": ("operated by", "#ab47bc", True),
    "memberOf": ("member of group", "#26a69a", True),
    "inTier": ("in tier", "#757575", False),
    "wasInTier": ("tier under the base regime", "#bdbdbd", True),
    "predicate": ("triple", "#607d8b", False),
}
HIGHLIGHT = "#ff6f00"


@dataclass
class VizNode:
    """One node: `id` is the IRI (or a literal's key), `href` the entity page, `more` neighbours not shown."""

    id: str
    label: str
    kind: str = "other"
    tier: int | None = None
    policy: str | None = None
    href: str | None = None
    details: list[str] = field(default_factory=list)
    more: int = 0
    changed: bool = False
    faded: bool = False
    root: bool = False
    colour_by: str = "kind"  # kind, tier or policy

    def colour(self) -> str:
        if self.colour_by == "policy":
            return POLICIES.get(self.policy or "unknown", POLICIES["unknown"])[1]
        if self.kind in ("country", "tier") or self.colour_by == "tier":
            return TIERS.get(self.tier, TIERS[None])[1]
        return KINDS.get(self.kind, KINDS["other"])[1]

    def title(self) -> str:
        """The tooltip, as plain text (one fact a line)."""
        lines = [self.label, KINDS.get(self.kind, KINDS["other"])[0].split(" (")[0], *self.details]
        if self.more:
            lines.append(f"{self.more} more links not shown: shift+click to expand")
        return "\n".join(lines)


@dataclass
class VizEdge:
    source: str
    target: str
    kind: str
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.source} {self.kind} {self.target}"


@dataclass
class VizGraph:
    """What one view shows, before it becomes vis-network data."""

    title: str
    nodes: dict[str, VizNode] = field(default_factory=dict)
    edges: dict[str, VizEdge] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    legend: str = "kind"  # which colours the legend explains: kind (with tiers) or policy
    changes: list[str] = field(default_factory=list)

    def add_node(self, node: VizNode) -> VizNode:
        return self.nodes.setdefault(node.id, node)

    def add_edge(self, edge: VizEdge) -> None:
        if edge.source in self.nodes and edge.target in self.nodes:
            self.edges.setdefault(edge.id, edge)


def options(node_count: int) -> dict[str, object]:
    """vis-network options: physics runs until the layout is stable, then graph.js switches it off.

    Above 100 nodes the (quadratic) improved initial layout is skipped: `seed_layout` places the nodes
    around their hubs instead, so a few dozen iterations settle it and a 500-node view is quickly usable."""
    large = node_count > 100
    return {
        "autoResize": True,
        "layout": {"improvedLayout": not large, "randomSeed": 7},
        "physics": {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -6000, "springLength": 140, "springConstant": 0.03,
                          "damping": 0.3, "avoidOverlap": 0.1},
            "stabilization": {"enabled": True, "iterations": 80 if large else 400, "updateInterval": 40,
                              "fit": True},
            "minVelocity": 1.0,
        },
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False, "keyboard": False},
        "nodes": {"font": {"size": 13, "face": "system-ui, sans-serif"}, "size": 14},
        "edges": {"smooth": False, "font": {"size": 10, "align": "middle", "color": "#555"},
                  "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}},
    }


def seed_layout(graph: VizGraph) -> dict[str, tuple[float, float]]:
    """Starting positions for large views: hubs (most links first) on a wide circle, every other node
    on a small circle around the first hub it is linked to. Linear in the graph's size."""
    links: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges.values():
        links[edge.source].append(edge.target)
        links[edge.target].append(edge.source)
    placed: dict[str, tuple[float, float]] = {}
    hubs = sorted(graph.nodes, key=lambda n: -len(links[n]))
    hubs = [h for h in hubs if len(links[h]) >= 8] or hubs[:1]
    for i, hub in enumerate(hubs):
        angle, radius = 2 * math.pi * i / len(hubs), 120.0 * len(hubs)
        placed[hub] = (radius * math.cos(angle), radius * math.sin(angle))
    for hub in hubs:
        around = [n for n in links[hub] if n not in placed]
        cx, cy = placed[hub]
        for j, node in enumerate(around):
            angle, ring = 2 * math.pi * j / len(around), 60.0 + 6.0 * math.sqrt(len(around)) * (1 + j % 3)
            placed[node] = (cx + ring * math.cos(angle), cy + ring * math.sin(angle))
    for k, node in enumerate(n for n in graph.nodes if n not in placed):
        placed[node] = (40.0 * (k % 25), 40.0 * (k // 25) + 200.0 * len(hubs))
    return placed


def build_network(graph: VizGraph) -> Network:
    """The pyvis network of a view (pyvis keeps any extra field, which graph.js and tests read)."""
    net = Network(directed=True, cdn_resources="remote")
    seeded = seed_layout(graph) if len(graph.nodes) > 100 else {}
    for node in graph.nodes.values():
        shape = KINDS.get(node.kind, KINDS["other"])[2]
        label = f"{node.label} +{node.more}" if node.more else node.label
        attrs: dict[str, object] = {
            "label": label, "shape": shape, "color": node.colour(), "title": node.title(), "kind": node.kind,
            "href": node.href, "tier": node.tier, "policy": node.policy, "more": node.more,
            "changed": node.changed, "fullLabel": node.label}
        attrs.update(_emphasis(node))
        if node.id in seeded:
            attrs["x"], attrs["y"] = seeded[node.id]
        net.add_node(node.id, **attrs)
    for edge in graph.edges.values():
        text, colour, dashed = EDGES.get(edge.kind, EDGES["predicate"])
        net.add_edge(edge.source, edge.target, id=edge.id, kind=edge.kind, label=edge.label,
                     color=colour, dashes=dashed, title=edge.label or text)
    net.options = options(len(graph.nodes))
    return net


def _emphasis(node: VizNode) -> dict[str, object]:
    if node.root:
        return {"size": 24, "borderWidth": 4, "font": {"size": 16, "bold": True}}
    if node.changed:
        return {"size": 24, "borderWidth": 5, "color": {"background": node.colour(), "border": HIGHLIGHT},
                "font": {"size": 16, "bold": True}}
    if node.faded:
        return {"size": 8, "font": {"size": 9, "color": "#999"}}
    return {}


def legend(graph: VizGraph) -> list[dict[str, str]]:
    """Legend rows for the kinds, tiers (or policies) and edge kinds the view actually holds."""
    kinds = {n.kind for n in graph.nodes.values()}
    rows = [{"group": "node", "key": k, "text": KINDS[k][0], "colour": KINDS[k][1], "shape": KINDS[k][2]}
            for k in KINDS if k in kinds]
    if graph.legend == "policy":
        rows += [{"group": "policy", "key": k, "text": t, "colour": c} for k, (t, c) in POLICIES.items()]
    if kinds & {"country", "tier"}:
        rows += [{"group": "tier", "key": str(k), "text": t, "colour": c} for k, (t, c) in TIERS.items()]
    edge_kinds = {e.kind for e in graph.edges.values()}
    rows += [{"group": "edge", "key": k, "text": EDGES[k][0], "colour": EDGES[k][1]}
             for k in EDGES if k in edge_kinds]
    if any(n.changed for n in graph.nodes.values()):
        rows.append({"group": "node", "key": "changed", "text": "tier changes", "colour": HIGHLIGHT})
    return rows


def payload(graph: VizGraph, meta: dict[str, object]) -> dict[str, object]:
    """Everything graph.js needs, from the pyvis network's data."""
    nodes, edges, _heading, _height, _width, opts = build_network(graph).get_network_data()
    return {"nodes": nodes, "edges": edges, "options": json.loads(opts), "legend": legend(graph),
            "meta": {"title": graph.title, "notes": graph.notes, "changes": graph.changes, **meta}}


def island(data: dict[str, object]) -> str:
    """JSON safe inside <script type="application/json">: no `</script>`, `<!--` or `&` can appear."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
