"""/sparql never reaches outside its store: SERVICE and foreign datasets are refused before evaluation.

A real listener on 127.0.0.1 stands in for the outside world: the refusals must come with no
connection to it. Also: workers follow a newly published store, and remote-store mode answers alike.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from exportkg.graph.config import Settings
from exportkg.graph.store.location import StoreLocation
from exportkg.server.sparql.guard import Refused, vet

from helpers import (
    FACTS,
    NATO_COUNT,
    NATO_GRAPH,
    NATO_ROWS,
    POLAND,
    count_of,
    free_port,
    get,
    http,
    parse_rdf,
    running_server,
    wait_for,
)


class Listener:
    """A TCP server that records every connection it gets (and answers nothing useful)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def test_the_listener_sees_what_pyoxigraph_would_send(listener: Listener) -> None:
    """Control: left alone, pyoxigraph does call the SERVICE address, and the listener notices."""
    with pytest.raises(OSError):
        list(ox.Store().query(f"SELECT * {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"))
    assert listener.connections >= 1


@pytest.mark.parametrize("template", [
    "SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * {{ ?s ?p ?o .SeRvIcE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * {{ ?s ?p ?o # a comment ends at a carriage return\r SERVICE <{url}> {{ ?x ?y ?z }} }}",
    "SELECT * {{ ?s ?p 'it\\'s' SERVICE <{url}> {{ ?x ?y ?z }} }}",
    "PREFIX r: <{url}>\nSELECT * {{ SERVICE r: {{ ?s ?p ?o }} }}",
    "SELECT * FROM <{url}/x> {{ ?s ?p ?o }}",
    "SELECT * FROM NAMED <{url}/x> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "PREFIX r: <{url}/>\nCONSTRUCT {{ ?s ?p ?o }} FROM r:x WHERE {{ ?s ?p ?o }}",
])
def test_outbound_queries_are_refused_without_a_connection(live_server: str, listener: Listener,
                                                            template: str) -> None:
    query = template.format(url=f"http://127.0.0.1:{listener.port}/sparql")
    for reply in (get(live_server, query),
                  http(live_server, "POST", body=query, headers={"Content-Type": "application/sparql-query"})):
        assert reply.status == 400, reply.text
        assert "refused" in reply.text
    assert listener.connections == 0


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
def test_protocol_dataset_outside_the_store_is_refused(live_server: str, listener: Listener, param: str) -> None:
    reply = get(live_server, NATO_COUNT, **{param: f"http://127.0.0.1:{listener.port}/x"})
    assert reply.status == 400 and "not a graph of this store" in reply.text
    assert listener.connections == 0


def test_service_in_comments_strings_and_names_is_allowed(live_server: str, listener: Listener) -> None:
    url = f"http://127.0.0.1:{listener.port}/sparql"
    query = (f"PREFIX service: <https://w3id.org/exportkg/ontology#>\n"
             f"SELECT ?service (COUNT(DISTINCT ?c) AS ?n) # SERVICE <{url}> {{ ?a ?b ?c }}\n"
             f"WHERE {{ ?m a service:NatoMembership ; service:member ?c . "
             f"BIND(\"SERVICE <{url}> {{ }}\" AS ?service) }} GROUP BY ?service")
    reply = get(live_server, query)
    assert reply.status == 200, reply.text
    binding = json.loads(reply.body)["results"]["bindings"][0]
    assert binding["n"]["value"] == "32" and binding["service"]["value"].startswith("SERVICE <")
    assert listener.connections == 0


@pytest.mark.parametrize("query", [
    "SELECT * { ?s ?p ?o } # SERVICE <http://x/>",
    "SELECT * { ?s ?p '''a ' SERVICE '' b''' }",
    "PREFIX ex: <http://a/> SELECT * { ?s ex:service ex:a-service ; ex:x <http://a/#SERVICE> }",
    f"SELECT * FROM <{FACTS}> {{ ?s ?p ?o }}",
    "BASE <https://w3id.org/exportkg/graph/> SELECT * FROM NAMED <facts> { ?s ?p ?o }",
])
def test_guard_allows(query: str) -> None:
    vet(query, [FACTS])


