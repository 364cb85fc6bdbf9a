"""The long hostile-input run of issue 18: 10,000 mutated requests against a served store.

For each client count (8 and 32 by default) a fresh `exportkg serve` (production defaults except the
query timeout, 5 s) answers the same seeded mix of mutated requests (tests/mutations.py: SPARQL in
every protocol form, pages and API calls with hostile parameters, raw malformed HTTP). Reported: the
status histogram (a 500 is a failure), latency percentiles, the server's and the query workers' peak
resident memory (sampled every 0.1 s from /proc, and each worker's own high-water mark) against the
workers' ceiling. Then the acceptance point: 110 idle half-sent connections and 8 concurrent 1 MB
bodies, /healthz and a cheap query probed throughout (bounds: 1 s and 2 s).

    .venv/bin/python bench/hostile.py [--requests 10000] [--clients 8,32] [--seed 18] [--home DIR]

Also: three queries that double a string past the workers' memory ceiling (statuses, workers' peak).

Writes the raw results to bench/results-committed/hostile.json and prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from exportkg.graph.build.pipeline import build  # noqa: E402
from exportkg.graph.config import Settings  # noqa: E402
from exportkg.graph.store.location import StoreLocation  # noqa: E402

from helpers import half_sent, http, query_workers, running_server  # noqa: E402
from mutations import exchange, requests  # noqa: E402

RESULTS = ROOT / "bench" / "results-committed" / "hostile.json"
MB = 1_000_000
BODIES = ["SELECT * WHERE { ?s ?p ?o } " + "a." * (MB // 2 - 20),
          "SELECT * WHERE { ?s ?p ?o } " + "ex:a." * (MB // 5 - 10),
          "SELECT * WHERE { ?s ?p ?o } " + "a. " * (MB // 3 - 10),
          "SELECT * WHERE { ?s ?p ?o } " + "\\'" * (MB // 2 - 20)] * 2


def rss_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KB, (0, 0) if it is gone."""
    try:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                      if ":" in line)
    except OSError:
        return 0, 0
    return int(fields.get("VmRSS", "0 kB").split()[0]), int(fields.get("VmHWM", "0 kB").split()[0])


class Sampler(threading.Thread):
    """Peak resident memory of the server and of each of its query workers, sampled every 0.1 s."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        from helpers import SERVERS

        self.server_pid = SERVERS[base].pid
        self.base = base
        self.server_peak = 0
        self.worker_peak = 0
        self.workers_seen: set[int] = set()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.1):
            self.server_peak = max(self.server_peak, rss_kb(self.server_pid)[1])
            for pid in query_workers(self.base):
                self.workers_seen.add(pid)
                self.worker_peak = max(self.worker_peak, *rss_kb(pid))


def _reason(text: str) -> str:
    """What a 503 or a missing answer was, in a few words (for the histogram)."""
    for words, key in (("timeout", "query timeout"), ("memory", "worker memory"), ("busy", "busy"),
                       ("closed without", "closed without an answer (malformed raw request)"),
                       ("Reset", "connection reset"), ("Pipe", "broken pipe"), ("RemoteDisconnected", "disconnected")):
        if words in text:
            return key
    return text[:60]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_load(settings: Settings, count: int, clients: int, seed: int) -> dict:
    import random

    work = list(requests(random.Random(seed), count))
    with running_server(settings, "--query-timeout", "5") as base:
        host, port = base.removeprefix("http://").split(":")
        sampler = Sampler(base)
        sampler.start()
        statuses: Counter[int] = Counter()
        reasons: Counter[str] = Counter()
        latencies: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()

        def client(part: list) -> None:
            for request in part:
                started = time.perf_counter()
                status, text = exchange(host, int(port), request, timeout=120)
                with lock:
                    latencies.append(time.perf_counter() - started)
                    statuses[status] += 1
                    if status in (0, 503):
                        reasons[f"{status} {_reason(text)}"] += 1
                    if status >= 500 and status != 503:
                        failures.append(f"{status} {request.kind} {request.params!r:.200} {request.body!r:.200}")

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(work[i::clients],)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        sampler.stop.set()
        sampler.join()
        alive = http(base, path="/healthz").status == 200
        workers = len(sampler.workers_seen)
    return {"clients": clients, "requests": count, "seconds": round(wall, 1),
            "statuses": {str(k): v for k, v in sorted(statuses.items())}, "failures": failures[:20],
            "no_answer_or_503": dict(reasons.most_common()),
            "latency_ms": {name: round(1000 * percentile(latencies, p), 1)
                           for name, p in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100))},
            "mean_ms": round(1000 * statistics.fmean(latencies), 1),
            "server_peak_rss_mb": round(sampler.server_peak / 1024),
            "worker_peak_rss_mb": round(sampler.worker_peak / 1024), "workers_started": workers,
            "serving_after": alive}


def run_memory(settings: Settings, attempts: int = 3) -> dict:
    """Queries that double a string past the workers' ceiling (a generous timeout: memory must stop
    them): their statuses, and the workers' peak resident memory against the ceiling."""
    steps = 21
    query = f'SELECT (STRLEN(?v{steps}) AS ?n) WHERE {{ BIND("{"x" * 1024}" AS ?v0) '
    query += " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(steps)) + " }"
    with running_server(settings, "--query-timeout", "120") as base:
        sampler = Sampler(base)
        sampler.start()
        replies = [http(base, "POST", body=query, headers={"Content-Type": "application/sparql-query"},
                        timeout=300) for _ in range(attempts)]
        after = http(base, params=[("query", "ASK { ?s ?p ?o }")]).status
        sampler.stop.set()
        sampler.join()
    return {"query_bytes": len(query), "statuses": [r.status for r in replies], "reason": replies[0].text.strip(),
            "worker_peak_rss_mb": round(sampler.worker_peak / 1024), "workers_started": len(sampler.workers_seen),
            "next_query_status": after}


