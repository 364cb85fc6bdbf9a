"""Scale benchmark (issue 16): a GLEIF-format import end to end, beside its floor measured in the same run.

1. Synthetic golden-copy files (bench/gleif_synth.py, the published column layout) of `--entities`
   entities, `--links` of them with a parent (GLEIF: about 0.5M relationships for 3.1M entities).
   Not timed.
2. Build: `exportkg import-gleif` in a fresh home, as a user runs it (loaders, SHACL on the curated
   graph, bulk load, every rule of every regime, save, publish), in a subprocess: wall time and the
   peak of the summed resident memory of its process tree (the rule workers included), sampled every
   0.2 s.
3. Floor, in a fresh subprocess, on the store the build published: the same quads the build loaded
   (every graph but the inferred ones) dumped to a file, then timed: (a) a raw pyoxigraph bulk load of
   that file into a new on-disk store; (b) each rule body (`body_query`: the rule's WHERE as a counting
   SELECT over the union graph) evaluated once, one thread, on the published store; (c) the save: a
   raw dump of every quad and a bulk load of it into a new store, optimized. Floor = a + b + c.
4. Reasoner, one thread against one thread: the quads of (a) bulk-loaded into a new on-disk store, then
   `run_rules` with `reasoner_threads=1`; against (b).

Run: `.venv/bin/python bench/scale.py --entities 1000000` (about 15 minutes);
`--entities 3100000 --links 0.16` for the GLEIF size. Markdown on stdout; raw results with the commit
measured in bench/results-committed/scale-<entities>.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
OUT = HERE / "results-committed"
#: the lines `exportkg -v` logs for a build phase ("build: rules run (212.2 s)") or a global rule
PHASE = re.compile(r"(?:build: |rules: |rule )([^:(\n]+?)(?: \(on its reads apart\))?(?::| \()\s*([0-9.]+) s")


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_measured(command: list[str], log: Path) -> dict[str, float]:
    """Wall seconds and peak tree RSS (MB) of a command; its output to `log`; fails loudly."""
    peak = 0
    with log.open("w") as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        watched = psutil.Process(child.pid)
        while child.poll() is None:
            peak = max(peak, tree_rss(watched))
            time.sleep(0.2)
        seconds = time.perf_counter() - started
    if child.returncode:
        raise SystemExit(f"{command[0]} failed ({child.returncode}): see {log}")
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(peak / 2**20)}


def floor_phase(home: str, work: str) -> dict:
    """(in a subprocess) the floor's three parts and the one-thread fixpoint, on the published store."""
    import pyoxigraph as ox

    from exportkg.graph.config import Settings
    from exportkg.graph.reasoning.engine import plan_steps, run_rules
    from exportkg.graph.reasoning.rules import body_query
    from exportkg.graph.store.embedded import KnowledgeStore
    from exportkg.graph.store.location import StoreLocation

    settings = Settings(home=Path(home))
    work_dir = Path(work)
    published = KnowledgeStore.open_read_only(StoreLocation(settings.store_root))
    loaded = [g for g in published.graph_names() if "/inferred/" not in str(g)]
    source = work_dir / "loaded.nq"
    with source.open("wb") as out:
        for name in loaded:
            ox.serialize(published.ox.quads_for_pattern(None, None, None, ox.NamedNode(name)), out,
                         format=ox.RdfFormat.N_QUADS)
    timings: dict = {"quads_loaded": sum(published.graph_size(g) for g in loaded)}

    started = time.perf_counter()
    raw = ox.Store(str(work_dir / "raw"))
    raw.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
    raw.flush()
    timings["load_floor"] = time.perf_counter() - started
    del raw

    steps = plan_steps(published, settings)
    started = time.perf_counter()
    for step in steps:
        for _ in published.ox.query(body_query(step.rule, step.regime), use_default_graph_as_union=True):
            pass
    timings["rules_floor"] = time.perf_counter() - started
    timings["rule_steps"] = len(steps)

    started = time.perf_counter()
    everything = work_dir / "all.nq"
    published.ox.dump(output=str(everything), format=ox.RdfFormat.N_QUADS)
    saved = ox.Store(str(work_dir / "saved"))
    saved.bulk_load(path=str(everything), format=ox.RdfFormat.N_QUADS)
    saved.optimize()
    timings["save_floor"] = time.perf_counter() - started
    timings["quads_saved"] = len(saved)
    del saved, published

    store = KnowledgeStore.create(work_dir / "fixpoint")
    store.ox.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
    started = time.perf_counter()
    run_rules(store, settings.with_(reasoner_threads=1))
    timings["fixpoint_one_thread"] = time.perf_counter() - started
    store.close()
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in timings.items()}


