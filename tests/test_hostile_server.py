"""A served store under hostile requests (issue 18, findings 1-5 and 12, and the acceptance points):
idle and half-sent connections, 1 MB bodies, queries that exhaust memory or the engine's stack,
malformed IRIs, over-long URLs, HEAD, updates sent as queries, and pages whose work runs long. Each
test runs a real `exportkg serve` (waitress, worker processes) over the session's built store."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from exportkg.graph.config import Settings

from helpers import NATO_COUNT, count_of, free_port, get, half_sent, http, query_workers, running_server, timed

MB = 1_000_000
#: bodies of about 1 MB that the old guard needed minutes (or an hour) to refuse
BODIES = ["SELECT * WHERE { ?s ?p ?o } " + "a." * (MB // 2 - 20),
          "SELECT * WHERE { ?s ?p ?o } " + "ex:a." * (MB // 5 - 10),
          "SELECT * WHERE { ?s ?p ?o } " + "a. " * (MB // 3 - 10),
          "SELECT * WHERE { ?s ?p ?o } " + "\\'" * (MB // 2 - 20)]
DIRECT = {"Content-Type": "application/sparql-query"}


@pytest.fixture(scope="module")
def server(built: Settings) -> Iterator[str]:
    """A server of this module's own (these tests kill workers and fill the connection table)."""
    with running_server(built, "--query-timeout", "5") as base:
        yield base


