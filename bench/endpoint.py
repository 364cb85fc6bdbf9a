"""Benchmark /sparql against a raw `oxigraph serve-read-only` over the same data.

For every named query (queries/*.rq, rendered with its default parameters): the median latency on
exportkg's /sparql and on raw Oxigraph, measured in one run with the requests interleaved; then the
throughput of 8 concurrent clients against each, with an error count. Target: exportkg's median within
1.5x of raw Oxigraph's, no errors. Prints a Markdown table; writes bench/results/endpoint.json.

    .venv/bin/python bench/endpoint.py [--home var] [--repeat 15] [--seconds 10] [--clients 8]
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path

import pyoxigraph as ox

from exportkg.graph.build.pipeline import build
from exportkg.graph.config import Settings
from exportkg.graph.store.location import StoreLocation
from exportkg.queries.catalog import load_catalog

log = logging.getLogger("bench.endpoint")
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "endpoint.json"
TARGET_RATIO = 1.5


@dataclass
class Target:
    name: str
    host: str
    port: int
    path: str
    errors: int = 0
    samples: dict[str, list[float]] = field(default_factory=dict)

    def ask(self, query: str, accept: str) -> float:
        """One query on a fresh connection; the seconds it took (an error is counted, not raised)."""
        started = time.perf_counter()
        conn = HTTPConnection(self.host, self.port, timeout=120)
        try:
            conn.request("GET", f"{self.path}?{urllib.parse.urlencode({'query': query})}",
                         headers={"Accept": accept})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                self.errors += 1
        except OSError:
            self.errors += 1
        finally:
            conn.close()
        return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(host: str, port: int, path: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            conn = HTTPConnection(host, port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port}")


def queries(settings: Settings) -> list[tuple[str, str, str]]:
    """(name, SPARQL, Accept) for every named query with its default parameters."""
    out = []
    for name, named in load_catalog(settings.queries_dir).items():
        if any(p.default is None for p in named.params):
            log.warning("skipping %s: a parameter has no default", name)
            continue
        text = named.render()
        graph_form = any(w in text.upper().split() for w in ("CONSTRUCT", "DESCRIBE"))
        out.append((name, text, "text/turtle" if graph_form else "application/sparql-results+json"))
    return out


def start_raw_oxigraph(settings: Settings, workdir: Path) -> tuple[subprocess.Popen, int]:
    """The built store dumped to N-Quads, loaded into a separate Oxigraph directory, served read-only."""
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    dump = workdir / "dump.nq"
    source = ox.Store.read_only(str(StoreLocation(settings.store_root).resolved()))
    source.dump(str(dump), format=ox.RdfFormat.N_QUADS)
    del source
    subprocess.run([oxigraph, "load", "--location", str(workdir / "ox"), "--file", str(dump)], check=True,
                   capture_output=True)
    port = free_port()
    proc = subprocess.Popen([oxigraph, "serve-read-only", "--location", str(workdir / "ox"), "--bind",
                             f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, port


def start_exportkg(settings: Settings) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "exportkg.graph.cli", "--home", str(settings.home), "serve",
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, port


def latencies(targets: list[Target], work: list[tuple[str, str, str]], repeat: int) -> None:
    for target in targets:  # warm-up: workers started, caches filled
        for _name, query, accept in work:
            target.ask(query, accept)
        target.errors = 0
    for _ in range(repeat):
        for name, query, accept in work:
            for target in targets:  # interleaved, so both see the same machine load
                target.samples.setdefault(name, []).append(target.ask(query, accept))


def throughput(target: Target, work: list[tuple[str, str, str]], clients: int, seconds: float) -> dict:
    done = [0] * clients
    errors_before = target.errors
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        k = i
        while time.monotonic() < stop:
            _name, query, accept = work[k % len(work)]
            target.ask(query, accept)
            done[i] += 1
            k += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {"requests": sum(done), "seconds": round(elapsed, 2), "per_second": round(sum(done) / elapsed, 1),
            "errors": target.errors - errors_before}


def report(targets: list[Target], work: list[tuple[str, str, str]], load: dict[str, dict]) -> dict:
    ekg, raw = targets
    rows = []
    print("| query | exportkg median (ms) | raw oxigraph median (ms) | ratio |\n|---|---:|---:|---:|")
    for name, _q, _a in work:
        a, b = statistics.median(ekg.samples[name]) * 1000, statistics.median(raw.samples[name]) * 1000
        rows.append({"query": name, "exportkg_ms": round(a, 2), "oxigraph_ms": round(b, 2), "ratio": round(a / b, 2)})
        print(f"| {name} | {a:.1f} | {b:.1f} | {a / b:.2f} |")
    all_a = statistics.median([s for n in ekg.samples for s in ekg.samples[n]]) * 1000
    all_b = statistics.median([s for n in raw.samples for s in raw.samples[n]]) * 1000
    print(f"| **all queries** | {all_a:.1f} | {all_b:.1f} | {all_a / all_b:.2f} |\n")
    print("| server | clients | requests | req/s | errors |\n|---|---:|---:|---:|---:|")
    for target in targets:
        t = load[target.name]
        print(f"| {target.name} | {t['clients']} | {t['requests']} | {t['per_second']} | {t['errors']} |")
    ratio = all_a / all_b
    errors = ekg.errors + raw.errors
    verdict = "met" if ratio <= TARGET_RATIO and errors == 0 else "NOT met"
    print(f"\nTarget (median within {TARGET_RATIO}x of raw Oxigraph, no errors): {verdict} "
          f"(ratio {ratio:.2f}, errors {errors})")
    return {"queries": rows, "median_ms": {"exportkg": round(all_a, 2), "oxigraph": round(all_b, 2)},
            "ratio": round(ratio, 2), "throughput": load, "errors": errors, "target_met": verdict == "met"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path("var"), help="exportkg home (built if empty)")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs of every query on each server")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each throughput run")
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = Settings(home=args.home)
    if not StoreLocation(settings.store_root).exists():
        log.info("no store in %s: building it", args.home)
        build(settings)
    work = queries(settings)
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="exportkg-bench-") as tmp:
        try:
            raw_proc, raw_port = start_raw_oxigraph(settings, Path(tmp))
            ekg_proc, ekg_port = start_exportkg(settings)
            procs = [raw_proc, ekg_proc]
            wait_until_up("127.0.0.1", raw_port, "/", raw_proc)
            wait_until_up("127.0.0.1", ekg_port, "/sparql", ekg_proc)
            targets = [Target("exportkg /sparql", "127.0.0.1", ekg_port, "/sparql"),
                       Target("raw oxigraph", "127.0.0.1", raw_port, "/query")]
            log.info("%d queries, %d runs each, interleaved", len(work), args.repeat)
            latencies(targets, work, args.repeat)
            load = {t.name: {"clients": args.clients, **throughput(t, work, args.clients, args.seconds)}
                    for t in targets}
            summary = report(targets, work, load)
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(15)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2))
    log.info("wrote %s", RESULTS)


if __name__ == "__main__":
    main()