def run_acceptance(settings: Settings) -> dict:
    """110 idle half-sent connections and 8 concurrent 1 MB bodies; /healthz and a cheap query probed."""
    with running_server(settings) as base:
        idle = [half_sent(base) for _ in range(110)]
        statuses: list[int] = []
        threads = [threading.Thread(target=lambda b=body: statuses.append(
            http(base, "POST", body=b, headers={"Content-Type": "application/sparql-query"}, timeout=120).status))
            for body in BODIES]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        health, cheap = [], []
        while any(t.is_alive() for t in threads) or len(health) < 5:
            t0 = time.perf_counter()
            assert http(base, path="/healthz").status == 200
            t1 = time.perf_counter()
            assert http(base, params=[("query", "ASK { ?s ?p ?o }")]).status == 200
            health.append(t1 - t0)
            cheap.append(time.perf_counter() - t1)
        for thread in threads:
            thread.join()
        storm = time.perf_counter() - started
        for sock in idle:
            sock.close()
    return {"idle_connections": 110, "bodies": len(BODIES), "body_statuses": sorted(statuses),
            "storm_seconds": round(storm, 2), "probes": len(health),
            "healthz_ms": _summary(health), "cheap_query_ms": _summary(cheap),
            "bounds_ms": {"healthz": 1000, "cheap_query": 2000}}


def _summary(seconds: list[float]) -> dict[str, float]:
    return {"median": round(1000 * statistics.median(seconds), 1), "max": round(1000 * max(seconds), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clients", default="8,32")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--home", type=Path, help="a home to serve (built first if it has no store)")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="exportkg-hostile-"))
    settings = Settings(home=home)
    if not StoreLocation(settings.store_root).exists():
        build(settings)
    runs = [run_load(settings, args.requests, int(c), args.seed) for c in args.clients.split(",")]
    memory = run_memory(settings)
    acceptance = run_acceptance(settings)
    result = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {_cores()} cores",
              "seed": args.seed, "worker_memory_ceiling_mb": Settings().worker_memory_mb, "runs": runs,
              "memory": memory, "acceptance": acceptance}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(report(result))


def _cores() -> int:
    import os

    return os.cpu_count() or 1


def report(result: dict) -> str:
    lines = ["| clients | requests | seconds | statuses | p50 ms | p95 ms | p99 ms | max ms | server peak MB | "
             "worker peak MB (ceiling) |", "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    for run in result["runs"]:
        statuses = ", ".join(f"{k}: {v}" for k, v in run["statuses"].items())
        lat = run["latency_ms"]
        lines.append(f"| {run['clients']} | {run['requests']:,} | {run['seconds']} | {statuses} | {lat['p50']} | "
                     f"{lat['p95']} | {lat['p99']} | {lat['max']} | {run['server_peak_rss_mb']} | "
                     f"{run['worker_peak_rss_mb']} ({result['worker_memory_ceiling_mb']}) |")
    m = result["memory"]
    lines += ["", f"Memory: {len(m['statuses'])} queries doubling a string to 2 GB ({m['query_bytes']:,} bytes each): "
              f"statuses {m['statuses']}, worker peak {m['worker_peak_rss_mb']} MB (ceiling "
              f"{result['worker_memory_ceiling_mb']} MB), {m['workers_started']} workers started, next query "
              f"{m['next_query_status']}."]
    a = result["acceptance"]
    health, cheap = a["healthz_ms"], a["cheap_query_ms"]
    lines += ["", f"Acceptance ({a['idle_connections']} idle connections, {a['bodies']} bodies of 1 MB, "
              f"{a['probes']} probes over {a['storm_seconds']} s): /healthz median {health['median']} ms, "
              f"max {health['max']} ms (bound 1000); cheap query median {cheap['median']} ms, "
              f"max {cheap['max']} ms (bound 2000)."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
