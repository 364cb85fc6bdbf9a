"""Impact benchmark: a one-country tier move (Poland into Tier 1 under ifr-jan2025), incremental vs full.

Per size: the curated data is loaded (loaders only, as bench/reason.py does) and the synthetic companies
(bench/synthetic.py) bulk-loaded into the facts graph; then

- full: the store with the scenario's regime graph written into it, every rule run (`run_rules`): what a
  full rebuild that includes the scenario costs in reasoning (loading and SHACL not counted);
- incremental: on a copy without the scenario, every rule is run once (the published store, untimed),
  it is published in a home, and `scenario_store.apply` derives the scenario store from it (backup,
  regime graph, the scenario regime's rules, flush, publish), timed end to end;
- the scenario's inferred graph is compared (triple count) between the two.

Run: `.venv/bin/python bench/impact.py [--sizes 100000,1000000]`. A markdown table on stdout, JSON in
bench/results/impact.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from synthetic import generate

from exportkg.graph import namespaces as ns
from exportkg.graph.build import load_all, named_graphs, ontology_graph
from exportkg.graph.config import Settings
from exportkg.graph.rules import run_rules
from exportkg.graph.scenario_graphs import to_rdf
from exportkg.graph.scenario_store import apply, location, write
from exportkg.graph.scenarios import load
from exportkg.graph.sides import impact
from exportkg.graph.store import KnowledgeStore, StoreLocation

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "impact.json"
log = logging.getLogger("bench")


def scenario_file(work: Path) -> Path:
    path = work / "pl-tier1.yaml"
    path.write_text("name: pl-tier1\nbase: ifr-jan2025\ntitle: Poland in Tier 1\n"
                    "changes:\n  - {tier: 1, countries: [PL]}\n", encoding="utf-8")
    return path


def base_store(work: Path, n: int, seed: int) -> tuple[Path, float]:
    """Curated data plus n synthetic companies, no inferences; returns (store dir, load seconds)."""
    settings = Settings(home=work)
    store_dir = work / "loaded"
    store = KnowledgeStore.create(store_dir)
    for name, graph in named_graphs(load_all(settings), ontology_graph(settings)).items():
        store.load_graph(graph, name)
    nt = work / "synthetic.nt"
    generate(n, seed, nt)
    start = time.perf_counter()
    store.load_file(nt, ns.FACTS_GRAPH)
    seconds = time.perf_counter() - start
    nt.unlink()
    store.ox.flush()
    store.close()
    return store_dir, seconds


def copy(store_dir: Path, target: Path) -> Path:
    ox.Store.read_only(str(store_dir)).backup(str(target))
    return target


def full(store_dir: Path, work: Path, scenario_path: Path) -> tuple[float, int]:
    """Every rule on a store that includes the scenario: the full-rebuild cost."""
    settings = Settings(home=work)
    store = KnowledgeStore.create(copy(store_dir, work / "full"))
    scenario = load(scenario_path)
    write(store, scenario, to_rdf(scenario, store, settings))
    start = time.perf_counter()
    run_rules(store, settings)
    seconds = time.perf_counter() - start
    size = store.graph_size(ns.inferred_graph(scenario.regime_id))
    store.close()
    shutil.rmtree(work / "full", ignore_errors=True)
    return seconds, size


def incremental(store_dir: Path, work: Path, scenario_path: Path) -> dict:
    """Publish the store with every regime's inferences, then derive the scenario store from it."""
    settings = Settings(home=work / "home")
    loc = StoreLocation(settings.store_root)
    build_dir = loc.new_build_dir()
    build_dir.rmdir()
    store = KnowledgeStore.create(copy(store_dir, build_dir))
    start = time.perf_counter()
    run_rules(store, settings)
    published_s = time.perf_counter() - start
    store.ox.flush()
    store.close()
    loc.publish(build_dir)
    scenario = load(scenario_path)
    record = apply(settings, scenario)
    start = time.perf_counter()
    report = impact(settings, "ifr-jan2025", str(scenario_path))
    report_s = time.perf_counter() - start
    scenario_store = KnowledgeStore.open_read_only(location(settings, scenario.name))
    size = scenario_store.graph_size(ns.inferred_graph(scenario.regime_id))
    scenario_store.close()
    return {"published_rules_s": published_s, "incremental_s": record.seconds,
            "incremental_rules_s": record.rules_seconds, "impact_report_s": report_s,
            "incremental_triples": size, "report_counts": report.counts()}


def run_size(n: int, seed: int, workdir: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="exportkg-impact-", dir=workdir) as tmp:
        work = Path(tmp)
        scenario_path = scenario_file(work)
        log.info("%d companies: loading", n)
        store_dir, load_s = base_store(work, n, seed)
        log.info("%d companies: incremental path", n)
        result = {"companies": n, "load_s": load_s, **incremental(store_dir, work, scenario_path)}
        log.info("%d companies: full rule run with the scenario", n)
        result["full_s"], result["full_triples"] = full(store_dir, work, scenario_path)
        result["identical_size"] = result["full_triples"] == result["incremental_triples"]
        return result


def markdown(results: list[dict]) -> str:
    lines = ["| companies | full rebuild: all rules (s) | incremental: apply (s) | of which rules (s) | "
             "impact report (s) | speed-up | scenario triples equal |", "|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        lines.append(f"| {r['companies']:,} | {r['full_s']:.1f} | {r['incremental_s']:.2f} | "
                     f"{r['incremental_rules_s']:.2f} | {r['impact_report_s']:.2f} | "
                     f"{r['full_s'] / r['incremental_s']:.1f}x | {r['identical_size']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000", help="comma-separated company counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    results = [run_size(int(s), args.seed, args.workdir) for s in args.sizes.split(",") if s.strip()]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"results": results}, indent=2) + "\n", encoding="utf-8")
    print(markdown(results))


if __name__ == "__main__":
    main()
