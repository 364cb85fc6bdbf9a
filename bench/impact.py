"""Impact benchmark: a one-country tier move (Poland into Tier 1 under ifr-jan2025), incremental vs full.

Per size, the curated data and n synthetic companies (bench/synthetic.py) are built the way
`exportkg build` builds: a new on-disk store the rules run on (each regime in a store of its own,
reasoning/partition.py), compacted and published in a home. Then, each measured in a fresh subprocess:

- incremental: `sides.impact(settings, "ifr-jan2025", pl-tier1.yaml)` from a cold start, as
  `exportkg impact` runs it: the scenario store copied from the published one, the regime-wide rules
  for the scenario, the reached keys found, the rules keyed by country, profile and group run on them,
  the report made (`on_report`: the time a user waits for the answer); then the scenario's graph
  completed with a full run of its rules and the store published (the time until the scenario's own
  store answers SPARQL);
- full: the same data with the scenario in it, every rule run on a new on-disk store as the build runs
  them (what a full rebuild that includes the scenario spends reasoning; loading is reported apart);
- the scenario's inferred graph is compared, triple for triple, between the two.

Run: `.venv/bin/python bench/impact.py [--sizes 100000,1000000]`. A Markdown table on stdout; the raw
results, with the commit measured, in bench/results-committed/impact.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from synthetic import generate

from exportkg.graph import namespaces as ns
from exportkg.graph.build.pipeline import load_all, named_graphs, ontology_graph
from exportkg.graph.config import Settings
from exportkg.graph.impact.run import impact
from exportkg.graph.impact.scenario import load
from exportkg.graph.impact.scenario_rdf import to_rdf
from exportkg.graph.impact.scenario_store import derived, location, write
from exportkg.graph.reasoning.engine import run_rules
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results-committed" / "impact.json"
SCENARIO = "name: pl-tier1\nbase: ifr-jan2025\ntitle: Poland in Tier 1\nchanges:\n  - {tier: 1, countries: [PL]}\n"
log = logging.getLogger("bench")


def working_store(settings: Settings, nt: Path, where: Path) -> tuple[KnowledgeStore, float]:
    """The curated graphs and the synthetic facts in a new on-disk store at `where`, as a build makes it
    (graph/build/pipeline.py); returns it and the time the store took to load both (the loaders run
    before)."""
    graphs = named_graphs(load_all(settings), ontology_graph(settings))  # the loaders: not the store's time
    start = time.perf_counter()
    store = KnowledgeStore.create(where, private=True)
    for name, graph in graphs.items():
        store.load_graph(graph, name)
    store.load_ntriples_file(nt, ns.FACTS_GRAPH)
    return store, time.perf_counter() - start


def publish(home: Path, nt: Path, only: tuple[str, ...] = ()) -> dict:
    """The published store of a home, built as `exportkg build` builds it (`only`: these versions' rules)."""
    settings = Settings(home=home)
    loc = StoreLocation(settings.store_root)
    build_dir = loc.new_build_dir()
    build_dir.rmdir()
    store, load_s = working_store(settings, nt, build_dir)
    start = time.perf_counter()
    run_rules(store, settings, only=set(only) or None)
    rules_s = time.perf_counter() - start
    start = time.perf_counter()
    store.flush()  # and compacted, as graph/build/pipeline.py leaves a published store
    store.compact()
    store.close()
    save_s = time.perf_counter() - start
    loc.publish(build_dir)
    return {"load_s": load_s, "build_rules_s": rules_s, "save_s": save_s}


def incremental(home: Path, scenario: Path) -> dict:
    settings = Settings(home=home)
    start = time.perf_counter()
    marks: dict = {}

    def reported(report) -> None:  # type: ignore[no-untyped-def]
        marks["report_s"] = time.perf_counter() - start
        marks["counts"] = report.counts()

    impact(settings, "ifr-jan2025", str(scenario), on_report=reported)
    total = time.perf_counter() - start
    record = derived(settings, "pl-tier1")
    return {"incremental_report_s": marks["report_s"], "incremental_total_s": total,
            "reached_rules_s": record.reached_seconds if record else None, "report_counts": marks["counts"]}


def full(home: Path, nt: Path, scenario: Path) -> dict:
    """Every rule on a working store that holds the scenario: a full rebuild's reasoning."""
    settings = Settings(home=home)
    store, _load = working_store(settings, nt, home / "full-store")
    parsed = load(scenario)
    write(store, parsed, to_rdf(parsed, store, settings))
    start = time.perf_counter()
    run_rules(store, settings)
    seconds = time.perf_counter() - start
    graph = ox.NamedNode(ns.inferred_graph(parsed.regime_id))
    triples = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
    (home / "full.nt").write_bytes(triples)
    store.close()
    return {"full_rules_s": seconds, "full_triples": triples.count(b"\n")}


def same_graph(home: Path) -> bool:
    """The scenario's graph in its incremental store, triple for triple against the full run's."""
    settings = Settings(home=home)
    store = ox.Store.read_only(str(location(settings, "pl-tier1").resolved()))
    graph = ox.NamedNode(ns.inferred_graph("scenario-pl-tier1"))
    mine = set(ox.parse(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph), format=ox.RdfFormat.N_TRIPLES))
    theirs = set(ox.parse((home / "full.nt").read_bytes(), format=ox.RdfFormat.N_TRIPLES))
    return mine == theirs


def worker(phase: str, home: Path, nt: Path, scenario: Path) -> None:
    result = {"publish": lambda: publish(home, nt), "incremental": lambda: incremental(home, scenario),
              "full": lambda: full(home, nt, scenario), "same": lambda: {"identical": same_graph(home)}}[phase]()
    print(json.dumps(result), flush=True)


def spawn(phase: str, home: Path, nt: Path, scenario: Path) -> dict:
    """One phase in a fresh process: nothing cached from the phase before."""
    done = subprocess.run([sys.executable, __file__, "--worker", phase, str(home), str(nt), str(scenario)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_size(n: int, seed: int, workdir: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="exportkg-impact-", dir=workdir) as tmp:
        work = Path(tmp)
        scenario = work / "pl-tier1.yaml"
        scenario.write_text(SCENARIO, encoding="utf-8")
        nt = work / "synthetic.nt"
        generate(n, seed, nt)
        home = work / "home"
        result: dict = {"companies": n}
        for phase in ("publish", "incremental", "full", "same"):
            log.info("%d companies: %s", n, phase)
            result.update(spawn(phase, home, nt, scenario))
        return result


def markdown(results: list[dict]) -> str:
    lines = ["| companies | incremental: to the report (s) | of which rules (s) | to the completed scenario store (s) "
             "| full: all rules (s) | speed-up to the report | scenario graph identical |",
             "|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        lines.append(f"| {r['companies']:,} | {r['incremental_report_s']:.2f} | {r['reached_rules_s']:.2f} | "
                     f"{r['incremental_total_s']:.1f} | {r['full_rules_s']:.1f} | "
                     f"{r['full_rules_s'] / r['incremental_report_s']:.0f}x | {r['identical']} |")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated company counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    results = [run_size(int(s), args.seed, args.workdir) for s in args.sizes.split(",") if s.strip()]
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=HERE, capture_output=True, text=True).stdout.strip()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"commit": commit, "measured": datetime.now(UTC).isoformat(timespec="seconds"),
                                   "results": results}, indent=2) + "\n", encoding="utf-8")
    print(markdown(results))
    print(f"\nTargets: the report under 2 s and the completed scenario store under 10 s at 1M companies, "
          f"identical to a full derivation. Commit {commit[:7]}; JSON: {RESULTS}")


if __name__ == "__main__":
    main()
