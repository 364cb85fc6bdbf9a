"""World maps and country timelines: the projection, the outlines, the drawings (SVG and PNG), what
they show for the shipped regimes, and the ways to get them (`exportkg map`, /map, /impact, country
pages). Browser rendering is in test_maps_browser.py."""

from __future__ import annotations

import io
import re
import struct
import urllib.request
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from exportkg.graph.answers.country_timeline import country_timeline
from exportkg.graph.answers.maps import CHANGES, TIERS, MapError, impact_map, tier_map
from exportkg.graph.cli.main import main
from exportkg.graph.config import Settings
from exportkg.graph.impact.compare import LIFTED, NEW, DeterminationChange, Report
from exportkg.graph.namespaces import ID
from exportkg.graph.render import lanes, worldmap
from exportkg.graph.render.geo import Frame, countries, equal_earth

from helpers import XSS_NAME

GEO = Settings().data_dir / "geo"
SVG = "{http://www.w3.org/2000/svg}"


def colour(key: str, categories: list = TIERS) -> str:
    return next(c.colour for c in categories if c.key == key)


def fills(svg: str) -> dict[str, str]:
    """ISO code -> fill of its shape in a drawn map."""
    root = ET.fromstring(svg)
    return {el.get("data-iso"): el.get("fill") for el in root.iter() if el.get("data-iso")}


# ---------------------------------------------------------------- projection and outlines

def test_equal_earth_matches_the_published_extent() -> None:
    """Šavrič et al. (2018): the map is 2.7066 wide at the equator per unit radius, 1.3173 at the pole."""
    assert equal_earth(0, 0) == (0.0, 0.0)
    assert equal_earth(180, 0)[0] == pytest.approx(2.7066, abs=1e-4)
    assert equal_earth(0, 90)[1] == pytest.approx(1.3173, abs=1e-4)
    x, y = equal_earth(-120, -45)
    assert (x, y) == pytest.approx((-equal_earth(120, 45)[0], -equal_earth(120, 45)[1]))


def test_outlines_cover_the_graphs_countries_small_ones_as_dots() -> None:
    drawn = {c.iso: c for c in countries(GEO)}
    assert {"CN", "US", "RU", "IN", "BR", "TW", "XK"} <= {iso for iso, c in drawn.items() if c.polygons}
    assert {"SG", "HK", "MO", "BH"} <= {iso for iso, c in drawn.items() if c.dot is not None}
    assert "AQ" not in drawn and "" not in drawn
    frame = Frame()
    for country in drawn.values():  # every point inside the frame
        points = [country.dot] if country.dot else [p for poly in country.polygons for ring in poly for p in ring]
        assert all(0 <= x <= frame.width + 0.01 and 0 <= y <= frame.height + 0.01 for x, y in points), country.iso


# ---------------------------------------------------------------- drawing

def hostile_map() -> worldmap.WorldMap:
    return worldmap.WorldMap(title=f"title {XSS_NAME}", subtitle=XSS_NAME, categories=TIERS,
                             places={"CN": worldmap.Place("3", XSS_NAME, (XSS_NAME,), f"/x?a=1&b={XSS_NAME}"),
                                     "SG": worldmap.Place("2", "Singapore (SG)", ())},
                             rest="residual", rest_detail=XSS_NAME, caption=XSS_NAME)


def test_svg_is_well_formed_and_labels_stay_text() -> None:
    svg = worldmap.svg(hostile_map(), GEO)
    root = ET.fromstring(svg)
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert not tags & {"script", "img", "foreignObject", "iframe"}
    assert not [a for el in root.iter() for a in el.attrib if a.lower().startswith("on")]
    assert XSS_NAME in "".join(root.itertext())
    got = fills(svg)
    assert got["CN"] == colour("3") and got["SG"] == colour("2") and got["FR"] == colour("residual")
    legend = [t.text for t in root.iter(SVG + "text") if t.text and t.text.startswith("Tier 3")]
    assert legend == ["Tier 3 (1)"]


def test_png_is_a_real_image_with_the_categories_colours() -> None:
    data = worldmap.png(hostile_map(), GEO, scale=1)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 960 and height > 500
    image = Image.open(io.BytesIO(data)).convert("RGB")
    x, y = Frame().point(104.0, 35.0)  # inside China
    red, green, blue = image.getpixel((int(x), int(y + worldmap.TOP)))
    assert f"#{red:02x}{green:02x}{blue:02x}" == colour("3")