def phases(log: str) -> dict[str, float]:
    """The seconds the build logged (-v) for each of its phases and each global rule."""
    found = {}
    for match in PHASE.finditer(log):
        found[match.group(1)] = float(match.group(2))
    return found


def measure_floor(home: Path, work: Path) -> dict:
    work.mkdir()
    floor = subprocess.run([sys.executable, __file__, "--floor-only", str(home), "--workdir", str(work)],
                           capture_output=True, text=True, check=True)
    return json.loads(floor.stdout.strip().splitlines()[-1])


def commit() -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=HERE, capture_output=True, text=True).stdout.strip()


def report(result: dict) -> str:
    b, f = result["build"], result["floor"]
    logged = "; ".join(f"{name} {seconds:.1f} s" for name, seconds in b.get("phases", {}).items())
    if f is None:
        return (f"{result['entities']:,} entities, {result['relationships']:,} relationships, commit "
                f"{result['commit'][:7]}: `exportkg import-gleif` end to end {b['seconds']:.1f} s, peak resident "
                f"memory of its process tree {b['peak_rss_mb']:,} MB (no floor measured: --no-floor)\n\n"
                f"As the build logged them: {logged}")
    floor = f["load_floor"] + f["rules_floor"] + f["save_floor"]
    lines = [
        f"{result['entities']:,} entities, {result['relationships']:,} relationships "
        f"({f['quads_loaded']:,} quads loaded, {f['quads_saved']:,} saved), commit {result['commit'][:7]}",
        "",
        "| measure | seconds |",
        "|---|---:|",
        f"| build: `exportkg import-gleif`, end to end | {b['seconds']:.1f} |",
        f"| floor: raw bulk load | {f['load_floor']:.1f} |",
        f"| floor: each of {f['rule_steps']} rule bodies once, one thread | {f['rules_floor']:.1f} |",
        f"| floor: raw dump, bulk load, optimize | {f['save_floor']:.1f} |",
        f"| floor in all | {floor:.1f} |",
        f"| build / floor | {b['seconds'] / floor:.2f}x |",
        f"| fixpoint, one thread | {f['fixpoint_one_thread']:.1f} |",
        f"| fixpoint / rule bodies (one thread each) | {f['fixpoint_one_thread'] / f['rules_floor']:.2f}x |",
        "",
        f"Peak resident memory of the build's process tree: {b['peak_rss_mb']:,} MB.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--links", type=float, default=0.55)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/exportkg-scale"))
    parser.add_argument("--no-floor", action="store_true", help="the build alone (steps 1-2)")
    parser.add_argument("--floor-only", help=argparse.SUPPRESS)  # the subprocess of step 3
    args = parser.parse_args()
    if args.floor_only:
        print(json.dumps(floor_phase(args.floor_only, str(args.workdir))))
        return
    sys.path.insert(0, str(HERE))
    import gleif_synth

    shutil.rmtree(args.workdir, ignore_errors=True)
    files = gleif_synth.generate(args.entities, args.seed, args.workdir / "files", links=args.links)
    relationships = sum(1 for _ in files["rr"].open()) - 1
    exportkg = str(Path(sys.executable).with_name("exportkg"))
    home = args.workdir / "home"
    build = run_measured([exportkg, "-v", "--home", str(home), "import-gleif", str(files["lei2"]),
                          "--relationships", str(files["rr"]), "--exceptions", str(files["repex"])],
                         args.workdir / "build.log")
    build["phases"] = phases((args.workdir / "build.log").read_text())
    result = {"entities": args.entities, "relationships": relationships, "links": args.links, "seed": args.seed,
              "commit": commit(), "measured": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": {"cpus": psutil.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30),
                          "python": platform.python_version()},
              "build": build, "floor": None if args.no_floor else measure_floor(home, args.workdir / "floor")}
    OUT.mkdir(exist_ok=True)
    (OUT / f"scale-{args.entities}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(report(result))


if __name__ == "__main__":
    main()
