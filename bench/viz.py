"""Benchmark the graph view: time from navigation until a 500-node view is stable in Chromium.

Two measurements, each the median of --repeat page loads in Debian's headless Chromium (Playwright):

- synthetic: 500 nodes (3 tiers, 150 countries, 347 organizations with locations and ownership
  links, about 850 edges) drawn by the same template, graph.js and vis-network as the server, from a
  standalone file (`exportkg viz`'s template), so only the browser's work is timed;
- served: a large real neighbourhood through `exportkg serve` (/graph?entity=US&depth=3&cap=500),
  which adds the server's walk of the store to the time.

"Stable" is graph.js's stabilizationIterationsDone handler (physics then switched off); the time is
performance.now() at that moment, i.e. milliseconds since navigation start. Target: under 3 s.

    .venv/bin/python bench/viz.py [--home var] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from playwright.sync_api import Browser, sync_playwright

from exportkg.graph.build.pipeline import build
from exportkg.graph.config import Settings
from exportkg.graph.store.location import StoreLocation
from exportkg.server.viz.model import VizEdge, VizGraph, VizNode, island, payload
from exportkg.server.viz.standalone import SCRIPTS, SERVER_DIR, STYLES, _inline

log = logging.getLogger("bench.viz")
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "viz.json"
TARGET_MS = 3000
STABLE = "body[data-graph-stable=true]"


def synthetic_graph(nodes: int = 500, seed: int = 1) -> VizGraph:
    """Countries by tier plus organizations located in them, some owning others."""
    rng = random.Random(seed)
    graph = VizGraph("Synthetic: countries by tier and organizations")
    tiers = [f"urn:tier:{n}" for n in (1, 2, 3)]
    for number, tier in enumerate(tiers, 1):
        graph.add_node(VizNode(tier, f"Tier {number}", "tier", number))
    countries = []
    for i in range(150):
        number = rng.choice((1, 2, 2, 2, 3))
        country = f"urn:country:{i}"
        graph.add_node(VizNode(country, f"Country {i}", "country", number))
        graph.add_edge(VizEdge(country, tiers[number - 1], "inTier"))
        countries.append(country)
    orgs: list[str] = []
    while len(graph.nodes) < nodes:
        org = f"urn:org:{len(orgs)}"
        graph.add_node(VizNode(org, f"Organization {len(orgs)}", "organization", policy="none"))
        graph.add_edge(VizEdge(org, rng.choice(countries), "locatedIn"))
        if orgs and rng.random() < 0.6:
            graph.add_edge(VizEdge(rng.choice(orgs), org, "controls", f"{rng.randint(51, 100)} %"))
        orgs.append(org)
    return graph


def synthetic_file(path: Path, nodes: int) -> int:
    graph = synthetic_graph(nodes)
    data = payload(graph, {"view": "standalone", "regime": "synthetic", "dataUrl": None})
    env = Environment(loader=FileSystemLoader(SERVER_DIR / "templates"), autoescape=select_autoescape())
    html = env.get_template("graph_standalone.html").render(
        title=graph.title, data=island(data), css=_inline(STYLES, "style"), js=_inline(SCRIPTS, "script"),
        standalone=True)
    path.write_text(html, encoding="utf-8")
    return len(graph.edges)


def time_loads(browser: Browser, url: str, repeat: int) -> tuple[list[float], int, int]:
    """Milliseconds from navigation start to stable, per load; and the node and edge counts drawn."""
    times, counts = [], (0, 0)
    for _ in range(repeat):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
            ("file:", "http://127.0.0.1")) else route.abort())
        page.goto(url)
        page.wait_for_selector(STABLE, state="attached", timeout=60_000)
        times.append(page.evaluate("() => exportkgNetwork.stabilizedAt"))
        log.debug("script start %.0f ms", page.evaluate("() => exportkgNetwork.startedAt"))
        counts = page.evaluate("() => [exportkgNetwork.nodes.length, exportkgNetwork.edges.length]")
        page.close()
    return times, counts[0], counts[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(home: Path, port: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "exportkg.graph.cli", "--home", str(home), "serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/graph", timeout=2).close()
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the server did not start")


def report(name: str, times: list[float], nodes: int, edges: int) -> dict[str, object]:
    median = statistics.median(times)
    verdict = "OK" if median < TARGET_MS else "over target"
    print(f"| {name} | {nodes} | {edges} | {median:.0f} | {min(times):.0f} | {max(times):.0f} | {verdict} |")
    return {"name": name, "nodes": nodes, "edges": edges, "median_ms": median, "times_ms": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, help="a home with a built store (default: build one in a temp dir)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--nodes", type=int, default=500)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or Path(tmp) / "home"
        if not StoreLocation(Settings(home=home).store_root).exists():
            log.info("building the graph into %s", home)
            build(Settings(home=home))
        page_file = Path(tmp) / "synthetic.html"
        synthetic_file(page_file, args.nodes)
        port = free_port()
        proc = serve(home, port)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=shutil.which("chromium"))
                print("| view | nodes | edges | median ms to stable | min | max | target 3000 ms |")
                print("|---|---|---|---|---|---|---|")
                results = [report("synthetic (standalone file)", *time_loads(browser, page_file.as_uri(), args.repeat)),
                           report("served: US, depth 3, cap 500", *time_loads(
                               browser, f"http://127.0.0.1:{port}/graph?entity=US&depth=3&cap=500", args.repeat))]
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
