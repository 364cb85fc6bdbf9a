"""Shared fixtures: one real build of the shipped data per session, and copies of the data to break."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

import pytest
from click.testing import CliRunner

from exportkg.graph.build import build
from exportkg.graph.config import Settings
from exportkg.graph.store import KnowledgeStore, StoreLocation

SHIPPED = Settings()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The shipped data built once into a fresh home (a real on-disk Oxigraph store)."""
    settings = Settings(home=tmp_path_factory.mktemp("home"))
    build(settings)
    return settings


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


def select(kg: KnowledgeStore, sparql: str) -> list[dict[str, str]]:
    """Rows of a SELECT as plain strings, for compact assertions."""
    result = kg.query(sparql)
    names = [str(v) for v in result.vars]
    return [{n: (None if row[i] is None else str(row[i])) for i, n in enumerate(names)}
            for row in result]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 60.0) -> None:
    """Poll until the server answers (or fail with its log if it died)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {proc.stdout.read() if proc.stdout else ''}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not answer within {seconds} s")


@contextlib.contextmanager
def running_server(settings: Settings, *extra: str) -> Iterator[str]:
    """`exportkg serve` as a real process (waitress) on a free port; yields its base URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "exportkg.graph.cli", "--home", str(settings.home), "serve",
           "--host", "127.0.0.1", "--port", str(port), *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


@pytest.fixture(scope="session")
def live_server(built: Settings) -> Iterator[str]:
    """The app over the session's built store, served by a real WSGI server over real HTTP."""
    with running_server(built, "--query-timeout", "5") as base:
        yield base


@dataclass
class Reply:
    """An HTTP answer, whatever its status (urllib would raise on 4xx/5xx)."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def http(base: str, method: str = "GET", path: str = "/sparql", params: list[tuple[str, str]] | None = None,
         body: bytes | str | None = None, headers: dict[str, str] | None = None, timeout: float = 60) -> Reply:
    """One real HTTP request to a running server (http.client: nothing decoded or followed for us)."""
    parsed = urllib.parse.urlsplit(base)
    url = path + ("?" + urllib.parse.urlencode(params) if params else "")
    conn = HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    try:
        conn.request(method, url, body=body.encode() if isinstance(body, str) else body, headers=headers or {})
        response = conn.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        conn.close()


def form(**fields: str) -> tuple[str, dict[str, str]]:
    """A form-encoded POST body and its Content-Type header."""
    return urllib.parse.urlencode(fields), {"Content-Type": "application/x-www-form-urlencoded"}

#: a party name that is markup: pages must show it as text, never run it
XSS_NAME = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="session")
def xss_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A store with one imported party whose name is markup (a Singapore subsidiary of Alibaba Group)."""
    from exportkg.graph.importer import import_parties

    settings = Settings(home=tmp_path_factory.mktemp("xss"))
    path = settings.home / "xss.csv"
    path.write_text("id,name,kind,country,headquarters,parent,parent_share,operator,h100e,source\n"
                    f"xss-party,{XSS_NAME},company,SG,SG,alibaba-group,100,,,test fixture\n", encoding="utf-8")
    import_parties(settings, path)
    return settings


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
