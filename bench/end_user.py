"""End-user controls at scale: what the BIS lists and the affiliates rule add to a determination.

Per size, the curated data (with the shipped BIS lists: 5,308 entries) and n synthetic companies
(bench/synthetic.py, seed 1) are built and published as `exportkg build` does (bench/impact.py
`publish`). One synthetic company in every LISTED_EVERY is then named by the Huawei Entity List entry
(bench data, written into the facts like a curated link), so a share of the ownership forests sits
under listed parties and the affiliates rule has chains to walk. Then, in one process on the published
store, the same parties (a fixed sample: half under a listed ancestor, half not) are answered twice,
alternately, after a warm-up of each:

- `determine(...)` as shipped, on 2025-10-15 (the affiliates rule in force): item rules, then the
  party's list entries and the 50 percent test over every owner above it;
- the floor: the same call with the end-user step left out (item rules only).

Run: `.venv/bin/python bench/end_user.py [--sizes 100000,1000000] [--sample 200]`. A Markdown table on
stdout, JSON in bench/results/end_user.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from impact import publish
from synthetic import generate

from exportkg.graph.answers import determine as determine_module
from exportkg.graph.config import Settings
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "end_user.json"
ID = "https://w3id.org/exportkg/id/"
EKG = "https://w3id.org/exportkg/ontology#"
HUAWEI_ENTRY = f"{ID}listed/entity-list/03c3b3536e313efd"
LISTED_EVERY = 200
DAY = "2025-10-15"
log = logging.getLogger("bench")


def list_some(nt: Path, n: int) -> list[int]:
    """Name every LISTED_EVERY-th synthetic company by the Huawei entry (appended to the facts file)."""
    listed = list(range(0, n, LISTED_EVERY))
    with nt.open("a", encoding="utf-8") as out:
        for i in listed:
            out.write(f"<{HUAWEI_ENTRY}> <{EKG}designates> <{ID}org/syn-{i}> .\n")
    return listed


def sample(store: KnowledgeStore, size: int, seed: int) -> list[str]:
    """Half the parties under a listed ancestor (any depth), half not, in a fixed order."""
    under = f"""SELECT DISTINCT ?p WHERE {{ <{HUAWEI_ENTRY}> <{EKG}designates> ?l .
        ?link <{EKG}owner> ?l ; <{EKG}owned> ?p . }} ORDER BY ?p LIMIT {size * 4}"""
    free = f"""SELECT ?p WHERE {{ ?p a <{EKG}Company> . FILTER (STRSTARTS(STR(?p), "{ID}org/syn-"))
        FILTER NOT EXISTS {{ ?link <{EKG}owned> ?p }} }} ORDER BY ?p LIMIT {size * 4}"""
    rng = random.Random(seed)
    below = [str(r[0]).rsplit("/", 1)[1] for r in store.query(under)]
    others = [str(r[0]).rsplit("/", 1)[1] for r in store.query(free)]
    return rng.sample(below, min(len(below), size // 2)) + rng.sample(others, min(len(others), size // 2))


def timed(store: KnowledgeStore, settings: Settings, party: str) -> tuple[float, str]:
    start = time.perf_counter()
    det = determine_module.determine(store, settings, party, "3A090.a", on=DAY)
    return time.perf_counter() - start, det.review_policy


def measure(home: Path, parties: int, seed: int) -> dict:
    settings = Settings(home=home)
    store = KnowledgeStore.open_read_only(StoreLocation(settings.store_root))
    chosen = sample(store, parties, seed)
    shipped_apply = determine_module.apply_end_user
    with_lists: list[float] = []
    floor: list[float] = []
    reached = 0
    for warm in chosen[:5]:  # warm-up of both paths
        timed(store, settings, warm)
        determine_module.apply_end_user = lambda *a, **k: None
        timed(store, settings, warm)
        determine_module.apply_end_user = shipped_apply
    for party in chosen:
        seconds, policy = timed(store, settings, party)
        with_lists.append(seconds)
        determine_module.apply_end_user = lambda *a, **k: None
        seconds_floor, policy_floor = timed(store, settings, party)
        determine_module.apply_end_user = shipped_apply
        floor.append(seconds_floor)
        reached += policy != policy_floor
    store.close()
    return {"parties": len(chosen), "answers_changed_by_lists": reached,
            "with_lists_ms": _stats(with_lists), "floor_ms": _stats(floor),
            "ratio_median": statistics.median(with_lists) / statistics.median(floor)}


def _stats(values: list[float]) -> dict:
    ordered = sorted(v * 1000 for v in values)
    return {"median": statistics.median(ordered), "p95": ordered[int(0.95 * (len(ordered) - 1))],
            "max": ordered[-1]}


def run_size(n: int, seed: int, parties: int, workdir: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="exportkg-end-user-", dir=workdir) as tmp:
        work = Path(tmp)
        nt = work / "synthetic.nt"
        generate(n, seed, nt)
        listed = list_some(nt, n)
        home = work / "home"
        log.info("%d companies: publishing", n)
        built = publish(home, nt)
        log.info("%d companies: measuring", n)
        return {"companies": n, "listed_companies": len(listed), **built, **measure(home, parties, seed)}


def markdown(results: list[dict]) -> str:
    lines = ["| companies | listed synthetic companies | build rules (s) | parties | answers changed by the lists "
             "| with lists: median / p95 (ms) | floor (item rules only): median / p95 (ms) | median ratio |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        w, f = r["with_lists_ms"], r["floor_ms"]
        lines.append(f"| {r['companies']:,} | {r['listed_companies']:,} | {r['build_rules_s']:.1f} | {r['parties']} | "
                     f"{r['answers_changed_by_lists']} | {w['median']:.0f} / {w['p95']:.0f} | "
                     f"{f['median']:.0f} / {f['p95']:.0f} | {r['ratio_median']:.2f}x |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000", help="comma-separated company counts")
    parser.add_argument("--sample", type=int, default=200, help="parties answered per size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    results = [run_size(int(s), args.seed, args.sample, args.workdir) for s in args.sizes.split(",") if s.strip()]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"results": results}, indent=2) + "\n", encoding="utf-8")
    print(markdown(results))
    print(f"\nJSON: {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
