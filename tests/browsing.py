"""What every browser test shares: a page that may not leave this machine, and what to check after.

Each page records the URLs it requested and its problems (uncaught script errors, console errors, which
include Content-Security-Policy violations, and dialogs, dismissed), and every request that would leave
127.0.0.1 (or a file: page) is aborted: a page that renders so renders with the network off.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, Route

ARTIFACTS = Path(__file__).parent / "artifacts"


def only_local(route: Route) -> None:
    parts = urllib.parse.urlsplit(route.request.url)
    if parts.hostname == "127.0.0.1" or parts.scheme in ("file", "blob", "data"):
        route.continue_()
    else:
        route.abort()


def open_page(browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.requested, page.problems, page.dialogs = [], [], []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requested.append(request.url))  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))  # type: ignore[attr-defined]
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), page.problems.append(dialog.message),  # type: ignore[attr-defined]
                                      dialog.dismiss()))
    context.route("**/*", only_local)
    return context, page


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def assert_all_local(page: Page) -> None:
    hosts = {urllib.parse.urlsplit(url).hostname for url in page.requested}  # type: ignore[attr-defined]
    assert hosts == {"127.0.0.1"}, page.requested  # type: ignore[attr-defined]


def assert_clean(page: Page, schemes: tuple[str, ...] = ("http",)) -> None:
    """Only this server (or, where allowed, the page's own file: or blob: URLs) was asked for anything,
    and no script error, CSP violation or dialog happened."""
    for url in page.requested:  # type: ignore[attr-defined]
        parts = urllib.parse.urlsplit(url)
        local = parts.scheme == "http" and parts.hostname == "127.0.0.1"
        assert parts.scheme in schemes and (local or parts.scheme != "http"), url
    assert page.problems == []  # type: ignore[attr-defined]
