"""The world maps and a country's timeline in a real headless Chromium, with every request that would
leave 127.0.0.1 aborted (the network is off for the page): they render, hovering tells, and the
screenshots are kept in tests/artifacts."""

from __future__ import annotations

from browsing import ARTIFACTS, assert_clean, shot
from playwright.sync_api import Page


def test_tier_map_renders_offline_with_hover_details(live_server: str, page: Page) -> None:
    page.goto(live_server + "/map?regime=ifr-jan2025")
    china = page.locator('svg.worldmap [data-iso="CN"]')
    box = china.bounding_box()
    assert box and box["width"] > 40 and box["height"] > 20  # drawn, at a sensible size
    assert "Tier 3" in china.locator("title").text_content()
    china.hover()
    assert china.evaluate("el => getComputedStyle(el).strokeWidth") == "1.5px"
    assert page.locator("svg.worldmap circle.dot").count() >= 4  # the small countries
    shot(page, "map-ifr-jan2025")
    assert_clean(page)


def test_impact_map_and_country_timeline_render(live_server: str, page: Page) -> None:
    page.goto(live_server + "/map?base=draft-dec2024&against=ifr-jan2025")
    poland = page.locator('svg.worldmap [data-iso="PL"]')
    assert "Tier: 1 → 2" in poland.locator("title").text_content()
    shot(page, "map-impact-draft-vs-final")
    page.goto(live_server + "/id/country/PL")
    timeline = page.locator("#timeline svg.timeline")
    box = timeline.bounding_box()
    assert box and box["width"] > 600
    assert timeline.locator(".bar").count() > 10
    ARTIFACTS.mkdir(exist_ok=True)
    timeline.screenshot(path=str(ARTIFACTS / "timeline-PL.png"))
    assert_clean(page)
