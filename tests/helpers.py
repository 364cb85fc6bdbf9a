"""Helpers shared by the test modules: real HTTP to a running server, servers as real processes, small
data edits for bad-input tests, and the SPARQL texts several modules send. Fixtures are in conftest.py."""

from __future__ import annotations

import contextlib
import csv
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD

from exportkg.graph.config import Settings
from exportkg.graph.store.embedded import KnowledgeStore


def copy_home(built: Settings, target: Path) -> Settings:
    """A writable home whose published store is a backup (hard links) of the session's built store."""
    import pyoxigraph as ox

    from exportkg.graph.store.location import StoreLocation

    settings = Settings(home=target)
    location = StoreLocation(settings.store_root)
    build_dir = location.new_build_dir()
    build_dir.rmdir()
    source = ox.Store.read_only(str(StoreLocation(built.store_root).resolved()))
    source.backup(str(build_dir))
    del source
    location.publish(build_dir)
    return settings


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


def _output(proc: subprocess.Popen) -> str:
    """What a server process wrote (to its pipe, or to the file running_server gave it)."""
    if proc.stdout:
        return proc.stdout.read()
    output = getattr(proc, "output", None)
    if output is None:
        return ""
    output.seek(0)
    return output.read()[-5000:]


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 60.0) -> None:
    """Poll until the server answers (or fail with its log if it died)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {_output(proc)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError as exc:  # answering, not ready: its response is closed now
            exc.close()
            time.sleep(0.2)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not answer within {seconds} s")


#: live_server's query timeout (seconds): room for the slowest page it serves (an impact report of two
#: regimes, about 2 s alone) while another test worker keeps the other core busy
LIVE_QUERY_TIMEOUT = 10

#: the server process behind each base URL running_server yields (tests look at its workers)
SERVERS: dict[str, subprocess.Popen] = {}


@contextlib.contextmanager
def running_server(settings: Settings, *extra: str) -> Iterator[str]:
    """`exportkg serve` as a real process (waitress) on a free port; yields its base URL. Its output
    goes to a file: a pipe nobody reads fills up, and the server's logging then blocks its threads."""
    import tempfile

    port = free_port()
    cmd = [sys.executable, "-m", "exportkg.graph.cli", "--home", str(settings.home), "serve",
           "--host", "127.0.0.1", "--port", str(port), *extra]
    output = tempfile.TemporaryFile(mode="w+", prefix="exportkg-serve-")
    proc = subprocess.Popen(cmd, stdout=output, stderr=subprocess.STDOUT, text=True)
    proc.output = output  # type: ignore[attr-defined]  # read by wait_for when the server dies
    base = f"http://127.0.0.1:{port}"
    SERVERS[base] = proc
    try:
        wait_for(base + "/healthz", proc)
        yield base
    finally:
        SERVERS.pop(base, None)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        output.close()


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
         body: bytes | str | None = None, headers: dict[str, str] | None = None, timeout: float = 60,
         source: str | None = None) -> Reply:
    """One real HTTP request to a running server (http.client: nothing decoded or followed for us),
    from the loopback address `source` if given (127.0.0.x: another client)."""
    parsed = urllib.parse.urlsplit(base)
    url = path + ("?" + urllib.parse.urlencode(params) if params else "")
    conn = HTTPConnection(parsed.hostname, parsed.port, timeout=timeout,
                          source_address=(source, 0) if source else None)
    try:
        conn.request(method, url, body=body.encode() if isinstance(body, str) else body, headers=headers or {})
        response = conn.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        conn.close()


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (the server's forkserver and its query workers), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def query_workers(base: str) -> set[int]:
    """The pids of a running server's query workers (forked by its forkserver, so two levels down)."""
    server = SERVERS[base].pid
    return {pid for pid in descendants(server) if _parent(_parent(pid)) == server}


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def half_sent(base: str, source: str = "127.0.0.1") -> socket.socket:
    """A connection that sends the start of a request and nothing more (a slow or idle client)."""
    parsed = urllib.parse.urlsplit(base)
    sock = socket.create_connection((parsed.hostname, parsed.port), timeout=10, source_address=(source, 0))
    sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
    return sock


def timed(call) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    result = call()
    return time.monotonic() - started, result


def form(**fields: str) -> tuple[str, dict[str, str]]:
    """A form-encoded POST body and its Content-Type header."""
    return urllib.parse.urlencode(fields), {"Content-Type": "application/x-www-form-urlencoded"}

#: a party name that is markup: pages must show it as text, never run it
XSS_NAME = "<img src=x onerror=alert(1)>"


def append_row(path: Path, values: dict[str, str]) -> int:
    """Append one row (columns by name); returns its line number."""
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
        handle.seek(0)
        lines = sum(1 for _ in handle)
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerow([values.get(c, "") for c in header])
    return lines + 1


def company(**overrides: str) -> dict[str, str]:
    row = {"id": "test-co", "name": "Test Co", "kind": "company", "country": "SG",
           "headquarters": "SG", "source": "epoch-gpu-clusters-2025", "confidence": "D"}
    row.update(overrides)
    return row


def first_company_id(data: Path) -> str:
    with (data / "companies.csv").open(newline="", encoding="utf-8") as handle:
        return next(csv.DictReader(handle))["id"]


def break_unknown_country(data: Path) -> tuple[str, int, str]:
    line = append_row(data / "companies.csv", company(country="XX"))
    return "companies.csv", line, "unknown country code 'XX'"


EKG = Namespace("https://w3id.org/exportkg/ontology#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FACTS = "https://w3id.org/exportkg/graph/facts"
ONTOLOGY = "https://w3id.org/exportkg/graph/ontology"
POLAND = URIRef("https://w3id.org/exportkg/id/country/PL")
PREFIX = "PREFIX ekg: <https://w3id.org/exportkg/ontology#>\n"
NATO_COUNT = PREFIX + "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?m a ekg:NatoMembership ; ekg:member ?c }"
NATO_ROWS = PREFIX + "SELECT ?c ?joined { ?m a ekg:NatoMembership ; ekg:member ?c ; ekg:accessionDate ?joined }"
NATO_GRAPH = PREFIX + ("CONSTRUCT { ?c ekg:accessionDate ?joined } "
                       "WHERE { ?m a ekg:NatoMembership ; ekg:member ?c ; ekg:accessionDate ?joined }")
POLAND_JOINED = Literal("1999-03-12", datatype=XSD.date)


def get(base: str, query: str, accept: str | None = None, **params: str) -> Reply:
    headers = {"Accept": accept} if accept else {}
    return http(base, params=[("query", query), *params.items()], headers=headers)


def parse_rdf(body: bytes, rdflib_format: str) -> Graph:
    """rdflib's JSON-LD parser warns about its own deprecated internals (rdflib 7.6): not ours to fix."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Graph().parse(data=body, format=rdflib_format)


def count_of(reply: Reply) -> int:
    assert reply.status == 200, reply.text
    return int(json.loads(reply.body)["results"]["bindings"][0]["n"]["value"])


