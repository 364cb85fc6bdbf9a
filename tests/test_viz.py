"""The graph views over HTTP (a real server) and `exportkg viz` (a real store): status codes, the data
island, the CSP-friendly page, the CONSTRUCT path through the /sparql guard, the standalone file."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote_plus

from exportkg.graph.cli.main import main
from exportkg.graph.config import Settings
from exportkg.server.viz.model import island
from exportkg.server.viz.standalone import SCRIPTS, STYLES

from helpers import XSS_NAME, http

G42 = "https://w3id.org/exportkg/id/org/g42"
URL = re.compile(r"https?://[^\s\"'<>)\\]+")


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of the JSON data island."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.island = ""
        self._in_island = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_island = tag == "script" and dict(attrs).get("id") == "graph-data"

    def handle_endtag(self, tag: str) -> None:
        self._in_island = False

    def handle_data(self, data: str) -> None:
        if self._in_island:
            self.island += data


def parse(text: str) -> Elements:
    parser = Elements()
    parser.feed(text)
    return parser


def test_island_cannot_close_its_script_element() -> None:
    text = island({"label": "</script><script>alert(1)</script> <!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["label"].startswith("</script>")


def test_neighbourhood_page_has_data_and_no_inline_script(live_server: str) -> None:
    reply = http(live_server, path="/graph", params=[("entity", "g42")])
    assert reply.status == 200
    assert "script-src 'self'" in reply.header("content-security-policy")
    page = parse(reply.text)
    scripts = [attrs for tag, attrs in page.tags if tag == "script"]
    assert all(a.get("src") or a.get("type") == "application/json" for a in scripts), scripts
    assert any((a.get("src") or "").endswith("vendor/vis-network/vis-network.min.js") for a in scripts)
    data = json.loads(page.island)
    assert G42 in {n["id"] for n in data["nodes"]}
    assert {"controls", "ownedBy", "headquarteredIn"} <= {e["kind"] for e in data["edges"]}
    assert data["options"]["physics"]["stabilization"]["enabled"] is True


def test_expand_data_is_json(live_server: str) -> None:
    reply = http(live_server, path="/graph/data", params=[("entity", "https://w3id.org/exportkg/id/country/AE"),
                                                          ("cap", "5")])
    assert reply.status == 200 and reply.header("content-type").startswith("application/json")
    data = json.loads(reply.body)
    assert len(data["nodes"]) == 6
    ae = next(n for n in data["nodes"] if n["id"].endswith("/country/AE"))
    assert ae["more"] > 0 and ae["tier"] == 2


def test_unknown_entity_and_bad_regime(live_server: str) -> None:
    assert http(live_server, path="/graph", params=[("entity", "no-such-thing")]).status == 404
    assert http(live_server, path="/graph/tiers", params=[("regime", "../x")]).status == 400
    assert http(live_server, path="/graph/data", params=[("entity", "nope")]).status == 400


def test_impact_lists_the_tier_changes(live_server: str) -> None:
    reply = http(live_server, path="/graph/impact", params=[("base", "draft-dec2024"), ("against", "ifr-jan2025")])
    data = json.loads(parse(reply.text).island)
    changed = {n["id"].rsplit("/", 1)[1] for n in data["nodes"] if n["changed"]}
    assert changed == {"CH", "CY", "NI", "PL"}
    assert any("Poland" in c for c in data["meta"]["changes"])


def test_group_tree_colours_foreign_subsidiaries_by_policy(live_server: str) -> None:
    reply = http(live_server, path="/graph/ownership", params=[("entity", "alibaba-cloud-sg")])
    data = json.loads(parse(reply.text).island)
    sg = next(n for n in data["nodes"] if n["id"].endswith("/org/alibaba-cloud-sg"))
    assert sg["policy"] == "presumption_of_denial" and sg["color"] == "#c62828"
    assert "foreign subsidiary" in sg["title"]


def construct(live_server: str, query: str):  # type: ignore[no-untyped-def]
    return http(live_server, "POST", "/graph/construct", body="query=" + quote_plus(query),
                headers={"Content-Type": "application/x-www-form-urlencoded"})


def test_construct_runs_through_the_sparql_guard(live_server: str) -> None:
    ok = construct(live_server, "PREFIX ekg: <https://w3id.org/exportkg/ontology#>\n"
                                "CONSTRUCT { ?s ekg:controlledBy ?o } WHERE { ?s ekg:controlledBy ?o }")
    assert ok.status == 200
    data = json.loads(parse(ok.text).island)
    assert data["edges"] and all(e["label"] == "ekg:controlledBy" for e in data["edges"])
    select = construct(live_server, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert select.status == 400 and "CONSTRUCT" in select.text
    service = construct(live_server, "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert service.status == 400 and "refused" in service.text
    broken = construct(live_server, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p }")
    assert broken.status == 400


def test_markup_label_stays_data(xss_server: str) -> None:
    reply = http(xss_server, path="/graph", params=[("entity", "xss-party")])
    assert reply.status == 200
    assert XSS_NAME not in reply.text  # escaped inside the island
    data = json.loads(parse(reply.text).island)
    assert XSS_NAME in {n["fullLabel"] for n in data["nodes"]}


def vendored_urls() -> set[str]:
    return {u for path in (*SCRIPTS, *STYLES) for u in URL.findall(path.read_text(encoding="utf-8"))}


def test_cli_writes_an_offline_file(built: Settings, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "g42.html"
    result = runner.invoke(main, ["--home", str(built.home), "viz", "g42", "--depth", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    page = parse(text)
    for tag, attrs in page.tags:  # nothing is loaded: no src, no stylesheet link, no external href
        assert "src" not in attrs, (tag, attrs)
        assert not (attrs.get("href") or "").startswith(("http:", "https:", "//")), (tag, attrs)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text)
    allowed = vendored_urls()
    data_iris = {u for u in URL.findall(text) if u.startswith("https://w3id.org/exportkg/")}
    assert set(URL.findall(text)) - allowed - data_iris == set()
    data = json.loads(page.island)
    assert G42 in {n["id"] for n in data["nodes"]} and "G42 (Group 42 Holding)" in text
    assert all(n["href"] is None for n in data["nodes"])


def test_cli_unknown_entity_fails(built: Settings, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["--home", str(built.home), "viz", "nope", "-o", str(tmp_path / "x.html")])
    assert result.exit_code != 0 and "no entity" in result.output


def test_a_listed_party_shows_its_lists_in_the_graph_view(live_server: str) -> None:
    reply = http(live_server, path="/graph/data", params=[("entity", "https://w3id.org/exportkg/id/org/huawei")])
    assert reply.status == 200
    nodes = {n["id"].rsplit("/", 1)[1]: n for n in json.loads(reply.body)["nodes"]}
    assert "on BIS lists: EL" in json.dumps(nodes["huawei"])
    assert "on BIS lists" not in json.dumps(nodes["huawei-investment-holding"])  # its parent is not listed