def test_impact_map_colours_by_direction() -> None:
    def change(item: str, iso: str, kind: str) -> DeterminationChange:
        return DeterminationChange(item, iso, "other", kind, "before", "after", [], [])

    report = Report("a", "b", tiers=[{"iso": "PL", "country": "Poland", "base": 1, "against": 2}],
                    determinations=[change("3A090.a", "PL", NEW), change("3A090.a", "AE", LIFTED),
                                    change("3A090.a", "IN", "review policy changed"),
                                    change("3A090.a", "MX", LIFTED), change("4E091", "MX", NEW)],
                    country_names={"PL": "Poland"})
    got = fills(worldmap.svg(impact_map(report), GEO))
    expect = {"PL": "tighter", "AE": "looser", "IN": "changed", "MX": "mixed", "FR": "same"}
    assert {iso: got[iso] for iso in expect} == {iso: colour(k, CHANGES) for iso, k in expect.items()}


def test_timeline_svg_escapes_and_places_bars_in_time() -> None:
    t = lanes.Timeline(XSS_NAME, date(2022, 1, 1), date(2024, 1, 1),
                       [lanes.Lane(XSS_NAME, [lanes.Bar(date(2023, 1, 1), date(2024, 1, 1), "#000000", XSS_NAME)])],
                       [lanes.Event(date(2023, 1, 1), XSS_NAME, XSS_NAME)], [("#ffffff", XSS_NAME)])
    root = ET.fromstring(lanes.svg(t))
    assert not {el.tag.removeprefix(SVG) for el in root.iter()} & {"script", "img", "foreignObject"}
    rect = next(r for r in root.iter(SVG + "rect") if r.get("fill") == "#000000")
    plot = lanes.WIDTH - lanes.LEFT - lanes.RIGHT
    assert float(rect.get("x")) == pytest.approx(lanes.LEFT + plot * 365 / 730, abs=0.1)
    assert float(rect.get("width")) == pytest.approx(plot * 365 / 730, abs=0.2)


# ---------------------------------------------------------------- what the shipped regimes show

@pytest.fixture(scope="module")
def tier_fills(store, built: Settings) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    return {r: fills(worldmap.svg(tier_map(store, built, r), GEO)) for r in ("ifr-jan2025", "draft-dec2024")}


def test_tier_maps_follow_the_rules(tier_fills: dict[str, dict[str, str]], store, built: Settings) -> None:  # type: ignore[no-untyped-def]
    from exportkg.graph.store.named import records

    for regime, got in tier_fills.items():
        placed = {str(r.iso): str(r.n) for r in records(store, built, "map-tiers", regime=str(ID[f"regime/{regime}"]))}
        assert placed, regime
        for iso, tier in placed.items():
            if iso in got:
                assert got[iso] == colour(tier), (regime, iso)
        assert all(got[iso] == colour("residual") for iso in set(got) - set(placed))
        assert len(set(got) & set(placed)) > 200  # the graph places nearly every country drawn
    ifr, draft = tier_fills["ifr-jan2025"], tier_fills["draft-dec2024"]
    assert (ifr["CN"], ifr["MO"], ifr["JP"], ifr["PL"]) == (colour("3"), colour("3"), colour("1"), colour("2"))
    assert draft["PL"] == colour("1")  # the rumoured draft had Poland in Tier 1


