"""Incremental import benchmark (issue 16): `exportkg import` of a few parties into a home holding
N GLEIF-format entities, the published store updated through the rules the rows reach, beside the
full rebuild it replaces, in one run.

1. Synthetic golden-copy files (bench/gleif_synth.py) of `--entities` entities imported into a fresh
   home with `exportkg import-gleif` (not timed here: bench/scale.py times it).
2. In a fresh subprocess each, as a user runs them: `exportkg import` of five parties (a chain of
   three companies under a GLEIF entity, one with a minority owner, a data center of the chain, a
   company on its own), then of a change to three of them (the chain's top moves under another
   parent, the data center to another owner and country, the lone company joins a curated group).
   Wall time of each, whole command (Python start, loading the curated data twice, the shapes, the
   update, the publish).
3. The home as it was after the first import, copied, and the second import made there with
   `--rebuild`: the full rebuild the update replaces, timed the same way.
4. The two published stores compared graph for graph: per graph, the count and an order-free digest
   of its quads (the ontology's blank nodes, named afresh by every parse, compared up to their names).
5. `exportkg import-gleif --delta` of GLEIF delta files (`--delta-records` records: new entities under
   existing ones, entities moved to China, direct links ended, exceptions revised) into the first home,
   updated in place, and into a copy of it with `--rebuild`; timed and compared the same way.
   `--only gleif-delta` skips steps 2-4.

Run: `.venv/bin/python bench/incremental.py --entities 1000000` (about 35 minutes). Markdown on stdout;
raw results with the commit measured in bench/results-committed/incremental-<entities>.json
(`--only gleif-delta`: incremental-gleif-delta-<entities>.json).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "results-committed"
sys.path.insert(0, str(HERE))

from gleif_synth import HEADERS, entity, exception, generate, lei, relationship  # noqa: E402

HEADER = "id,name,kind,country,headquarters,parent,parent_share,operator,h100e,source,owners\n"


def parties(parent_lei: str) -> tuple[str, str]:
    gleif_parent = f"lei-{parent_lei.lower()}"
    first = HEADER + f"""u-top,Top Group,company,SG,SG,{gleif_parent},100,,,annual report,
u-mid,Mid Holding,company,AE,AE,u-top,100,,,annual report,
u-low,Low Trading,company,AE,AE,u-mid,80,,,annual report,alibaba-group:20
u-dc,Low data center,data_center,AE,,u-low,,u-low,5000,press release,
u-free,Free Standing,company,NO,NO,,,,,registry,
"""
    second = HEADER + """u-top,Top Group,company,SG,SG,u-free,100,,,annual report,
u-dc,Low data center,data_center,SA,,u-free,,u-mid,7000,press release,
u-free,Free Standing,company,NO,NO,alibaba-group,60,,,registry,
"""
    return first, second


def exportkg(home: Path, *args: str) -> tuple[float, str]:
    """One CLI command in a fresh process: its wall time and its output."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "exportkg.graph.cli", "--home", str(home), *args],
                          check=True, capture_output=True, text=True)
    return time.perf_counter() - started, done.stdout.strip()


def census(home: Path) -> dict[str, dict]:
    """Per graph: quads and an order-free digest of their N-Triples (blank-node graphs: a canonical
    form's digest, rdflib's isomorphism labels)."""
    import pyoxigraph as ox
    from rdflib import Graph
    from rdflib.compare import to_canonical_graph

    store = ox.Store.read_only(str((home / "store" / "current").resolve()))
    found: dict[str, dict] = {}
    for graph in store.named_graphs():
        total, lines, blank = 0, 0, []
        for quad in store.quads_for_pattern(None, None, None, graph):
            line = f"{ox.Triple(quad.subject, quad.predicate, quad.object)} ."
            total += 1
            if "_:" in line:
                blank.append(line)
            else:
                lines = (lines + int.from_bytes(hashlib.blake2b(line.encode(), digest_size=8).digest())) % 2**64
        if blank:
            canonical = to_canonical_graph(Graph().parse(data="\n".join(blank), format="nt"))
            text = "\n".join(sorted(canonical.serialize(format="nt").splitlines()))
            lines ^= int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest())
        found[graph.value] = {"quads": total, "digest": f"{lines:016x}"}
    return found


def commit() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                          text=True).stdout.strip()


