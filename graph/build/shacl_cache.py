"""The screening lists' SHACL check, done once per content: the lists are most of the facts.

The BIS lists make about 98,000 of the 125,000 fact triples, and checking their 5,300 entries against
the shapes takes pySHACL some 15 seconds of a build; yet they change only when a new list file is
imported. The entries are therefore checked once per content and the result remembered in the cache
directory (Settings.cache_dir): the key is a digest of the entries' own triples, the types of every
node they point to (what `sh:class` reads), the shapes and the ontology. Same key, same verdict: a
build whose entries hash to a remembered key validates everything else and leaves the entries out,
keeping only their types (so links to them still check). Nothing but a passed check is remembered.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from rdflib import RDF, Graph, URIRef

from exportkg.graph.config import Settings
from exportkg.graph.namespaces import EKG


def entries(facts: Graph) -> set[URIRef]:
    return set(facts.subjects(RDF.type, EKG.ListEntry))  # type: ignore[arg-type]


def digest(facts: Graph, nodes: set[URIRef], settings: Settings) -> str:
    """The entries' triples and the types of what they point to, with the shapes and ontology files."""
    lines: list[str] = []
    pointed: set[URIRef] = set()
    for node in nodes:
        for p, o in facts.predicate_objects(node):
            lines.append(f"{node.n3()} {p.n3()} {o.n3()}")
            if isinstance(o, URIRef):
                pointed.add(o)
    for target in pointed:
        lines += [f"{target.n3()} a {t.n3()}" for t in facts.objects(target, RDF.type)]
    hashed = hashlib.sha256()
    for path in (settings.shapes_file, settings.ontology_file):
        hashed.update(path.read_bytes())
    hashed.update("\n".join(sorted(lines)).encode())
    return hashed.hexdigest()


def marker(settings: Settings, key: str) -> Path:
    return settings.cache_dir / f"shacl-list-entries-{key}.ok"


def remember(path: Path) -> None:
    """Written atomically: a marker that exists was written whole, after a passed check."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    staged.write_text("passed\n", encoding="utf-8")
    os.replace(staged, path)
