"""The graph views in a real headless Chromium (Debian's, via Playwright) against a real server, with
every request that would leave 127.0.0.1 aborted and asserted: the drawn network matches the store,
search, click-to-open, expand, the impact view, markup labels, the CONSTRUCT button, the offline file.
"""

from __future__ import annotations

from pathlib import Path

from browsing import assert_clean, shot
from playwright.sync_api import Page

from exportkg.graph.cli.main import main
from exportkg.graph.config import Settings
from exportkg.graph.store.embedded import KnowledgeStore

from helpers import XSS_NAME, select

ID = "https://w3id.org/exportkg/id/"
G42 = ID + "org/g42"
STABLE = "body[data-graph-stable=true]"

def draw(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(STABLE, state="attached", timeout=30_000)


def node_ids(page: Page) -> set[str]:
    return set(page.evaluate("() => exportkgNetwork.nodes.getIds()"))


def node_point(page: Page, node: str) -> dict[str, float]:
    """Where a node is drawn, relative to the canvas element."""
    return page.evaluate("(id) => exportkgNetwork.network.canvasToDOM(exportkgNetwork.network.getPosition(id))",
                         node)


def expected_neighbourhood(store: KnowledgeStore, iri: str) -> tuple[set[str], int]:
    """Independently of the view's queries: the entity's direct links of the kinds the view draws."""
    rows = select(store, f"""
        PREFIX ekg: <https://w3id.org/exportkg/ontology#>
        SELECT DISTINCT ?s ?p ?o WHERE {{
          {{ ?l a ekg:Ownership ; ekg:owner ?s ; ekg:owned ?o . BIND (ekg:owner AS ?p)
             FILTER (?s = <{iri}> || ?o = <{iri}>) }}
          UNION {{ <{iri}> ?p ?o . BIND (<{iri}> AS ?s)
                   FILTER (?p IN (ekg:headquarteredIn, ekg:locatedIn, ekg:ownedBy, ekg:operatedBy)) }}
          UNION {{ ?s ?p <{iri}> . BIND (<{iri}> AS ?o)
                   FILTER (?p IN (ekg:headquarteredIn, ekg:locatedIn, ekg:ownedBy, ekg:operatedBy)) }}
        }}""")
    nodes = {iri} | {r["s"] for r in rows} | {r["o"] for r in rows}
    return nodes, len(rows)


def test_g42_neighbourhood_matches_the_store(live_server: str, store: KnowledgeStore, page: Page) -> None:
    draw(page, live_server + "/graph?entity=g42&cap=1000")
    nodes, edge_count = expected_neighbourhood(store, G42)
    assert node_ids(page) == nodes
    assert page.evaluate("() => exportkgNetwork.edges.length") == edge_count
    assert page.evaluate("() => exportkgNetwork.stable") is True
    assert page.evaluate("() => exportkgNetwork.network.physics.physicsEnabled") is False
    shot(page, "graph-g42")
    assert_clean(page)


def test_g42_depth_two_screenshot(live_server: str, page: Page) -> None:
    draw(page, live_server + "/graph?entity=g42&depth=2")
    assert len(node_ids(page)) > 30
    shot(page, "graph-g42-depth2")
    assert_clean(page)


def test_search_selects_and_focuses_a_node(live_server: str, page: Page) -> None:
    draw(page, live_server + "/graph?entity=g42")
    page.fill("#graph-search-text", "core42 super")
    page.click("#graph-search button")
    assert page.evaluate("() => exportkgNetwork.network.getSelectedNodes()") == [ID + "datacenter/core42-superpod"]
    assert "Core42 SuperPOD" in page.inner_text("#graph-search-status")
    assert "Core42 SuperPOD" in page.inner_text("#graph-details")
    assert_clean(page)


def test_click_opens_the_entity_page(live_server: str, page: Page) -> None:
    draw(page, live_server + "/graph?entity=g42")
    point = node_point(page, ID + "org/core42")
    page.locator("#graph-canvas canvas").click(position={"x": point["x"], "y": point["y"]})
    page.wait_for_url("**/id/org/core42")
    assert page.locator("h1").inner_text() == "Core42"
    assert_clean(page)


def test_shift_click_expands_a_neighbour(live_server: str, page: Page) -> None:
    draw(page, live_server + "/graph?entity=g42")
    before = node_ids(page)
    point = node_point(page, ID + "country/AE")
    page.locator("#graph-canvas canvas").click(position={"x": point["x"], "y": point["y"]}, modifiers=["Shift"])
    page.wait_for_function("(n) => exportkgNetwork.nodes.length > n", arg=len(before))
    page.wait_for_selector(STABLE, state="attached", timeout=30_000)
    after = node_ids(page)
    assert before < after
    assert any("/org/" in n or "/datacenter/" in n for n in after - before)
    assert page.url.endswith("/graph?entity=g42")
    assert_clean(page)


def test_entity_page_links_to_its_graph(live_server: str, page: Page) -> None:
    page.goto(live_server + "/id/org/g42")
    page.click("a.show-graph")
    page.wait_for_selector(STABLE, state="attached", timeout=30_000)
    assert G42 in node_ids(page)
    assert_clean(page)


def test_tier_view(live_server: str, store: KnowledgeStore, page: Page) -> None:
    draw(page, live_server + "/graph/tiers?regime=ifr-jan2025")
    countries = select(store, """PREFIX ekg: <https://w3id.org/exportkg/ontology#>
        SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {
          <https://w3id.org/exportkg/id/regime/ifr-jan2025> ekg:hasTier ?t . ?c ekg:inTier ?t }""")[0]["n"]
    assert page.evaluate("() => exportkgNetwork.nodes.length") == int(countries) + 3
    assert page.evaluate("() => exportkgNetwork.edges.length") == int(countries)
    shot(page, "graph-tiers-ifr-jan2025")
    assert_clean(page)


def test_impact_view_marks_poland_and_switzerland(live_server: str, page: Page) -> None:
    draw(page, live_server + "/graph/impact?base=draft-dec2024&against=ifr-jan2025")
    changed = page.evaluate("() => exportkgNetwork.nodes.get({filter: (n) => n.changed}).map((n) => n.id)")
    assert set(changed) == {ID + f"country/{iso}" for iso in ("PL", "CH", "CY", "NI")}
    changes = page.inner_text("#graph-changes")
    assert "Poland" in changes and "Switzerland" in changes
    shot(page, "graph-impact")
    assert_clean(page)


def test_markup_in_labels_does_not_run(xss_server: str, page: Page) -> None:
    xss = ID + "org/xss-party"
    for path in ("/graph?entity=xss-party", "/graph?entity=alibaba-group&depth=2", "/graph/ownership?entity=xss-party"):
        draw(page, xss_server + path)
        assert xss in node_ids(page), path
        point = node_point(page, xss)
        box = page.locator("#graph-canvas canvas").bounding_box()
        page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])  # the tooltip
        page.wait_for_timeout(600)
        page.fill("#graph-search-text", "onerror")
        page.click("#graph-search button")  # the details panel
        assert XSS_NAME in page.inner_text("#graph-details"), path
        assert page.locator("img").count() == 0, path
    assert XSS_NAME in page.locator(".vis-tooltip").inner_text()
    assert page.dialogs == []  # type: ignore[attr-defined]  # no alert(1) ran
    assert_clean(page)


def test_show_as_graph_from_the_query_ui(live_server: str, page: Page) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector(".yasqe .CodeMirror")
    query = ("PREFIX ekg: <https://w3id.org/exportkg/ontology#>\n"
             "CONSTRUCT { ?s ekg:controlledBy ?o } WHERE { ?s ekg:controlledBy ?o }")
    page.evaluate("(q) => { window.exportkgYasgui.getTab().setQuery(q); }", query)
    page.click("#show-graph button")
    page.wait_for_url("**/graph/construct")
    page.wait_for_selector(STABLE, state="attached", timeout=30_000)
    assert ID + "org/alibaba-cloud-sg" in node_ids(page)
    assert page.evaluate("() => exportkgNetwork.edges.length") > 10
    assert_clean(page)


def test_standalone_file_works_offline(built: Settings, runner, tmp_path: Path, page: Page) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "g42.html"
    assert runner.invoke(main, ["--home", str(built.home), "viz", "g42", "-o", str(out)]).exit_code == 0
    draw(page, out.as_uri())
    assert G42 in node_ids(page)
    assert_clean(page, schemes=("file",))
