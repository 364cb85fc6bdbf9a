"""A seeded, bounded mutation run (issue 18: "125 of 10,000 mutated requests ended in 500"): a few
thousand mutated requests against a served store, hundreds of mutated import rows and scenario files.
Nothing may end in a 500 or a traceback; the server must be serving at the end. The 10,000-request run
with latency and memory is bench/hostile.py."""

from __future__ import annotations

import random
import threading
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from exportkg.graph.build.importer import import_parties
from exportkg.graph.config import Settings
from exportkg.graph.errors import DataError
from exportkg.graph.impact.scenario import load
from exportkg.graph.impact.scenario_rdf import to_rdf
from exportkg.graph.store.embedded import KnowledgeStore

from helpers import NATO_COUNT, copy_home, count_of, get, running_server
from mutations import import_rows, requests, scenario_file, send

REQUESTS = 3000
CLIENTS = 8


@pytest.fixture(scope="module")
def fuzz_server(built: Settings) -> Iterator[str]:
    with running_server(built, "--query-timeout", "2") as base:
        yield base


def test_thousands_of_mutated_requests_get_no_500(fuzz_server: str) -> None:
    parsed = urllib.parse.urlsplit(fuzz_server)
    work = list(requests(random.Random(18), REQUESTS))
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    lock = threading.Lock()

    def client(part: list) -> None:
        for request in part:
            try:
                status = send(parsed.hostname, parsed.port, request)  # type: ignore[arg-type]
            except OSError as exc:
                status = 0
                with lock:
                    failures.append(f"{request.kind}: {exc}")
            with lock:
                statuses[status] += 1
                if status >= 500 and status != 503:
                    failures.append(f"{status} {request.kind} {request.params!r:.300} {request.body!r:.300}"
                                    f"{request.raw!r:.200}")

    threads = [threading.Thread(target=client, args=(work[i::CLIENTS],)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(900)
    assert sum(statuses.values()) == REQUESTS
    assert not failures, f"{len(failures)} failures, e.g. {failures[:5]}; statuses {dict(statuses)}"
    assert statuses[200] > REQUESTS // 10 and statuses[400] > REQUESTS // 10, dict(statuses)
    assert count_of(get(fuzz_server, NATO_COUNT)) == 32


@pytest.mark.slow
def test_hundreds_of_mutated_import_rows_are_imported_or_refused_by_line(built: Settings, tmp_path: Path) -> None:
    home = copy_home(built, tmp_path / "home").with_(reason_regimes=("ifr-jan2025",))  # rows, not the law
    rng = random.Random(18)
    header = "id,name,kind,country,headquarters,parent,parent_share,operator,h100e,source\n"
    outcomes: Counter[str] = Counter()
    for n, size in enumerate([1, 2, 5, 60, 60, 60, 60, 60]):
        path = tmp_path / f"rows-{n}.csv"
        path.write_text(header + "\n".join(import_rows(rng, size)) + "\n", encoding="utf-8", errors="surrogatepass")
        try:
            import_parties(home, path)
            outcomes["imported"] += 1
        except DataError as exc:
            outcomes["refused"] += 1
            for problem in exc.problems:
                assert problem.file in (path.name, "previously imported parties"), str(problem)
                assert problem.row is not None or "missing column" in problem.reason, str(problem)
    assert outcomes["refused"] >= 4, outcomes


@pytest.mark.slow
def test_a_hundred_and_fifty_mutated_scenario_files_are_read_or_refused_by_line(built: Settings, store: KnowledgeStore,
                                                                               tmp_path: Path) -> None:
    rng = random.Random(18)
    shipped = sorted((Settings().queries_dir / "scenarios").glob("*.yaml"))
    bases = [p.read_text(encoding="utf-8") for p in shipped]
    bases.append("name: mine\nbase: ifr-jan2025\ntitle: mine\nchanges:\n  - {tier: 1, countries: [PL]}\n"
                 "  - {ownership: tiktok-pte-ltd, parent: microsoft, share: 10}\n"
                 "  - {datacenter: my-dc, country: PL, owner: microsoft, h100e: 5000}\n")
    outcomes: Counter[str] = Counter()
    for n in range(150):
        path = tmp_path / f"s{n}.yaml"
        path.write_bytes(scenario_file(rng, rng.choice(bases)))
        try:
            to_rdf(load(path), store, built)
            outcomes["read"] += 1
        except DataError as exc:
            outcomes["refused"] += 1
            for problem in exc.problems:
                assert problem.file == str(path), str(problem)
                assert problem.row is not None or "larger than" in problem.reason, str(problem)
    assert outcomes["refused"] > 50 and outcomes["read"] > 5, outcomes
