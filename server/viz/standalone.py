"""`exportkg viz`: a graph view as one self-contained HTML file that works offline.

vis-network, its stylesheet, graph.js and graph-export.js are inlined into the file (from
server/static, filled by `make vendor` from the npm registry), so opening it loads nothing from anywhere.
Without a server there are no entity pages and nothing to expand: nodes carry no links and clicks show
details; the PNG and SVG downloads work as on the served page.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from exportkg.graph.config import Settings
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.server.viz import data as vizdata
from exportkg.server.viz.model import island, payload

SERVER_DIR = Path(__file__).resolve().parent.parent  # server/: its templates/ and static/
STATIC = SERVER_DIR / "static"
VENDOR = STATIC / "vendor" / "vis-network"
SCRIPTS = (VENDOR / "vis-data.min.js", VENDOR / "vis-network.min.js", STATIC / "graph.js",
           STATIC / "graph-export.js")
STYLES = (STATIC / "style.css", VENDOR / "vis-network.min.css", STATIC / "graph.css")


def _inline(paths: tuple[Path, ...], closing: str) -> str:
    """Files joined for an inline element; their text can never close it early."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise vizdata.VizError(f"missing {', '.join(missing)}: run `make vendor` (npm) first")
    text = "\n".join(p.read_text(encoding="utf-8") for p in paths)
    return text.replace(f"</{closing}", f"<\\/{closing}")


def standalone(store: KnowledgeStore, settings: Settings, entity: str, depth: int = 1,
               regime: str = vizdata.DEFAULT_REGIME, cap: int = vizdata.DEFAULT_CAP) -> str:
    """The neighbourhood page of `entity` as one HTML document."""
    iri = vizdata.resolve(store, settings, entity)
    graph = vizdata.neighbourhood(store, settings, iri, regime, depth, cap)
    data = payload(graph, {"view": "standalone", "regime": regime, "entity": iri, "dataUrl": None})
    for node in data["nodes"]:  # type: ignore[union-attr]
        node["href"] = None
    env = Environment(loader=FileSystemLoader(SERVER_DIR / "templates"), autoescape=select_autoescape())
    return env.get_template("graph_standalone.html").render(
        title=graph.title, data=island(data), css=_inline(STYLES, "style"), js=_inline(SCRIPTS, "script"),
        standalone=True)
