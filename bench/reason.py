"""Reasoner benchmark: the rule fixpoint on synthetic data of 10k, 100k and 1M companies, against its floor.

Once: the shipped data (ontology, facts, regime graphs) is written to one N-Quads file. Per size, the
synthetic N-Triples (bench/synthetic.py) are generated; then each phase runs in a fresh subprocess (so
its peak RSS is its own) on an in-memory working store holding both, as `exportkg build` reasons:

- fixpoint: `run_rules(store, settings)` as the build runs it (each stratum's steps in parallel on
  `settings.reasoner_threads`), wall time and peak RSS; then the working store saved to a new on-disk
  store, as the build does next (timed apart: it is writing, not reasoning);
- floor: on its own working store, the same steps one at a time; ahead of each its `body_query` (the
  rule's WHERE as a counting SELECT over the same data) is timed once, so each body sees what its step
  saw. The sum of the bodies is the floor a rule engine cannot go under; the sum of the steps run
  alone is the engine on one thread.

The rules are whatever queries/rules/*.rq holds at run time (`plan` is asked; nothing is listed here).
A step that runs longer than --step-timeout is stopped and reported by name, with what ran before it.

Run: `.venv/bin/python bench/reason.py [--sizes 10000,100000,1000000] [--quick]`. Markdown tables on
stdout, JSON in bench/results/reason.json (rewritten after every size).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyoxigraph
from synthetic import generate

from exportkg.graph import namespaces as ns
from exportkg.graph.build.pipeline import build, load_all, named_graphs, ontology_graph
from exportkg.graph.config import Settings
from exportkg.graph.reasoning.engine import run_rules
from exportkg.graph.reasoning.rules import body_query, plan, strata
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "reason.json"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
TARGET_RATIO = 3.0
TARGET_1M_SECONDS = 300.0
INFERRED = "/graph/inferred/"
FROM_LINE = re.compile(r"(?m)^\s*FROM\s*<")
log = logging.getLogger("bench")


def rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def hwm_mb(pid: int) -> float | None:
    """Peak RSS of a running process (Linux /proc), for a worker that has to be killed."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def step_id(rule, regime) -> str:  # type: ignore[no-untyped-def]
    return f"{rule.name}@{regime.id if regime else 'global'}"


def inferred_graphs(store: KnowledgeStore) -> list[str]:
    return [str(g) for g in store.graph_names() if INFERRED in str(g)]


# ---------------------------------------------------------------------------------------------- workers
# Each runs in its own process (`reason.py --worker PHASE STORE ...`) and reports JSON lines on stdout:
# {"start": step} before a step, {"step": step, ...} after it, {"done": {...}} at the end.

def emit(**event: object) -> None:
    print(json.dumps(event), flush=True)


def worker_base(base_nq: Path, via_build: bool) -> None:
    """The shipped data as one N-Quads file: through `build` (which also runs the rules on it; the
    inferred graphs are left out), or straight from the loaders."""
    start = time.perf_counter()
    settings = Settings(home=base_nq.parent / "home")
    if via_build:
        build(settings)
        store = KnowledgeStore.in_memory()
        store.ox.bulk_load(KnowledgeStore.open_read_only(StoreLocation(settings.store_root)).ox.dump(
            format=pyoxigraph.RdfFormat.N_QUADS), format=pyoxigraph.RdfFormat.N_QUADS)
    else:
        store = KnowledgeStore.in_memory()
        for name, graph in named_graphs(load_all(settings), ontology_graph(settings)).items():
            store.load_graph(graph, name)
    for graph in inferred_graphs(store):  # via build: the fixpoint starts without them
        store.ox.remove_graph(pyoxigraph.NamedNode(graph))
    store.ox.dump(str(base_nq), format=pyoxigraph.RdfFormat.N_QUADS)
    emit(done={"base_s": time.perf_counter() - start, "via_build": via_build})