def storm(base: str, bodies: list[str]) -> tuple[list[threading.Thread], list[int]]:
    """POST the bodies concurrently; returns the threads and the list their statuses go to."""
    statuses: list[int] = []

    def post(body: str) -> None:
        statuses.append(http(base, "POST", body=body, headers=DIRECT, timeout=120).status)

    threads = [threading.Thread(target=post, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    return threads, statuses


def probe_during(base: str, threads: list[threading.Thread]) -> list[tuple[float, float]]:
    """(healthz seconds, cheap query seconds), probed again and again until the storm is over."""
    probes = []
    while any(t.is_alive() for t in threads) or len(probes) < 3:
        health, reply = timed(lambda: http(base, path="/healthz", timeout=30))
        assert reply.status == 200  # type: ignore[attr-defined]
        cheap, answer = timed(lambda: get(base, "ASK { ?s ?p ?o }"))
        assert answer.status == 200, answer.text  # type: ignore[attr-defined]
        probes.append((health, cheap))
    return probes


def test_healthz_and_a_cheap_query_answer_under_110_idle_connections_and_8_bodies_of_1mb(server: str) -> None:
    """Findings 1 and 2, the acceptance point: 101 half-sent requests locked every client out, and
    eight 24 KB bodies held /healthz for 21 s. Now /healthz answers within 1 s and a cheap query
    within 2 s (bench/hostile.py measures how far within: tens of milliseconds)."""
    idle = [half_sent(server) for _ in range(110)]
    try:
        threads, statuses = storm(server, BODIES * 2)
        probes = probe_during(server, threads)
        for thread in threads:
            thread.join(120)
        assert statuses == [400] * 8
        assert max(h for h, _ in probes) < 1.0, probes
        assert max(c for _, c in probes) < 2.0, probes
    finally:
        for sock in idle:
            sock.close()


def test_a_full_connection_table_makes_room_for_new_clients(built: Settings) -> None:
    """The table's maximum reached by idle clients from eleven addresses: a new client still gets in
    (the oldest idle connection gives way) and answers come within the acceptance bounds."""
    with running_server(built, "--connection-limit", "100") as base:
        idle = [half_sent(base, f"127.0.0.{2 + i % 11}") for i in range(110)]
        try:
            health, reply = timed(lambda: http(base, path="/healthz", timeout=30))
            cheap, answer = timed(lambda: get(base, NATO_COUNT))
            assert reply.status == 200 and health < 1.0  # type: ignore[attr-defined]
            assert count_of(answer) == 32 and cheap < 2.0  # type: ignore[arg-type]
            closed = sum(1 for sock in idle[:20] if _closed(sock))
            assert closed >= 10, "the oldest idle connections should have made room"
        finally:
            for sock in idle:
                sock.close()


def test_one_address_cannot_hold_more_than_its_share(server: str) -> None:
    """80 connections from one address: the server keeps at most 64 of them (the oldest idle ones
    go), and a request from that same address is still answered."""
    idle = [half_sent(server, "127.0.0.99") for _ in range(80)]
    try:
        reply = http(server, path="/healthz", timeout=30, source="127.0.0.99")
        assert reply.status == 200
        assert sum(1 for sock in idle[:20] if _closed(sock)) >= 16
    finally:
        for sock in idle:
            sock.close()


def test_idle_and_slow_clients_are_closed_after_their_timeouts(tmp_path: Path) -> None:
    """A connection that sends nothing closes after idle_timeout; one that trickles a request a byte at
    a time (never idle for long) after request_timeout. Real waitress, in this process, short timeouts."""
    from waitress import wasyncore

    from exportkg.server.app import create_app
    from exportkg.server.serve import make_server

    settings = Settings(home=tmp_path, idle_timeout=1.0, request_timeout=2.0)
    app, port = create_app(settings), free_port()
    server = make_server(app, settings, "127.0.0.1", port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    silent = socket.create_connection(("127.0.0.1", port), timeout=10)
    trickle = half_sent(base)
    try:
        started, closed = time.monotonic(), {}
        while len(closed) < 2 and time.monotonic() - started < 15:
            if "trickle" not in closed:
                try:
                    trickle.sendall(b"X")
                except OSError:
                    closed["trickle"] = time.monotonic() - started
            for name, sock in (("silent", silent), ("trickle", trickle)):
                if name not in closed and _closed(sock, wait=0.25):
                    closed[name] = time.monotonic() - started
        assert 0.9 < closed.get("silent", 99) < 6, closed
        assert 1.9 < closed.get("trickle", 99) < 8, closed
        assert http(base, path="/healthz").status == 200
    finally:
        silent.close()
        trickle.close()
        server.task_dispatcher.shutdown()
        wasyncore.close_all(server._map)  # the loop ends when nothing is left to watch
        thread.join(10)
        app.extensions["exportkg"].close()


def _closed(sock: socket.socket, wait: float = 2) -> bool:
    """Whether the server closed this connection (it reads end-of-file, or a reset)."""
    sock.settimeout(wait)
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


def test_a_query_over_the_memory_ceiling_is_stopped_and_its_worker_replaced(built: Settings) -> None:
    """Finding 3: each CONCAT doubles a string (a 1.7 KB query asks for gigabytes). The worker's address
    space is capped (default 2048 MB), the query is answered 503 with the reason, the worker is
    replaced, and the next query is served. (A generous timeout: memory, not time, must stop it.)"""
    steps = 21  # 1 KB doubled 21 times: a 2 GB string, made from a 1 GB one
    query = f'SELECT (STRLEN(?v{steps}) AS ?n) WHERE {{ BIND("{"x" * 1024}" AS ?v0) '
    query += " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(steps)) + " }"
    with running_server(built, "--query-timeout", "120") as server:
        before = query_workers(server)
        for pid in before:
            limits = Path(f"/proc/{pid}/limits").read_text()
            assert f"{2048 * 2**20}" in next(line for line in limits.splitlines() if "address space" in line)
        reply = http(server, "POST", body=query, headers=DIRECT, timeout=180)
        assert reply.status == 503 and "2048 MB" in reply.text, reply.text
        assert count_of(get(server, NATO_COUNT)) == 32
        deadline = time.monotonic() + 30
        while len(query_workers(server)) < len(before) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(query_workers(server)) == len(before) and query_workers(server) != before


@pytest.mark.parametrize("query", [
    "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000,
    "SELECT * WHERE " + "{" * 3000,
    "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }",
    "SELECT * WHERE { FILTER(" + "!" * 10_000 + "true) }",
    "SELECT * WHERE { FILTER(1" + "+1" * 60_000 + ") }",
], ids=["braces", "unclosed", "parens", "bangs", "sum"])
def test_queries_that_crash_the_engine_are_refused_before_any_worker_sees_them(server: str, query: str) -> None:
    """Finding 4: these answered 500 and each cost a worker process (pyoxigraph exits 139 on them)."""
    workers = query_workers(server)
    reply = http(server, "POST", body=query, headers=DIRECT)
    assert reply.status == 400 and "refused" in reply.text, reply.text[:300]
    assert query_workers(server) == workers


@pytest.mark.parametrize("query", [
    "SELECT * FROM <\\U00110000> WHERE {}",
    "PREFIX p: <\\UFFFFFFFF> ASK {}",
    "SELECT * FROM <http://x/\\uD800> WHERE {}",
    "BASE <http://[x> SELECT * FROM <a> WHERE {}",
])
def test_malformed_iris_answer_400_with_a_message(server: str, query: str) -> None:
    """Finding 5: each of these answered 500."""
    for reply in (get(server, query), http(server, "POST", body=query, headers=DIRECT)):
        assert reply.status == 400, reply.text
        assert reply.header("Content-Type").startswith("text/plain") and len(reply.text.strip()) > 20


def test_a_get_query_over_the_limit_is_414_however_long(server: str) -> None:
    """Finding 12: a GET query over about 1 MB got waitress's 431; the README promises 414."""
    for size in (1_100_000, 3_000_000):
        reply = http(server, params=[("query", "ASK {} #" + "a" * size)])
        assert reply.status == 414, (size, reply.status, reply.text[:200])


@pytest.mark.parametrize("size", [1_010_000, 5_000_000])
def test_a_client_still_sending_a_body_over_the_limit_reads_its_413(server: str, size: int) -> None:
    """The answer comes before the body is read; the connection then drains what the client goes on
    sending (up to 8 MB), so a client that does not wait for 100-continue reads its 413 instead of a
    broken pipe."""
    for _ in range(3):
        reply = http(server, "POST", body=b"ASK {} #" + b"a" * size, headers=DIRECT)
        assert reply.status == 413 and "limit of 1000000 bytes" in reply.text


def test_a_body_over_the_limit_is_413_before_it_is_read(server: str) -> None:
    parsed = server.removeprefix("http://").split(":")
    with socket.create_connection((parsed[0], int(parsed[1])), timeout=10) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 50000000\r\n\r\nASK {}")
        answer = sock.recv(4096).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]


def test_head_answers_like_get_without_a_body(server: str) -> None:
    """Finding 12: HEAD /sparql answered 400."""
    bare = http(server, "HEAD")
    assert bare.status == 200 and bare.body == b"" and bare.header("Content-Type")
    query = http(server, "HEAD", params=[("query", NATO_COUNT)])
    assert query.status == 200 and query.body == b""
    assert query.header("Content-Type") == "application/sparql-results+json"


def test_an_update_sent_as_a_query_is_403(server: str) -> None:
    """Finding 12: the README says updates get 403; `query=INSERT ...` got 400."""
    update = "INSERT DATA { <urn:x> <urn:y> <urn:z> }"
    for reply in (get(server, update), http(server, "POST", body=update, headers=DIRECT)):
        assert reply.status == 403 and "read-only" in reply.text


@pytest.mark.parametrize(("path", "params"), [
    ("/graph", [("entity", "alibaba-group"), ("depth", "3"), ("cap", "1000")]),
    ("/api/impact", [("base", "draft-dec2024"), ("against", "ifr-jan2025")]),
    ("/impact", [("base", "draft-dec2024"), ("against", "ifr-jan2025")]),
])
def test_pages_that_evaluate_run_under_the_query_timeout(built: Settings, path: str, params: list) -> None:
    """Finding 12: these ran about 2 s on a web thread with no timeout. With a 0.3 s timeout they are
    stopped (503, saying so), and the server answers others meanwhile."""
    with running_server(built, "--query-timeout", "0.3") as base:
        outcome: dict[str, object] = {}
        thread = threading.Thread(target=lambda: outcome.update(reply=http(base, path=path, params=params)))
        thread.start()
        health, reply = timed(lambda: http(base, path="/healthz"))
        thread.join(60)
        slow = outcome["reply"]
        assert slow.status == 503 and "timeout" in slow.text, (slow.status, slow.text[:300])  # type: ignore[attr-defined]
        assert reply.status == 200 and health < 1.0  # type: ignore[attr-defined]
        assert count_of(get(base, NATO_COUNT)) == 32


def test_api_errors_stay_json_under_the_timeout(built: Settings) -> None:
    with running_server(built, "--query-timeout", "0.3") as base:
        reply = http(base, path="/api/impact", params=[("base", "draft-dec2024"), ("against", "ifr-jan2025")])
        assert reply.status == 503 and "timeout" in json.loads(reply.body)["error"]