def delta_files(entities: int, records: int, folder: Path, rr: Path) -> list[str]:
    """A GLEIF delta of about `records` records over the synthetic copy: a quarter new entities under
    existing ones, a quarter existing entities moved to China, a quarter of the copy's relationship
    records ended, a quarter exceptions revised."""
    import csv
    import random

    rng = random.Random(7)
    picks = [rng.randrange(1000, entities) for _ in range(records)]
    quarter = max(1, records // 4)
    with rr.open(newline="", encoding="utf-8") as handle:
        direct = [(r["Relationship.StartNode.NodeID"], r["Relationship.EndNode.NodeID"]) for r in csv.DictReader(handle)
                  if r["Relationship.RelationshipType"] == "IS_DIRECTLY_CONSOLIDATED_BY"]
    new = [lei(entities + 10_000_000 + k) for k in range(quarter)]
    rows = {"lei2": [entity(code, f"Delta Entity {k} (invented)", "SG") for k, code in enumerate(new)]
            + [entity(lei(i + 1), f"Synthetic Entity {i + 1} (invented, moved)", "CN") for i in picks[:quarter]],
            "rr": [relationship(code, lei(picks[k] + 1)) for k, code in enumerate(new)]
            + [relationship(child, parent, status="INACTIVE") for child, parent in rng.sample(direct, quarter)],
            "repex": [exception(lei(i + 1), "DIRECT", "NON_PUBLIC") for i in picks[2 * quarter:3 * quarter]]}
    args = []
    for kind, found in rows.items():
        path = folder / f"{kind}-delta.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=HEADERS[kind](), quoting=csv.QUOTE_ALL)
            writer.writeheader()
            writer.writerows(found)
        args += [str(path)] if kind == "lei2" else ["--relationships" if kind == "rr" else "--exceptions", str(path)]
    return args


def gleif_delta(home: Path, work: Path, entities: int, records: int) -> dict:
    """Step 5: the delta in place and with --rebuild, compared."""
    args = delta_files(entities, records, work, work / "gleif" / "rr.csv")
    rebuilt = work / "rebuilt-delta"
    shutil.copytree(home, rebuilt, symlinks=True)
    delta_s, delta_out = exportkg(home, "import-gleif", "--delta", *args)
    rebuild_s, rebuild_out = exportkg(rebuilt, "import-gleif", "--delta", "--rebuild", *args)
    mine, theirs = census(home), census(rebuilt)
    return {"delta_records": records, "delta_s": delta_s, "delta_output": delta_out,
            "delta_rebuild_s": rebuild_s, "delta_rebuild_output": rebuild_out, "delta_identical": mine == theirs,
            "delta_differing": sorted(g for g in mine.keys() | theirs.keys() if mine.get(g) != theirs.get(g))}


def run(entities: int, links: float, work: Path, only: str | None, records: int) -> dict:
    files = generate(entities, 1, work / "gleif", links=links)
    home = work / "home"
    build_s, _ = exportkg(home, "import-gleif", str(files["lei2"]), "--relationships", str(files["rr"]),
                          "--exceptions", str(files["repex"]))
    if only == "gleif-delta":
        return {"entities": entities, "links": links, "commit": commit(), "machine": platform.node(),
                "when": datetime.now(UTC).isoformat(timespec="seconds"), "import_gleif_s": build_s,
                **gleif_delta(home, work, entities, records)}
    first, second = parties(lei(12345))
    (work / "first.csv").write_text(first, encoding="utf-8")
    (work / "second.csv").write_text(second, encoding="utf-8")
    first_s, first_out = exportkg(home, "import", str(work / "first.csv"))
    rebuilt = work / "rebuilt"
    shutil.copytree(home, rebuilt, symlinks=True)
    second_s, second_out = exportkg(home, "import", str(work / "second.csv"))
    rebuild_s, rebuild_out = exportkg(rebuilt, "import", "--rebuild", str(work / "second.csv"))
    mine, theirs = census(home), census(rebuilt)
    delta = gleif_delta(home, work, entities, records)
    return {"entities": entities, "links": links, "commit": commit(), "machine": platform.node(),
            "when": datetime.now(UTC).isoformat(timespec="seconds"), "import_gleif_s": build_s,
            "first_import_s": first_s, "first_output": first_out, "second_import_s": second_s,
            "second_output": second_out, "rebuild_s": rebuild_s, "rebuild_output": rebuild_out,
            "identical": mine == theirs, "graphs": mine, "rebuilt_graphs": theirs,
            "differing": sorted(g for g in mine.keys() | theirs.keys() if mine.get(g) != theirs.get(g)),
            **delta}


def report(r: dict) -> str:
    lines = [] if "first_import_s" not in r else _csv_report(r)
    return "\n".join([*lines, "",
        f"GLEIF delta of {r['delta_records']} records into {r['entities']:,} entities (commit {r['commit']}):",
        "",
        "| step | wall time (s) |",
        "|---|---:|",
        f"| `import-gleif --delta`, updated in place | {r['delta_s']:.1f} |",
        f"| the same delta with `--rebuild` (full rebuild) | {r['delta_rebuild_s']:.1f} |",
        "",
        f"Published stores identical graph for graph: {r['delta_identical']}.",
        f"In place: {r['delta_output']}"])


def _csv_report(r: dict) -> list[str]:
    return [
        f"{r['entities']:,} GLEIF-format entities (commit {r['commit']}):",
        "",
        "| step | wall time (s) |",
        "|---|---:|",
        f"| import of 5 parties, updated in place | {r['first_import_s']:.1f} |",
        f"| import of a change to 3 of them, updated in place | {r['second_import_s']:.1f} |",
        f"| the same change with `--rebuild` (full rebuild) | {r['rebuild_s']:.1f} |",
        "",
        f"Published stores identical graph for graph: {r['identical']} "
        f"({len(r['graphs'])} graphs, {sum(g['quads'] for g in r['graphs'].values()):,} quads).",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--links", type=float, default=0.55)
    parser.add_argument("--workdir", type=Path, default=HERE / "results" / "incremental-work")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (homes, files)")
    parser.add_argument("--only", choices=["gleif-delta"], help="the GLEIF delta step alone (step 5)")
    parser.add_argument("--delta-records", type=int, default=40)
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    try:
        result = run(args.entities, args.links, args.workdir, args.only, args.delta_records)
    finally:
        if not args.keep:
            shutil.rmtree(args.workdir, ignore_errors=True)
    OUT.mkdir(exist_ok=True)
    name = f"incremental-gleif-delta-{args.entities}" if args.only else f"incremental-{args.entities}"
    (OUT / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(report(result))


if __name__ == "__main__":
    main()