def load_working_store(base_nq: Path, synthetic_nt: Path) -> tuple[KnowledgeStore, dict]:
    """What a build reasons on: an in-memory store (KnowledgeStore.in_memory, as graph/build/pipeline.py uses)
    holding the shipped data and the synthetic facts."""
    store = KnowledgeStore.in_memory()
    start = time.perf_counter()
    store.ox.bulk_load(path=str(base_nq), format=pyoxigraph.RdfFormat.N_QUADS)
    store.ox.bulk_load(path=str(synthetic_nt), format=pyoxigraph.RdfFormat.N_TRIPLES,
                       to_graph=pyoxigraph.NamedNode(ns.FACTS_GRAPH))
    loaded = {"load_s": time.perf_counter() - start, "facts_after": store.graph_size(ns.FACTS_GRAPH),
              "store_triples": len(store.ox), "load_rss_mb": rss_mb()}
    if inferred_graphs(store):
        raise RuntimeError("inferred graphs present before the fixpoint")
    return store, loaded


def run_body(store: KnowledgeStore, text: str) -> int:
    """A body query over the dataset it names (FROM), else over the union of all graphs, as the
    engine's CONSTRUCT path reads it."""
    union = FROM_LINE.search(text) is None
    return int(next(iter(store.ox.query(text, use_default_graph_as_union=union)))["n"].value)


def worker_fixpoint(base_nq: Path, synthetic_nt: Path, settings: Settings) -> None:
    """run_rules as the build runs it (each stratum's steps in parallel on settings.reasoner_threads);
    every step reports its own time, so the sum of step times is the CPU-side cost beside the wall time."""
    store, loaded = load_working_store(base_nq, synthetic_nt)
    emit(loaded=loaded)
    lock = threading.Lock()
    count = 0

    def reported(step, seconds: float, _written: int | None) -> None:  # type: ignore[no-untyped-def]
        nonlocal count
        with lock:
            count += 1
            emit(step=step_id(step.rule, step.regime), fixpoint_s=seconds)

    planned = len(plan(store, settings))
    start = time.perf_counter()
    sizes = run_rules(store, settings, on_step=reported)
    fixpoint_s = time.perf_counter() - start
    rss_after = rss_mb()
    start = time.perf_counter()  # what the build does next: the working store saved to disk, once
    with tempfile.TemporaryDirectory(dir=base_nq.parent) as saved:
        store.save_to(Path(saved) / "store").close()
        persist_s = time.perf_counter() - start
    store.close()
    emit(done={**loaded, "fixpoint_s": fixpoint_s, "peak_rss_mb": rss_after, "persist_s": persist_s,
               "threads": settings.reasoner_threads, "inferred_triples": sum(sizes.values()),
               "inferred_graphs": {g.rsplit(INFERRED, 1)[1]: n for g, n in sizes.items()},
               "step_count": count, "planned_steps": planned})


def worker_floor(base_nq: Path, synthetic_nt: Path, settings: Settings) -> None:
    """The same steps one at a time on a working store of its own; ahead of each step its body is
    timed, so each body sees exactly what that step saw (earlier strata's output, not later ones')."""
    store, _loaded = load_working_store(base_nq, synthetic_nt)
    for layer in strata(plan(store, settings)):
        for step in layer:
            key = step_id(step.rule, step.regime)
            emit(start=key, doing="body")
            try:
                text = body_query(store, step.rule, step.regime)
                start = time.perf_counter()
                rows = run_body(store, text)
                emit(step=key, floor_s=time.perf_counter() - start, rows=rows)
            except Exception as exc:  # a rule that body_query cannot turn into a SELECT: report, go on
                emit(step=key, floor_s=None, rows=None, error=f"{type(exc).__name__}: {exc}"[:300])
            emit(start=key, doing="write")
            start = time.perf_counter()
            store.apply_rule(step)  # the write again, alone: for comparison with the parallel run
            emit(step=key, alone_s=time.perf_counter() - start)
    store.close()
    emit(done={"floor_rss_mb": rss_mb()})