@pytest.mark.parametrize("query", [
    "SELECT * { ?s ?p ex:a\\# . SERVICE <http://x/> {} }",  # an escaped # in a name is no comment
    "SELECT * { ?s ?p <http://a/\\u0041#x> SERVICE <http://x/> {} }",  # nor is a # in an IRI
    "SELECT * { ?s ?p \"\"\"x\"\"\" SERVICE ?endpoint {} }",
    "SELECT * {?x<?y)SERVICE<http://x/>{}}",
    "SELECT * FROM <facts> { ?s ?p ?o }",  # relative, no BASE: not a graph name
    "SELECT * FROM ex:g { ?s ?p ?o }",  # undeclared prefix
    "SELECT * FROM { ?s ?p ?o }",
])
def test_guard_refuses(query: str) -> None:
    with pytest.raises(Refused):
        vet(query, [FACTS])


def test_workers_follow_a_newly_published_store(built: Settings, tmp_path: Path) -> None:
    """A build swaps `current`; the running server answers from the new store on the next query."""
    home = tmp_path / "home"
    location = StoreLocation(home / "store")
    first = location.new_build_dir()
    shutil.copytree(StoreLocation(built.store_root).resolved(), first, dirs_exist_ok=True)
    location.publish(first)
    marker = f"SELECT (COUNT(*) AS ?n) {{ <{POLAND}> <urn:exportkg:test#marker> ?o }}"

    with running_server(Settings(home=home)) as base:
        assert count_of(get(base, marker)) == 0
        second = location.new_build_dir()
        shutil.copytree(first, second, dirs_exist_ok=True)
        store = ox.Store(str(second))
        store.add(ox.Quad(ox.NamedNode(POLAND), ox.NamedNode("urn:exportkg:test#marker"), ox.Literal("new"),
                          ox.NamedNode(FACTS)))
        store.flush()
        del store
        location.publish(second)
        assert count_of(get(base, marker)) == 1
        assert count_of(get(base, NATO_COUNT)) == 32


def test_remote_store_mode_answers_like_the_embedded_store(built: Settings, tmp_path: Path) -> None:
    """/sparql forwarding to a real `oxigraph serve-read-only` loaded with the session store's loaded
    graphs (the queries below read facts; the inferences would only make the copy slow)."""
    dump = tmp_path / "dump.nq"
    source = ox.Store.read_only(str(StoreLocation(built.store_root).resolved()))
    loaded = [g for g in source.named_graphs() if "/inferred/" not in g.value]
    dump.write_bytes(b"".join(ox.serialize(source.quads_for_pattern(None, None, None, g), format=ox.RdfFormat.N_QUADS)
                              for g in loaded))
    del source
    oxigraph = str(Path(sys.executable).with_name("oxigraph"))
    subprocess.run([oxigraph, "load", "--location", str(tmp_path / "ox"), "--file", str(dump)],
                   check=True, capture_output=True)
    ox_port, port = free_port(), free_port()
    remote = subprocess.Popen([oxigraph, "serve-read-only", "--location", str(tmp_path / "ox"),
                               "--bind", f"127.0.0.1:{ox_port}", "--union-default-graph"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    code = ("import sys; from pathlib import Path; from exportkg.graph.config import Settings; "
            "from exportkg.server.serve import serve; "
            "serve(Settings(home=Path(sys.argv[1]), endpoint=sys.argv[2], query_timeout=5), '127.0.0.1', "
            "int(sys.argv[3]))")
    proxy = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "nohome"),
                              f"http://127.0.0.1:{ox_port}/query", str(port)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"http://127.0.0.1:{ox_port}/", remote)
        wait_for(base + "/sparql", proxy)
        assert count_of(get(base, NATO_COUNT)) == 32
        rows = get(base, NATO_ROWS, "text/csv")
        assert rows.status == 200 and f"{POLAND},1999-03-12" in rows.text.splitlines()
        graph = parse_rdf(get(base, NATO_GRAPH, "application/ld+json").body, "json-ld")
        assert len(graph) == 32
        refused = get(base, "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
        assert refused.status == 400
        assert get(base, "SELECT ?x WHERE { ?x ?y }").status == 400
    finally:
        for proc in (proxy, remote):
            proc.terminate()
            proc.wait(10)
            if proc.stdout:
                proc.stdout.close()
