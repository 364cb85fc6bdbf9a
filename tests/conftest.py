"""Shared fixtures: one real build of the shipped data per session, and copies of the data to break.

Tests come in two tiers. The fast tier (`make check`) needs no full build, no server process, no
browser and no HermiT; a test that asks for one of the fixtures below that do is marked `slow` here,
and modules that build or reason on the whole data themselves say so with `pytestmark`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from filelock import FileLock

from exportkg.graph.build.pipeline import build
from exportkg.graph.config import Settings
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation

from golden_cases import load_cases, write_parties
from helpers import LIVE_QUERY_TIMEOUT, XSS_NAME, running_server

SHIPPED = Settings()
#: fixtures that build the shipped data, start a server or a browser: a test using one is `slow`
SLOW_FIXTURES = {"built", "store", "live_server", "xss_home", "xss_server", "browser", "good_home", "imported",
                 "golden", "parties_home", "chain_store", "oxigraph_server", "remote"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def shared_home(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Settings], None]) -> Settings:
    """A home made once per test run: under pytest-xdist (`make test` runs two workers) the first
    worker to ask makes it while the others wait on a file lock, then every worker reads it. Tests
    never write to these homes (they copy them first: helpers.copy_home)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        settings = Settings(home=tmp_path_factory.mktemp(name))
        make(settings)
        return settings
    root = tmp_path_factory.getbasetemp().parent / f"shared-{name}"
    with FileLock(f"{root}.lock"):
        if not (root / ".made").exists():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir()
            make(Settings(home=root))
            (root / ".made").touch()
    return Settings(home=root)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The shipped data built once into a fresh home (a real on-disk Oxigraph store)."""
    return shared_home(tmp_path_factory, "home", build)


@pytest.fixture(scope="session")
def store(built: Settings):  # type: ignore[no-untyped-def]
    kg = KnowledgeStore.open_read_only(StoreLocation(built.store_root))
    yield kg
    kg.close()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of graph/data for tests that break or extend it."""
    target = tmp_path / "data"
    shutil.copytree(SHIPPED.data_dir, target)
    return target


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def live_server(built: Settings) -> Iterator[str]:
    """The app over the session's built store, served by a real WSGI server over real HTTP."""
    with running_server(built, "--query-timeout", str(LIVE_QUERY_TIMEOUT)) as base:
        yield base


@pytest.fixture(scope="session")
def parties_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A fresh home with one import (one full build): every golden case's parties and a party whose
    name is markup (a Singapore subsidiary of Alibaba Group) for the XSS tests."""
    return shared_home(tmp_path_factory, "parties", import_golden_and_xss_parties)


def import_golden_and_xss_parties(settings: Settings) -> None:
    from exportkg.graph.build.importer import import_parties

    path = settings.home / "parties.csv"
    xss = {"id": "xss-party", "name": XSS_NAME, "kind": "company", "country": "SG", "headquarters": "SG",
           "parent": "alibaba-group", "parent_share": "100", "source": "test fixture"}
    write_parties(path, load_cases(), [xss])
    import_parties(settings, path)


@pytest.fixture(scope="session")
def golden_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The shipped data and every golden case's parties, reasoned for remote_cases.GOLDEN_REGIMES: the
    embedded store each remote store's golden home is held to."""
    from remote_cases import GOLDEN_REGIMES, import_golden

    return shared_home(tmp_path_factory, "golden-remote", import_golden).with_(reason_regimes=GOLDEN_REGIMES)


@pytest.fixture(scope="session")
def golden_store(golden_home: Settings) -> Iterator[object]:
    from exportkg.graph.store.embedded import KnowledgeStore
    from exportkg.graph.store.location import StoreLocation

    store = KnowledgeStore.open_read_only(StoreLocation(golden_home.store_root))
    yield store
    store.close()


@pytest.fixture(scope="session")
def xss_home(parties_home: Settings) -> Settings:
    """The store with the markup-named party."""
    return parties_home


@pytest.fixture(scope="session")
def xss_server(xss_home: Settings) -> Iterator[str]:
    """The app over the store with the markup-named party."""
    with running_server(xss_home) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright (no browser download), one per session."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "chromium is not installed (apt-get install chromium; .ci/run does it)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    """A fresh page that may not leave this machine (tests/browsing.py)."""
    from browsing import open_page

    context, tab = open_page(browser)
    yield tab
    context.close()
