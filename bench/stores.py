"""The same build and the same named queries on three stores, side by side in one run: the embedded
store, Oxigraph server (`oxigraph serve`, in memory) and OpenLink Virtuoso 7.2.5 (Debian's package, a
private instance started as the tests start it: tests/virtuoso.py).

Per store, from the same files: the curated graphs (the loaders' output) and n synthetic companies
(bench/synthetic.py, seed 1) are loaded, the rules run for one version (ifr-jan2025: every store the
same work, and Virtuoso's copy at publish is slow enough that all 22 versions would take an hour), and
the build is published, each phase timed; then every named query with its defaults is run once to warm
up and `--repeat` times (median). The embedded build is the product's (an in-memory working store, then
saved to disk, compacted and published); a remote build writes staging graphs through the Graph Store
Protocol, reasons a version at a time on a Graph Store read and publishes by one swap. One client, one
request at a time, on the same 2-core machine: the servers' own threads compete with the client's.

Run: `.venv/bin/python bench/stores.py [--companies 100000] [--repeat 3]`. A Markdown table on stdout,
raw results in bench/results-committed/stores.json (with the commit they measured).
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import queue
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the servers are started as the tests start them

from impact import publish  # noqa: E402
from synthetic import generate  # noqa: E402

from exportkg.graph import namespaces as ns  # noqa: E402
from exportkg.graph.build.pipeline import load_all, named_graphs, ontology_graph  # noqa: E402
from exportkg.graph.config import Settings  # noqa: E402
from exportkg.graph.reasoning.engine import run_rules  # noqa: E402
from exportkg.graph.store.embedded import KnowledgeStore  # noqa: E402
from exportkg.graph.store.location import StoreLocation  # noqa: E402
from exportkg.graph.store.remote import RemoteStore  # noqa: E402
from exportkg.queries.catalog import load_catalog  # noqa: E402

RESULTS = HERE / "results-committed" / "stores.json"
REGIME = "ifr-jan2025"
log = logging.getLogger("bench")


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def build_embedded(home: Path, nt: Path) -> tuple[dict, object]:
    settings = Settings(home=home, reason_regimes=(REGIME,))
    phases = publish(home, nt, only=(REGIME,))
    phases["publish_s"] = phases.pop("save_s")
    phases["rules_s"] = phases.pop("build_rules_s")
    return phases, partial(KnowledgeStore.open_read_only, StoreLocation(settings.store_root))


def build_remote(settings: Settings, nt: Path) -> tuple[dict, object]:
    """What a remote `exportkg build` does, phase by phase: load into staging, reason, publish."""
    store = RemoteStore.for_build(settings)
    graphs = named_graphs(load_all(settings), ontology_graph(settings))  # the loaders: not the store's time

    def load() -> None:
        for name, graph in graphs.items():
            store.load_graph(graph, name)
        facts = ox.NamedNode(ns.FACTS_GRAPH)
        store.load_nquads(ox.serialize((ox.Quad(t.subject, t.predicate, t.object, facts)
                                        for t in ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES)),
                                       format=ox.RdfFormat.N_QUADS))

    load_s, _ = timed(load)
    rules_s, _ = timed(lambda: run_rules(store, settings, only={REGIME}))
    publish_s, _ = timed(store.publish)
    return {"load_s": load_s, "rules_s": rules_s, "publish_s": publish_s}, partial(RemoteStore.open_published, settings)


def _query_worker(opener: Callable[[], object], names: list[str], repeat: int, out: object) -> None:
    """Runs in a child process: each query once to warm up, then `repeat` times; reports each as it ends."""
    store = opener()
    catalog = load_catalog(Settings().queries_dir)
    for name in names:
        text = catalog[name].render()
        try:
            rows = len(store.query(text))  # type: ignore[attr-defined]  # the warm-up
            runs = [timed(lambda t=text: store.query(t))[0] for _ in range(repeat)]  # type: ignore[attr-defined]
            out.put((name, {"rows": rows, "median_s": statistics.median(runs)}))  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - a store's failure is a result to report
            out.put((name, {"error": str(exc).splitlines()[0][:200]}))  # type: ignore[attr-defined]


def query_times(opener: Callable[[], object], repeat: int, limit: float) -> dict[str, dict]:
    """Every named query on one store, each in a child process stopped after `limit` seconds (a query
    that runs longer is reported as such, and the rest go on in a fresh child)."""
    ctx = multiprocessing.get_context("spawn")
    pending = sorted(load_catalog(Settings().queries_dir))
    out: dict[str, dict] = {}
    while pending:
        results = ctx.Queue()
        child = ctx.Process(target=_query_worker, args=(opener, pending, repeat, results), daemon=True)
        child.start()
        while pending:
            try:
                name, result = results.get(timeout=limit * (repeat + 1) + 30)
            except queue.Empty:
                log.info("  %s: over %.0f s, stopped", pending[0], limit)
                out[pending.pop(0)] = {"error": f"over {limit:.0f} s"}
                child.kill()
                break
            log.info("  %s: %s", name, result)
            out[name] = result
            pending.remove(name)
        child.join(timeout=10)
    return out


@contextmanager
def servers() -> Iterator[dict[str, Settings]]:
    from oxigraph_server import oxigraph_process

    from virtuoso import virtuoso_process

    with tempfile.TemporaryDirectory(prefix="exportkg-stores-") as tmp, oxigraph_process() as oxi, \
            virtuoso_process(Path(tmp) / "virtuoso") as virt:
        yield {"oxigraph-server": Settings(endpoint=f"{oxi}/query", update_endpoint=f"{oxi}/update",
                                           store_endpoint=f"{oxi}/store"),
               "virtuoso": Settings(endpoint=virt.query_endpoint, update_endpoint=virt.update_endpoint,
                                    store_endpoint=virt.store_endpoint, store_user=virt.user,
                                    store_password=virt.password)}


def run(companies: int, repeat: int, limit: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="exportkg-stores-data-") as tmp:
        work = Path(tmp)
        nt = work / "synthetic.nt"
        generate(companies, 1, nt)
        results: dict[str, dict] = {}
        log.info("embedded")
        phases, opener = build_embedded(work / "embedded", nt)
        results["embedded"] = {**phases, "queries": query_times(opener, repeat, limit)}
        with servers() as remote:
            for kind, settings in remote.items():
                log.info(kind)
                settings = settings.with_(home=work / kind, reason_regimes=(REGIME,))
                phases, opener = build_remote(settings, nt)
                results[kind] = {**phases, "queries": query_times(opener, repeat, limit)}
    return results


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False,
                          cwd=HERE)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "graph", "queries"], capture_output=True,
                           text=True, check=False, cwd=HERE).stdout.strip()
    return done.stdout.strip() + ("+changes" if dirty else "")


def markdown(companies: int, results: dict[str, dict]) -> str:
    kinds = list(results)
    lines = [f"{companies:,} synthetic companies with the curated data, one version ({REGIME}) reasoned", "",
             "| phase | " + " | ".join(kinds) + " |", "|---|" + "---:|" * len(kinds)]
    for phase in ("load_s", "rules_s", "publish_s"):
        lines.append(f"| {phase[:-2]} (s) | " + " | ".join(f"{results[k][phase]:.1f}" for k in kinds) + " |")
    lines.append("| build in all (s) | " + " | ".join(
        f"{sum(results[k][p] for p in ('load_s', 'rules_s', 'publish_s')):.1f}" for k in kinds) + " |")
    names = sorted(results[kinds[0]]["queries"])
    common = [n for n in names if all("median_s" in results[k]["queries"][n] for k in kinds)]
    lines.append(f"| named queries answered on every store ({len(common)}), sum of medians (s) | " + " | ".join(
        f"{sum(results[k]['queries'][n]['median_s'] for n in common):.1f}" for k in kinds) + " |")
    lines.append(f"| the same {len(common)}, median of medians (ms) | " + " | ".join(
        f"{statistics.median(results[k]['queries'][n]['median_s'] for n in common) * 1000:.0f}" for k in kinds) + " |")
    lines.append("| named queries stopped or failed | " + " | ".join(
        str(sum("error" in results[k]["queries"][n] for n in names)) for k in kinds) + " |")
    lines += ["", "| named query | " + " | ".join(f"{k} (ms)" for k in kinds) + " | rows |",
              "|---|" + "---:|" * len(kinds) + "---:|"]
    for name in names:
        cells = [f"{q['median_s'] * 1000:.0f}" if "median_s" in q else q["error"][:40]
                 for q in (results[k]["queries"][name] for k in kinds)]
        rows = next((results[k]["queries"][name]["rows"] for k in kinds if "rows" in results[k]["queries"][name]), "")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {rows} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=float, default=60, help="seconds one query may take before it is stopped")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    results = run(args.companies, args.repeat, args.limit)
    record = {"commit": commit(), "companies": args.companies, "regime": REGIME, "repeat": args.repeat,
              "limit_s": args.limit, "results": results}
    RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(markdown(args.companies, results))


if __name__ == "__main__":
    main()
