"""The pages in a real headless Chromium (Debian's, driven by Playwright): the query UI works offline,
a gallery query shows results, entity pages show determinations, and markup in labels never runs.

A missing Chromium is a failure, not a skip: .ci/run installs it.
"""

from __future__ import annotations

from browsing import assert_all_local, shot
from playwright.sync_api import Page

from helpers import XSS_NAME


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
    page.wait_for_selector(".yasr table tbody tr", timeout=60_000)  # a loaded CI machine runs 4 workers
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
    for path in ("/id/org/xss-party", "/search?q=onerror", "/id/org/alibaba-group"):
        page.goto(xss_server + path)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        assert page.locator("img[onerror]").count() == 0, path
        assert page.locator("img").count() == 0, path
    page.goto(xss_server + "/id/org/xss-party")
    assert page.locator("h1").inner_text() == XSS_NAME
    shot(page, "xss-escaped")
    assert page.dialogs == []  # type: ignore[attr-defined]  # no alert(1) ran
    assert_all_local(page)