def test_a_regime_without_tiers_is_refused_naming_those_with_tiers(store, built: Settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(MapError, match=r"oct2023.*no AI Diffusion tiers.*ifr-jan2025"):
        tier_map(store, built, "oct2023")
    with pytest.raises(MapError, match="unknown regime 'bogus'"):
        tier_map(store, built, "bogus")


def test_country_timeline_shows_tier_changes_and_groups(store, built: Settings) -> None:  # type: ignore[no-untyped-def]
    t = country_timeline(store, built, str(ID["country/CN"]), "China", today=date(2026, 12, 1))
    labels = [lane.label for lane in t.lanes]
    assert labels[0] == "Text in force, tier" and "Country group D:5" in labels
    text = t.lanes[0].bars
    assert [b.start for b in text] == sorted(b.start for b in text) and text[-1].end == date(2026, 12, 1)
    assert any(b.text == "T3" for b in text) and any(b.colour == "#cfd8dc" for b in text)
    assert any("Tier none → 3" in e.text for e in t.events)
    statuses = {b.hover.rsplit(": ", 1)[1] for lane in t.lanes[1:] for b in lane.bars if "From" in b.hover}
    assert {"enforced", "not enforced"} <= statuses


# ---------------------------------------------------------------- the CLI

def test_map_command_writes_svg_and_png(runner, built: Settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    home = ["--home", str(built.home)]
    result = runner.invoke(main, [*home, "map", "--regime", "ifr-jan2025", "-o", str(tmp_path / "m.svg")])
    assert result.exit_code == 0, result.output
    got = fills((tmp_path / "m.svg").read_text(encoding="utf-8"))
    assert got["CN"] == colour("3")
    svg = (tmp_path / "m.svg").read_text(encoding="utf-8")
    assert 'href="https://w3id.org/exportkg/id/country/CN"' in svg  # a file links IRIs, not server paths
    result = runner.invoke(main, [*home, "map", "--base", "draft-dec2024", "--against", "ifr-jan2025",
                                  "-o", str(tmp_path / "m.png")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(("args", "message"), [
    (["--regime", "bogus", "-o", "x.svg"], "unknown regime 'bogus'"),
    (["--regime", "ifr-jan2025", "-o", "x.pdf"], "must end in .svg or .png"),
    (["--regime", "ifr-jan2025", "--base", "x", "-o", "x.svg"], "give --regime, or --base and --against"),
])
def test_map_command_refuses_bad_input(runner, built: Settings, tmp_path: Path, args: list[str],  # type: ignore[no-untyped-def]
                                       message: str) -> None:
    args = [a if a != "x.svg" and a != "x.pdf" else str(tmp_path / a) for a in args]
    result = runner.invoke(main, ["--home", str(built.home), "map", *args])
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output and not list(tmp_path.iterdir())


# ---------------------------------------------------------------- the pages

def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def test_map_page_and_files(live_server: str) -> None:
    status, kind, body = fetch(live_server + "/map")
    page = body.decode("utf-8")
    assert status == 200 and 'class="worldmap"' in page and '<a href="/id/country/CN">' in page
    assert "<script" not in page.split('<figure class="worldmap">')[1]
    options = re.findall(r'<option value="([^"]+)"', page)
    assert "ifr-jan2025" in options and "draft-dec2024" in options and "oct2023" not in options  # tiers only
    status, kind, body = fetch(live_server + "/map.svg?regime=draft-dec2024")
    assert status == 200 and kind.startswith("image/svg+xml") and fills(body.decode())["PL"] == colour("1")
    status, kind, body = fetch(live_server + "/map.png?base=draft-dec2024&against=ifr-jan2025")
    assert status == 200 and kind == "image/png" and body[:4] == b"\x89PNG"


def test_map_page_refuses_bad_regimes_in_words(live_server: str) -> None:
    status, _, body = fetch(live_server + "/map?regime=%3Cscript%3Ex")
    page = body.decode("utf-8")
    assert status == 400 and "unknown regime" in page and "<script>x" not in page and "&lt;script&gt;x" in page
    status, _, body = fetch(live_server + "/map?regime=oct2023")
    assert status == 400 and "defines no AI Diffusion tiers" in body.decode("utf-8")


def test_impact_page_shows_the_map(live_server: str) -> None:
    status, _, body = fetch(live_server + "/impact?base=draft-dec2024&against=ifr-jan2025")
    page = body.decode("utf-8")
    assert status == 200 and 'class="worldmap"' in page
    svg = page.split('<figure class="worldmap">')[1].split("</figure>")[0]
    assert fills(svg)["PL"] == colour("tighter", CHANGES)  # Tier 1 in the draft, Tier 2 in the rule


def test_country_page_shows_its_timeline(live_server: str) -> None:
    status, _, body = fetch(live_server + "/id/country/PL")
    page = body.decode("utf-8")
    assert status == 200 and 'id="timeline"' in page
    svg = page.split('<figure class="timeline">')[1].split("</figure>")[0]
    root = ET.fromstring(svg)
    titles = [t.text or "" for t in root.iter(SVG + "title")]
    assert any("Poland: Tier 2" in t for t in titles)
    status, _, body = fetch(live_server + "/id/org/alibaba-group")
    assert 'id="timeline"' not in body.decode("utf-8")  # parties have determinations, not this picture
