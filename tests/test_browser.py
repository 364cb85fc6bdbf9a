"""The pages in a real headless Chromium (Debian's, driven by Playwright): the query UI works offline,
a gallery query shows results, entity pages show determinations, and markup in labels never runs.

A missing Chromium is a failure, not a skip: .ci/run installs it.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route

from helpers import XSS_NAME

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page that records every request and aborts any that would leave 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.requested = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requested.append(request.url))  # type: ignore[attr-defined]

    def only_local(route: Route) -> None:
        if urllib.parse.urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_local)
    yield page
    context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def assert_all_local(page: Page) -> None:
    hosts = {urllib.parse.urlsplit(url).hostname for url in page.requested}  # type: ignore[attr-defined]
    assert hosts == {"127.0.0.1"}, page.requested  # type: ignore[attr-defined]


def test_home_loads_yasgui_without_leaving_localhost(live_server: str, page: Page) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server + "/")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.wait_for_selector(".yasr")
    assert page.locator("#gallery li.example").count() >= 20
    page.wait_for_timeout(500)
    shot(page, "home")
    assert errors == []
    assert_all_local(page)


def test_a_gallery_query_runs_and_shows_rows(live_server: str, page: Page) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.click("#gallery li[data-name=nato-outside-tier1] button.load")
    editor = page.evaluate("window.exportkgYasgui.getTab().getQuery()")
    assert "NatoMembership" in editor and "<https://w3id.org/exportkg/id/regime/ifr-jan2025>" in editor
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table tbody tr", timeout=30_000)
    assert page.locator(".yasr table tbody tr").count() >= 10
    assert "Poland" in page.locator(".yasr table").inner_text()
    shot(page, "gallery-query")
    assert_all_local(page)


def test_entity_page_shows_determinations(live_server: str, page: Page) -> None:
    page.goto(live_server + "/id/org/alibaba-cloud-sg")
    row = page.locator('tr.determination[data-regime="ifr-jan2025"][data-item="3A090.a"]')
    assert "presumption of denial" in row.inner_text()
    assert "hq-d5m" in row.inner_text()
    assert page.locator("#ownership li").count() == 2
    shot(page, "entity")
    assert_all_local(page)


def test_markup_in_a_label_does_not_run(xss_server: str, page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in ("/id/org/xss-party", "/search?q=onerror", "/id/org/alibaba-group"):
        page.goto(xss_server + path)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        assert page.locator("img[onerror]").count() == 0, path
        assert page.locator("img").count() == 0, path
    page.goto(xss_server + "/id/org/xss-party")
    assert page.locator("h1").inner_text() == XSS_NAME
    shot(page, "xss-escaped")
    assert dialogs == []
    assert_all_local(page)
