"""The graph views' "Download PNG" and "Download SVG" buttons in a real headless Chromium (Debian's, via
Playwright): the PNG is a real image on white, the SVG is well-formed XML with one <text> per shown node
label, a label made of markup is text in it and never markup, and nothing leaves 127.0.0.1.
The downloads are kept in tests/artifacts (graph-export.png, graph-export.svg).
"""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
import zlib

from browsing import ARTIFACTS, assert_clean
from playwright.sync_api import Download, Page

from helpers import XSS_NAME

STABLE = "body[data-graph-stable=true]"
SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

def draw(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(STABLE, state="attached", timeout=30_000)


def download(page: Page, button: str, keep: str) -> tuple[Download, bytes]:
    """Click a download button; the file is kept in tests/artifacts as `keep`."""
    with page.expect_download(timeout=15_000) as info:
        page.click(f"#graph-download-{button}")
    ARTIFACTS.mkdir(exist_ok=True)
    info.value.save_as(ARTIFACTS / keep)
    return info.value, (ARTIFACTS / keep).read_bytes()


def png_facts(data: bytes) -> tuple[int, int, tuple[int, ...]]:
    """Width, height and the top-left pixel of a PNG. The first pixel of the first row is stored as is
    under every PNG filter (its left, upper and upper-left neighbours count as zero)."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height, depth, colour_type = struct.unpack(">IIBB", data[16:26])
    assert depth == 8 and colour_type in (2, 6), (depth, colour_type)
    chunks, at = b"", 8
    while at < len(data):
        (length,), kind = struct.unpack(">I", data[at:at + 4]), data[at + 4:at + 8]
        if kind == b"IDAT":
            chunks += data[at + 8:at + 8 + length]
        at += 12 + length
    channels = 4 if colour_type == 6 else 3
    first = zlib.decompressobj().decompress(chunks, 1 + channels)
    return width, height, tuple(first[1:1 + channels])


def node_texts(data: bytes) -> list[str]:
    """The SVG parsed as XML: the texts of its node labels."""
    root = ET.fromstring(data)
    assert root.tag == SVG + "svg"
    groups = [g for g in root.iter(SVG + "g") if g.get("class") == "nodes"]
    assert len(groups) == 1
    return [t.text or "" for t in groups[0].iter(SVG + "text")]


def shown_labels(page: Page) -> list[str]:
    return page.evaluate("() => exportkgNetwork.nodes.get({filter: (n) => !n.hidden && n.label})"
                         ".map((n) => String(n.label))")


def test_png_and_svg_of_a_neighbourhood(live_server: str, page: Page) -> None:
    draw(page, live_server + "/graph?entity=g42")
    png, data = download(page, "png", "graph-export.png")
    assert png.suggested_filename == "exportkg-graph-neighbourhood-g42.png"
    width, height, corner = png_facts(data)
    assert width > 100 and height > 100 and len(data) > 5_000
    assert corner[:3] == (255, 255, 255) and corner[3:] in ((), (255,))  # white, not transparent
    svg, data = download(page, "svg", "graph-export.svg")
    assert svg.suggested_filename == "exportkg-graph-neighbourhood-g42.svg"
    texts = node_texts(data)
    assert sorted(texts) == sorted(shown_labels(page))
    assert len(texts) > 5 and "Core42" in texts
    root = ET.fromstring(data)
    assert len(list(root.iter(SVG + "line"))) == page.evaluate("() => exportkgNetwork.edges.length")
    assert_clean(page, ("http", "blob"))


def test_svg_keeps_a_markup_label_as_text(xss_server: str, page: Page) -> None:
    draw(page, xss_server + "/graph?entity=xss-party")
    _svg, data = download(page, "svg", "graph-export-xss.svg")
    assert XSS_NAME in node_texts(data)
    assert b"<img" not in data and b"&lt;img src=x onerror=alert(1)&gt;" in data
    for element in ET.fromstring(data).iter():
        assert element.tag.removeprefix(SVG) not in ("img", "script", "foreignObject", "a", "iframe"), element.tag
        assert not [name for name in element.attrib if name.lower().startswith("on") or "href" in name], element
    assert page.locator("img").count() == 0
    assert_clean(page, ("http", "blob"))