def run_worker(argv: list[str]) -> None:
    phase, base_nq = argv[0], Path(argv[1])
    settings = Settings(home=base_nq.parent)
    if phase == "base":
        worker_base(base_nq, argv[2] == "build")
    elif phase == "fixpoint":
        worker_fixpoint(base_nq, Path(argv[2]), settings)
    elif phase == "floor":
        worker_floor(base_nq, Path(argv[2]), settings)
    else:
        raise SystemExit(f"unknown phase {phase}")


# ---------------------------------------------------------------------------------------------- driver

class Outcome:
    """What a worker reported: its step events, its final result, or why it was stopped."""

    def __init__(self) -> None:
        self.steps: dict[str, dict] = {}
        self.done: dict | None = None
        self.loaded: dict = {}
        self.error: str | None = None
        self.running: str | None = None
        self.doing = ""
        self.peak_rss_mb: float | None = None
        self.seconds = 0.0
        self.running_s = 0.0  # how long the step in progress had run when the worker was stopped


def spawn(phase: str, store_dir: Path, *extra: str, timeout: float, step_timeout: float,
          work: Path) -> Outcome:
    """Run one worker, following its events; stop it when a step or the phase runs too long."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", phase, str(store_dir), *extra]
    out_path, err_path = work / f"{phase}.out", work / f"{phase}.err"
    outcome = Outcome()
    start = time.perf_counter()
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
    step_started = start
    offset = 0
    while True:
        finished = proc.poll() is not None
        outcome.peak_rss_mb = hwm_mb(proc.pid) or outcome.peak_rss_mb
        with out_path.open() as fh:
            fh.seek(offset)
            chunk = fh.read()
        complete = chunk[: chunk.rfind("\n") + 1]
        offset += len(complete)
        for line in complete.splitlines():
            event = json.loads(line)
            if "start" in event:
                outcome.running, step_started = event["start"], time.perf_counter()
                outcome.doing = event.get("doing", "")
            elif "step" in event:
                key = event.pop("step")
                outcome.steps.setdefault(key, {}).update(event)
                outcome.running = None
            elif "loaded" in event:
                outcome.loaded = event["loaded"]
            elif "done" in event:
                outcome.done = event["done"]
        if finished:
            break
        now = time.perf_counter()
        if outcome.running and now - step_started > step_timeout:
            outcome.error = (f"{phase}: step {outcome.running} ({outcome.doing}) still running after "
                             f"{step_timeout:.0f} s")
        elif now - start > timeout:
            outcome.error = f"{phase}: timed out after {timeout:.0f} s" + (
                f" (in step {outcome.running})" if outcome.running else "")
        if outcome.error:
            outcome.running_s = now - step_started
            outcome.peak_rss_mb = hwm_mb(proc.pid) or outcome.peak_rss_mb
            proc.kill()
            proc.wait()
            break
        time.sleep(0.2)
    outcome.seconds = time.perf_counter() - start
    if outcome.error is None and (proc.returncode != 0 or outcome.done is None):
        outcome.error = f"{phase}: exit {proc.returncode}: {err_path.read_text().strip()[-2000:]}"
    return outcome


def run_size(n: int, base_nq: Path, work: Path, args: argparse.Namespace) -> dict:
    home = work / f"n{n}"
    home.mkdir()
    nt = home / "synthetic.nt"
    limits = {"timeout": args.timeout, "step_timeout": args.step_timeout, "work": home}
    log.info("%d companies: generating", n)
    start = time.perf_counter()
    counts = generate(n, args.seed, nt)
    result: dict = {"companies": n, "seed": args.seed, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                    "rules": {p.name: hashlib.sha1(p.read_bytes()).hexdigest()[:12]  # which rule set ran
                              for p in sorted(Settings().queries_dir.glob("rules/*.rq"))},
                    "options": {"via_build": args.via_build, "step_timeout_s": args.step_timeout,
                                "timeout_s": args.timeout, "working_store": "in-memory"},
                    "generate_s": time.perf_counter() - start,
                    "synthetic": counts, "triples_loaded": counts["triples"], "steps": {}, "errors": []}

    for phase in ("fixpoint", "floor"):
        log.info("%d companies: %s", n, "fixpoint (run_rules)" if phase == "fixpoint" else
                 "floor (each step's body, at the state that step sees)")
        outcome = spawn(phase, base_nq, str(nt), **limits)
        for key, event in outcome.steps.items():
            result["steps"].setdefault(key, {}).update(event)
        if outcome.error:
            result["errors"].append(outcome.error)
            result[f"{phase}_incomplete"] = True
            if outcome.running:
                result[f"{phase}_stopped_in"] = outcome.running
                result["steps"].setdefault(outcome.running, {})[f"{phase}_stopped_after_s"] = outcome.running_s
        if phase == "fixpoint":
            result.update(outcome.done or {"peak_rss_mb": outcome.peak_rss_mb, **outcome.loaded})
        else:
            result["floor_rss_mb"] = (outcome.done or {}).get("floor_rss_mb", outcome.peak_rss_mb)
    nt.unlink()
    floors = [s.get("floor_s") for s in result["steps"].values()]
    result["floor_s"] = sum(f for f in floors if f is not None)
    result["one_thread_s"] = sum(s.get("alone_s") or 0.0 for s in result["steps"].values())
    result["floor_incomplete"] = result.get("floor_incomplete", False) or any(f is None for f in floors)
    return _finish(result, home)


def _finish(result: dict, home: Path) -> dict:
    if result.get("fixpoint_s") and result.get("floor_s"):
        result["ratio"] = result["fixpoint_s"] / result["floor_s"]
        result["within_3x"] = result["ratio"] <= TARGET_RATIO and not result["floor_incomplete"]
    if result["companies"] >= 1_000_000:
        result["under_5_min"] = bool(result.get("fixpoint_s")) and result["fixpoint_s"] < TARGET_1M_SECONDS
    shutil.rmtree(home, ignore_errors=True)
    return result


def stopped(result: dict) -> set[str]:
    return {result[k] for k in ("fixpoint_stopped_in", "floor_stopped_in") if k in result}


def slowest(result: dict, k: int = 5) -> list[tuple[str, dict]]:
    """The steps whose body (or, failing that, whose write) took longest; a stopped step first."""
    stuck = stopped(result)

    def cost(item: tuple[str, dict]) -> float:
        key, step = item
        return float("inf") if key in stuck else max(step.get("floor_s") or 0.0, step.get("fixpoint_s") or 0.0)

    return sorted(result.get("steps", {}).items(), key=lambda kv: -cost(kv))[:k]


def _s(value: float | None, missing: str = "—") -> str:
    return missing if value is None else f"{value:.2f}"


def _stopped(step: dict, phase: str) -> str:
    after = step.get(f"{phase}_stopped_after_s")
    return "—" if after is None else f"stopped after {after:.0f}"


def markdown(results: list[dict]) -> str:
    lines = ["| companies | triples loaded | load into memory (s) | fixpoint (s) | floor: sum of bodies (s) | "
             "fixpoint / floor | one thread (s) | peak RSS (MB) | inferred triples | then saved to disk (s) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        fixpoint = _s(r.get("fixpoint_s"), "stopped" if r.get("fixpoint_incomplete") else "—")
        floor = _s(r.get("floor_s")) + (" (incomplete)" if r.get("floor_incomplete") else "")
        ratio = f"{r['ratio']:.2f}x" if "ratio" in r else "—"
        inferred = f"{r['inferred_triples']:,}" if "inferred_triples" in r else "—"
        lines.append(f"| {r['companies']:,} | {r['triples_loaded']:,} | {_s(r.get('load_s'))} | {fixpoint} | "
                     f"{floor} | {ratio} | {_s(r.get('one_thread_s'))} | {r.get('peak_rss_mb') or '—'} | {inferred} | "
                     f"{_s(r.get('persist_s'))} |")
    for r in results:
        lines += ["", f"Slowest steps at {r['companies']:,} companies:", "",
                  "| step (rule@regime) | floor (s) | alone (s) | in the parallel fixpoint (s) | body rows |",
                  "|---|---:|---:|---:|---:|"]
        for key, s in slowest(r):
            rows = f"{s['rows']:,}" if s.get("rows") is not None else "—"
            fixpoint = _s(s.get("fixpoint_s"), _stopped(s, "fixpoint"))
            floor = _s(s.get("floor_s"), _stopped(s, "floor") if "floor_stopped_after_s" in s else
                       "error" if "error" in s else "—")
            lines.append(f"| {key} | {floor} | {_s(s.get('alone_s'))} | {fixpoint} | {rows} |")
        lines += [f"\n{e}" for e in r.get("errors", [])]
    return "\n".join(lines)


def verdict(results: list[dict]) -> str:
    notes = []
    for r in results:
        size = f"{r['companies']:,} companies"
        if "ratio" in r:
            notes.append(f"{size}: fixpoint {r['ratio']:.2f}x the floor "
                         f"({'within' if r['within_3x'] else 'NOT within'} {TARGET_RATIO:g}x"
                         f"{', floor incomplete' if r['floor_incomplete'] else ''})")
        elif r.get("fixpoint_incomplete"):
            notes.append(f"{size}: fixpoint did not finish ({r['errors'][0]})")
        if "under_5_min" in r:
            notes.append(f"{size}: fixpoint {'under' if r['under_5_min'] else 'NOT under'} 5 minutes")
    return "\n".join(f"- {n}" for n in notes)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        run_worker(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="comma-separated company counts (default: 10000,100000,1000000)")
    parser.add_argument("--quick", action="store_true", help="10,000 companies only")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per phase per size (default 3600)")
    parser.add_argument("--step-timeout", type=float, default=600,
                        help="seconds one rule step may take before it is reported and stopped (default 600)")
    parser.add_argument("--via-build", action="store_true",
                        help="make the base store with `build` (SHACL, rules on the curated data) instead of "
                             "the loaders alone; the inferred graphs are dropped either way")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--workdir", type=Path, default=None, help="where the temporary stores go")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    sizes = [10_000] if args.quick else [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="exportkg-reason-", dir=args.workdir) as tmp:
        work = Path(tmp)
        base_nq = work / "base" / "shipped.nq"
        base_nq.parent.mkdir()
        base = spawn("base", base_nq, "build" if args.via_build else "loaders", timeout=args.timeout,
                     step_timeout=args.step_timeout, work=base_nq.parent)
        if base.error:
            raise SystemExit(f"could not make the base store: {base.error}")
        log.info("base store (shipped data) in %.1f s", (base.done or {}).get("base_s", 0.0))
        for n in sizes:
            results.append(run_size(n, base_nq, work, args))
            _write(args.out, results, args)  # after every size, so a long run keeps what it measured

    print(markdown(results))
    print()
    print(verdict(results))
    print(f"\nJSON: {args.out}")


def _write(path: Path, results: list[dict], args: argparse.Namespace) -> None:
    """Write the results, keeping sizes an earlier run measured and this one did not (each result says
    when it was measured and with which rules, so runs on different rule sets are not mixed up)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    kept: dict[int, dict] = {}
    if path.exists():
        try:
            kept = {r["companies"]: r for r in json.loads(path.read_text(encoding="utf-8")).get("results", [])}
        except (ValueError, KeyError, TypeError):
            kept = {}
    kept.update({r["companies"]: r for r in results})
    meta = {"machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "pyoxigraph": pyoxigraph.__version__,
            "targets": {"ratio": TARGET_RATIO, "seconds_at_1m": TARGET_1M_SECONDS}}
    path.write_text(json.dumps({"meta": meta, "results": [kept[n] for n in sorted(kept)]}, indent=2) + "\n",
                    encoding="utf-8")


if __name__ == "__main__":
    main()
