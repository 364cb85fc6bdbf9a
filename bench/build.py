"""Build benchmark: time of each build stage and the triple count, on the shipped data.

Run: `make bench` (or `.venv/bin/python bench/build.py [--owl] [--runs N]`). Not part of the test run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from exportkg.graph.build.pipeline import build, load_all, ontology_graph, validate_context
from exportkg.graph.config import Settings
from exportkg.graph.store.embedded import KnowledgeStore
from exportkg.graph.store.location import StoreLocation
from exportkg.ontology.owlcheck import check_consistency


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--owl", action="store_true", help="also time the HermiT consistency check")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp))
        load_s, ctx = timed(load_all, settings)
        ontology = ontology_graph(settings)
        shacl_s, _ = timed(validate_context, ctx, settings, ontology)
        totals = [timed(build, settings)[0] for _ in range(args.runs)]
        store = KnowledgeStore.open_read_only(StoreLocation(settings.store_root))
        sizes = {str(g).rsplit("/graph/", 1)[1]: store.graph_size(g) for g in store.graph_names()}
        store.close()
        print(f"loaders (CSV/YAML -> RDF):  {load_s:7.2f} s   ({len(ctx.facts)} fact triples)")
        print(f"SHACL validation (pySHACL): {shacl_s:7.2f} s")
        print(f"full build, median of {args.runs}:  {statistics.median(totals):7.2f} s   "
              f"(min {min(totals):.2f}, max {max(totals):.2f})")
        if args.owl:
            owl_s, _ = timed(check_consistency, ontology, ctx.facts)
            print(f"OWL consistency (HermiT):   {owl_s:7.2f} s")
        print(f"triples in store: {sum(sizes.values())}")
        for name, size in sorted(sizes.items()):
            print(f"  {size:>8}  {name}")


if __name__ == "__main__":
    main()
